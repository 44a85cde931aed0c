"""Solutions to the exercises of 04b_candidates, and model answers to its design questions (for
instructors).

Design question: five hundred candidates.
    All 500 in --candidates: `split` fans out 500 `train` tasks, more than --max-num-splits (100 by
    default), so the run fails at once, at `split` (a safety limit, not a throttle). Raising the
    limit runs 500 tasks, each a process that spends about a second starting and importing before a
    ridge fit on 800 rows that takes milliseconds: on 2 cores that is minutes of overhead and
    queueing for no gain, and even on a cluster 500 containers cost more to schedule than to
    compute. Better: fan out over a few BATCHES of alphas (as many as there are cores or machines;
    e.g. `foreach` over 4 to 16 slices, each task scoring its slice in a loop, or with RidgeCV,
    which scores many alphas in one fit), so one task is one unit of work worth a process. Keep with
    the run: every candidate's cross-validated MSE and its spread over the folds
    (`candidate_scores`, the whole table, not only the winner), the folds' seed, the grid itself (a
    Parameter, so it is recorded), the data (IncludeFile keeps a copy) and a picture of the scores
    on the card. A strong answer adds that choosing the minimum of 500 noisy scores is itself a kind
    of overfitting (the winner's score is optimistic): prefer the simplest candidate within one
    standard error of the best, and keep the test rows untouched until the one chosen model is
    tested.

Design question: why split before the fan-out?
    The candidates must be compared on the same footing: the same training rows to cross-validate
    on, and the same test rows kept away from all of them for the chosen model's final test. If each
    branch split on its own, each candidate's score would also depend on its luck with the rows, the
    winner could be the candidate that drew the easiest split, and the chosen model's "unseen" test
    rows could be another branch's training rows. Metaflow notices: the branches would disagree on
    X_train, X_test, y_train and y_test, and `merge_artifacts` in the join refuses artifacts with
    conflicting values, so the join has no single split to carry on to `test_model`. Splitting once
    also stores the rows once and does the work once.
"""

# exercise practice.1
def parse_candidates(spec:str) -> list[str]:
    "Check a comma-separated list of candidates (linear, ridge:<alpha>, lasso:<alpha>); their names"
    names = []
    for part in str(spec).split(','):
        part = part.strip().lower()
        if not part:
            continue
        kind, _, arg = part.partition(':')
        if kind == 'linear' and not arg:
            name = 'linear'
        elif kind in ('ridge', 'lasso'):
            try:
                alpha = float(arg)
            except ValueError:
                raise ValueError(f'candidate {part!r}: {kind} needs a number') from None
            if not 0 < alpha < float('inf'):
                raise ValueError(f'candidate {part!r}: alpha must be positive and finite')
            name = f'{kind}:{alpha:g}'
        else:
            raise ValueError(f'unknown candidate {part!r}: use linear, ridge:... or lasso:...')
        if name in names:
            raise ValueError(f'candidate {name!r} is listed twice')
        names.append(name)
    if not names:
        raise ValueError('no candidates given: use e.g. linear,lasso:1')
    return names

def make_estimator(name:str):
    "A fresh, unfitted scikit-learn estimator for candidate `name`"
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    kind, _, arg = name.partition(':')
    if kind == 'linear':
        return LinearRegression()
    if kind == 'lasso':
        return Lasso(alpha=float(arg))
    return Ridge(alpha=float(arg))

# exercise candidates.1
from regression_course.config import REPO_ROOT

flow_file = REPO_ROOT/'solutions'/'flows'/'degree_flow.py'  # the starter, with its three TODOs done
