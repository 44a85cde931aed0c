"""Checks for the exercises of 04d_champion. practice.2 is a function checked on numbers made with fixed seeds.
champion.1 reads runs through the Client API: the datastore the checks of 05_client_api prepare (four runs of the
course flow, made once and kept in the temporary folder; see `prepared_datastore` there), so it costs no run of
its own when those checks have run."""
from pathlib import Path

import numpy as np

from regression_course import config
from regression_course.exercises import checks_helper, exercise


def _cases():
    "(what, challenger squared errors, champion squared errors, clearly better?) on fixed seeds"
    rng = np.random.default_rng(0)
    base = rng.exponential(100, 2000)  # how hard each row is: the same rows for both models
    noise = rng.normal(0, 5, 2000)
    return [
        ('identical errors', base[:50], base[:50].copy(), False),
        ('the challenger 1 lower on every one of 20 rows', base[:20], base[:20] + 1, True),
        ('the challenger 1 higher on every row', base[:20] + 1, base[:20], False),
        ('the challenger 0.3 lower on average over 20 rows, but up or down by about 5 on each', base[:20] + noise[:20] - noise[:20].mean() - 0.3,
         base[:20], False),
        ('the challenger 1 lower on average over 2000 rows, up or down by about 5 on each', base + noise - noise.mean() - 1, base, True),
        ('2000 rows that differ a lot from each other, the challenger 0.5 lower on each of them', base, base + 0.5, True),
    ]


@exercise('practice.2', '04d_champion', 'clearly better, or chance?', needs='clearly_better')
def _clearly(clearly_better):
    for what, challenger, champion, expected in _cases():
        got = clearly_better(challenger, champion)
        if not isinstance(got, (bool, np.bool_)): return f'clearly_better should return True or False, not {got!r}'
        if bool(got) == expected: continue
        if expected and ('every one' in what or 'differ a lot' in what):
            return (f'{what}: you said {bool(got)}. Compared row by row the challenger always wins; judge the differences '
                    'd = challenger - champion of the SAME rows, not the two sets of errors separately')
        if 'up or down' in what and got:
            return f'{what}: you said True, but a gap that small next to that much noise can be chance: compare it with 2 standard errors of d'
        return f'{what}: you said {bool(got)}, expected {expected}'
    return None


# --- champion.1: who wins on the same rows? -------------------------------------------------------------------

def _checks_of(notebook:str):
    "The checks module of another notebook, for its helpers (loaded once)"
    return checks_helper(notebook, Path(__file__).parent)


def _mse(model, data) -> float:
    "The MSE of `model` on the test rows of a run's `data`"
    return float(np.mean((model.predict(data.X_test) - data.y_test) ** 2))


