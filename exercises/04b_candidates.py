"""Checks for the exercises of 04b_candidates. practice.1 is a function checked on score tables whose right
choice is known (no scikit-learn, no flow). candidates.1 is a flow file the student finishes
(exercises/flows/degree_flow.py): the check reads it, then runs it, in place, with a datastore of its own in a
temporary folder, with three degrees, and reads what the run recorded. Six small tasks that import no
scikit-learn: about 4 processor-seconds."""
import copy
import re
from pathlib import Path

import numpy as np

from regression_course.exercises import checks_helper, exercise


def _table(*rows, **extra) -> list[dict]:
    "Candidate scores as the flow keeps them (`candidate_scores`): name, cv_mse, cv_mse_std"
    return [dict(name=name, cv_mse=mse, cv_mse_std=std, **extra) for name, mse, std in rows]


# (what the table tests, folds, candidate_scores, the right choice, {a wrong choice: why it is wrong})
_TABLES = [
    ('four candidates, not in order', 5,
     _table(('ridge:100', 130.0, 8.0), ('linear', 100.0, 5.0), ('ridge:10', 102.0, 5.0), ('ridge:1', 100.5, 5.0)),
     'ridge:10',
     {'linear': 'linear has the lowest cross-validated MSE, but ridge:1 and ridge:10 are within one standard '
                'error of it, and a larger penalty is simpler (linear, with none, is the least simple)',
      'ridge:100': 'ridge:100 is far from the best (130 against 100): only candidates within one standard error '
                   'of the best compete on simplicity'}),
    ('a spread that is not a standard error', 5,
     _table(('linear', 100.0, 5.0), ('ridge:1', 101.0, 5.0), ('ridge:30', 104.0, 5.0)),
     'ridge:1',
     {'ridge:30': 'ridge:30 is 4 above the best, within its spread over the folds (cv_mse_std, 5) but not within '
                  'one standard error of the mean of 5 folds: how uncertain is a mean of 5 scores whose spread is '
                  '5? (5 / sqrt(5), about 2.2)'}),
    ('penalties 9 and 10', 5,
     _table(('ridge:9', 50.0, 4.0), ('ridge:10', 50.5, 4.0), ('ridge:0.5', 50.2, 4.0), ('linear', 50.1, 4.0)),
     'ridge:10',
     {'ridge:9': "ridge:10 has the larger penalty: compare the alphas as numbers ('ridge:10' < 'ridge:9' as text)",
      'ridge:0.5': 'ridge:10 has the larger penalty: compare the alphas as numbers'}),
    ('the best is a ridge, linear within reach', 5,
     _table(('ridge:1', 20.0, 1.0), ('linear', 20.2, 1.0), ('ridge:0.01', 20.3, 1.0)),
     'ridge:1',
     {'linear': 'linear has no penalty at all: of these, it is the LEAST simple (a penalty pulls the slope '
                'towards 0, a flatter, simpler model); prefer the largest alpha',
      'ridge:0.01': 'ridge:1 has the larger penalty: compare the alphas as numbers'}),
    ("the best's standard error, not each candidate's own", 5,
     _table(('linear', 100.0, 1.0), ('ridge:100', 101.0, 20.0)),
     'linear',
     {'ridge:100': "ridge:100 is 1.0 above the best, more than the best's standard error (1 / sqrt(5), 0.45): "
                   "a candidate whose folds spread widely is not closer for it. The margin is the best's"}),
    ('exactly one standard error above the best', 4,
     _table(('linear', 100.0, 4.0), ('ridge:5', 102.0, 4.0)),
     'ridge:5',
     {'linear': 'ridge:5 is exactly one standard error above the best (4 / sqrt(4) = 2): "no more than one '
                'standard error" includes it'}),
    ('ten folds', 10,
     _table(('linear', 100.0, 6.0), ('ridge:3', 102.5, 6.0)),
     'linear',
     {'ridge:3': 'with 10 folds the standard error is 6 / sqrt(10), 1.9: use the number of folds you are given'}),
    ('one candidate, with the keys the flow also keeps', 5,
     _table(('ridge:2', 10.0, 1.0), coef=16.7, intercept=0.1),
     'ridge:2', {}),
]


