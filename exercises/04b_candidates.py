"""Checks for the exercises of 04b_candidates. practice.1 is a pair of functions checked on good and bad specs.
candidates.1 is a flow file the student finishes (exercises/flows/degree_flow.py): the check runs it, copied to a
temporary folder with a datastore of its own, with three degrees, then reads what the run recorded. Six small
tasks that import no scikit-learn: about 4 processor-seconds."""
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

from regression_course.exercises import exercise


@exercise('practice.1', '04b_candidates', 'a lasso candidate', needs=('parse_candidates', 'make_estimator'))
def _lasso(parse_candidates, make_estimator):
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    for spec, expected in (('linear,ridge:1,ridge:10.0', ['linear', 'ridge:1', 'ridge:10']),
                           ('linear,lasso:0.5,ridge:10', ['linear', 'lasso:0.5', 'ridge:10']),
                           (' Lasso:2.0 ', ['lasso:2'])):
        try: got = parse_candidates(spec)
        except ValueError as e: return f'parse_candidates({spec!r}) refused it with ValueError ({e}): it should give {expected}'
        if got != expected:
            return f'parse_candidates({spec!r}) gave {got}, expected {expected}' + (
                ': spell each lasso one way, as ridge is (lasso:2.0 is lasso:2)' if 'lasso:2' in expected else '')
    for bad, why in (('lasso', 'a lasso needs its alpha, e.g. lasso:1'), ('lasso:-1', 'alpha must be positive'),
                     ('lasso:0', 'alpha must be positive (alpha 0 is plain linear regression)'), ('lasso:many', 'alpha must be a number'),
                     ('lasso:1,lasso:1.0', 'the same candidate twice'), ('elasticnet:1', 'an unknown kind')):
        try: got = parse_candidates(bad)
        except ValueError: continue
        except Exception as e: return f'parse_candidates({bad!r}) stopped with {type(e).__name__}; a bad spec should raise ValueError ({why})'
        return f'parse_candidates({bad!r}) gave {got}: it should raise ValueError ({why})'
    for name, kind, alpha in (('lasso:0.5', Lasso, 0.5), ('ridge:2', Ridge, 2.0), ('linear', LinearRegression, None)):
        est = make_estimator(name)
        if type(est) is not kind: return f'make_estimator({name!r}) gave a {type(est).__name__}, expected a {kind.__name__}'
        if alpha is not None and est.alpha != alpha: return f'make_estimator({name!r}) has alpha {est.alpha}, expected {alpha}'
    if make_estimator('lasso:1') is make_estimator('lasso:1'): return 'make_estimator should return a fresh estimator each time'
    return None


# --- candidates.1: a fan-out and a join of your own, in a flow file --------------------------------------------

CHECK_DEGREES = [9, 2, 5]  # not the file's default: validation picks 5, the training rows 9, the worst is 2


def _flow_helpers():
    "The helpers `run_copy`, `reading`, `open_run` and `why_it_failed` of the checks that run flows (flow_runs.py)"
    name = 'regression_course_exercise_flow_runs'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name('flow_runs.py'))
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


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


@exercise('candidates.1', '04b_candidates', 'a fan-out and a join of your own', needs='flow_file')
def _degree_flow(flow_file):
    path = Path(flow_file)
    if not path.is_file():
        return f'{flow_file} is not a file: set flow_file to the path of your flow file (exercises/flows/degree_flow.py)'
    source = path.read_text()
    todo = re.findall(r"raise NotImplementedError\('(TODO \d)'\)", source)
    if len(todo) == 3:
        return (f'not started yet: fill in TODO 1, 2 and 3 in {path.name}, then run it from a terminal: '
                f'python exercises/flows/{path.name} run')
    if 'raise NotImplementedError' in source:
        return f'still to do in {path.name}: ' + (', '.join(todo) or 'a `raise NotImplementedError` is still there')
    name = re.search(r'^class (\w+)\(FlowSpec\)', source, re.M)
    if name is None: return f'{path.name} defines no flow: it should keep its class DegreeFlow(FlowSpec)'
    if not re.search(r'foreach\s*=', source):
        return ("your flow has no foreach: the degrees should be fitted in parallel, one `fit` task each: end `start` "
                "with self.next(self.fit, foreach='degree_list')")
    helpers = _flow_helpers()
    degrees = ','.join(map(str, CHECK_DEGREES))
    run_id, output, root = helpers.run_copy(source, '--degrees', degrees, name=path.name)
    if run_id is None: return _failed_run_hint(output, helpers.why_it_failed(output))
    with helpers.reading(root):
        run = helpers.open_run(f'{name.group(1)}/{run_id}')
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


