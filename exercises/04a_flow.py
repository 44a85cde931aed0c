"""Checks for the exercises of 04a_flow: each answer is the source of a changed COPY of the lecture's flow
(regression_course/lecture_flow.py), which the check runs in a temporary folder with a datastore of its own (the
course's flows, runs and served model stay untouched). The helpers `run_copy`, `reading` and `open_run` are shared
with the checks of 05_client_api."""
import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from regression_course import config
from regression_course.exercises import exercise

LECTURE_FLOW = config.REPO_ROOT/'regression_course'/'lecture_flow.py'  # what the answers start from


def datastore_env(root) -> dict:
    "The environment that points Metaflow (in a new process) at the datastore in `root`"
    root = Path(root)
    return {**os.environ, 'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(root), 'METAFLOW_DATATOOLS_LOCALROOT': str(root/'.metaflow'/'data'),
            'METAFLOW_CLIENT_CACHE_PATH': str(root/'.metaflow'/'client_cache'), 'MPLBACKEND': 'Agg'}


@contextmanager
def reading(root):
    "Point this process's Client API at the datastore in `root` for a while (Metaflow reads its settings once, on import)"
    from metaflow.plugins.datastores.local_storage import LocalStorage
    before = LocalStorage.datastore_root
    LocalStorage.datastore_root = str(Path(root)/'.metaflow')
    try: yield
    finally: LocalStorage.datastore_root = before


def open_run(pathspec:str):
    "The run at `pathspec`, whoever made it; the caller's namespace is left as it was"
    from metaflow import Run, get_namespace, namespace
    before = get_namespace()
    namespace(None)  # a Run opened in the global namespace keeps seeing every run
    try:
        return Run(pathspec)
    finally:
        namespace(before)


def run_copy(source:str, *args, root=None, name='flow.py'):
    "Run the flow in `source` (a file in a new temporary folder) in the datastore `root` (default: that folder): (run id if it succeeded, output, root)"
    folder = Path(tempfile.mkdtemp(prefix='exercise-flow-'))
    (folder/name).write_text(source)
    id_file = folder/'run_id'
    proc = subprocess.run([sys.executable, str(folder/name), '--no-pylint', 'run', '--run-id-file', str(id_file), *map(str, args)],
                          cwd=folder, env=datastore_env(root or folder), capture_output=True, text=True, timeout=600)
    run_id = id_file.read_text().strip() if id_file.exists() else None
    return run_id if proc.returncode == 0 else None, proc.stdout + proc.stderr, Path(root or folder)


def _flow_name(source:str) -> str|None:
    found = re.search(r'^class (\w+)\(FlowSpec\)', source, re.M)
    return found.group(1) if found else None


def _why_it_failed(output:str) -> str:
    "The most telling line of a failed run's output"
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    for i, line in enumerate(lines):  # Metaflow's check of the DAG says what is wrong on the line after this one
        if line.startswith('Validity checker found an issue') and i + 1 < len(lines): return lines[i + 1][-300:]
    telling = [l for l in lines if re.search(r'(Error|Exception|error:)', l)]
    return (telling or lines or ['(no output)'])[-1][-300:]


def _source(make_source) -> str|tuple:
    "The answer's flow source, or a hint when it is not one"
    source = make_source()
    if not isinstance(source, str): return None, f'return the flow\'s source as one string (str), not a {type(source).__name__}'
    if _flow_name(source) is None: return None, 'the text you return is not a flow: it should be the whole of lecture_flow.py, changed'
    if source == LECTURE_FLOW.read_text(): return None, 'that is the lecture\'s flow, unchanged: make the change the exercise asks for'
    return source, None