@exercise('practice.1', '04b_candidates', 'choose fairly: the one-standard-error rule',
          needs='choose_candidate')
def _one_standard_error(choose_candidate):
    for what, folds, scores, right, wrong in _TABLES:
        given = copy.deepcopy(scores)
        got = choose_candidate(given, folds)
        if isinstance(got, dict) and 'name' in got: return 'return the chosen candidate\'s name (a str), not its scores'
        if not isinstance(got, str): return f'choose_candidate should return a candidate\'s name (a str), not {got!r}'
        if given != scores: return 'choose_candidate changed the list it was given (sorted it in place?): the flow keeps that list'
        if got != right:
            table = ', '.join(f"{s['name']} {s['cv_mse']:g} (spread {s['cv_mse_std']:g})" for s in scores)
            why = wrong.get(got, 'the best is the lowest cv_mse; within one standard error of it, the largest penalty')
            return f'{what} ({folds} folds: {table}): you chose {got}, the rule chooses {right}. {why}'
    try: got = choose_candidate([], 5)
    except ValueError: return None
    except Exception as e: return f'with no candidates, raise ValueError saying so, not {type(e).__name__}'
    return f'with no candidates there is nothing to choose: raise ValueError, do not return {got!r}'


# --- candidates.1: a fan-out and a join of your own, in a flow file --------------------------------------------

CHECK_DEGREES = [9, 2, 5]  # not the file's default: validation picks 5, the training rows 9, the worst is 2


def _flow_helpers():
    "The helpers `read_flow`, `run_flow_file`, `reading`, `open_run` and `why_it_failed` (flow_runs.py)"
    return checks_helper('flow_runs', Path(__file__).parent)


def _mse(coefs, x, y) -> float:
    return float(np.mean((np.polyval(coefs, x) - y) ** 2))


def _failed_run_hint(output:str, why:str) -> str:
    "What a failed run of the degree flow says about the answer"
    conflict = re.search(r'conflicting values:\s*\n(.*)\[([^\[\]]*)\]\.?\s*$', output, re.M)
    if conflict:  # Metaflow names them on the next line, at its end: [val_mse, degree, ...].
        names = sorted({n.strip() for n in conflict.group(2).split(',') if n.strip()})
        return (f'the join could not merge artifacts on which the branches disagree ({", ".join(names)}): set what you '
                'keep from the best branch yourself, and leave the rest out: merge_artifacts(inputs, exclude=[...])')
    missing = re.search(r"has no attribute '(\w+)'", output)
    if missing:
        return (f"a step after the join cannot see `{missing.group(1)}`: a join step starts empty, so keep what "
                'every branch shares with self.merge_artifacts(inputs, exclude=[...]) and set the rest yourself')
    return f'your flow did not run: {why}'


