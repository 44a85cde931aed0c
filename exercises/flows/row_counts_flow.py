"""Exercise flow.1 (04a_flow): count the rows of the split.

RowCountsFlow is the lecture's flow, LectureFlow (regression_course/lecture_flow.py, written by
04a_flow), with one step written again here: `split`. A flow class inherits every step it does
not write itself, so this file runs the whole lecture flow, with this file's `split` in place of
the lecture's. Change `split` so that it also stores two artifacts, `n_train` and `n_test`: the
numbers (int) of training and test rows of this run.

Run it from a terminal, at the top of the repository, and read the log of `split`:

    python exercises/flows/row_counts_flow.py run --test_split 0.3

Then check it: `check_exercise('flow.1')` in 04a_flow, or `make exercises`. The check runs this
file with `--test_split 0.3` and expects 700 and 300.
"""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import step

from regression_course.lecture_flow import LectureFlow


class RowCountsFlow(LectureFlow):
    """The lecture's flow, whose `split` step also counts the rows on each side of the split."""

    @step
    def split(self):
        """Hold out `test_split` of the rows to test the model on; train on the others."""
        from regression_course.pipeline import prepare_train_and_test_dataset
        dataset = (self.X, self.y)
        splits = prepare_train_and_test_dataset(dataset, self.test_split, self.random_state)
        self.X_train, self.X_test, self.y_train, self.y_test = splits
        self.x_range = (float(self.X_train.min()), float(self.X_train.max()))  # x seen in training
        print(f'{len(self.y_train)} rows to train on, {len(self.y_test)} to test on')
        self.next(self.train)


if __name__ == '__main__':
    RowCountsFlow()
