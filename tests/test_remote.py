"""The course flow with its artifacts in an S3 object store (moto's S3 server on 127.0.0.1, one per module), chosen
by the course's named Metaflow profile: one run gives the course's figures, the registry and `make serve` find it
and only it, and every misconfiguration fails within 30 s with a message naming the setting, before or without
leaving a run that looks successful. The run is made once and shared; the server is stopped by the last test.
(The compiled Argo template and the pod's first step are checked in nbs/91b_remote_store.ipynb; Swift, a
production store, in tests/test_swift_store.py.)"""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import REPO_ROOT, free_port, gunicorn_command, port_open, run_flow, serving
from regression_course import config
from regression_course.course import checkpoint
from regression_course.registry import latest_deployable_run
from regression_course.remote import PROFILE, PROFILE_HOME, profile_env
from s3_store import start_store  # tools/s3_store.py (conftest puts tools/ on the path)

FAIL_FAST = 30  # seconds: a misconfigured store must fail within this


@pytest.fixture(scope='module')
def store():
    "moto's S3 server on a free port of 127.0.0.1, with the profile's bucket; stopped at the end"
    with start_store('moto') as s3:
        yield s3


@pytest.fixture(scope='module')
def joined(store, tmp_path_factory):
    "The environment of a process that joined the course profile, pointed at this module's server"
    home = tmp_path_factory.mktemp('profile')
    settings = json.loads((PROFILE_HOME/f'config_{PROFILE}.json').read_text())
    (home/f'config_{PROFILE}.json').write_text(json.dumps({**settings, 'METAFLOW_S3_ENDPOINT_URL': store.endpoint}))
    return profile_env(tmp_path_factory.mktemp('s3-runs'), home=home)


@pytest.fixture(scope='module')
def s3_run(joined, tmp_path_factory):
    """One real run of the course flow, artifacts in the S3 store: (run id, the process). One candidate, `linear`, the
    one the course's run chooses: the same figures, a quarter of the training tasks (09_off_the_laptop runs all four)."""
    id_file = tmp_path_factory.mktemp('s3-run')/'run_id'
    proc = run_flow('--candidates', 'linear', '--run-id-file', id_file, env=joined)
    return id_file.read_text().strip(), proc


