"""SampleRegressionFlow end to end, for real, in the tests' private datastore: a good run is deployable, has
its card and the course's figures; a malformed dataset fails at `read_data` naming the line; a dataset without signal runs
to the end but fails the gate; neither replaces the good model. Each flow run costs seconds, so the runs
are made once per module and shared by the tests. The flow's growth from the lecture's (LectureFlow ->
CandidatesFlow -> GatedFlow -> SampleRegressionFlow) is checked on the classes, without a run: the notebooks
04a-04d run every stage."""
import math
import os
from datetime import timezone
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT, run_flow
from regression_course import config
from regression_course.cards import card_components
from regression_course.course import COURSE_FIGURES
from regression_course.data import DATASET_PATH, write_dataset
from regression_course.registry import FLOW_NAME, latest_deployable_run, load_model, open_run, runs_table

from metaflow import Parameter, get_namespace, namespace  # noqa: E402  (after config)
from metaflow.graph import FlowGraph  # noqa: E402
from metaflow.cards import get_cards

CONTRACT_ARTIFACTS = ['dataset', 'model', 'chosen_candidate', 'candidate_scores', 'test_metrics', 'gate',
                      'promotion', 'deployable', 'x_range', 'X_train', 'y_train', 'X_test', 'y_test']


def _run_with_id(tmp_path, *args, cwd=None, check=True):
    "Run the flow and return (the process, the Run it made)"
    id_file = tmp_path/'run_id'
    proc = run_flow(*args, '--run-id-file', id_file, cwd=cwd, check=check)
    return proc, open_run(f'{FLOW_NAME}/{id_file.read_text().strip()}')


@pytest.fixture(scope='module')
def malformed(deployable_run, tmp_path_factory):
    "A run on the course data with line 3 corrupted: it must fail at read_data"
    folder = tmp_path_factory.mktemp('malformed')
    lines = DATASET_PATH.read_text().splitlines()
    lines[2] = '0.5\tnot-a-number'
    (folder/'badfile.txt').write_text('\n'.join(lines) + '\n')
    return _run_with_id(folder, '--dataset', folder/'badfile.txt', check=False)


@pytest.fixture(scope='module')
def no_signal(deployable_run, tmp_path_factory):
    "A run on well-formed data where y ignores x, started from another folder with a relative --dataset"
    folder = tmp_path_factory.mktemp('elsewhere')
    rng = np.random.default_rng(0)
    write_dataset(rng.normal(size=(400, 1)), rng.normal(scale=5, size=400), folder/'no_signal.txt')
    return _run_with_id(folder, '--dataset', 'no_signal.txt', '--candidates', 'linear', cwd=folder)


def _card_components(task):
    "The components of the quality-gate card of `task`, decoded from the card's HTML"
    with config.in_datastore_root():
        cards = get_cards(task, id='quality_gate')
        html = cards[0].get()
    return html, card_components(html)


def test_good_run_has_the_contract_artifacts_and_the_tag(deployable_run):
    run = deployable_run
    assert run.successful and 'deployable' in run.user_tags
    data = run.data
    for name in CONTRACT_ARTIFACTS: assert name in run['end'].task, name
    assert data.dataset == DATASET_PATH.read_text()
    assert len(data.candidate_scores) >= 4 and {'name', 'cv_mse'} <= set(data.candidate_scores[0])
    assert data.chosen_candidate == min(data.candidate_scores, key=lambda s: s['cv_mse'])['name']
    assert data.gate['passed'] and data.deployable is True and data.promotion['promoted'] is True
    assert set(data.gate) >= {'passed', 'r2', 'mse', 'baseline_mse', 'min_r2', 'reasons'}
    assert data.gate['mse'] < data.gate['baseline_mse'] and data.test_metrics['r2'] >= data.gate['min_r2']
    assert data.X_train.shape == (800, 1) and data.X_test.shape == (200, 1) and data.y_train.shape == (800,)
    assert data.x_range == (data.X_train.min(), data.X_train.max())
    assert np.allclose(data.model.predict(data.X_test[:3]), data.model.coef_[0] * data.X_test[:3, 0] + data.model.intercept_)
    assert data.X.shape == (1000, 1) and data.y.shape == (1000,)  # the parsed rows; `dataset` stays the raw text


