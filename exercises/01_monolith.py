"""Checks for the exercises of 01_monolith."""
import io
import math
import tempfile
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from unittest import mock

from regression_course.exercises import exercise


@contextmanager
def _quiet():
    "No printed output, no figures left open"
    import matplotlib.pyplot as plt
    try:
        with redirect_stdout(io.StringIO()): yield
    finally: plt.close('all')


def _expected(test_size, random_state=42):
    "(mse, r2, coef, intercept) of the monolith's recipe with another test share"
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import train_test_split
    from regression_course.data import load_data
    X, y = load_data()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=random_state)
    model = LinearRegression().fit(X_train, y_train)
    pred = model.predict(X_test)
    return (float(mean_squared_error(y_test, pred)), float(r2_score(y_test, pred)), float(model.coef_[0]), float(model.intercept_))


def _figures(result):
    try: mse, r2, coef, intercept = (float(result.mse), float(result.r2), float(result.coef), float(result.intercept))
    except AttributeError: mse, r2, coef, intercept = map(float, result)
    return mse, r2, coef, intercept


def _same(a, b): return all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for u, v in zip(a, b))


@exercise('monolith.1', '01_monolith', 'choose the test size', needs='monolith_with_test_size')
def _test_size(monolith_with_test_size):
    from regression_course.data import DATASET_PATH
    plots = Path(tempfile.mkdtemp())
    with _quiet(): default = monolith_with_test_size(DATASET_PATH, plot_path=plots/'a.png')
    try: default = _figures(default)
    except (TypeError, ValueError): return 'return a MonolithResult (mse, r2, coef, intercept), as the monolith does'
    if _same(default, _expected(0.8)):
        return 'with the default your model trained on 20% of the rows: test_size is the share held out for testing'
    if not _same(default, _expected(0.2)):
        return 'with the default test_size your figures are not the course figures: the default should stay 0.2, and nothing else should change'
    with _quiet(): thirty = _figures(monolith_with_test_size(DATASET_PATH, test_size=0.3, plot_path=plots/'b.png'))
    if _same(thirty, default): return 'test_size=0.3 gives the same figures as 0.2: the parameter never reaches the split'
    if _same(thirty, _expected(0.7)): return 'with test_size=0.3 you trained on 30% of the rows: test_size is the share held out for testing'
    if not _same(thirty, _expected(0.3)):
        return 'test_size=0.3 gives figures that differ from the course recipe with 30% held out: keep everything else (the seed, the model) as it was'
    return None


def _first_rows_split(X, y, test_size=0.2, random_state=None, **kwargs):
    "A wrong split: trains on the first lines of the file and tests on the last, unshuffled"
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=test_size, shuffle=False)


@exercise('monolith.2', '01_monolith', 'a test that catches an unshuffled split', needs='test_split_is_shuffled')
def _shuffled(test_split_is_shuffled):
    import regression_course.monolith as module
    try:
        with _quiet(): test_split_is_shuffled(module.monolith)
    except NotImplementedError: raise
    except Exception as e:
        return f'your test fails the real monolith ({type(e).__name__}: {e}): it must pass on a correct split'
    try:
        with mock.patch.object(module, 'train_test_split', _first_rows_split), _quiet():
            test_split_is_shuffled(module.monolith)
    except NotImplementedError: raise
    except Exception: return None
    return ('your test also passes a monolith that trains on the first 80% of the lines, unshuffled: all you can see '
            'is what the monolith returns, so think of a file on which the two splits would return different results')


WRONG_ANSWERS = {
    'monolith.1': [
        '''from sklearn import linear_model, metrics
from sklearn.model_selection import train_test_split
from regression_course.monolith import MonolithResult
def monolith_with_test_size(file_name, test_size=0.2, plot_path=None):
    Xs, Ys = [], []
    for line in open(file_name):
        x, y = line.split('\\t'); Xs.append([float(x)]); Ys.append(float(y))
    X_train, X_test, y_train, y_test = train_test_split(Xs, Ys, test_size=0.20, random_state=42)
    reg = linear_model.LinearRegression().fit(X_train, y_train)
    p = reg.predict(X_test)
    return MonolithResult(metrics.mean_squared_error(y_test, p), metrics.r2_score(y_test, p), reg.coef_[0], reg.intercept_)''',
        '''from sklearn import linear_model, metrics
from sklearn.model_selection import train_test_split
from regression_course.monolith import MonolithResult
def monolith_with_test_size(file_name, test_size=0.2, plot_path=None):
    Xs, Ys = [], []
    for line in open(file_name):
        x, y = line.split('\\t'); Xs.append([float(x)]); Ys.append(float(y))
    X_train, X_test, y_train, y_test = train_test_split(Xs, Ys, train_size=test_size, random_state=42)
    reg = linear_model.LinearRegression().fit(X_train, y_train)
    p = reg.predict(X_test)
    return MonolithResult(metrics.mean_squared_error(y_test, p), metrics.r2_score(y_test, p), reg.coef_[0], reg.intercept_)''',
        '''from sklearn import linear_model, metrics
from sklearn.model_selection import train_test_split
from regression_course.monolith import MonolithResult
def monolith_with_test_size(file_name, test_size=0.2, plot_path=None):
    Xs, Ys = [], []
    for line in open(file_name):
        x, y = line.split('\\t'); Xs.append([float(x)]); Ys.append(float(y))
    X_train, X_test, y_train, y_test = train_test_split(Xs, Ys, test_size=test_size)
    reg = linear_model.LinearRegression().fit(X_train, y_train)
    p = reg.predict(X_test)
    return MonolithResult(metrics.mean_squared_error(y_test, p), metrics.r2_score(y_test, p), reg.coef_[0], reg.intercept_)''',
    ],
    'monolith.2': [
        '''import tempfile
from pathlib import Path
from regression_course.data import DATASET_PATH
def test_split_is_shuffled(monolith):
    result = monolith(DATASET_PATH, plot_path=Path(tempfile.mkdtemp())/'plot.png')
    assert 0 < result.r2 < 1''',
        '''import tempfile
from pathlib import Path
def test_split_is_shuffled(monolith):
    folder = Path(tempfile.mkdtemp())
    (folder/'data.txt').write_text(''.join(f'{x}\\t{2 * x}\\n' for x in range(100)))
    result = monolith(folder/'data.txt', plot_path=folder/'plot.png')
    assert abs(result.coef - 2) < 1e-9''',
        '''def test_split_is_shuffled(monolith):
    assert False, 'not written yet\'''',
    ],
}
