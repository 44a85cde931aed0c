"""The composable pipeline end to end: the course's exact figures, same numbers as the monolith, the shipped data,
bad files named."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

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


@pytest.mark.parametrize('text, line, problem', [
    ('1.0\t2.0\n3.0\t4.0\n5.0\tabc\n', 3, "y value 'abc' is not a number"),
    ('1.0\t2.0\n3.0 4.0\n', 2, 'expected 2 tab-separated values'),
    ('1.0\t2.0\n\n3.0\t4.0\n', 2, 'expected 2 tab-separated values'),  # a blank line in the middle
    ('1.0\t2.0\nnan\t4.0\n', 2, "x value 'nan' is not finite"),
    ('1.0\t2.0\n1.0\t1e400\n', 2, "y value '1e400' is not finite"),
    ('1.0\t\r\n3.0\t4.0\r\n', 1, "y value '' is not a number"),  # Windows line endings
    ('', 1, 'the file is empty'),
])
def test_malformed_file_names_its_file_and_line(tmp_path, text, line, problem):
    path = tmp_path/'malformed.txt'
    path.write_text(text)
    with pytest.raises(DatasetError) as caught:
        load_data(path)
    message = str(caught.value)
    assert f'{path}, line {line}' in message and problem in message


def test_fast_reader_and_careful_reader_agree(monkeypatch):
    from regression_course import data
    text = DATASET_PATH.read_text() + '\n\n'  # blank lines at the end are fine
    fast = data.parse_dataset(text)
    monkeypatch.setattr(data, 'fast_rows', lambda body, n_lines: None)  # force the line-by-line reading
    careful = data.parse_dataset(text)
    assert (fast.X == careful.X).all() and (fast.y == careful.y).all() and fast.X.shape == (1000, 1)
