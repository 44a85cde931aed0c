"""The instructors' answer to exercise flow.1 (04a_flow): `split` also stores n_train and n_test."""
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
        self.n_train = len(self.X_train)
        self.n_test = len(self.X_test)
        print(f'{self.n_train} rows to train on, {self.n_test} to test on')
        self.next(self.train)


if __name__ == '__main__':
    RowCountsFlow()
