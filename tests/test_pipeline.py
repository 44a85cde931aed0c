"""The composable pipeline end to end: the course's exact figures, same numbers as the monolith, the shipped data,
bad files named; the appendix's fast reader gives the careful reader's rows and errors; imports run downhill."""
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from conftest import REPO_ROOT
from regression_course.course import COURSE_FIGURES
from regression_course.data import DATASET_PATH, DatasetError, make_course_dataset, true_coefficient
from regression_course.monolith import MonolithResult, monolith
from regression_course.pipeline import (Metrics, composable_script, evaluate_model, load_data,
                                        prepare_train_and_test_dataset, train_model)


def assert_course_figures(**figures):
    "Each figure equals the course's value in `COURSE_FIGURES`, within its tolerance"
    for name, value in figures.items():
        expected, tolerance = COURSE_FIGURES[name]
        assert value == pytest.approx(expected, abs=tolerance), f'{name}: {value!r}, course figure {expected}'


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    "Run in an empty working directory, to catch any file written there"
    cwd = tmp_path/'cwd'
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield cwd
    plt.close('all')


def test_composable_script_gives_exactly_the_monolith_metrics(tmp_path, empty_cwd, capsys):
    old = monolith(DATASET_PATH, plot_path=tmp_path/'monolith.png')
    new = composable_script(DATASET_PATH, plot_path=tmp_path/'composable.png')
    assert isinstance(old, MonolithResult) and isinstance(new, Metrics)
    assert (new.mse, new.r2) == (old.mse, old.r2)  # identical, not approximately equal
    model = train_model(prepare_train_and_test_dataset(load_data(DATASET_PATH)))
    assert (old.coef, old.intercept) == (model.coef_[0], model.intercept_)
    assert_course_figures(mse=new.mse, r2=new.r2)
    assert (tmp_path/'monolith.png').stat().st_size > 0 and (tmp_path/'composable.png').stat().st_size > 0
    assert list(empty_cwd.iterdir()) == []  # plots went where they were told, nowhere else
    printed = capsys.readouterr().out
    assert 'Starting up at' in printed and 'All done at' in printed


def test_monolith_gives_the_course_figures(tmp_path, empty_cwd, capsys):
    result = monolith(DATASET_PATH, plot_path=tmp_path/'monolith.png')
    assert result[:2] == (result.mse, result.r2)  # mse and r2 stay first: `mse, r2, *_ = monolith()` keeps working
    assert_course_figures(coef=result.coef, intercept=result.intercept, mse=result.mse, r2=result.r2,
                          prediction_at_10=result.intercept + 10 * result.coef)


def test_composable_pipeline_gives_the_course_figures():
    splits = prepare_train_and_test_dataset(load_data(DATASET_PATH))
    model = train_model(splits)
    metrics = evaluate_model(model, splits)
    assert_course_figures(coef=model.coef_[0], intercept=model.intercept_, mse=metrics.mse, r2=metrics.r2,
                          prediction_at_10=model.predict([[10.0]])[0])
    assert set(COURSE_FIGURES) == {'coef', 'intercept', 'mse', 'r2', 'prediction_at_10'}  # every figure checked


def test_train_model_fits_the_estimator_it_is_given():
    from sklearn.linear_model import Ridge
    splits = prepare_train_and_test_dataset(load_data(DATASET_PATH))
    given = Ridge(alpha=10.0)
    fitted = train_model(splits, model=given)
    assert fitted is given and fitted.coef_[0] != train_model(splits).coef_[0]
    assert train_model(splits) is not train_model(splits)  # the default is a fresh model each time


def test_shipped_dataset_is_the_generated_dataset():
    shipped, fresh = load_data(DATASET_PATH), make_course_dataset()
    np.testing.assert_allclose(shipped.X, fresh.X, rtol=1e-12)
    np.testing.assert_allclose(shipped.y, fresh.y, rtol=1e-12)
    assert true_coefficient() == pytest.approx(fresh.true_coef, rel=1e-12)


MALFORMED = [  # (file contents, the line the error names, what it says)
    ('1.0\t2.0\n3.0\t4.0\n5.0\tabc\n', 3, "y value 'abc' is not a number"),
    ('1.0\t2.0\n3.0 4.0\n', 2, 'expected 2 tab-separated values'),
    ('1.0\t2.0\n\n3.0\t4.0\n', 2, 'expected 2 tab-separated values'),  # a blank line in the middle
    ('1.0\t2.0\nnan\t4.0\n', 2, "x value 'nan' is not finite"),
    ('1.0\t2.0\n1.0\t1e400\n', 2, "y value '1e400' is not finite"),
    ('1.0\t\r\n3.0\t4.0\r\n', 1, "y value '' is not a number"),  # Windows line endings
    ('\ufeff1.0\t2.0\n3.0\tx\n', 2, "y value 'x' is not a number"),  # a byte-order mark is not line 1's fault
    ('', 1, 'the file is empty'),
]


