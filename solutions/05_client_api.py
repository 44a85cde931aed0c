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
