"""The course flow against a production object store: OpenStack Swift with its S3 layer (s3api) and tempauth, from
Debian's packages, installed by this check when missing (as `make browser` installs Chromium: as root, with apt),
started on 127.0.0.1 and stopped at the end. Swift checks credentials, so wrong ones are tried here too. One run,
with one candidate (`linear`, the course's chosen model: the same figures at a quarter of the training tasks)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import IN_CI, run_flow
from regression_course.course import checkpoint
from regression_course.remote import PROFILE, PROFILE_HOME, profile_env
from s3_store import install_swift, start_store  # tools/s3_store.py


@pytest.fixture(scope='module')
def swift(tmp_path_factory):
    "Swift's proxy (s3api, tempauth), account, container and object servers and memcached; stopped at the end"
    if problem := install_swift():
        if IN_CI: pytest.fail(f'CI=true and Swift cannot be installed: {problem}')
        pytest.skip(problem)
    with start_store('swift', folder=tmp_path_factory.mktemp('swift')) as store:
        yield store


@pytest.fixture(scope='module')
def joined(swift, tmp_path_factory):
    home = tmp_path_factory.mktemp('profile')
    settings = json.loads((PROFILE_HOME/f'config_{PROFILE}.json').read_text())
    (home/f'config_{PROFILE}.json').write_text(json.dumps({**settings, 'METAFLOW_S3_ENDPOINT_URL': swift.endpoint}))
    return profile_env(tmp_path_factory.mktemp('swift-runs'), home=home)


def test_the_flow_runs_on_swift_and_gives_the_course_figures(joined, swift, tmp_path):
    id_file = tmp_path/'run_id'
    run_flow('--candidates', 'linear', '--run-id-file', id_file, env=joined)
    code = '''import regression_course.config, json
regression_course.config.configure_metaflow()
from regression_course.registry import latest_deployable_run, load_model
run = latest_deployable_run()
m = load_model(run)
print(json.dumps(dict(id=run.id, ds=run['end'].task.metadata_dict['ds-type'], coef=float(m.model.coef_[0]),
                      intercept=float(m.model.intercept_), mse=m.mse, r2=m.r2)))'''
    done = subprocess.run([sys.executable, '-c', code], env={**os.environ, **joined}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found['id'] == id_file.read_text().strip() and found['ds'] == 's3'
    assert checkpoint(coef=found['coef'], intercept=found['intercept'], mse=found['mse'], r2=found['r2']).passed
    swift_keys = swift.client().list_objects_v2(Bucket='course', Prefix=f'metaflow/SampleRegressionFlow/{found["id"]}/')
    assert swift_keys['KeyCount'] > 0


def test_wrong_credentials_stop_the_run_before_it_starts(joined):
    settings = json.loads((PROFILE_HOME/f'config_{PROFILE}.json').read_text())['METAFLOW_DATATOOLS_CLIENT_PARAMS']
    wrong = {'METAFLOW_DATATOOLS_CLIENT_PARAMS': json.dumps({**settings, 'aws_secret_access_key': 'not-the-secret'})}
    proc = run_flow(env={**joined, **wrong}, check=False, timeout=30)
    assert proc.returncode != 0
    assert 'refused the credentials' in proc.stderr and 'METAFLOW_DATATOOLS_CLIENT_PARAMS (from the environment)' in proc.stderr, \
        proc.stderr[-2000:]
