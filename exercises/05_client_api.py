"""Checks for the exercises of 05_client_api. Each answer is run against a datastore the check prepares (made once,
kept in the temporary folder): four runs of the course flow, oldest first, made there with `run_copy`:
a deployable ridge:100 run, a linear run that beats it (promoted: it is served), a linear run with another seed
(better test MSE, worse cross-validated MSE, not promoted) and a run that fails at `read_data`.
The course's own datastore is never touched."""
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from regression_course import config
from regression_course.exercises import checks_helper, exercise


def _flow_helpers():
    "The helpers `run_copy`, `reading` and `open_run` shared by the checks that run flows (exercises/flow_runs.py)"
    return checks_helper('flow_runs', Path(__file__).parent)


def prepared_datastore() -> tuple[Path, dict]:
    "(root, {'ridge', 'linear', 'seed7': run id}) of the datastore the checks read, made on first use"
    helpers = _flow_helpers()
    source = config.FLOW_FILE.read_text()
    code = config.REPO_ROOT/'regression_course'
    modules = ['lecture_flow.py', 'candidates_flow.py', 'gated_flow.py', 'pipeline.py']  # what flow.py runs
    what = [source, *((code/name).read_text() for name in modules), config.DATASET_PATH.read_text()]
    what.append(os.environ.get('METAFLOW_USER', ''))  # one per user: runs are in their maker's namespace
    key = hashlib.md5(''.join(what).encode()).hexdigest()[:12]  # a change to the flow or its data: a new datastore
    root = Path(tempfile.gettempdir())/f'regression-course-client-exercises-{key}'
    with open(f'{root}.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two checks at once: one prepares, the other waits for it
        if (root/'runs.json').exists(): return root, json.loads((root/'runs.json').read_text())
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        bad = root/'bad.txt'
        bad.write_text(config.DATASET_PATH.read_text().replace('\n', '\nnot\ta-number\n', 1))
        ids = {}
        for name, args in (('ridge', ['--candidates', 'ridge:100']), ('linear', ['--candidates', 'linear'])):  # in this order
            ids[name], output, _ = helpers.run_copy(source, *args, root=root)
            assert ids[name], f'preparing the exercise datastore failed:\n{output[-2000:]}'
        with ThreadPoolExecutor(2) as pool:
            seed7, failed = pool.map(lambda args: helpers.run_copy(source, *args, root=root),
                                     [['--candidates', 'linear', '--random_state', '7'], ['--dataset', bad]])
        assert seed7[0] and failed[0] is None, f'preparing the exercise datastore failed:\n{seed7[1][-2000:]}'
        ids['seed7'] = seed7[0]
        (root/'runs.json').write_text(json.dumps(ids))
        return root, ids


def _run_id(answer, what:str) -> tuple[str|None, str|None]:
    "(the id of the Run returned, or a hint)"
    if answer is None: return None, None
    if isinstance(answer, str): return None, f'{what} returned a string ({answer!r}): return the Run itself (its id is run.id)'
    if not hasattr(answer, 'id') or not hasattr(answer, 'pathspec'): return None, f'{what} should return a metaflow Run, not a {type(answer).__name__}'
    return answer.id, None


@exercise('client.1', '05_client_api', 'the best cross-validated run', needs='best_cv_run')
def _best_cv(best_cv_run):
    if best_cv_run('NoSuchFlow') is not None: return 'for a flow that never ran, return None'
    root, ids = prepared_datastore()
    helpers = _flow_helpers()
    with helpers.reading(root):
        try: answer = best_cv_run()
        except NotImplementedError: raise
        except Exception as e:
            return (f'on a datastore with a failed run your function stopped with {type(e).__name__}: {e}. A run that failed early '
                    'has no candidate_scores: skip runs that are not `successful`')
        found, hint = _run_id(answer, 'best_cv_run()')
        if hint: return hint
    if found == ids['seed7']:
        return ('you chose the run with the lowest TEST MSE (or the newest). Choose by the cross-validated MSE of the chosen '
                'candidate (candidate_scores): the test rows are for the final check, not for choosing')
    if found == ids['ridge']: return 'that run\'s cross-validated MSE is the highest of the three: lowest is best'
    if found != ids['linear']: return f'you returned run {found}; expected the linear run {ids["linear"]}, whose chosen candidate has the lowest cross-validated MSE'
    return None


@exercise('client.2', '05_client_api', 'the run a rollback returns to', needs='previous_deployable_run')
def _previous(previous_deployable_run):
    if previous_deployable_run('NoSuchFlow') is not None: return 'for a flow that never ran, return None'
    root, ids = prepared_datastore()
    helpers = _flow_helpers()
    with helpers.reading(root):
        found, hint = _run_id(previous_deployable_run(), 'previous_deployable_run()')
        if hint: return hint
    if found == ids['linear']: return 'that is the run being served (latest_deployable_run): return the deployable run before it'
    if found == ids['seed7']: return 'that run is newer than the served one but not deployable: look only at runs tagged deployable'
    if found is None: return 'there is a deployable run before the served one: the ridge:100 run'
    if found != ids['ridge']: return f'you returned run {found}; expected the ridge:100 run {ids["ridge"]}'
    # after a rollback: the served run is tagged rolled_back; someone then puts `deployable` back on it by hand
    copy = Path(tempfile.mkdtemp(prefix='client-exercise-'))
    shutil.copytree(root/'.metaflow', copy/'.metaflow', ignore=shutil.ignore_patterns('client_cache'))
    from regression_course.registry import DEPLOYABLE_TAG, ROLLED_BACK_TAG
    with helpers.reading(copy):
        served = helpers.open_run(f'{config.FLOW_NAME}/{ids["linear"]}')
        served.add_tag(ROLLED_BACK_TAG)  # rolled back, yet still tagged deployable
        found, hint = _run_id(previous_deployable_run(), 'previous_deployable_run()')
    shutil.rmtree(copy, ignore_errors=True)
    if hint: return hint
    if found is not None:
        return (f'run {ids["linear"]} was rolled back (tagged {ROLLED_BACK_TAG!r}, though still {DEPLOYABLE_TAG!r}): it is never served, '
                'so the served run is the ridge:100 run and nothing deployable comes before it: expected None')
    return None


WRONG_ANSWERS = {
    'client.1': [
        '''from metaflow import Flow
from regression_course.config import FLOW_NAME
from regression_course.registry import everyones_runs
def best_cv_run(flow_name=FLOW_NAME):
    try:
        with everyones_runs():
            runs = [r for r in Flow(flow_name) if r.successful]
    except Exception:
        return None
    return min(runs, key=lambda r: r.data.test_metrics['mse'], default=None)''',
        '''from metaflow import Flow
from regression_course.config import FLOW_NAME
from regression_course.registry import everyones_runs
def best_cv_run(flow_name=FLOW_NAME):
    try:
        with everyones_runs():
            runs = list(Flow(flow_name))
    except Exception:
        return None
    return min(runs, key=lambda r: r.data.candidate_scores[0]['cv_mse'], default=None)''',
    ],
    'client.2': [
        '''from regression_course.registry import latest_deployable_run
from regression_course.config import FLOW_NAME
def previous_deployable_run(flow_name=FLOW_NAME):
    return latest_deployable_run(flow_name)''',
        '''from metaflow import Flow
from metaflow.exception import MetaflowNotFound
from regression_course.config import DEPLOYABLE_TAG, FLOW_NAME
from regression_course.registry import everyones_runs
def previous_deployable_run(flow_name=FLOW_NAME):
    try:
        with everyones_runs():
            runs = [r for r in Flow(flow_name).runs(DEPLOYABLE_TAG) if r.successful]
    except MetaflowNotFound:
        return None
    return runs[1] if len(runs) > 1 else None''',
    ],
}