@exercise('candidates.1', '04b_candidates', 'a fan-out and a join of your own', file='flows/degree_flow.py')
def _degree_flow(path):
    path = Path(path)
    source = path.read_text()
    todo = re.findall(r"raise NotImplementedError\('(TODO \d)'\)", source)
    if len(todo) == 3:
        return (f'not started yet: fill in TODO 1, 2 and 3 in {path.name}, then run it from a terminal: '
                f'python exercises/flows/{path.name} run')
    if 'raise NotImplementedError' in source:
        return f'still to do in {path.name}: ' + (', '.join(todo) or 'a `raise NotImplementedError` is still there')
    if not re.search(r'foreach\s*=', source):
        return ("your flow has no foreach: the degrees should be fitted in parallel, one `fit` task each: end `start` "
                "with self.next(self.fit, foreach='degree_list')")
    helpers = _flow_helpers()
    flow, edges = helpers.read_flow(path, 'DegreeFlow')
    if flow is None: return edges  # a hint: the file does not import, or defines no DegreeFlow
    degrees = ','.join(map(str, CHECK_DEGREES))
    run_id, output, root = helpers.run_flow_file(path, '--degrees', degrees)
    if run_id is None: return _failed_run_hint(output, helpers.why_it_failed(output))
    with helpers.reading(root):
        run = helpers.open_run(f'DegreeFlow/{run_id}')
        steps = [step.id for step in run]
        if 'fit' not in steps or 'choose' not in steps: return f'the run has the steps {steps[::-1]}: keep `fit` and `choose`'
        rows = run['start'].task.data
        branches = []
        for task in run['fit']:
            if 'degree' not in task or 'val_mse' not in task:
                return 'each `fit` task should store its `degree` and its `val_mse`'
            branches.append((task['degree'].data, task['val_mse'].data))
        choose = run['choose'].task
        chosen = {name: choose[name].data if name in choose else None for name in ('val_scores', 'chosen_degree', 'coefs')}
    if sorted(d for d, _ in branches) != sorted(CHECK_DEGREES):
        return (f'run with --degrees {degrees}, your flow had `fit` tasks for the degrees {sorted(d for d, _ in branches)}: '
                'one task per item of degree_list, with self.degree = self.input')
    fits = {d: np.polyfit(rows.x_train, rows.y_train, d) for d in CHECK_DEGREES}
    for degree, val_mse in branches:
        on = {where: _mse(fits[degree], getattr(rows, f'x_{where}'), getattr(rows, f'y_{where}')) for where in ('train', 'val', 'test')}
        if not isinstance(val_mse, (float, np.floating)): return f'val_mse should be one number (float), not {val_mse!r}'
        if np.isclose(val_mse, on['train']):
            return (f'degree {degree}: your val_mse is its MSE on the training rows. There the most flexible degree always '
                    'wins (it fits the noise too): score each degree on the validation rows, x_val and y_val')
        if np.isclose(val_mse, on['test']):
            return (f'degree {degree}: your val_mse is measured on the test rows. Those are for the one final test of the '
                    'chosen degree (in `end`): choose on the validation rows, x_val and y_val')
        if not np.isclose(val_mse, on['val']):
            return (f"degree {degree}: val_mse is {val_mse:.4f}, expected {on['val']:.4f}: fit np.polyfit(x_train, y_train, "
                    'degree), then the mean squared error of np.polyval(coefs, x_val) against y_val')
    if chosen['val_scores'] is None: return 'the join stores no val_scores: a dict {degree: val_mse} of every branch'
    expected = {d: v for d, v in branches}
    if not isinstance(chosen['val_scores'], dict) or set(chosen['val_scores']) != set(expected):
        return f"val_scores should be a dict with one entry per degree, {sorted(expected)}, not {chosen['val_scores']!r}"
    if chosen['chosen_degree'] is None: return 'the join stores no chosen_degree'
    best = min(expected, key=expected.get)
    if chosen['chosen_degree'] == max(expected, key=expected.get):
        return f"you chose degree {chosen['chosen_degree']}, the one with the HIGHEST validation MSE: lowest is best"
    if chosen['chosen_degree'] != best:
        return f"you chose degree {chosen['chosen_degree']}; the lowest validation MSE is degree {best}'s ({expected[best]:.4f})"
    if chosen['coefs'] is None or not np.allclose(chosen['coefs'], fits[best]):
        return f'the join should keep the coefficients of the chosen degree ({best}): coefs = the best branch\'s coefs'
    return None


def _todo(n:int) -> str:
    "The lines of TODO `n` in the starting file (its comment and its `raise`), which a wrong answer replaces"
    source = (Path(__file__).parent/'flows'/'degree_flow.py').read_text()
    found = re.search(rf"^        # TODO {n}:.*?raise NotImplementedError\('TODO {n}'\)\n", source, re.M | re.S)
    return found.group(0) if found else f'(TODO {n} is gone from the starting file)'


_JOIN = '''        self.val_scores = {branch.degree: branch.val_mse for branch in inputs}
        best = min(inputs, key=lambda branch: branch.val_mse)
        self.chosen_degree, self.coefs = best.degree, best.coefs
        self.merge_artifacts(inputs, exclude=['degree', 'coefs', 'val_mse'])
        self.next(self.end)
'''