@exercise('flow.1', '04a_flow', 'count the rows of the split', needs='flow_with_row_counts')
def _row_counts(flow_with_row_counts):
    source, hint = _source(flow_with_row_counts)
    if hint: return hint
    if 'n_train' not in source or 'n_test' not in source:
        return 'your flow never mentions n_train and n_test: store both as artifacts, e.g. self.n_train = ... in `split`'
    run_id, output, root = run_copy(source, '--test_split', 0.3)
    if run_id is None: return f'your flow did not run: {_why_it_failed(output)}'
    with reading(root):
        data = open_run(f'{_flow_name(source)}/{run_id}').data
        found = {name: getattr(data, name, None) for name in ('n_train', 'n_test')}
    if None in found.values(): return 'the run has no artifact n_train or n_test at its end: assign them to `self` in a step'
    if not all(isinstance(v, (int, np.integer)) for v in found.values()): return f'store whole numbers (int), not {found}'
    if found == {'n_train': 800, 'n_test': 200}:
        return 'with --test_split 0.3 your flow still says 800 and 200: count the rows of this run\'s split, do not write the numbers in'
    if found['n_train'] + found['n_test'] != 1000: return f'n_train + n_test should be every row, 1000, not {found}: count X_train and X_test'
    if found != {'n_train': 700, 'n_test': 300}: return f'with --test_split 0.3 expected 700 training and 300 test rows, not {found}'
    return None


@exercise('flow.2', '04a_flow', 'a step of your own', needs='flow_with_residuals')
def _residuals(flow_with_residuals):
    source, hint = _source(flow_with_residuals)
    if hint: return hint
    if not re.search(r'def residuals\(self\)', source): return 'your flow has no step `residuals`: add a method `def residuals(self):` with @step'
    run_id, output, root = run_copy(source)
    if run_id is None: return f'your flow did not run: {_why_it_failed(output)}'
    with reading(root):
        run = open_run(f'{_flow_name(source)}/{run_id}')
        if 'residuals' not in [step.id for step in run]: return 'the run has no step `residuals`'
        started = {name: run[name].task.created_at for name in ('test_model', 'residuals', 'end')}
        task = run['residuals'].task
        if 'residual_std' not in task: return 'the `residuals` step stores no artifact residual_std'
        value, data = task['residual_std'].data, run['test_model'].task.data
        expected = float(np.std(data.y_test - data.model.predict(data.X_test)))
        on_train = float(np.std(data.y_train - data.model.predict(data.X_train)))
    if not started['test_model'] < started['residuals'] < started['end']:
        return 'put `residuals` between `test_model` and `end`: test_model -> residuals -> end'
    if not isinstance(value, (float, np.floating)): return f'residual_std should be one number (float), not a {type(value).__name__}'
    if np.isclose(value, on_train): return 'your residual_std is measured on the training rows: use the held-out test rows'
    if not np.isclose(value, expected, rtol=1e-6):
        return f'residual_std is {value:.4f}, expected {expected:.4f}: the standard deviation (np.std) of y_test minus the predictions for X_test'
    return None



WRONG_ANSWERS = {
    'flow.1': [
        '''from regression_course.config import REPO_ROOT
def flow_with_row_counts():
    return (REPO_ROOT/'regression_course'/'lecture_flow.py').read_text()''',
        '''from regression_course.config import REPO_ROOT
def flow_with_row_counts():
    source = (REPO_ROOT/'regression_course'/'lecture_flow.py').read_text()
    line = "        self.next(self.train)\\n"
    return source.replace(line, "        self.n_train, self.n_test = 800, 200\\n" + line)''',
    ],
    'flow.2': [
        '''from regression_course.config import REPO_ROOT
def flow_with_residuals():
    source = (REPO_ROOT/'regression_course'/'lecture_flow.py').read_text()
    source = source.replace("        self.next(self.end)\\n", "        self.next(self.residuals)\\n")
    step = "\\n    @step\\n    def residuals(self):\\n        self.residual_std = 1.0\\n        self.next(self.end)\\n"
    return source.replace("\\n    @step\\n    def end(self):", step + "\\n    @step\\n    def end(self):")''',
    ],
}
