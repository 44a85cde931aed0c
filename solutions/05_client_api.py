"""Solutions to the exercises of 05_client_api, and the model answer to its design question (for
instructors).

Design question: who may put a model into service?
    Putting a model into service: the flow proposes, a person (or a rule the team agreed on)
    accepts. The flow's checks (the gate, the champion comparison) are repeatable and fast, so they
    should always run, and an automated promotion is fine for a low-risk model like the course's.
    For anything that matters, the tag that serves a model should be set only by the flow, and
    adding `deployable` by hand should be reserved to the people who own the service, with a reason,
    because a hand-tagged run skipped every check.

    Taking a model out: anyone on call, at once, without a review: a rollback returns to a model
    that was already served and checked, so it is the safe direction. That is why `rollback` exists
    and records who and why, rather than asking people to move tags by hand.

    What to write down: every change of what is served (promotion, rollback, a hand-added tag) as
    one line with the time, the run ids, who and why: the rollback log is the start of that record.
    Tags alone are not a record: the local store rewrites a run's time when its tags change, and a
    removed tag leaves no trace. Credit answers that separate "may propose" from "may serve", and
    that keep the record outside the tags.
"""

# exercise client.1
from metaflow import Flow
from metaflow.exception import MetaflowNotFound
from regression_course.config import FLOW_NAME
from regression_course.registry import everyones_runs

def best_cv_run(flow_name:str=FLOW_NAME):
    "The successful run whose chosen candidate had the lowest cross-validated MSE, or None"
    try:
        with everyones_runs():  # every user's runs; the caller's namespace is left alone
            flow = Flow(flow_name)
    except MetaflowNotFound:
        return None
    scored = []
    for run in flow:
        if run.successful and 'candidate_scores' in run['end'].task:
            best_score = min(score['cv_mse'] for score in run.data.candidate_scores)
            scored.append((best_score, run))
    if not scored:
        return None
    return min(scored, key=lambda pair: pair[0])[1]

# exercise client.2
from metaflow import Flow
from metaflow.exception import MetaflowNotFound
from regression_course.config import DEPLOYABLE_TAG, FLOW_NAME
from regression_course.registry import ROLLED_BACK_TAG, everyones_runs

def previous_deployable_run(flow_name:str=FLOW_NAME):
    "The deployable run before the served one: what `rollback` would serve next, or None"
    try:
        with everyones_runs():  # every user's runs; the caller's namespace is left alone
            flow = Flow(flow_name)
    except MetaflowNotFound:
        return None
    tagged = flow.runs(DEPLOYABLE_TAG)
    served = [run for run in tagged if run.successful and ROLLED_BACK_TAG not in run.user_tags]
    if len(served) < 2:
        return None
    return served[1]
