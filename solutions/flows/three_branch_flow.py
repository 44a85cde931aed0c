"""The instructors' answer to exercise dags.2 (03_dags): the third branch, c."""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import FlowSpec, current, step


class ThreeBranchFlow(FlowSpec):
    """start fans out to branches that run in parallel, and join combines them."""

    @step
    def start(self):
        "Set the starting value and fan out to the branches"
        self.x = 3
        print(f'{current.flow_name} run {current.run_id}: x = {self.x}')
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        "Branch a doubles x"
        self.x = self.x * 2
        self.next(self.join)

    @step
    def b(self):
        "Branch b squares x"
        self.x = self.x ** 2
        self.next(self.join)

    @step
    def c(self):
        "Branch c subtracts 1 from x"
        self.x = self.x - 1
        self.next(self.join)

    @step
    def join(self, inputs):
        "Wait for every branch; each arrives in `inputs` with its own x"
        self.from_branches = {'a': inputs.a.x, 'b': inputs.b.x, 'c': inputs.c.x}
        self.y = max(self.from_branches.values())
        self.next(self.end)

    @step
    def end(self):
        "Report the result"
        print(f'branches gave {self.from_branches}; the largest is y = {self.y}')


if __name__ == '__main__':
    ThreeBranchFlow()
