"""The capstone's starting flow: one straight line for every desk, and a quality gate on average.

Run it from a terminal, from any folder, and read its log:

    python capstone/desks_flow.py run
    python capstone/desks_flow.py run --dataset broken.txt   # made by capstone/make_data.py

It runs, it passes its quality gate, and it is tagged `deployable`: on average the line is good.
Your capstone (capstone/README.md) is to find out where it is not, and to build the rest: a test
per desk (TODO 1), a card that shows it (TODO 2), a model that serves every sound desk well
(TODO 3), a verdict per desk (TODO 4), and an endpoint on the newest deployable run (app.py).
"""
from pathlib import Path

import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import FlowSpec, IncludeFile, Parameter, current, step

HERE = Path(__file__).resolve().parent


class DesksFlow(FlowSpec):
    """Predict each trading desk's P&L from the day's market move, and tag the run `deployable`
    when the model passes the quality gate."""

    dataset = IncludeFile(
        'dataset',
        is_text=True,
        default=str(HERE/'desks.txt'),
        help='Tab-separated lines: a header, then desk, x, y; a copy is stored with the run',
    )
    test_split = Parameter(
        'test_split',
        default=0.2,
        help="Share of each desk's days held out to test the model",
    )
    random_state = Parameter(
        'random_state',
        default=42,
        help='Seed of the split',
    )
    min_r2 = Parameter(
        'min_r2',
        default=0.5,
        help='Quality gate: the lowest test R2 a deployable model may have',
    )

    @step
    def start(self):
        """Say which run this is, and check the parameters before anything else runs."""
        print(f'flow {current.flow_name}, run {current.run_id}, started by {current.username}')
        if not 0 < self.test_split < 1:
            raise ValueError(f'test_split must be between 0 and 1, not {self.test_split}')
        self.next(self.read_data)

    @step
    def read_data(self):
        """Parse the included text into `desks`, `X` (n rows, 1 column) and `y`; then hold out
        the test days: the same share of every desk's days (a stratified split), so that even a
        small desk is tested."""
        import numpy as np
        lines = self.dataset.splitlines()
        if not lines or lines[0].split('\t') != ['desk', 'x', 'y']:
            raise ValueError('the dataset must start with the header line: desk<TAB>x<TAB>y')
        desks, xs, ys = [], [], []
        for number, line in enumerate(lines[1:], start=2):
            fields = line.split('\t')
            try:
                desk, x, y = fields[0], float(fields[1]), float(fields[2])
            except (IndexError, ValueError):
                raise ValueError(f'line {number} is not desk<TAB>x<TAB>y: {line!r}') from None
            if len(fields) != 3 or not desk or not np.isfinite([x, y]).all():
                raise ValueError(f'line {number}: desk<TAB>x<TAB>y with finite numbers: {line!r}')
            desks.append(desk)
            xs.append(x)
            ys.append(y)
        self.desks = np.array(desks)
        self.X = np.array(xs).reshape(-1, 1)
        self.y = np.array(ys)
        rng = np.random.default_rng(self.random_state)
        test = []
        for desk in sorted(set(desks)):
            rows = rng.permutation(np.flatnonzero(self.desks == desk))
            test.extend(rows[:round(len(rows) * self.test_split)])
        self.test_rows = np.sort(np.array(test))
        self.train_rows = np.setdiff1d(np.arange(len(ys)), self.test_rows)
        counts = {desk: desks.count(desk) for desk in sorted(set(desks))}
        print(f'{len(ys)} days: ' + ', '.join(f'{desk} {n}' for desk, n in counts.items()))
        self.next(self.train)

    @step
    def train(self):
        """Fit the model on the training days.

        TODO 3: one line for every desk ignores the desk. Make the model desk-aware, so that
        every desk whose data is sound passes its test (and say in WRITEUP.md what you chose,
        and why)."""
        from sklearn.linear_model import LinearRegression
        X_train, y_train = self.X[self.train_rows], self.y[self.train_rows]
        self.model = LinearRegression().fit(X_train, y_train)
        intercept, slope = self.model.intercept_, self.model.coef_[0]
        print(f'one line for every desk: y = {intercept:.3f} + {slope:.3f} x')
        self.next(self.test_model)

    @step
    def test_model(self):
        """The quality gate, on the test days of all desks together: the model must beat the
        baseline (the training mean) and reach `min_r2`.

        TODO 1: this test is on average. Add a step `test_desks` that tests the model on each
        desk's own test days and stores the verdicts as `desk_report` (see capstone/README.md).
        TODO 2: give that step a card, `@card(type='blank', id='desks')`, that shows them."""
        from sklearn.metrics import mean_squared_error, r2_score
        X_test, y_test = self.X[self.test_rows], self.y[self.test_rows]
        predicted = self.model.predict(X_test)
        baseline = [self.y[self.train_rows].mean()] * len(y_test)
        self.test_metrics = dict(
            mse=float(mean_squared_error(y_test, predicted)),
            r2=float(r2_score(y_test, predicted)),
            baseline_mse=float(mean_squared_error(y_test, baseline)),
        )
        passed = self.test_metrics['mse'] < self.test_metrics['baseline_mse']
        passed = passed and self.test_metrics['r2'] >= self.min_r2
        self.gate = dict(passed=passed, **self.test_metrics)
        mse, r2 = self.test_metrics['mse'], self.test_metrics['r2']
        baseline_mse = self.test_metrics['baseline_mse']
        verdict = 'PASSED' if passed else 'FAILED'
        print(f'test R2 {r2:.4f}, MSE {mse:.3f} (baseline {baseline_mse:.3f}): {verdict}')
        self.next(self.end)

    @step
    def end(self):
        """Tag the run `deployable` if the model passed the gate.

        TODO 4: decide per desk. Tag the run when at least one desk passed its test, and keep
        the desks that passed as `served_desks`: the endpoint serves those, and only those."""
        self.deployable = bool(self.gate['passed'])
        if self.deployable:
            from metaflow import Run
            run = Run(f'{current.flow_name}/{current.run_id}', _namespace_check=False)
            run.add_tag(config.DEPLOYABLE_TAG)
        print(f"run {current.run_id}: {'deployable' if self.deployable else 'NOT deployable'}")


if __name__ == '__main__':
    from regression_course.anywhere import run_anywhere
    run_anywhere(DesksFlow)
