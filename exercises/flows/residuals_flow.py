"""Exercise flow.2 (04a_flow): a step of your own.

ResidualsFlow is the lecture's flow, LectureFlow (regression_course/lecture_flow.py, written by
04a_flow), with one step written again here: `test_model`. Add a step `residuals` between
`test_model` and `end`. It stores `residual_std`, the standard deviation (np.std, as a float) of
the test residuals `y_test - model.predict(X_test)`. A step needs `@step`, a docstring, and its
place in the DAG: `test_model` must now go on to `residuals`, and `residuals` to `end`.

Run it from a terminal, at the top of the repository:

    python exercises/flows/residuals_flow.py show
    python exercises/flows/residuals_flow.py run

Then check it: `check_exercise('flow.2')` in 04a_flow, or `make exercises`.
"""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import step

from regression_course.lecture_flow import LectureFlow


class ResidualsFlow(LectureFlow):
    """The lecture's flow, with one more step after the model is tested."""

    @step
    def test_model(self):
        """Score the model on the held-out rows: mean squared error and R2."""
        from regression_course.pipeline import Splits, evaluate_model
        splits = Splits(self.X_train, self.X_test, self.y_train, self.y_test)
        self.test_metrics = evaluate_model(self.model, splits)._asdict()
        print(f"test MSE {self.test_metrics['mse']:.4f}, R2 {self.test_metrics['r2']:.4f}")
        self.next(self.end)


if __name__ == '__main__':
    ResidualsFlow()
