"""A student's own runs never change the course's numbers.

A copy of the tests' datastore (holding the course run: shipped dataset, default parameters) gets the runs a
student makes on the side, all NEWER than the course run: a deployable run of another candidate, a run by
another user with another seed, a run on another dataset and a failed run. Then `course_run()` must still find
the course run, its model must still give the course figures, and the notebooks that use the course model must
still pass, run top to bottom in that crowded datastore.
"""
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO_ROOT, copy_of, run_flow
from regression_course.data import DATASET_PATH, load_data, write_dataset

NOTEBOOKS = ['05_client_api', '05a_http_and_flask', '05b_prediction', '06_serving', '07_prediction_form']


@pytest.fixture(scope='module')
def crowded(deployable_run, datastore, tmp_path_factory):
    "(root, env) of a datastore holding the course run and, newer, a student's other runs"
    from regression_course.registry import course_run
    assert course_run(train=False).id == deployable_run.id
    root = tmp_path_factory.mktemp('crowded')
    env = copy_of(datastore, root)
    X, y = load_data()
    other = write_dataset(X[:500], y[:500], root/'first_half.txt')
    bad = root/'bad.txt'
    bad.write_text(DATASET_PATH.read_text().replace('\n', '\nnot\ta-number\n', 1))
    runs = [  # (arguments, extra environment, must it succeed?)
        (['--candidates', 'ridge:100', '--promotion_tolerance', '0.05'], {}, True),  # promoted: a different model served
        (['--candidates', 'linear', '--random_state', '7'], {'METAFLOW_USER': 'ada'}, True),  # another user's run
        (['--dataset', other, '--candidates', 'linear'], {}, True),  # another dataset
        (['--dataset', bad], {}, False),  # fails at the data check
    ]
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda r: run_flow(*r[0], env={**env, **r[1]}, check=r[2]), runs))
    assert [p.returncode == 0 for p in done] == [ok for *_, ok in runs]
    return root, {**os.environ, **env}


def test_course_run_is_found_among_a_students_runs(crowded, deployable_run):
    _, env = crowded
    code = ('from regression_course.registry import course_run, latest_deployable_run, load_model;'
            'm = load_model(course_run(train=False));'
            'print(course_run(train=False).id, latest_deployable_run().id, m.model.coef_[0], m.model.intercept_,'
            ' m.mse, m.r2, m.model.predict([[10.0]])[0])')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True).stdout.split()
    course_id, newest_id, *figures = out
    assert course_id == deployable_run.id and newest_id != course_id  # the newest deployable run is the student's
    from regression_course.course import COURSE_FIGURES
    for name, value in zip(['coef', 'intercept', 'mse', 'r2', 'prediction_at_10'], map(float, figures)):
        expected, tolerance = COURSE_FIGURES[name]
        assert abs(value - expected) <= tolerance, (name, value, expected)


def test_the_notebooks_pass_in_a_crowded_datastore(crowded):
    root, env = crowded
    for name in NOTEBOOKS: assert (REPO_ROOT/'nbs'/f'{name}.ipynb').exists(), name
    only = '^(' + '|'.join(NOTEBOOKS) + r')\.ipynb$'
    done = subprocess.run([str(Path(sys.executable).parent/'nbdev_test'), '--n_workers', '2', '--do_print',
                           '--file_re', only], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f'{done.stdout[-3000:]}\n{done.stderr[-3000:]}'
    assert done.stdout.count('- Completed') == len(NOTEBOOKS), done.stdout
