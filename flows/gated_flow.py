"""Start GatedFlow, CandidatesFlow with a quality gate and its card (04c_quality_gate):

    python flows/gated_flow.py show
    python flows/gated_flow.py run --candidates linear

It starts from the datastore's folder (`run_anywhere`): the card lands there, wherever you start it.
"""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from regression_course.anywhere import run_anywhere
from regression_course.gated_flow import GatedFlow

if __name__ == '__main__':
    run_anywhere(GatedFlow)
