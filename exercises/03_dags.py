"""Checks for the exercises of 03_dags."""
import copy
from pathlib import Path

from regression_course.exercises import checks_helper, exercise


def _order_problem(order, edges:dict, what:str) -> str|None:
    "Why `order` is not a valid running order of `edges`, or None"
    if not isinstance(order, (list, tuple)): return f'{what}: return a list of step names, not a {type(order).__name__}'
    if sorted(map(str, order)) != sorted(edges) or len(order) != len(edges):
        missing, extra = set(edges) - set(order), [s for s in order if s not in edges]
        if missing: return f'{what}: your order leaves out {sorted(missing)}: every step must appear'
        if extra: return f'{what}: your order has {extra[0]!r}, which is not a step'
        return f'{what}: a step appears more than once in your order: each step runs once'
    where = {name: i for i, name in enumerate(order)}
    for parent, children in edges.items():
        for child in children:
            if where[child] < where[parent]:
                return f'{what}: your order runs {child!r} before its parent {parent!r}'
    return None


def _dags():
    "(what, edges) of DAGs, some given in an order that is not a running order"
    from metaflow.graph import FlowGraph
    from regression_course.branch_join_flow import BranchJoinFlow
    flow = {node.name: list(node.out_funcs) for node in FlowGraph(BranchJoinFlow)}
    return [
        ('the edges of BranchJoinFlow', flow),
        ('BranchJoinFlow with its steps listed end first',
         {'end': [], 'join': ['end'], 'b': ['join'], 'a': ['join'], 'start': ['a', 'b']}),
        ('a DAG where start points to c directly and through a and b',
         {'c': ['end'], 'start': ['c', 'a'], 'end': [], 'b': ['c'], 'a': ['b']}),
        ('a chain of 6 steps listed backwards', {f's{i}': [f's{i + 1}'] if i < 5 else [] for i in reversed(range(6))}),
        ('a single step', {'start': []}),
    ]


@exercise('dags.1', '03_dags', 'a running order for any DAG', needs='topological_order')
def _topological_order(topological_order):
    for what, edges in _dags():
        kept = copy.deepcopy(edges)
        order = topological_order(edges)
        if edges != kept: return f'{what}: your function changed the edges it was given; work on a copy'
        if hint := _order_problem(order, edges, what): return hint
    cycles = [('a flow where b points back to a', {'start': ['a'], 'a': ['b'], 'b': ['a', 'end'], 'end': []}, {'a', 'b'}),
              ('a step that points to itself', {'start': ['loop'], 'loop': ['loop', 'end'], 'end': []}, {'loop'})]
    for what, edges, cycle in cycles:
        try: order = topological_order(edges)
        except ValueError as e:
            if not any(name in str(e) for name in cycle):
                return f'{what}: your ValueError says {str(e)!r}; name the steps that are stuck, so the author can find the loop'
            continue
        except RecursionError:
            return f'{what}: your function recursed forever; notice when you come back to a step you have not finished, and raise ValueError'
        except NotImplementedError: raise
        except Exception as e:
            return f'{what}: your function fails with {type(e).__name__}: {e}; when no running order exists, raise a ValueError that names the stuck steps'
        return f'{what}: this graph has a cycle, so no running order exists, but you returned {order!r}: raise ValueError'
    return None


def _flow_runs():
    "The helpers shared by the checks of flow exercises (exercises/flow_runs.py)"
    return checks_helper('flow_runs', Path(__file__).parent)


@exercise('dags.2', '03_dags', 'a third branch, joined', file='flows/three_branch_flow.py')
def _three_branch(path):
    runs = _flow_runs()
    flow, edges = runs.read_flow(path, 'ThreeBranchFlow')
    if flow is None: return edges  # a hint: the file does not import, or defines no ThreeBranchFlow
    if 'c' not in edges: return 'the flow has no step c yet: add a method `def c(self):` with @step and a docstring'
    if sorted(edges) != ['a', 'b', 'c', 'end', 'join', 'start']:
        return f'the flow should have the steps start, a, b, c, join and end; yours has {", ".join(sorted(edges))}'
    if edges['start'] != ['a', 'b', 'c']: return f'start should fan out to a, b and c: self.next(self.a, self.b, self.c); it points to {edges["start"]}'
    if lost := [s for s in 'abc' if edges[s] != ['join']]: return f'branch {lost[0]} should lead to join; it points to {edges[lost[0]]}'
    if edges['join'] != ['end']: return f'join should lead to end; it points to {edges["join"]}'
    run_id, output, root = runs.run_flow_file(path)
    if run_id is None: return f'your flow did not run to the end: {runs.why_it_failed(output)}'
    with runs.reading(root):
        run = runs.open_run(f'ThreeBranchFlow/{run_id}')
        x_of_c = run['c'].task.data.x
        end = run['end'].task
        branches = end['from_branches'].data if 'from_branches' in end else None
        y = end['y'].data if 'y' in end else None
    if x_of_c != 2: return f'branch c should subtract 1 from x (3), leaving 2; its x is {x_of_c!r}'
    if not isinstance(branches, dict): return 'the join should keep `from_branches`, a dict of each branch\'s x (the end step needs it too)'
    if branches != {'a': 6, 'b': 9, 'c': 2}:
        if 'c' not in branches: return f'the join\'s from_branches is {branches}: the value of branch c is not in it'
        return f'the join\'s from_branches should be each branch\'s x, by name; yours is {branches}'
    if y != 9: return f'y should still be the largest value of the branches, 9; yours is {y!r}'
    return None


WRONG_ANSWERS = {
    'dags.1': [
        '''def topological_order(edges):
    return list(edges)''',
        '''def topological_order(edges):
    order, seen = [], set()
    def visit(name):
        if name in seen: return
        seen.add(name)
        for child in edges[name]: visit(child)
        order.append(name)
    for name in edges: visit(name)
    return order[::-1]''',
        '''def topological_order(edges):
    parents = {name: 0 for name in edges}
    for children in edges.values():
        for child in children: parents[child] += 1
    ready = [n for n, k in parents.items() if k == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        while edges[name]:
            child = edges[name].pop()
            parents[child] -= 1
            if parents[child] == 0: ready.append(child)
    if len(order) < len(edges): raise ValueError('cycle')
    return order''',
    ],
    'dags.2': [  # each: the starting file with these lines changed, and (part of) the hint it must get
        {'replace': [("        self.next(self.a, self.b)\n", "        self.next(self.a, self.b, self.c)\n"),
                     ("    @step\n    def join(self, inputs):\n",
                      "    @step\n    def c(self):\n        \"Branch c\"\n        self.x = self.x - 1\n"
                      "        self.next(self.join)\n\n    @step\n    def join(self, inputs):\n")],
         'hint': 'the value of branch c is not in it'},
        {'replace': [("    @step\n    def join(self, inputs):\n",
                      "    @step\n    def c(self):\n        \"Branch c\"\n        self.x = self.x - 1\n"
                      "        self.next(self.join)\n\n    @step\n    def join(self, inputs):\n")],
         'hint': 'start should fan out to a, b and c'},
        {'replace': [("class ThreeBranchFlow(FlowSpec):", "class ThreeBranches(FlowSpec):"),
                     ("    ThreeBranchFlow()", "    ThreeBranches()")],
         'hint': 'keep the name it came with'},
    ],
}