def _filled_starter(fan_out:str, fit:str, join:str) -> str:
    "A wrong answer's cell: the starter flow file with its three TODOs filled in (blocks of code), in a new folder"
    fills = {'TODO 1': fan_out, 'TODO 2': fit, 'TODO 3': join}
    return f'''import re
import tempfile
from pathlib import Path
from regression_course.config import REPO_ROOT
source = (REPO_ROOT/'exercises'/'flows'/'degree_flow.py').read_text()
for todo, code in {fills!r}.items():
    pattern = '        # ' + todo + r":.*?raise NotImplementedError\\('" + todo + r"'\\)\\n"
    source = re.sub(pattern, lambda m: code, source, count=1, flags=re.S)
flow_file = Path(tempfile.mkdtemp())/'degree_flow.py'
flow_file.write_text(source)
'''


_JOIN = '''        self.val_scores = {branch.degree: branch.val_mse for branch in inputs}
        best = min(inputs, key=lambda branch: branch.val_mse)
        self.chosen_degree, self.coefs = best.degree, best.coefs
        self.merge_artifacts(inputs, exclude=['degree', 'coefs', 'val_mse'])
        self.next(self.end)
'''


WRONG_ANSWERS = {
    'practice.1': [
        '''from regression_course.pipeline import parse_candidates as _course
def parse_candidates(spec):
    return [p.strip().lower() for p in spec.split(',') if p.strip()] if 'lasso' in spec.lower() else _course(spec)
def make_estimator(name):
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    kind, _, arg = name.partition(':')
    return LinearRegression() if kind == 'linear' else Lasso(alpha=float(arg)) if kind == 'lasso' else Ridge(alpha=float(arg))''',
        '''from regression_course.pipeline import parse_candidates as _course, make_estimator
def parse_candidates(spec):
    names = []
    for part in (p.strip().lower() for p in spec.split(',') if p.strip()):
        kind, _, arg = part.partition(':')
        names += [f'lasso:{float(arg):g}'] if kind == 'lasso' else _course(part)
    if len(set(names)) != len(names): raise ValueError('twice')
    return names''',
    ],
    'candidates.1': [
        _filled_starter(  # scored on the training rows: the most flexible degree wins
            "        self.next(self.fit, foreach='degree_list')\n",
            '''        self.degree = self.input
        self.coefs = np.polyfit(self.x_train, self.y_train, self.degree)
        self.val_mse = float(np.mean((np.polyval(self.coefs, self.x_train) - self.y_train) ** 2))
        self.next(self.choose)
''', _JOIN),
        _filled_starter(  # every degree in one task: no fan-out (found without running it)
            '''        import numpy as np
        self.val_scores = {}
        for degree in self.degree_list:
            coefs = np.polyfit(self.x_train, self.y_train, degree)
            predictions = np.polyval(coefs, self.x_val)
            self.val_scores[degree] = float(np.mean((predictions - self.y_val) ** 2))
        self.chosen_degree = min(self.val_scores, key=self.val_scores.get)
        self.coefs = np.polyfit(self.x_train, self.y_train, self.chosen_degree)
        self.next(self.end)
''', '        self.next(self.choose)\n', '        self.next(self.end)\n'),
    ],
}
