# exercise dags.1
def topological_order(edges:dict) -> list:
    "The steps of `edges` in an order that runs every parent before its children"
    waiting = {name: 0 for name in edges}  # how many parents each step still waits for
    for children in edges.values():
        for child in children:
            waiting[child] += 1
    ready = [name for name in edges if waiting[name] == 0]
    order = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for child in edges[name]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if len(order) < len(edges):
        stuck = sorted(name for name in edges if waiting[name] > 0)
        raise ValueError(f'the graph has a cycle: {", ".join(stuck)} never stop waiting')
    return order

# exercise dags.2
def three_branch_flow() -> str:
    "The text of a flow file: BranchJoinFlow with a third branch c, which subtracts 1 from x"
    return '''
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from metaflow import FlowSpec, step


class ThreeBranchFlow(FlowSpec):
    """start fans out to a, b and c, which run in parallel, and join combines them."""

    @step
    def start(self):
        "Set the starting value and fan out to three branches"
        self.x = 3
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
        "Wait for the three branches and keep each one's x"
        self.from_branches = {'a': inputs.a.x, 'b': inputs.b.x, 'c': inputs.c.x}
        self.y = max(self.from_branches.values())
        self.next(self.end)

    @step
    def end(self):
        "Report the result"
        print(f'branches gave {self.from_branches}; the larger is y = {self.y}')


if __name__ == '__main__':
    ThreeBranchFlow()
'''
