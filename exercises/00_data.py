"""Checks for the exercises of 00_data."""
import numpy as np

from regression_course.exercises import exercise


def _reference(dataset, max_z=4.0):
    "The instructors' outlier_rows, to compare with"
    X, y = dataset
    rows = np.zeros(len(y), dtype=bool)
    for a in (np.asarray(X, dtype=float).reshape(len(y), -1)[:, 0], np.asarray(y, dtype=float)):
        rows |= np.abs(a - a.mean()) > max_z * a.std()
    return [int(i) + 1 for i in np.flatnonzero(rows)]


def _sample(seed=0, n=200):
    "A clean dataset: x standard normal, y = 3x + noise"
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    return x.reshape(-1, 1), 3 * x + rng.normal(0, 1, n)


def _as_rows(result):
    return sorted(int(r) for r in result)


@exercise('data.1', '00_data', 'a data check for outliers', needs='outlier_rows')
def _outliers(outlier_rows):
    from regression_course.data import Dataset
    X, y = _sample()
    clean = outlier_rows(Dataset(X, y))
    try: clean = _as_rows(clean)
    except TypeError: return f'return a list of row numbers; you returned {clean!r}'
    if clean: return f'on clean normal data with max_z=4 no row is an outlier, but you found {clean[:5]}: is the distance measured in standard deviations of its column?'
    y_bad = y.copy(); y_bad[6] = 1000.0  # row 7 of the file
    found = _as_rows(outlier_rows(Dataset(X, y_bad)))
    if found == [6]: return 'rows are numbered as the lines of the file are, from 1: the first row is row 1'
    if found != [7]: return f'y of row 7 is 1000 (hundreds of standard deviations away) but you found {found}'
    X_bad = X.copy(); X_bad[149, 0] = -500.0  # row 150
    found = _as_rows(outlier_rows(Dataset(X_bad, y)))
    if found != [150]: return f'x of row 150 is -500 but you found {found}: look at both columns, x and y'
    both = _as_rows(outlier_rows(Dataset(X_bad, y_bad)))
    if both != [7, 150]: return f'with row 7 bad in y and row 150 bad in x you found {both}: each row once, in order'
    X2, y2 = _sample(seed=1, n=1000)
    X2, y2 = X2 * 40 + 500, y2 * 0.01  # other units: the threshold is in standard deviations, not in raw values
    if _as_rows(outlier_rows(Dataset(X2, y2), max_z=2.5)) != _reference((X2, y2), 2.5):
        return 'with max_z=2.5 on data of another scale your rows differ: a row is an outlier when it is more than max_z standard deviations from its column\'s mean'
    if _as_rows(outlier_rows((X2, y2), max_z=3.0)) != _reference((X2, y2), 3.0):
        return 'with max_z=3 your rows differ: is max_z used, rather than a fixed 4?'
    return None


def _mutants():
    "Plausible wrong outlier_rows, each of which a good test must catch: (description, function)"
    def from_zero(dataset, max_z=4.0): return [r - 1 for r in _reference(dataset, max_z)]
    def y_only(dataset, max_z=4.0): return _reference((np.zeros((len(dataset[1]), 1)), dataset[1]), max_z)
    def x_only(dataset, max_z=4.0): return _reference((dataset[0], np.zeros(len(dataset[1]))), max_z)
    def fixed_four(dataset, max_z=4.0): return _reference(dataset, 4.0)
    return [('numbers rows from 0', from_zero), ('looks at y only', y_only), ('looks at x only', x_only),
            ('ignores max_z (always 4)', fixed_four)]


@exercise('data.2', '00_data', 'a test for the outlier check', needs='test_outlier_rows')
def _test_of_outliers(test_outlier_rows):
    try: test_outlier_rows(_reference)
    except NotImplementedError: raise
    except Exception as e:
        return f'your test fails a correct outlier_rows ({type(e).__name__}: {e}): check what the test expects'
    passed = []
    for what, mutant in _mutants():
        try: test_outlier_rows(mutant)
        except NotImplementedError: raise
        except Exception: continue
        passed.append(what)
    if passed: return f'your test passes a wrong outlier_rows that {passed[0]}' + (f' (and {len(passed) - 1} more wrong one(s))' if len(passed) > 1 else '') + ': add a case it gets wrong'
    return None


WRONG_ANSWERS = {
    'data.1': [
        '''import numpy as np
def outlier_rows(dataset, max_z=4.0):
    X, y = dataset
    z = np.abs(y - y.mean()) / y.std()
    return [int(i) + 1 for i in np.flatnonzero(z > max_z)]''',
        '''import numpy as np
def outlier_rows(dataset, max_z=4.0):
    X, y = dataset
    x = X[:, 0]
    bad = (np.abs(x - x.mean()) > max_z * x.std()) | (np.abs(y - y.mean()) > max_z * y.std())
    return list(np.flatnonzero(bad))''',
        '''import numpy as np
def outlier_rows(dataset, max_z=4.0):
    X, y = dataset
    x = X[:, 0]
    bad = (np.abs(x - x.mean()) > max_z) | (np.abs(y - y.mean()) > max_z)
    return [int(i) + 1 for i in np.flatnonzero(bad)]''',
    ],
    'data.2': [
        '''import numpy as np
def test_outlier_rows(outlier_rows):
    X = np.zeros((100, 1)); y = np.zeros(100); y[9] = 1e6
    assert outlier_rows((X, y)) == [10]''',
        '''def test_outlier_rows(outlier_rows):
    assert outlier_rows''',
        '''import numpy as np
def test_outlier_rows(outlier_rows):
    x = np.linspace(-1, 1, 100); y = x.copy(); y[0] = 50
    assert list(outlier_rows((x.reshape(-1, 1), y))) == [0]''',
    ],
}
