"""Exercise candidates.1 (04b_candidates): which polynomial degree? Candidates in parallel, in a
flow file you finish and run yourself.

Fill in the three places marked TODO, then run it from the top of the course folder:

    python exercises/flows/degree_flow.py show
    python exercises/flows/degree_flow.py run
    python exercises/flows/degree_flow.py run --degrees 1,3,9

and check it at the end of 04b_candidates (or with `make exercises`). The check runs this file in a
datastore of its own.
"""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import FlowSpec, Parameter, step


class DegreeFlow(FlowSpec):
    """Fit polynomials of several degrees to curved data, one task per degree, in parallel; keep the
    degree with the lowest MSE on the validation rows, then test it once on the test rows."""

    degrees = Parameter(
        'degrees',
        default='1,2,3,5,9',
        help='Comma-separated polynomial degrees to compare',
    )

    @step
    def start(self):
        """Make the data (y is a cubic in x, plus noise) and cut it into training, validation and
        test rows, once, before the fan-out: every degree is judged on the same rows."""
        import numpy as np
        rng = np.random.default_rng(0)
        x = rng.uniform(-1, 1, 150)
        y = 2 * x**3 - x + rng.normal(scale=0.2, size=150)
        self.x_train, self.y_train = x[:60], y[:60]
        self.x_val, self.y_val = x[60:100], y[60:100]
        self.x_test, self.y_test = x[100:], y[100:]
        self.degree_list = [int(d) for d in self.degrees.split(',')]
        print(f'{len(self.degree_list)} degrees to try: {self.degree_list}')
        # TODO 1: fan out: one `fit` task per item of `degree_list`
        raise NotImplementedError('TODO 1')

    @step
    def fit(self):
        """One task per degree: fit a polynomial on the training rows, score it on the validation
        rows."""
        import numpy as np
        # TODO 2: store this task's degree as `self.degree`; the coefficients that np.polyfit fits
        # on the training rows as `self.coefs`; and the mean squared error of np.polyval's
        # predictions on the VALIDATION rows as `self.val_mse` (a float). Then go on to `choose`.
        raise NotImplementedError('TODO 2')

    @step
    def choose(self, inputs):
        """The join: keep every degree's validation MSE, and the best degree with its
        coefficients."""
        # TODO 3: store `self.val_scores`, a dict {degree: val_mse} of every branch; the degree with
        # the lowest val_mse as `self.chosen_degree`, and its `coefs`. Keep what every branch
        # shares (the rows) with merge_artifacts. Then go on to `end`.
        raise NotImplementedError('TODO 3')

    @step
    def end(self):
        """Test the chosen degree, once, on the test rows that no choice has seen."""
        import numpy as np
        predictions = np.polyval(self.coefs, self.x_test)
        self.test_mse = float(np.mean((predictions - self.y_test) ** 2))
        print(f'chosen degree {self.chosen_degree}: test MSE {self.test_mse:.4f}')


if __name__ == '__main__':
    DegreeFlow()