@pytest.mark.parametrize('text, line, problem', MALFORMED)
def test_malformed_file_names_its_file_and_line(tmp_path, text, line, problem):
    path = tmp_path/'malformed.txt'
    path.write_text(text)
    with pytest.raises(DatasetError) as caught:
        load_data(path)
    message = str(caught.value)
    assert f'{path}, line {line}' in message and problem in message


def error_of(f, *args) -> str:
    "The message of the `DatasetError` that `f(*args)` raises"
    with pytest.raises(DatasetError) as caught:
        f(*args)
    return str(caught.value)


@pytest.mark.parametrize('text', [DATASET_PATH.read_text() + '\n\n',  # blank lines at the end are fine
                                  DATASET_PATH.read_text().replace('\n', '\r\n'),  # Windows line endings
                                  '\ufeff' + DATASET_PATH.read_text()])  # a byte-order mark first
def test_fast_reader_gives_the_careful_readers_rows(text):
    "The appendix's fast reader (90_fast_reader) and the course's careful one agree, value for value"
    from regression_course.data import parse_dataset
    from regression_course.fast_reader import parse_dataset_fast
    fast, careful = parse_dataset_fast(text), parse_dataset(text)
    assert fast.X.shape == careful.X.shape == (1000, 1) and fast.y.shape == careful.y.shape == (1000,)
    assert (fast.X == careful.X).all() and (fast.y == careful.y).all()
    assert (parse_dataset_fast(text.encode()).X == careful.X).all()  # bytes, as load_data reads them


@pytest.mark.parametrize('text, line, problem', MALFORMED)
def test_fast_reader_gives_the_careful_readers_errors(tmp_path, text, line, problem):
    from regression_course.data import parse_dataset
    from regression_course.fast_reader import load_data_fast, parse_dataset_fast
    assert error_of(parse_dataset_fast, text, 'f.txt') == error_of(parse_dataset, text, 'f.txt')
    path = tmp_path/'malformed.txt'
    path.write_text(text)
    assert error_of(load_data_fast, path) == error_of(load_data, path)


def _modules_of(pattern: str) -> set[str]:
    "The modules the notebooks matching `pattern` export to (their `#| default_exp`)"
    import json
    found = set()
    for path in (REPO_ROOT/'nbs').glob(pattern):
        for cell in json.loads(path.read_text())['cells']:
            if m := re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(cell['source']), re.M):
                found.add(m.group(1))
    return found


def _imported_course_modules(module: str) -> set[str]:
    "The regression_course modules that regression_course/`module`.py imports"
    import ast
    tree = ast.parse((REPO_ROOT/'regression_course'/f'{module}.py').read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith('regression_course.'):
            names.add(node.module.split('.', 1)[1])
        elif isinstance(node, ast.Import):
            names |= {a.name.split('.', 1)[1] for a in node.names if a.name.startswith('regression_course.')}
    return names


@pytest.mark.parametrize('module', ['course', 'data', 'monolith', 'pipeline', 'monitoring'])
def test_imports_run_downhill(module):
    "A course module (nbs/0*) imports no appendix module (nbs/9*): the appendix builds on the course"
    appendix = _modules_of('9*.ipynb') - {'config'}  # config (99) is every module's shared settings
    assert module in _modules_of('0*.ipynb')
    assert _imported_course_modules(module) & appendix == set()


def _duplicates_by_sorting(x, y) -> int:
    "How the course counted duplicates before: rows as complex numbers x + iy, sorted, equal neighbours"
    with np.errstate(invalid='ignore'):  # 1j * inf is nan + inf j, with a warning
        rows = np.sort(x + 1j*y)
    return int(np.count_nonzero(rows[1:] == rows[:-1]))


def test_count_duplicates_gives_the_old_counts():
    "`count_duplicates` (a set of (x, y) pairs) counts what sorting complex numbers counted, on finite data"
    from regression_course.data import count_duplicates
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 10, 1000):
        x, y = rng.integers(0, 4, n).astype(float), rng.integers(0, 3, n).astype(float)
        assert count_duplicates(x, y) == _duplicates_by_sorting(x, y)
        x[::2] = -x[::2]  # -0.0 and 0.0 are one value to both
        assert count_duplicates(x, y) == _duplicates_by_sorting(x, y)
    X, y = load_data(DATASET_PATH)
    assert count_duplicates(X, y) == _duplicates_by_sorting(X[:, 0], y) == 0
    X2, y2 = np.r_[X, X[:7]], np.r_[y, y[:7]]
    assert count_duplicates(X2, y2) == _duplicates_by_sorting(X2[:, 0], y2) == 7
    nan = np.array([np.nan, np.nan, 1.0])  # NaN equals nothing, itself included: no duplicates, both ways
    assert count_duplicates(nan, np.ones(3)) == _duplicates_by_sorting(nan, np.ones(3)) == 0
    # where they differ: an infinite y, where 1j * inf is nan + inf j and sorting lost the duplicate
    inf_y = np.array([np.inf, np.inf])
    assert count_duplicates(np.ones(2), inf_y) == 1 and _duplicates_by_sorting(np.ones(2), inf_y) == 0
