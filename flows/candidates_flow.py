"""Start CandidatesFlow, the lecture's flow with candidates in parallel (04b_candidates):

    python flows/candidates_flow.py show
    python flows/candidates_flow.py run --candidates linear,ridge:100
"""
import regression_course.config as config

config.configure_metaflow()  # who you are and where runs are kept: before metaflow is imported
from regression_course.candidates_flow import CandidatesFlow

if __name__ == '__main__':
    CandidatesFlow()