def _close(name, value):
    expected, tolerance = COURSE_FIGURES[name]
    assert abs(value - expected) <= tolerance, f'{name}: {value} is not the course figure {expected} ± {tolerance}'


def test_the_chosen_model_has_the_course_figures(deployable_run):
    data = deployable_run.data
    assert data.chosen_candidate == 'linear' and len(data.candidate_scores) >= 4
    _close('coef', data.model.coef_[0])
    _close('intercept', data.model.intercept_)
    _close('mse', data.test_metrics['mse'])
    _close('r2', data.test_metrics['r2'])
    _close('prediction_at_10', data.model.predict([[10.0]])[0])


def test_steps_are_named_for_what_they_do(deployable_run):
    steps = {step.id for step in deployable_run}
    assert steps == {'start', 'read_data', 'validate_data', 'split', 'train', 'choose_model', 'test_model', 'end'}


def test_load_model_gives_a_server_what_it_needs(deployable_run):
    loaded = load_model(with_training_data=True)
    assert loaded.run_id == deployable_run.id and loaded.flow == FLOW_NAME
    assert loaded.trained_at.tzinfo is not None and loaded.trained_at.utcoffset() == timezone.utc.utcoffset(None)
    assert loaded.r2 == deployable_run.data.test_metrics['r2'] and loaded.x_min < loaded.x_max
    assert loaded.X_train.shape == (800, 1)
    summary = loaded.summary()
    assert set(summary) == {'flow', 'run_id', 'trained_at', 'r2'} and summary['trained_at'].endswith('+00:00')


def test_the_card_is_in_the_datastore_and_readable(deployable_run, datastore):
    html, components = _card_components(deployable_run['test_model'].task)
    assert list(datastore.glob(f'.metaflow/mf.cards/{FLOW_NAME}/runs/{deployable_run.id}/**/*.html'))
    assert components[0]['source'].startswith('# Quality gate') and 'passed' in components[0]['source']
    assert {c['type'] for c in components} == {'markdown', 'table', 'image'}
    assert 'src="http' not in html  # self-contained: readable offline


def test_malformed_dataset_fails_at_read_data_naming_the_line(malformed, deployable_run):
    proc, run = malformed
    assert proc.returncode != 0
    assert "dataset (IncludeFile), line 3: y value 'not-a-number' is not a number" in proc.stdout + proc.stderr
    failed = [task.parent.id for step in run for task in step if not task.successful]
    assert failed == ['read_data'] and 'train' not in run and not run.successful
    assert latest_deployable_run().id == deployable_run.id


def test_no_signal_runs_to_the_end_but_is_not_deployable(no_signal, deployable_run):
    proc, run = no_signal
    assert proc.returncode == 0 and run.successful
    gate = run.data.gate
    assert not gate['passed'] and gate['reasons'] and gate['r2'] < gate['min_r2']
    assert run.data.deployable is False and 'deployable' not in run.tags
    assert not run.data.promotion['promoted'] and run.data.promotion['reason'] == 'it failed the quality gate'
    assert latest_deployable_run().id == deployable_run.id
    assert load_model().run_id == deployable_run.id


def test_flow_runs_from_another_folder(no_signal, datastore):
    proc, run = no_signal  # started with cwd elsewhere and a relative --dataset path
    folder = Path(proc.args[proc.args.index('--run-id-file') + 1]).parent
    assert folder != datastore and run.data.dataset == (folder/'no_signal.txt').read_text()
    _, components = _card_components(run['test_model'].task)  # the card still landed in the datastore
    assert 'failed' in components[0]['source']
    assert not list(folder.glob('.metaflow'))  # nothing written where the flow was started


def test_runs_table_and_namespaces(deployable_run, malformed, no_signal):
    table = runs_table().set_index('id')
    good, bad, noise = deployable_run.id, malformed[1].id, no_signal[1].id
    assert table.loc[good, 'deployable'] and table.loc[good, 'successful']
    assert not table.loc[bad, 'successful'] and math.isnan(table.loc[bad, 'r2'])
    assert table.loc[noise, 'successful'] and not table.loc[noise, 'deployable'] and table.loc[noise, 'r2'] < 0.5
    assert (table.user == os.environ['METAFLOW_USER']).all()
    before = get_namespace()
    try:
        namespace('user:somebody-else')  # a caller looking at someone else's runs...
        assert latest_deployable_run().id == good  # ...still gets the deployable model, from any user
        assert get_namespace() == 'user:somebody-else'  # and keeps its own namespace
    finally:
        namespace(before)


