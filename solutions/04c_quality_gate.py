"""Solutions to the exercises of 04c_quality_gate, and model answers to its design questions (for
instructors).

Design question: should a failed gate fail the run?
    No: the gate's job is to keep a model from being served, and a successful run with a failed
    verdict already does that (04d: no `deployable` tag), while keeping everything worth having: the
    model, its scores, the baseline's and the card, all inspectable through the Client API, so the
    team can see WHY it failed. Raising in `test_model` would make the run "failed", which mixes two
    different events: the code broke (a bug: `resume` after a fix) and the model is not good enough
    (a finding: no resume will change it). It would also lose the card (a failed task's card may be
    missing or half-filled), turn a routine verdict into an alarm, and break tools that read the
    latest successful run. What a good answer adds: the verdict must be impossible to miss, so make
    it data (the `gate` artifact), print it in the log, put it on the card, and let the scheduler or
    a monitor alert on `gate['passed'] is False`; a team that wants a red light in CI can check the
    artifact after the run (exit status of a small script), without making the run itself lie about
    whether its code worked.

Design question: two conditions or one?
    The baseline predicts the TRAINING mean; R2 compares with the TEST rows' own mean. Their MSEs
    differ by the squared gap between the two means: baseline_mse = var(y_test) + (mean(y_test) -
    mean(y_train))^2. So skill = 1 - mse / baseline_mse is never below R2 = 1 - mse / var(y_test),
    and "beats the baseline" (skill > 0) is weaker than R2 >= min_r2 whenever min_r2 > 0: with the
    course's min_r2 of 0.5 the baseline condition never decides alone. It still earns its place: it
    is the one condition that needs no number to be chosen (it holds for any data), it stays
    meaningful when someone sets min_r2 to 0 or below, and it is the one a stakeholder understands
    ("better than guessing the average"). A good answer notices that min_r2 is a property of the
    problem, not of the code (0.5 is fine for this data, absurd for noisy financial returns, too lax
    for a physics fit): it should be chosen per dataset, from the baseline and earlier models,
    written down with the reason, and kept a flow Parameter so each run records the value it was
    judged with.
"""

# exercise gate.1
def skill_gate(mse:float, baseline_mse:float, min_skill:float=0.5) -> dict:
    "Pass a model whose skill, the share of the baseline's error it removes, reaches `min_skill`"
    if not min_skill <= 1:
        raise ValueError(f'min_skill must be at most 1 (a perfect model), not {min_skill}')
    if baseline_mse > 0:
        skill = 1 - mse / baseline_mse
    else:
        skill = float('nan')  # the test rows all equal the training mean: nothing to beat
    reasons = []
    if not skill >= min_skill:  # written so that NaN fails
        reasons.append(f'skill {skill:.4f} is below the minimum {min_skill:g} '
                       f'(test MSE {mse:.4g}, baseline MSE {baseline_mse:.4g})')
    return dict(passed=not reasons, skill=float(skill), reasons=reasons)

# exercise gate.2
from metaflow import Flow
from metaflow.exception import MetaflowNotFound

from regression_course.pipeline import quality_gate

def stopped_by(min_r2:float, flow_name:str='GatedFlow') -> list[str]:
    "The ids of the successful runs of `flow_name` whose model a gate with this `min_r2` would stop"
    try:
        runs = list(Flow(flow_name))
    except MetaflowNotFound:
        return []
    stopped = []
    for run in runs:
        if not run.successful:
            continue  # it stopped before training: there is no model to judge
        baseline = run.data.gate['baseline_mse']
        verdict = quality_gate(**run.data.test_metrics, baseline_mse=baseline, min_r2=min_r2)
        if not verdict['passed']:
            stopped.append(run.id)
    return stopped