def in_store(joined, code, timeout=120):
    "Run Python `code` in a new process that joined the store; its stdout as JSON"
    done = subprocess.run([sys.executable, '-c', 'import regression_course.config, json\nregression_course.config.configure_metaflow()\n' + code], env={**os.environ, **joined},
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_s3_run_gives_the_course_figures(joined, s3_run, store):
    run_id, _ = s3_run
    found = in_store(joined, f'''
from regression_course.registry import latest_deployable_run, load_model
run = latest_deployable_run()
loaded = load_model(run)
meta = run['end'].task.metadata_dict
print(json.dumps(dict(id=run.id, coef=float(loaded.model.coef_[0]), intercept=float(loaded.model.intercept_),
                      mse=loaded.mse, r2=loaded.r2, at10=float(loaded.model.predict([[10.0]])[0]),
                      ds_type=meta['ds-type'], ds_root=meta['ds-root'])))''')
    assert found['id'] == run_id and found['ds_type'] == 's3' and found['ds_root'] == 's3://course/metaflow'
    assert checkpoint(coef=found['coef'], intercept=found['intercept'], mse=found['mse'], r2=found['r2'],
                      prediction_at_10=found['at10']).passed
    keys = [o['Key'] for o in store.client().list_objects_v2(Bucket='course', Prefix=f'metaflow/{config.FLOW_NAME}/{run_id}/')['Contents']]
    assert any('/test_model/' in k and k.endswith('0.data.json') for k in keys)
    cards = store.client().list_objects_v2(Bucket='course', Prefix='metaflow/mf.cards/')
    assert cards['KeyCount'] > 0  # the quality-gate card is in the store too
    local = os.path.join(joined['METAFLOW_DATASTORE_SYSROOT_LOCAL'], '.metaflow', config.FLOW_NAME, run_id)
    artifacts_here = [f for _, _, files in os.walk(local) for f in files if f.endswith('.data.json') or f.startswith('sha')]
    assert artifacts_here == [], 'artifacts of an S3 run were written to the local folder'


def test_the_registry_and_make_serve_use_the_store_the_profile_chose(joined, s3_run, tmp_path):
    run_id, _ = s3_run
    local = latest_deployable_run()  # this process uses the local store: the S3 run is not among its runs
    assert local is None or local.id != run_id
    port = free_port()
    log = tmp_path/'gunicorn.log'
    with serving(gunicorn_command(port), log, lambda: port_open(port), env=joined, timeout=120):
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/model', timeout=30) as r: model = json.load(r)
        request = urllib.request.Request(f'http://127.0.0.1:{port}/predict', data=b'{"x": 10}',
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as r: answer = json.load(r)
    assert model['run_id'] == run_id and answer['model']['run_id'] == run_id
    assert abs(answer['prediction'] - 167.07) <= 0.01
    predictions = os.path.join(joined['METAFLOW_DATASTORE_SYSROOT_LOCAL'], '.metaflow', 'predictions', 'predictions.jsonl')
    assert json.loads(open(predictions).read().splitlines()[-1])['run_id'] == run_id  # the store's own log, not the local one


def _flow_fails_fast(joined, change, *args):
    "Start the course flow with `change` in the environment; it must fail within FAIL_FAST s: (stderr, seconds)"
    start = time.monotonic()
    proc = run_flow(*args, env={**joined, **change}, check=False, timeout=FAIL_FAST)
    seconds = time.monotonic() - start
    assert proc.returncode != 0, proc.stdout[-2000:]
    return proc.stderr, seconds


@pytest.mark.parametrize('case,change,setting', [
    ('no endpoint', {'METAFLOW_PROFILE': '', 'METAFLOW_DEFAULT_DATASTORE': 's3',
                     'METAFLOW_DATASTORE_SYSROOT_S3': 's3://course/metaflow'}, 'METAFLOW_S3_ENDPOINT_URL is not set'),
    ('wrong endpoint', {'METAFLOW_S3_ENDPOINT_URL': 'http://127.0.0.1:PORT'}, 'METAFLOW_S3_ENDPOINT_URL=http://127.0.0.1:'),
    ('missing bucket', {'METAFLOW_DATASTORE_SYSROOT_S3': 's3://no-such-bucket/metaflow'}, 'METAFLOW_DATASTORE_SYSROOT_S3='),
    ('kubernetes without a cluster', {'KUBECONFIG': '/nonexistent/kubeconfig'}, 'KUBECONFIG=/nonexistent/kubeconfig'),
])
def test_a_misconfiguration_stops_the_run_before_it_starts(joined, s3_run, case, change, setting):
    change = {k: v.replace('PORT', str(free_port())) for k, v in change.items()}
    args = ['--with', 'kubernetes'] if case.startswith('kubernetes') else []
    ids = os.path.join(joined['METAFLOW_DATASTORE_SYSROOT_LOCAL'], '.metaflow', config.FLOW_NAME)
    before = set(os.listdir(ids))
    stderr, seconds = _flow_fails_fast(joined, change, *args)
    assert setting in stderr and 'Not started:' in stderr, stderr[-2000:]
    assert set(os.listdir(ids)) == before  # no run was created, so none can look successful


def test_metaflow_own_env_route_is_bounded_too(joined, s3_run):
    "`--datastore s3` with Metaflow's own variables and no profile: the same check, the same bounds"
    change = {'METAFLOW_PROFILE': '', 'METAFLOW_S3_ENDPOINT_URL': f'http://127.0.0.1:{free_port()}',
              'AWS_ACCESS_KEY_ID': 'x', 'AWS_SECRET_ACCESS_KEY': 'y', 'AWS_DEFAULT_REGION': 'us-east-1'}
    stderr, _ = _flow_fails_fast(joined, change, '--datastore', 's3', '--datastore-root', 's3://course/metaflow')
    assert 'nothing answers at METAFLOW_S3_ENDPOINT_URL=' in stderr
    env = {**os.environ, **joined, **change}
    bounds = subprocess.run([sys.executable, '-c', 'import regression_course.config\nregression_course.config.configure_metaflow()\nfrom metaflow import metaflow_config as m\n'
                             'print(m.S3_RETRY_COUNT, m.S3_TRANSIENT_RETRY_COUNT, m.S3_CLIENT_RETRY_CONFIG["max_attempts"])'],
                            env=env, capture_output=True, text=True, check=True).stdout.split()
    assert [int(b) for b in bounds] == [int(v) for v in list(config.S3_FAIL_FAST.values())[:2]] + [3]


def test_a_store_that_stops_mid_run_fails_the_run_fast_and_clearly(joined, s3_run, store, tmp_path):
    "The last test of the module: it stops the module's server"
    id_file = tmp_path/'run_id'
    cmd = [sys.executable, str(config.FLOW_FILE), '--no-pylint', 'run', '--run-id-file', str(id_file)]
    proc = subprocess.Popen(cmd, env={**os.environ, **joined}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:  # wait for the condition: the run's second step has started
            if '/read_data/' in line and 'Task is starting' in line: break
        store.stop()
        stopped = time.monotonic()
        out, _ = proc.communicate(timeout=FAIL_FAST + 30)
        seconds = time.monotonic() - stopped
    finally:
        if proc.poll() is None: proc.kill()
    assert proc.returncode != 0 and seconds < FAIL_FAST, f'{seconds:.0f} s\n{out[-2000:]}'
    assert 'its store does not answer now' in out and f'METAFLOW_S3_ENDPOINT_URL={store.endpoint}' in out, out[-2000:]
    run = os.path.join(joined['METAFLOW_DATASTORE_SYSROOT_LOCAL'], '.metaflow', config.FLOW_NAME, id_file.read_text().strip())
    assert os.path.isdir(os.path.join(run, 'start')) and not os.path.exists(os.path.join(run, 'end'))  # never successful
    start = time.monotonic()  # a new reader (a server starting, a notebook) of a store that is down: an error, in seconds
    fresh_cache = {'METAFLOW_CLIENT_CACHE_PATH': str(tmp_path/'client_cache')}  # nothing read before: all from the store
    reader = subprocess.run([sys.executable, '-c', 'import regression_course.config\nregression_course.config.configure_metaflow()\n'
                             'from regression_course.registry import load_model\nload_model()'],
                            env={**os.environ, **joined, **fresh_cache}, capture_output=True, text=True, timeout=FAIL_FAST + 30)
    assert reader.returncode != 0 and time.monotonic() - start < FAIL_FAST
    assert store.endpoint in reader.stderr, reader.stderr[-2000:]