_TRAINING_MSE = '''        self.degree = self.input
        self.coefs = np.polyfit(self.x_train, self.y_train, self.degree)
        self.val_mse = float(np.mean((np.polyval(self.coefs, self.x_train) - self.y_train) ** 2))
        self.next(self.choose)
'''

_ALL_IN_START = '''        import numpy as np
        self.val_scores = {}
        for degree in self.degree_list:
            coefs = np.polyfit(self.x_train, self.y_train, degree)
            predictions = np.polyval(coefs, self.x_val)
            self.val_scores[degree] = float(np.mean((predictions - self.y_val) ** 2))
        self.chosen_degree = min(self.val_scores, key=self.val_scores.get)
        self.coefs = np.polyfit(self.x_train, self.y_train, self.chosen_degree)
        self.next(self.end)
'''


WRONG_ANSWERS = {
    'practice.1': [
        '''def choose_candidate(candidate_scores, folds):
    return min(candidate_scores, key=lambda s: s['cv_mse'])['name']''',
        '''def choose_candidate(candidate_scores, folds):
    best = min(candidate_scores, key=lambda s: s['cv_mse'])
    near = [s for s in candidate_scores if s['cv_mse'] <= best['cv_mse'] + best['cv_mse_std']]
    return max(near, key=lambda s: float(s['name'].partition(':')[2] or 0))['name']''',
        '''import math
def choose_candidate(candidate_scores, folds):
    best = min(candidate_scores, key=lambda s: s['cv_mse'])
    near = [s['name'] for s in candidate_scores
            if s['cv_mse'] <= best['cv_mse'] + best['cv_mse_std'] / math.sqrt(folds)]
    return max(near)''',
        '''import math
def choose_candidate(candidate_scores, folds):
    best = min(candidate_scores, key=lambda s: s['cv_mse'])
    near = [s for s in candidate_scores
            if s['cv_mse'] <= best['cv_mse'] + best['cv_mse_std'] / math.sqrt(folds)]
    names = [s['name'] for s in near]
    if 'linear' in names:
        return 'linear'
    return max(near, key=lambda s: float(s['name'].partition(':')[2]))['name']''',
        '''import math
def choose_candidate(candidate_scores, folds):
    best = min(candidate_scores, key=lambda s: s['cv_mse'])
    near = [s for s in candidate_scores
            if s['cv_mse'] - s['cv_mse_std'] / math.sqrt(folds) <= best['cv_mse']]
    return max(near, key=lambda s: float(s['name'].partition(':')[2] or 0))['name']''',
        '''import math
def choose_candidate(candidate_scores, folds):
    best = min(candidate_scores, key=lambda s: s['cv_mse'])
    near = [s for s in candidate_scores
            if s['cv_mse'] < best['cv_mse'] + best['cv_mse_std'] / math.sqrt(folds)]
    return max(near, key=lambda s: float(s['name'].partition(':')[2] or 0))['name']''',
        '''import math
def choose_candidate(candidate_scores, folds):
    candidate_scores.sort(key=lambda s: s['cv_mse'])
    best = candidate_scores[0]
    near = [s for s in candidate_scores
            if s['cv_mse'] <= best['cv_mse'] + best['cv_mse_std'] / math.sqrt(folds)]
    return max(near, key=lambda s: float(s['name'].partition(':')[2] or 0))['name']''',
    ],
    'candidates.1': [  # each: the starting file with these lines changed, and (part of) the hint it must get
        {'replace': [(_todo(1), "        self.next(self.fit, foreach='degree_list')\n"), (_todo(2), _TRAINING_MSE),
                     (_todo(3), _JOIN)],
         'hint': 'its MSE on the training rows'},  # the most flexible degree wins
        {'replace': [(_todo(1), _ALL_IN_START), (_todo(2), '        self.next(self.choose)\n'),
                     (_todo(3), '        self.next(self.end)\n')],
         'hint': 'your flow has no foreach'},  # every degree in one task: found without running it
    ],
}
