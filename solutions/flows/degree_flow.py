"""Exercise candidates.1 (04b_candidates), the instructors' solution: which polynomial degree?

    python solutions/flows/degree_flow.py run
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
        self.next(self.fit, foreach='degree_list')

    @step
    def fit(self):
        """One task per degree: fit a polynomial on the training rows, score it on the validation
        rows."""
        import numpy as np
        self.degree = self.input  # this task's item of `degree_list`
        self.coefs = np.polyfit(self.x_train, self.y_train, self.degree)
        predictions = np.polyval(self.coefs, self.x_val)
        self.val_mse = float(np.mean((predictions - self.y_val) ** 2))
        print(f'degree {self.degree}: validation MSE {self.val_mse:.4f}')
        self.next(self.choose)

    @step
    def choose(self, inputs):
        """The join: keep every degree's validation MSE, and the best degree with its
        coefficients."""
        self.val_scores = {branch.degree: branch.val_mse for branch in inputs}
        best = min(inputs, key=lambda branch: branch.val_mse)
        self.chosen_degree = best.degree
        self.coefs = best.coefs
        self.merge_artifacts(inputs, exclude=['degree', 'coefs', 'val_mse'])
        self.next(self.end)

    @step
    def end(self):
        """Test the chosen degree, once, on the test rows that no choice has seen."""
        import numpy as np
        predictions = np.polyval(self.coefs, self.x_test)
        self.test_mse = float(np.mean((predictions - self.y_test) ** 2))
        print(f'chosen degree {self.chosen_degree}: test MSE {self.test_mse:.4f}')


if __name__ == '__main__':
    DegreeFlow()