def vars_of(flow_class):
    "Every attribute of `flow_class`, inherited ones included"
    return [getattr(flow_class, name) for name in dir(flow_class) if not name.startswith('_')]


def _defined_in(flow_class, step_name):
    return next(c.__name__ for c in flow_class.__mro__ if step_name in vars(c))


def test_each_flow_file_holds_one_flow_that_runner_can_start():
    "Metaflow's Runner (and the API behind it) refuses a file that defines two FlowSpec classes"
    from metaflow.runner.click_api import extract_flow_class_from_file
    package = REPO_ROOT/'regression_course'
    homes = {'lecture_flow.py': 'LectureFlow', 'candidates_flow.py': 'CandidatesFlow',
             'gated_flow.py': 'GatedFlow', 'flow.py': FLOW_NAME}
    for file, name in homes.items():
        assert extract_flow_class_from_file(str(package/file)).__name__ == name, file


def test_the_flow_grows_from_the_lecture_s_by_subclasses():
    "Each stage is the one before plus what its idea adds; Metaflow's graph has the inherited steps"
    from regression_course.candidates_flow import CandidatesFlow
    from regression_course.flow import SampleRegressionFlow
    from regression_course.gated_flow import GatedFlow
    from regression_course.lecture_flow import LectureFlow
    lecture = ['start', 'read_data', 'validate_data', 'split', 'train', 'test_model', 'end']
    grown = ['start', 'read_data', 'validate_data', 'split', 'train', 'choose_model', 'test_model', 'end']
    stages = {LectureFlow: (lecture, dict.fromkeys(lecture)),
              CandidatesFlow: (grown, dict(split='CandidatesFlow', train='CandidatesFlow', choose_model='CandidatesFlow')),
              GatedFlow: (grown, dict(test_model='GatedFlow')),
              SampleRegressionFlow: (grown, dict(test_model='SampleRegressionFlow', end='SampleRegressionFlow'))}
    for stage, (steps, own) in stages.items():
        graph = FlowGraph(stage)
        assert graph.sorted_nodes == steps, stage.__name__
        assert {name for name in steps if _defined_in(stage, name) == stage.__name__} == set(own), stage.__name__
    assert issubclass(SampleRegressionFlow, GatedFlow) and issubclass(GatedFlow, CandidatesFlow)
    assert issubclass(CandidatesFlow, LectureFlow) and SampleRegressionFlow.__name__ == FLOW_NAME
    assert FlowGraph(CandidatesFlow)['split'].type == 'foreach' and FlowGraph(LectureFlow)['split'].type == 'linear'
    params = {stage: {value.name for value in vars_of(stage) if isinstance(value, Parameter)} for stage in stages}
    assert params[LectureFlow] == {'dataset', 'test_split', 'random_state'}
    assert params[SampleRegressionFlow] == params[LectureFlow] | {'candidates', 'cv_folds', 'min_r2', 'promotion_tolerance'}
    assert set(config.DEFAULT_PARAMETERS) == params[SampleRegressionFlow] - {'dataset'}


def test_show_reads_a_grown_flow_whole():
    "`show` of GatedFlow (started by flows/gated_flow.py) lists the inherited steps too, in order, with the card"
    import subprocess
    import sys
    shown = subprocess.run([sys.executable, str(config.REPO_ROOT/'flows'/'gated_flow.py'), 'show'],
                           capture_output=True, text=True, check=True)
    out = shown.stdout + shown.stderr
    steps = [line.split()[1] for line in out.splitlines() if line.startswith('Step ')]
    assert steps == ['start', 'read_data', 'validate_data', 'split', 'train', 'choose_model', 'test_model', 'end']
    assert '@card\nStep test_model' in out and 'executing GatedFlow' in out


def test_the_lecture_s_flow_stays_lecture_sized():
    "The lecture's flow is a file of its own, of about 80 lines of code (blank lines and nbdev's markers aside)"
    source = (config.REPO_ROOT/'regression_course'/'lecture_flow.py').read_text().splitlines()
    code = [line for line in source if line.strip() and not line.startswith(('# %%', '# AUTOGENERATED', '__all__'))]
    assert len(code) <= 80, len(code)
    assert 'class LectureFlow(FlowSpec):' in source and all(len(line) <= 100 for line in source[1:])
