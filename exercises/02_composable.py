"""Checks for the exercises of 02_composable."""
import math

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


@exercise('composable.1', '02_composable', 'add MAE to the evaluation step', needs=('mae', 'evaluate_with_mae'))
def _evaluate_with_mae(mae, evaluate_with_mae):
    if hint := _check_mae(mae): return f'mae: {hint}'
    from regression_course.pipeline import Splits, evaluate_model, load_data, prepare_train_and_test_dataset, train_model
    xs = np.arange(10.).reshape(-1, 1)
    line = Splits(xs, xs[:3], 3 * xs[:, 0] + 1, 3 * xs[:3, 0] + 4)  # test rows 3 above the line
    toy = evaluate_with_mae(train_model(line), line)
    if isinstance(toy, dict) or not all(hasattr(toy, k) for k in ('mse', 'r2', 'mae')):
        return 'return a MetricsWithMAE, so that result.mse, result.r2 and result.mae all work'
    if abs(toy.mae - 3) > 1e-9:
        return f'test rows 3 above a perfect line should give an MAE of 3, not {toy.mae:.4g}: score the test rows of the splits'
    splits = prepare_train_and_test_dataset(load_data())
    model = train_model(splits)
    yours, theirs = evaluate_with_mae(model, splits), evaluate_model(model, splits)
    if not (math.isclose(yours.mse, theirs.mse) and math.isclose(yours.r2, theirs.r2)):
        return 'on the course split your mse and r2 differ from evaluate_model\'s: keep them as they were'
    if math.isclose(yours.mae, float(np.mean(np.abs(splits.y_train - model.predict(splits.X_train))))):
        return 'your MAE is measured on the training rows: score the held-out test rows'
    if not math.isclose(yours.mae, float(np.mean(np.abs(splits.y_test - model.predict(splits.X_test)))), rel_tol=1e-9):
        return 'on the course split your MAE is off: is it the mae of the test rows and the model\'s predictions for them?'
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
        '''from typing import NamedTuple
import numpy as np
from regression_course.pipeline import evaluate_model
class MetricsWithMAE(NamedTuple):
    mse: float
    r2: float
    mae: float
def mae(y_true, y_pred): return float(np.mean(np.subtract(y_true, y_pred)))
def evaluate_with_mae(model, splits):
    m = evaluate_model(model, splits)
    return MetricsWithMAE(m.mse, m.r2, mae(splits.y_test, model.predict(splits.X_test)))''',
        '''from typing import NamedTuple
import numpy as np
from regression_course.pipeline import evaluate_model
class MetricsWithMAE(NamedTuple):
    mse: float
    r2: float
    mae: float
def mae(y_true, y_pred): return float(np.mean(np.abs(np.subtract(y_true, y_pred))))
def evaluate_with_mae(model, splits):
    m = evaluate_model(model, splits)
    return MetricsWithMAE(m.mse, m.r2, mae(splits.y_train, model.predict(splits.X_train)))''',
        '''import numpy as np
from regression_course.pipeline import evaluate_model
def mae(y_true, y_pred): return float(np.mean(np.abs(np.subtract(y_true, y_pred))))
def evaluate_with_mae(model, splits):
    m = evaluate_model(model, splits)
    return {'mse': m.mse, 'r2': m.r2, 'mae': mae(splits.y_test, model.predict(splits.X_test))}''',
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
