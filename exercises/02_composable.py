"""Checks for the exercises of 02_composable. composable.1 holds `mae` to a contract: the right number, or a
ValueError that says why no number is right; composable.2 runs the student's test on a right mae and five wrong ones."""
import math
import warnings

import numpy as np

from regression_course.exercises import exercise


def _check_mae(mae):
    "A hint if `mae` is not the mean absolute error, else None"
    perfect = mae([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    if not isinstance(perfect, (int, float, np.floating, np.integer)):
        return f'mae should return one number (a float), not a {type(perfect).__name__}'
    if perfect != 0: return 'a perfect prediction should have an error of 0'
    spread = mae([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    if abs(spread) < 1e-12: return 'errors of -1, 0 and +1 give 0: negative errors are cancelling positive ones'
    if abs(spread - 2 / 3) > 1e-12:
        return f'errors of -1, 0 and +1 should give 2/3, not {spread:.4g}: is every error counted at its size, once, and averaged?'
    if abs(mae([0.0, 0.0], [3.0, 3.0]) - 3) > 1e-12:
        return 'predictions all 3 away from the truth should give an MAE of 3 (in the units of y, not squared)'
    rng = np.random.default_rng(0)
    t, p = rng.normal(0, 10, 50), rng.normal(0, 10, 50)
    if abs(mae(t, p) - float(np.mean(np.abs(t - p)))) > 1e-9: return 'on 50 random values your MAE is off: is it the mean over all rows?'
    return None


def _refusal(mae, y_true, y_pred):
    "(None, the ValueError's message) if `mae` refused the input with ValueError, else (what it did, None)"
    try:
        with warnings.catch_warnings():  # numpy warns on an empty mean: the hint says more
            warnings.simplefilter('ignore', RuntimeWarning)
            got = mae(y_true, y_pred)
    except ValueError as e: return None, str(e)
    except Exception as e: return f'stopped with {type(e).__name__} ({e})', None
    return f'gave {got!r}', None


def _shown(values) -> str:
    "How an input reads in a hint: a short list, or an array's shape"
    return repr(values) if isinstance(values, list) else f'an array of shape {np.shape(values)}'


@exercise('composable.1', '02_composable', 'an MAE that cannot lie: its contract', needs='mae')
def _mae_contract(mae):
    if hint := _check_mae(mae): return hint
    nan, inf = float('nan'), float('inf')
    refuse = [  # (y_true, y_pred, why no number is right)
        ([1.0, 2.0, 3.0], [2.0], 'numpy paired the one prediction with every value (broadcasting): three values and '
         'one prediction do not pair up row by row'),
        ([1.0, 2.0, 3.0], [1.0, 2.0], 'three values and two predictions do not pair up row by row'),
        ([], [], 'there is nothing to average: a nan (or a 0) would travel silently into every report'),
        ([1.0, nan, 3.0], [1.0, 2.0, 3.0], 'a value that is not a number has no error; dropping it would score fewer '
         'rows than you were given, and nan would travel silently into every report'),
        ([1.0, 2.0, 3.0], [1.0, inf, 3.0], 'an infinite prediction is a bug upstream, not an error of infinite size'),
        (np.zeros(4), np.zeros((4, 2)), 'two columns of predictions are two values a row, not one'),
    ]
    for y_true, y_pred, why in refuse:
        did, message = _refusal(mae, y_true, y_pred)
        if did is not None:
            return f'mae({_shown(y_true)}, {_shown(y_pred)}) {did}: it should raise ValueError, because {why}'
        if len(message.strip()) < 10:
            return f'mae({_shown(y_true)}, {_shown(y_pred)}) refused with the message {message!r}: say what is wrong, for whoever reads it'
    rng = np.random.default_rng(1)
    y = rng.normal(0, 10, 200)
    column = (y + rng.normal(0, 3, 200)).reshape(-1, 1)
    right = float(np.mean(np.abs(y - column[:, 0])))
    for y_true, y_pred in ((y, column), (y.reshape(-1, 1), column[:, 0])):
        try: got = mae(y_true, y_pred)
        except ValueError: continue  # refusing a column is a decision too
        if not isinstance(got, (float, np.floating)) or not math.isclose(got, right, rel_tol=1e-9):
            return (f'mae of {np.shape(y_true)} values and {np.shape(y_pred)} predictions gave {got!r}, and the MAE of '
                    f'these rows is {right:.4f}: numpy paired every value with every prediction (200 x 200 errors). '
                    'Decide: flatten a single column, or refuse it with ValueError; a wrong number is the one wrong answer')
    return None


def _mutants():
    "Plausible wrong mae functions, each of which a good test must catch: (description, function)"
    def signed(t, p): return float(np.mean(np.subtract(t, p)))
    def squared(t, p): return float(np.mean(np.subtract(t, p) ** 2))
    def summed(t, p): return float(np.sum(np.abs(np.subtract(t, p))))
    def root(t, p): return float(np.sqrt(np.mean(np.subtract(t, p) ** 2)))
    def largest(t, p): return float(np.max(np.abs(np.subtract(t, p))))
    return [('lets negative errors cancel positive ones', signed), ('squares the errors', squared),
            ('sums instead of averaging', summed), ('is the root mean squared error', root),
            ('returns the largest error', largest)]


@exercise('composable.2', '02_composable', 'a test for mae', needs='test_mae')
def _test_mae(test_mae):
    def correct(t, p): return float(np.mean(np.abs(np.subtract(t, p))))
    try: test_mae(correct)
    except NotImplementedError: raise
    except Exception as e: return f'your test fails a correct mae ({type(e).__name__}: {e}): check what it expects'
    passed = []
    for what, mutant in _mutants():
        try: test_mae(mutant)
        except NotImplementedError: raise
        except Exception: continue
        passed.append(what)
    if passed: return f'your test passes a wrong mae that {passed[0]}' + (f' (and {len(passed) - 1} more wrong one(s))' if len(passed) > 1 else '') + ': add a case with a known answer it gets wrong'
    return None


WRONG_ANSWERS = {
    'composable.1': [
        '''import numpy as np
def mae(y_true, y_pred):
    return float(np.mean(np.abs(np.subtract(y_true, y_pred))))''',
        '''import numpy as np
def mae(y_true, y_pred):
    if len(y_true) != len(y_pred):
        raise ValueError(f'{len(y_true)} values but {len(y_pred)} predictions')
    return float(np.mean(np.abs(np.subtract(y_true, y_pred))))''',
        '''import numpy as np
def mae(y_true, y_pred):
    t = np.ravel(np.asarray(y_true, dtype=float))
    p = np.ravel(np.asarray(y_pred, dtype=float))
    if len(t) != len(p):
        raise ValueError(f'{len(t)} values but {len(p)} predictions')
    return float(np.mean(np.abs(t - p)))''',
        '''import numpy as np
def mae(y_true, y_pred):
    t = np.ravel(np.asarray(y_true, dtype=float))
    p = np.ravel(np.asarray(y_pred, dtype=float))
    if len(t) != len(p) or len(t) == 0:
        raise ValueError(f'{len(t)} values and {len(p)} predictions: nothing to pair up')
    return float(np.nanmean(np.abs(t - p)))''',
        '''import numpy as np
def mae(y_true, y_pred):
    t = np.ravel(np.asarray(y_true, dtype=float))
    p = np.ravel(np.asarray(y_pred, dtype=float))
    if len(t) != len(p) or len(t) == 0:
        raise ValueError(f'{len(t)} values and {len(p)} predictions: nothing to pair up')
    return float(np.mean(np.abs(t - p)))''',
        '''import numpy as np
def mae(y_true, y_pred):
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if t.shape != p.shape or t.size == 0 or not np.all(np.isfinite(t)) or not np.all(np.isfinite(p)):
        raise ValueError('bad')
    return float(np.mean(np.abs(t - p)))''',
        '''import numpy as np
def mae(y_true, y_pred):
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if len(t) != len(p) or len(t) == 0:
        raise ValueError(f'{len(t)} values and {len(p)} predictions: nothing to pair up')
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(p)):
        raise ValueError('a value or a prediction is not a finite number')
    if t.ndim > 1 and t.shape[1] > 1 or p.ndim > 1 and p.shape[1] > 1:
        raise ValueError('one value a row, please: more than one column')
    return float(np.mean(np.abs(t - p)))''',
        '''import numpy as np
def mae(y_true, y_pred):
    return float(np.mean(np.subtract(y_true, y_pred)))''',
    ],
    'composable.2': [
        '''def test_mae(mae):
    assert mae([1, 2, 3], [1, 2, 3]) == 0''',
        '''def test_mae(mae):
    assert mae([1, 2], [1, 2]) == 0
    assert mae([0, 0], [2, 2]) == 2''',
        '''def test_mae(mae):
    assert mae([1, 2, 3], [2, 2, 2]) == 2''',
    ],
}
