"""Solutions to the exercises of 04d_champion, and model answers to its design questions (for
instructors).

Design question: the fairest rows.
    Judge both models on rows that NEITHER trained on. Two common designs: (1) a frozen evaluation
    set, cut once from the data, never given to any training run, versioned (each run records its
    hash, and the flow refuses training data that overlaps it); (2) a time-based test: the rows that
    arrived after both models were trained (say, last week's), which is also how the model will be
    used, forward in time. Costs: rows set aside are rows not trained on; the set must be large
    enough that the comparison is not chance (practice.2: judge the paired differences against their
    standard error); and someone has to own it. Over a year it goes wrong in two ways. The frozen
    set ages: the world drifts away from it (08_monitoring), so models are chosen for last year's
    data; refreshing it is right but breaks the comparability of every score before and after, so
    refresh it deliberately, and record which version judged which run. And every promotion decision
    looks at the same rows: over 50 weekly comparisons the team slowly overfits to the evaluation
    set (the choice leaks into it), so rotate or enlarge it, and keep one last untouched set for
    occasional audits. The course's rule errs the other way on purpose: when the rows flatter the
    champion, a mistake keeps a model that works.

Design question: resume, or a new run?
    A bug in `test_model`: `resume --origin-run-id <id>` clones every step that finished before it
    (start, read_data, validate_data, split, every `train` task and choose_model: their artifacts
    are reused, nothing is trained again) and runs `test_model` and `end` with the code as it is
    now. A bug in `read_data` that made the run fail there: resume runs read_data and everything
    after it, which is a new run in all but name. A bug in `read_data` that did NOT fail (say, it
    silently dropped rows) while the run failed later: plain `resume` would clone read_data's wrong
    output; you must resume from that step (`resume read_data --origin-run-id <id>`) or start a new
    run. A changed data file: resume reuses the original run's parameters and its stored copy of the
    file, so it never sees the new data; new data needs a new run. Refuse to resume a run that may
    be promoted when the code of a cloned step changed, or its data did: the run would record
    artifacts made by old code beside new code, and no single version of the code reproduces it. A
    deployable run should be reproducible from one commit and one data file; resume is for finishing
    the same experiment after a fix downstream of everything it reuses.
"""

# exercise practice.2
import numpy as np

def clearly_better(challenger, champion) -> bool:
    "True if the challenger's squared errors are lower than the champion's beyond chance"
    d = np.asarray(challenger, dtype=float) - np.asarray(champion, dtype=float)  # row by row
    standard_error = d.std(ddof=1) / np.sqrt(len(d))
    return bool(d.mean() < 0 and -d.mean() > 2 * standard_error)

# exercise champion.1
from regression_course.pipeline import Splits, evaluate_model, promotion_decision

def would_promote(challenger, champion, tolerance:float=0.0) -> bool:
    "Would `challenger` be promoted against `champion`? Both judged on the challenger's test rows"
    if not challenger.successful:
        return False  # it stopped before its gate: there is no model to promote
    data = challenger.data
    scores = None  # nothing served: the gate alone decides
    if champion is not None:
        rows = Splits(None, data.X_test, None, data.y_test)  # rows the challenger never trained on
        on_rows = evaluate_model(champion.data.model, rows)
        candidate = champion.data.chosen_candidate
        scores = dict(run=champion.id, candidate=candidate, mse=on_rows.mse, r2=on_rows.r2)
    decision = promotion_decision(data.gate, scores, tolerance)  # data.gate: the challenger's
    return decision['promoted']
