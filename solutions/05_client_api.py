# exercise client.1
from metaflow import Flow
from metaflow.exception import MetaflowNotFound
from regression_course.config import FLOW_NAME

def best_cv_run(flow_name:str=FLOW_NAME):
    "The successful run whose chosen candidate had the lowest cross-validated MSE; None if there is none"
    try: runs = [run for run in Flow(flow_name, _namespace_check=False) if run.successful]
    except MetaflowNotFound: return None
    scored = [(min(s['cv_mse'] for s in run.data.candidate_scores), run) for run in runs if 'candidate_scores' in run['end'].task]
    return min(scored, key=lambda pair: pair[0])[1] if scored else None

# exercise client.2
from metaflow import Flow
from metaflow.exception import MetaflowNotFound
from regression_course.config import DEPLOYABLE_TAG, FLOW_NAME
from regression_course.registry import ROLLED_BACK_TAG

def previous_deployable_run(flow_name:str=FLOW_NAME):
    "The deployable run before the served one: what `rollback` would serve; None if there is none"
    try: runs = Flow(flow_name, _namespace_check=False).runs(DEPLOYABLE_TAG)
    except MetaflowNotFound: return None
    served = [run for run in runs if run.successful and ROLLED_BACK_TAG not in run.user_tags]
    return served[1] if len(served) > 1 else None