@exercise('champion.1', '04d_champion', 'who wins on the same rows?', needs='would_promote')
def _same_rows(would_promote):
    code = getattr(would_promote, '__code__', None)
    if code is not None and 'NotImplementedError' in code.co_names:
        raise NotImplementedError  # the untouched stub: say so before preparing runs (a minute, the first time)
    client = _checks_of('05_client_api')
    root, ids = client.prepared_datastore()
    helpers = client._flow_helpers()
    from metaflow import Flow
    with helpers.reading(root):
        runs = {name: helpers.open_run(f'{config.FLOW_NAME}/{id}') for name, id in ids.items()}
        runs['failed'] = next(run for run in Flow(config.FLOW_NAME) if not run.successful)
        label = dict(ridge='the ridge:100 run', linear='the linear run', seed7='the linear run with seed 7',
                     failed='a run that failed at read_data')
        got = {}
        cases = [('ridge', None, 0.0), ('failed', 'linear', 0.0), ('seed7', 'linear', 0.0), ('ridge', 'linear', 0.0),
                 ('linear', 'ridge', 0.0), ('linear', 'seed7', 0.0), ('seed7', 'linear', 0.01),
                 ('linear', 'ridge', -0.05)]
        for challenger, champion, tolerance in cases:
            call = f'would_promote({challenger}, {champion}, tolerance={tolerance})'
            try:
                answer = would_promote(runs[challenger], runs[champion] if champion else None, tolerance)
            except NotImplementedError:
                raise
            except Exception as e:
                if challenger == 'failed':
                    return (f'given {label["failed"]} as the challenger, your function stopped with {type(e).__name__}: {e}. '
                            'A failed run has no model and never reached its gate: it cannot be promoted (check run.successful)')
                return f'{call} stopped with {type(e).__name__}: {e}'
            if not isinstance(answer, (bool, np.bool_)):
                return f'would_promote should return True or False, not {answer!r}'
            got[challenger, champion, tolerance] = bool(answer)
        data = {name: run.data for name, run in runs.items() if name != 'failed'}
        recorded = {name: d.promotion['promoted'] for name, d in data.items()}
        own = {name: d.test_metrics['mse'] for name, d in data.items()}
        on_rows = {(a, b): _mse(data[b].model, data[a]) for a in data for b in data}  # model b on run a's test rows
    paired = {}
    for (challenger, champion, tolerance), answer in got.items():
        if champion is None and not answer:
            return (f'with nothing served (champion None), {label[challenger]} should be promoted: it passed its gate, '
                    'and the gate alone decides')
        if challenger == 'failed' and answer:
            return f'{label["failed"]} has no model: it cannot be promoted'
        if champion is not None and challenger != 'failed':
            paired[challenger, champion, tolerance] = answer
    def rule(c, ch, t): return on_rows[c, c] <= on_rows[c, ch] * (1 + t)  # both on the challenger's rows
    wrong = [c for c, answer in paired.items() if answer != rule(*c)]
    if not wrong: return None
    def said(c): return f'{label[c[0]]} against {label[c[1]]} (tolerance {c[2]:g}): you said {paired[c]}'
    mistakes = [  # (what a typical wrong rule answers, its hint)
        (lambda c, ch, t: own[c] <= own[ch] * (1 + t),
         lambda c, ch, t: (f'You compared the MSEs the two runs recorded, {own[c]:.2f} and {own[ch]:.2f}, each on its '
                           "own test rows: different rows. Score the champion's model on the challenger's X_test and "
                           f"y_test ({on_rows[c, ch]:.2f}), against the challenger's {on_rows[c, c]:.2f}")),
        (lambda c, ch, t: on_rows[ch, c] <= on_rows[ch, ch] * (1 + t),
         lambda c, ch, t: ("You scored both models on the CHAMPION's test rows. Judge both on the challenger's "
                           'held-out rows, as the flow does: the rows its model never saw')),
        (lambda c, ch, t: recorded[c],
         lambda c, ch, t: ("That is the verdict the run recorded (promotion['promoted']), made against the model "
                           'served when it ran: judge the challenger against the champion you are given')),
        (lambda c, ch, t: on_rows[c, c] <= on_rows[c, ch],
         lambda c, ch, t: (f"You left out the tolerance (or turned it round). The limit is the champion's MSE times 1 + tolerance, "
                           f'{on_rows[c, ch]:.4f} x {1 + t:g} = {on_rows[c, ch] * (1 + t):.4f}: a positive tolerance '
                           'lets a slightly worse challenger through, a negative one demands a margin')),
    ]
    for predicts, hint in mistakes:
        if all(answer == predicts(*c) for c, answer in paired.items()):
            first = next(c for c in wrong if predicts(*c) != rule(*c))
            return f'{said(first)}. {hint(*first)}'
    c, ch, t = first = wrong[0]
    return (f"{said(first)}, expected {rule(*first)}: on the challenger's test rows its MSE is {on_rows[c, c]:.4f}, "
            f"the champion's {on_rows[c, ch]:.4f}")


WRONG_ANSWERS = {
    'practice.2': [
        '''import numpy as np
def clearly_better(challenger, champion):
    return bool(np.mean(challenger) < np.mean(champion))''',
        '''import numpy as np
def clearly_better(challenger, champion):
    a, b = np.asarray(challenger, float), np.asarray(champion, float)
    gap = b.mean() - a.mean()
    return bool(gap > 2 * np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))''',
    ],
    'champion.1': [
        '''def would_promote(challenger, champion, tolerance=0.0):
    if not challenger.successful or not challenger.data.gate['passed']:
        return False
    if champion is None:
        return True
    limit = champion.data.test_metrics['mse'] * (1 + tolerance)
    return challenger.data.test_metrics['mse'] <= limit''',
        '''import numpy as np
def would_promote(challenger, champion, tolerance=0.0):
    if not challenger.successful or not challenger.data.gate['passed']:
        return False
    if champion is None:
        return True
    rows = champion.data
    mse = lambda model: float(np.mean((model.predict(rows.X_test) - rows.y_test) ** 2))
    return mse(challenger.data.model) <= mse(rows.model) * (1 + tolerance)''',
        '''def would_promote(challenger, champion, tolerance=0.0):
    return bool(challenger.successful and challenger.data.promotion['promoted'])''',
    ],
}
