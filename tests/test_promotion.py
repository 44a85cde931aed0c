"""Champion and challenger, and rollback, for real, in the tests' private datastore.

A copy of the flow under another name, `PromotionTestFlow`, keeps the course's own served model out of it: the
flow looks for its champion under its own name (`current.flow_name`). The runs are few, small (`--candidates
linear`) and made once, in order: a first run with nothing served (the gate decides), a challenger trained on
100 fresh rows (it passes the gate but is worse than the champion on the same rows), the course data again (an
identical model: at least as good, so promoted). Then two rollbacks: one that works, one with nothing to go back to.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

import conftest
from conftest import REPO_ROOT, run_flow
from regression_course import config
from regression_course.data import true_coefficient, write_dataset
from regression_course.config import DEFAULT_PARAMETERS
from regression_course.registry import (DEPLOYABLE_TAG, ROLLED_BACK_TAG, latest_deployable_run, open_run,
                                        rollback_log, rollback)

NAME = 'PromotionTestFlow'


@pytest.fixture(scope='module')
def runs(datastore, tmp_path_factory):
    "The three runs of the copied flow, made in order: {'first', 'worse', 'again'}"
    folder = tmp_path_factory.mktemp('promotion')
    flow_file = folder/'promotion_test_flow.py'
    flow_file.write_text(config.FLOW_FILE.read_text().replace(config.FLOW_NAME, NAME))
    rng = np.random.default_rng(3)  # 100 new rows from the course's process: less data, a less certain slope
    x = rng.normal(size=(100, 1))
    fresh = write_dataset(x, true_coefficient() * x[:, 0] + rng.normal(scale=10, size=100), folder/'fresh.txt')
    made = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conftest, 'FLOW_PATH', flow_file)  # run_flow runs the copy
        for key, args in (('first', []), ('worse', ['--dataset', fresh]), ('again', [])):
            id_file = folder/f'{key}.id'
            run_flow('--candidates', 'linear', '--run-id-file', id_file, *args)
            made[key] = open_run(f'{NAME}/{id_file.read_text().strip()}')
            made[f'served after {key}'] = latest_deployable_run(NAME).id
    return made


def test_the_tolerance_is_a_default_parameter():
    assert DEFAULT_PARAMETERS['promotion_tolerance'] == 0.0  # so `course_run()` still knows the course's run


def test_with_nothing_served_the_gate_decides(runs):
    first = runs['first']
    promotion = first.data.promotion
    assert first.data.gate['passed'] and promotion['promoted'] and first.data.deployable
    assert promotion['champion_run'] is None and 'no model is served' in promotion['reason']
    assert DEPLOYABLE_TAG in first.user_tags and runs['served after first'] == first.id


def test_a_worse_challenger_stays_unserved(runs):
    worse, first = runs['worse'], runs['first']
    promotion = worse.data.promotion
    assert worse.successful and worse.data.gate['passed']  # good enough for the gate...
    assert not promotion['promoted'] and not worse.data.deployable and DEPLOYABLE_TAG not in worse.user_tags
    assert promotion['champion_run'] == first.id and promotion['challenger_mse'] > promotion['champion_mse']
    assert 'above the limit' in promotion['reason'] and f'run {first.id} stays served' in promotion['reason']
    assert runs['served after worse'] == first.id  # ...but the champion is still served
    # both were scored on the challenger's own test rows
    model = first.data.model
    champion_mse = float(np.mean((worse.data.y_test - model.predict(worse.data.X_test)) ** 2))
    assert promotion['champion_mse'] == pytest.approx(champion_mse)
    assert promotion['challenger_mse'] == pytest.approx(worse.data.test_metrics['mse'])


def test_the_card_shows_both_models(runs):
    from metaflow.cards import get_cards
    from regression_course.cards import card_components
    with config.in_datastore_root():
        components = card_components(get_cards(runs['worse']['test_model'].task, id='quality_gate')[0].get())
    assert 'not promoted' in components[0]['source']
    rows = next(c for c in components if c['type'] == 'table')['data']
    text = json.dumps(rows)
    assert 'challenger' in text and f"served run {runs['first'].id} (champion)" in text and 'baseline' in text


def test_an_identical_model_is_promoted_again(runs):
    again, first = runs['again'], runs['first']
    promotion = again.data.promotion
    assert promotion['promoted'] and promotion['champion_run'] == first.id
    assert promotion['challenger_mse'] == promotion['champion_mse']  # equal is not worse
    assert DEPLOYABLE_TAG in again.user_tags and runs['served after again'] == again.id


def test_rollback_returns_to_the_previous_run_and_records_who_and_why(runs):
    again, first = runs['again'], runs['first']
    assert latest_deployable_run(NAME).id == again.id
    record = rollback('predictions drift upwards', user='ada', flow_name=NAME)
    assert latest_deployable_run(NAME).id == first.id
    tags = open_run(again.pathspec).user_tags
    assert ROLLED_BACK_TAG in tags and DEPLOYABLE_TAG not in tags
    assert {k: record[k] for k in ('flow', 'user', 'from_run', 'to_run', 'reason')} == dict(
        flow=NAME, user='ada', from_run=again.id, to_run=first.id, reason='predictions drift upwards')
    assert json.loads(rollback_log().read_text().splitlines()[-1]) == record and record['time'].endswith('+00:00')
    assert rollback_log().parent == config.datastore_root()/'.metaflow'/'registry'


def test_rollback_with_nothing_to_roll_back_to_fails_and_changes_nothing(runs):
    first = runs['first']
    assert latest_deployable_run(NAME).id == first.id  # after the rollback above: the only served run left
    before = rollback_log().read_text()
    with pytest.raises(RuntimeError, match='nothing to roll back to'):
        rollback('again', flow_name=NAME)
    with pytest.raises(ValueError, match='say why'):
        rollback('  ', flow_name=NAME)
    cli = subprocess.run([sys.executable, str(REPO_ROOT/'tools'/'rollback.py'), 'rollback', '--why', 'again', '--flow', NAME],
                         capture_output=True, text=True)
    assert cli.returncode != 0 and 'rollback failed: nothing to roll back to' in cli.stderr and 'Traceback' not in cli.stderr
    assert latest_deployable_run(NAME).id == first.id and DEPLOYABLE_TAG in open_run(first.pathspec).user_tags
    assert rollback_log().read_text() == before
    with pytest.raises(RuntimeError, match='no run is served'):
        rollback('nothing here', flow_name='NoSuchFlow')
