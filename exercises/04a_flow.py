"""Checks for the exercises of 04a_flow. Each answer is a real flow file, a subclass of the lecture's flow
(LectureFlow, regression_course/lecture_flow.py) that writes one or two steps again: exercises/flows/<name>.py,
which the student runs from a terminal. The check reads the file's DAG, then runs the file once, in place, with
a datastore of its own in a temporary folder (the course's flows, runs and served model stay untouched), and
judges what the run recorded, through the Client API."""
from pathlib import Path

import numpy as np

from regression_course.exercises import checks_helper, exercise

LECTURE_STEPS = ['end', 'read_data', 'split', 'start', 'test_model', 'train', 'validate_data']


def _flow_runs():
    "The helpers shared by the checks of flow exercises (exercises/flow_runs.py)"
    return checks_helper('flow_runs', Path(__file__).parent)


@exercise('flow.1', '04a_flow', 'count the rows of the split', file='flows/row_counts_flow.py')
def _row_counts(path):
    runs = _flow_runs()
    flow, edges = runs.read_flow(path, 'RowCountsFlow')
    if flow is None: return edges  # a hint: the file does not import, or defines no RowCountsFlow
    if not all(f'self.{name}' in runs.class_source(path, 'RowCountsFlow') for name in ('n_train', 'n_test')):
        return 'your flow stores no n_train and n_test yet: store both as artifacts, self.n_train = ... in `split`'
    if sorted(edges) != LECTURE_STEPS: return f'keep the lecture\'s steps, {", ".join(LECTURE_STEPS)}; yours are {", ".join(sorted(edges))}'
    run_id, output, root = runs.run_flow_file(path, '--test_split', 0.3)
    if run_id is None: return f'your flow did not run to the end: {runs.why_it_failed(output)}'
    with runs.reading(root):
        end = runs.open_run(f'RowCountsFlow/{run_id}')['end'].task
        found = {name: end[name].data if name in end else None for name in ('n_train', 'n_test')}
    if None in found.values(): return 'the run has no artifact n_train or n_test at its end: assign them to `self` in `split` (self.n_train = ...)'
    if not all(isinstance(v, (int, np.integer)) for v in found.values()): return f'store whole numbers (int), not {found}'
    if found == {'n_train': 800, 'n_test': 200}:
        return 'with --test_split 0.3 your flow still says 800 and 200: count the rows of this run\'s split, do not write the numbers in'
    if found['n_train'] + found['n_test'] != 1000: return f'n_train + n_test should be every row, 1000, not {found}: count X_train and X_test'
    if found != {'n_train': 700, 'n_test': 300}: return f'with --test_split 0.3 expected 700 training and 300 test rows, not {found}'
    return None


@exercise('flow.2', '04a_flow', 'a step of your own', file='flows/residuals_flow.py')
def _residuals(path):
    runs = _flow_runs()
    flow, edges = runs.read_flow(path, 'ResidualsFlow')
    if flow is None: return edges  # a hint: the file does not import, or defines no ResidualsFlow
    if 'residuals' not in edges: return 'your flow has no step `residuals` yet: add a method `def residuals(self):` with @step and a docstring'
    if edges['test_model'] != ['residuals']:
        return f'test_model still goes on to {", ".join(edges["test_model"])}: make it go to residuals, self.next(self.residuals)'
    if edges['residuals'] != ['end']: return f'residuals should go on to end, self.next(self.end); it points to {edges["residuals"]}'
    run_id, output, root = runs.run_flow_file(path)
    if run_id is None: return f'your flow did not run to the end: {runs.why_it_failed(output)}'
    with runs.reading(root):
        run = runs.open_run(f'ResidualsFlow/{run_id}')
        task = run['residuals'].task
        if 'residual_std' not in task: return 'the `residuals` step stores no artifact residual_std: assign it to `self`'
        value, data = task['residual_std'].data, run['test_model'].task.data
        expected = float(np.std(data.y_test - data.model.predict(data.X_test)))
        on_train = float(np.std(data.y_train - data.model.predict(data.X_train)))
    if not isinstance(value, (float, np.floating)): return f'residual_std should be one number (float), not a {type(value).__name__}'
    if np.isclose(value, on_train): return 'your residual_std is measured on the training rows: use the held-out test rows'
    if not np.isclose(value, expected, rtol=1e-6):
        return f'residual_std is {value:.4f}, expected {expected:.4f}: the standard deviation (np.std) of y_test minus the predictions for X_test'
    return None


_RESIDUALS_STEP = '''
    @step
    def residuals(self):
        """The spread of the errors."""
        import numpy as np
        self.residual_std = {}
        self.next(self.end)
'''

WRONG_ANSWERS = {  # each: the starting file with these lines changed, and (part of) the hint it must get
    'flow.1': [
        {'replace': [("        self.next(self.train)\n",
                      "        self.n_train = 800\n        self.n_test = 200\n        self.next(self.train)\n")],
         'hint': 'do not write the numbers in'},
        {'replace': [("        self.next(self.train)\n",
                      "        self.next(self.train)\n        self.n_train = len(self.X_train)\n"
                      "        self.n_test = len(self.X_test)\n")],
         'hint': 'did not run to the end'},  # Metaflow refuses a step whose last line is not self.next
    ],
    'flow.2': [
        {'replace': [("        self.next(self.end)\n",
                      "        self.next(self.residuals)\n" + _RESIDUALS_STEP.format('float(np.std(self.y_test))'))],
         'hint': 'residual_std is'},
        {'replace': [("        self.next(self.end)\n",
                      "        self.next(self.end)\n" + _RESIDUALS_STEP.format('1.0'))],
         'hint': 'test_model still goes on to end'},
    ],
}
