"""Checks for the exercises of 03_dags."""
import contextlib
import copy
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from regression_course.exercises import exercise


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


def _subprocess_env(root:Path) -> dict:
    "The environment of a flow run in a private datastore under `root`"
    env = dict(os.environ, METAFLOW_DATASTORE_SYSROOT_LOCAL=str(root),
               METAFLOW_DATATOOLS_LOCALROOT=str(root/'.metaflow'/'data'),
               METAFLOW_CLIENT_CACHE_PATH=str(root/'.metaflow'/'client_cache'),
               METAFLOW_DEFAULT_DATASTORE='local', METAFLOW_DEFAULT_METADATA='local')
    env.setdefault('METAFLOW_USER', 'student')
    return env


_READ_RUN = '''
import json
from metaflow import Flow, namespace
namespace(None)
run = Flow('ThreeBranchFlow').latest_run
print(json.dumps({'successful': run.successful, 'steps': sorted(s.id for s in run),
                  'x_of_c': run['c'].task.data.x if 'c' in [s.id for s in run] else None,
                  'from_branches': run.data.from_branches if 'from_branches' in run['end'].task else None,
                  'y': run.data.y if 'y' in run['end'].task else None}))
'''


def _why_failed(done) -> str:
    "The most useful line of a failed run's output: the error a task raised, or Metaflow's last word"
    import re
    errors = [m.group(1) for m in re.finditer(r'^(?:.*\] )?(\w+(?:Error|Exception): .+)$', done.stdout, re.M)]
    lines = [l.strip() for l in (done.stderr or done.stdout).strip().splitlines() if l.strip()]
    last = lines[-1] if lines else '(no output)'
    return (f'{last} {errors[-1]}' if errors else last)[:400]


@exercise('dags.2', '03_dags', 'a third branch, joined', needs='three_branch_flow')
def _three_branch(three_branch_flow):
    source = three_branch_flow()
    if not isinstance(source, str): return f'three_branch_flow should return the text of a flow file (a str), not a {type(source).__name__}'
    if 'class ThreeBranchFlow' not in source: return 'the file should define `class ThreeBranchFlow(FlowSpec)`'
    with tempfile.TemporaryDirectory(prefix='dags-2-') as folder:
        root = Path(folder)
        path = root/'three_branch_flow.py'
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f'three_branch_{uuid.uuid4().hex}', path)
        module = importlib.util.module_from_spec(spec)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()): spec.loader.exec_module(module)
        except SystemExit: return 'importing your file started the flow: start it only under `if __name__ == \'__main__\':`'
        except Exception as e: return f'your flow file does not import: {type(e).__name__}: {e}'
        from metaflow import FlowSpec
        from metaflow.graph import FlowGraph
        flow = getattr(module, 'ThreeBranchFlow', None)
        if not (isinstance(flow, type) and issubclass(flow, FlowSpec)): return 'ThreeBranchFlow should be a class inheriting from FlowSpec'
        if '__main__' not in source: return 'the file cannot run yet: end it with `if __name__ == \'__main__\':` and a line that starts the flow'
        edges = {node.name: sorted(node.out_funcs) for node in FlowGraph(flow)}
        if sorted(edges) != ['a', 'b', 'c', 'end', 'join', 'start']:
            return f'the flow should have the steps start, a, b, c, join and end; yours has {", ".join(sorted(edges))}'
        if edges['start'] != ['a', 'b', 'c']: return f'start should fan out to a, b and c; it points to {edges["start"]}'
        if lost := [s for s in 'abc' if edges[s] != ['join']]: return f'branch {lost[0]} should lead to join; it points to {edges[lost[0]]}'
        if edges['join'] != ['end']: return f'join should lead to end; it points to {edges["join"]}'
        env = _subprocess_env(root)
        done = subprocess.run([sys.executable, str(path), '--no-pylint', 'run'], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return f'your flow did not run to the end: {_why_failed(done)}'
        read = subprocess.run([sys.executable, '-c', _READ_RUN], cwd=root, env=env, capture_output=True, text=True, timeout=300)
        if read.returncode != 0: return f'your flow ran, but its run could not be read: {_why_failed(read)}'
        run = json.loads(read.stdout.strip().splitlines()[-1])
    if run['x_of_c'] != 2: return f'branch c should subtract 1 from x (3), leaving 2; its x is {run["x_of_c"]!r}'
    branches = run['from_branches']
    if not isinstance(branches, dict): return 'the join should keep `from_branches`, a dict of each branch\'s x (the end step needs it too)'
    if branches != {'a': 6, 'b': 9, 'c': 2}:
        if 'c' not in branches: return f'the join\'s from_branches is {branches}: the value of branch c is not in it'
        return f'the join\'s from_branches should be each branch\'s x, by name; yours is {branches}'
    if run['y'] != 9: return f'y should still be the largest value of the branches, 9; yours is {run["y"]!r}'
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
    'dags.2': [
        '''def three_branch_flow():
    return """
from metaflow import FlowSpec, step

class ThreeBranchFlow(FlowSpec):
    @step
    def start(self):
        self.x = 3
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.x = self.x * 2
        self.next(self.join)

    @step
    def b(self):
        self.x = self.x ** 2
        self.next(self.join)

    @step
    def c(self):
        self.x = self.x - 1
        self.next(self.join)

    @step
    def join(self, inputs):
        self.from_branches = {'a': inputs.a.x, 'b': inputs.b.x}
        self.y = max(self.from_branches.values())
        self.next(self.end)

    @step
    def end(self):
        print(self.y)

if __name__ == '__main__':
    ThreeBranchFlow()
"""''',
        '''def three_branch_flow():
    return """
from metaflow import FlowSpec, step

class ThreeBranchFlow(FlowSpec):
    @step
    def start(self):
        self.x = 3
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = self.x * 2
        self.next(self.join)

    @step
    def b(self):
        self.x = self.x ** 2
        self.next(self.join)

    @step
    def c(self):
        self.x = self.x - 1
        self.next(self.join)

    @step
    def join(self, inputs):
        self.from_branches = {'a': inputs.a.x, 'b': inputs.b.x, 'c': inputs.c.x}
        self.y = max(self.from_branches.values())
        self.next(self.end)

    @step
    def end(self):
        print(self.y)

if __name__ == '__main__':
    ThreeBranchFlow()
"""''',
    ],
}
