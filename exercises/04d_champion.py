"""Checks for the exercises of 04d_champion."""
import numpy as np

from regression_course.exercises import exercise


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
}
