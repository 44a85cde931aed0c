"""Checks for the exercises of 04c_quality_gate. gate.1 is a function checked on numbers whose verdict is known.
gate.2 reads runs through the Client API: the datastore the checks of 05_client_api prepare (four runs of the
course flow, made once and kept in the temporary folder; see `prepared_datastore` there), so it costs no run
of its own when those checks have run."""
import math
from pathlib import Path

import numpy as np

from regression_course import config
from regression_course.exercises import checks_helper, exercise


def _checks_of(notebook:str):
    "The checks module of another notebook, for its helpers (loaded once)"
    return checks_helper(notebook, Path(__file__).parent)


# --- gate.1: one number for the gate ---------------------------------------------------------------------------

def _verdict(skill_gate, *args, **kwargs) -> tuple[dict|None, str|None]:
    "(the answer's verdict, or a hint when it is not a verdict)"
    call = f"skill_gate({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"
    try:
        verdict = skill_gate(*args, **kwargs)
    except ZeroDivisionError:
        return None, (f'{call} stopped with ZeroDivisionError. A baseline MSE of 0 means the test rows all equal the '
                      'training mean: no skill can be measured, so the gate should fail, with a reason, not crash')
    except ValueError as e:
        return None, f'{call} refused with ValueError ({e}), but these numbers are fine: only a min_skill above 1 is refused'
    if not isinstance(verdict, dict) or not {'passed', 'skill', 'reasons'} <= set(verdict):
        return None, f'{call} should return a dict with passed, skill and reasons, like quality_gate; it gave {verdict!r}'
    if not isinstance(verdict['passed'], (bool, np.bool_)):
        return None, f"{call}: passed should be True or False, not {verdict['passed']!r}"
    if not isinstance(verdict['reasons'], list) or not all(isinstance(r, str) for r in verdict['reasons']):
        return None, f"{call}: reasons should be a list of sentences (str), not {verdict['reasons']!r}"
    if bool(verdict['reasons']) == bool(verdict['passed']):
        return None, f'{call} gave {verdict}: reasons should be empty when it passes, and say why when it fails'
    return verdict, None


@exercise('gate.1', '04c_quality_gate', 'one number for the gate: skill', needs='skill_gate')
def _skill(skill_gate):
    known = [  # mse, baseline_mse, min_skill, skill, passed
        (50.0, 100.0, 0.5, 0.5, True),
        (60.0, 100.0, 0.5, 0.4, False),
        (0.0, 100.0, 0.99, 1.0, True),
        (120.0, 100.0, 0.0, -0.2, False),
        (75.0, 100.0, 0.25, 0.25, True),
    ]
    for mse, baseline, min_skill, skill, passed in known:
        verdict, hint = _verdict(skill_gate, mse, baseline, min_skill=min_skill)
        if hint: return hint
        got = verdict['skill']
        if got is None or not math.isclose(got, skill, abs_tol=1e-12):
            if got is not None and math.isclose(got, mse / baseline):
                return (f'skill_gate({mse}, {baseline}) gave a skill of {got:g}, the share of the error LEFT: skill is '
                        '1 - mse / baseline_mse, the share removed')
            return f'with mse {mse} and baseline_mse {baseline}, skill should be 1 - mse / baseline_mse = {skill:g}, not {got!r}'
        if bool(verdict['passed']) != passed:
            if skill == min_skill:
                return (f'a skill of {skill:g} with min_skill {min_skill:g} failed: a model that reaches min_skill exactly '
                        'passes (skill >= min_skill), as an R2 of exactly min_r2 passes the lesson\'s gate')
            return f'skill {skill:g} against min_skill {min_skill:g}: passed should be {passed}'
    verdict, hint = _verdict(skill_gate, 40.0, 100.0)
    if hint: return hint
    if not verdict['passed']: return 'skill_gate(40.0, 100.0) failed: its min_skill should default to 0.5 (skill 0.6 passes)'
    for mse, baseline in ((float('nan'), 100.0), (50.0, float('nan'))):
        verdict, hint = _verdict(skill_gate, mse, baseline, min_skill=0.5)
        if hint: return hint
        if verdict['passed']:
            return (f'skill_gate({mse}, {baseline}) passed. Every comparison with NaN is False, so a test written as '
                    '`if skill < min_skill: fail` lets NaN through: write it so that NaN fails, `if not skill >= min_skill`')
    verdict, hint = _verdict(skill_gate, 0.0, 0.0, min_skill=0.5)
    if hint: return hint
    if verdict['passed']:
        return 'skill_gate(0.0, 0.0) passed: with a baseline MSE of 0 no skill can be measured, so the gate must fail'
    try:
        verdict = skill_gate(10.0, 100.0, min_skill=50)
    except ValueError:
        return None
    return ('skill_gate(10.0, 100.0, min_skill=50) returned instead of raising ValueError: no model has a skill above 1, '
            'so a min_skill of 50 (a typo for 0.5?) is a mistake to report at once, not a gate nothing can pass')


# --- gate.2: a stricter gate, judged on past runs ----------------------------------------------------------------

def _ids(answer, call:str) -> tuple[set|None, str|None]:
    "(the run ids the answer returned, or a hint)"
    if not isinstance(answer, (list, tuple, set)):
        return None, f'{call} should return a list of run ids, not a {type(answer).__name__}'
    if any(hasattr(a, 'pathspec') for a in answer): return None, f'{call} returned Runs: return their ids (run.id)'
    if not all(isinstance(a, str) for a in answer): return None, f'{call} should return run ids (str), not {answer!r}'
    return set(answer), None


