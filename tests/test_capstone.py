"""The capstone (capstone/README.md): its data, its starting flow, and its checker, which must pass the reference
solution and stop a student's untouched starting folder at the first check, with a hint.

Two flow runs in all: the starting flow once (the first command of every student), and the reference solution once,
under the checker (`make capstone-check SOLUTION=1`), which also starts its app twice.
"""
import importlib.util
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from conftest import REPO_ROOT, run_flow

CAPSTONE = REPO_ROOT/'capstone'
CHECKER = REPO_ROOT/'tools'/'capstone_check.py'


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_data = load(CAPSTONE/'make_data.py', 'capstone_make_data')


def checker(*args, timeout=1800):
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')}
    return subprocess.run([sys.executable, str(CHECKER), *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_shipped_dataset_is_what_the_generator_writes():
    assert (CAPSTONE/'desks.txt').read_text() == make_data.desks_text()


@pytest.mark.parametrize('bad', sorted(make_data.DESKS))
def test_a_broken_desk_looks_the_same_but_for_the_order_of_its_pnl(bad):
    "Only that desk's y values move, among its own days: its rows, x, and the set of its y values are unchanged"
    sound, broken = make_data.make_desks(), make_data.make_desks(bad_desk=bad)
    assert [(d, x) for d, x, _ in sound] == [(d, x) for d, x, _ in broken]
    assert [s for s, b in zip(sound, broken) if s[0] != bad] == [b for b in broken if b[0] != bad]
    assert Counter(y for d, _, y in sound if d == bad) == Counter(y for d, _, y in broken if d == bad)
    moved = sum(s != b for s, b in zip(sound, broken) if s[0] == bad)
    assert moved > 0.9 * make_data.DESKS[bad][2]


def test_the_starting_flow_runs_and_one_line_passes_on_average_but_fails_desks(datastore):
    "What capstone/desks_flow.py says of itself: it runs and is deployable; and the premise: per desk, it fails"
    done = run_flow(flow=CAPSTONE/'desks_flow.py', timeout=1800)
    assert re.search(r'run \d+: deployable', done.stdout + done.stderr)
    from metaflow import Flow, namespace
    from sklearn.metrics import r2_score
    namespace(None)
    run = Flow('DesksFlow').latest_run
    assert run.successful and run.data.gate['passed'] and run.data.test_metrics['r2'] >= 0.5
    data = run.data
    per_desk = {desk: r2_score(data.y[rows], data.model.predict(data.X[rows]))
                for desk in make_data.DESKS
                for rows in [data.test_rows[data.desks[data.test_rows] == desk]]}
    assert per_desk['rates'] < 0 and per_desk['fx'] < 0.5  # one line cannot serve them
    assert per_desk['equities'] > 0.5 and per_desk['credit'] > 0.5


def test_the_untouched_starting_folder_stops_at_the_first_check_with_a_hint():
    done = checker('--plant', 'fx', timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'not yet  the flow has a step test_desks with a card "desks": DesksFlow has no step `test_desks` yet (TODO 1)' \
        in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1] == 'capstone: 0 of 14 checks passed'
    assert 'running desks_flow.py' not in done.stdout  # nothing ran: the flow is not ready


@pytest.mark.instructors  # the reference solution is the instructors': a student copy deselects this test
def test_the_reference_solution_passes_every_check():
    done = checker('--folder', 'solutions/capstone', '--plant', 'rates')
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == 'capstone: 14 of 14 checks passed', done.stdout
