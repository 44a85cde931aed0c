"""The instructors' answer to exercise flow.2 (04a_flow): a step `residuals` before end."""
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
        self.next(self.residuals)

    @step
    def residuals(self):
        """The spread of the errors on the held-out rows, in the units of y."""
        import numpy as np
        residuals = self.y_test - self.model.predict(self.X_test)
        self.residual_std = float(np.std(residuals))
        print(f'the test residuals spread {self.residual_std:.4f} around the line')
        self.next(self.end)


if __name__ == '__main__':
    ResidualsFlow()