@exercise('gate.2', '04c_quality_gate', 'a stricter gate, on past runs', needs='stopped_by')
def _stricter(stopped_by):
    try:
        nothing = stopped_by(0.9, 'NoSuchFlow')
    except NotImplementedError:
        raise
    except Exception as e:
        return (f'stopped_by(0.9, "NoSuchFlow") stopped with {type(e).__name__}: for a flow that never ran, return [] '
                '(Flow(...) raises MetaflowNotFound: catch it)')
    found, hint = _ids(nothing, 'stopped_by(0.9, "NoSuchFlow")')
    if hint: return hint
    if found: return f'a flow that never ran has no runs to stop, but you returned {sorted(found)}'
    client = _checks_of('05_client_api')
    root, ids = client.prepared_datastore()
    helpers = client._flow_helpers()
    from metaflow import Flow
    with helpers.reading(root):
        failed = [run.id for run in Flow(config.FLOW_NAME) if not run.successful]
        r2 = {name: helpers.open_run(f'{config.FLOW_NAME}/{id}').data.test_metrics['r2'] for name, id in ids.items()}
        answers = {}
        for min_r2 in (0.5, 0.72, r2['linear']):
            call = f'stopped_by({min_r2}, {config.FLOW_NAME!r})'
            try:
                answer = stopped_by(min_r2, config.FLOW_NAME)
            except Exception as e:
                return (f'{call} stopped with {type(e).__name__}: {e}. A run that failed has no test_metrics and no gate: it '
                        'trained no model there is to stop; skip runs that are not `successful`')
            answers[min_r2], hint = _ids(answer, call)
            if hint: return hint
    name_of = {id: name for name, id in ids.items()}
    def said(found): return ', '.join(f'{name_of.get(i, "a failed run")} ({i})' for i in sorted(found)) or 'none'
    if answers[0.5]:
        return (f'with min_r2 0.5 you stopped {said(answers[0.5])}, but every successful run passed that gate '
                f'(R2 {min(r2.values()):.3f} and up)')
    if set(failed) & answers[0.72]:
        return 'you listed a run that failed at read_data: it trained no model, so no gate stops it; skip failed runs'
    if not answers[0.72]:
        return ('with min_r2 0.72 you stopped no run. Did you read each run\'s recorded verdict (gate["passed"])? It was '
                'given with that run\'s own min_r2, 0.5: judge the recorded test_metrics again, with the new min_r2 '
                '(quality_gate does it)')
    if answers[0.72] != {ids['ridge'], ids['linear']}:
        return (f"with min_r2 0.72 you stopped {said(answers[0.72])}; expected the two runs whose test R2 is below it: "
                f"ridge:100 ({r2['ridge']:.4f}) and linear ({r2['linear']:.4f}), not seed 7 ({r2['seed7']:.4f})")
    if ids['linear'] in answers[r2['linear']]:
        return (f"with min_r2 equal to the linear run's R2 ({r2['linear']!r}) you stopped it: an R2 that reaches min_r2 "
                'passes (R2 >= min_r2), as in quality_gate')
    if answers[r2['linear']] != {ids['ridge']}:
        return f"with min_r2 {r2['linear']!r} you stopped {said(answers[r2['linear']])}; expected only the ridge:100 run"
    return None


WRONG_ANSWERS = {
    'gate.1': [
        '''def skill_gate(mse, baseline_mse, min_skill=0.5):
    if min_skill > 1:
        raise ValueError('min_skill above 1')
    skill = 1 - mse / baseline_mse if baseline_mse else float('nan')
    reasons = []
    if skill < min_skill:
        reasons.append(f'skill {skill:.3f} is below {min_skill}')
    return dict(passed=not reasons, skill=skill, reasons=reasons)''',
        '''def skill_gate(mse, baseline_mse, min_skill=0.5):
    if not min_skill <= 1:
        raise ValueError('min_skill above 1')
    skill = 1 - mse / baseline_mse if baseline_mse else float('nan')
    passed = skill > min_skill
    return dict(passed=passed, skill=skill, reasons=[] if passed else ['skill too low'])''',
        '''def skill_gate(mse, baseline_mse, min_skill=0.5):
    if not min_skill <= 1:
        raise ValueError('min_skill above 1')
    skill = 1 - mse / baseline_mse
    passed = skill >= min_skill
    return dict(passed=passed, skill=skill, reasons=[] if passed else ['skill too low'])''',
    ],
    'gate.2': [
        '''from metaflow import Flow
from metaflow.exception import MetaflowNotFound
def stopped_by(min_r2, flow_name='GatedFlow'):
    try:
        runs = list(Flow(flow_name))
    except MetaflowNotFound:
        return []
    return [run.id for run in runs if run.successful and not run.data.gate['passed']]''',
        '''from metaflow import Flow
from metaflow.exception import MetaflowNotFound
def stopped_by(min_r2, flow_name='GatedFlow'):
    try:
        runs = list(Flow(flow_name))
    except MetaflowNotFound:
        return []
    return [run.id for run in runs if run.successful and run.data.test_metrics['r2'] <= min_r2]''',
    ],
}
