"""The composable pipeline end to end: same numbers as the monolith, the shipped data, bad files named."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from regression_course.data import DATASET_PATH, DatasetError, make_course_dataset, true_coefficient
from regression_course.monolith import MonolithResult, monolith
from regression_course.pipeline import Metrics, composable_script, load_data


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
    assert 80 < new.mse < 130 and 0.6 < new.r2 < 0.85
    assert (tmp_path/'monolith.png').stat().st_size > 0 and (tmp_path/'composable.png').stat().st_size > 0
    assert list(empty_cwd.iterdir()) == []  # plots went where they were told, nowhere else
    printed = capsys.readouterr().out
    assert 'Starting up at' in printed and 'All done at' in printed


def test_shipped_dataset_is_the_generated_dataset():
    shipped, fresh = load_data(DATASET_PATH), make_course_dataset()
    np.testing.assert_allclose(shipped.X, fresh.X, rtol=1e-12)
    np.testing.assert_allclose(shipped.y, fresh.y, rtol=1e-12)
    assert true_coefficient() == pytest.approx(fresh.true_coef, rel=1e-12)


@pytest.mark.parametrize('text, line, problem', [
    ('1.0\t2.0\n3.0\t4.0\n5.0\tabc\n', 3, "y value 'abc' is not a number"),
    ('1.0\t2.0\n3.0 4.0\n', 2, 'expected 2 tab-separated values'),
])
def test_malformed_file_names_its_file_and_line(tmp_path, text, line, problem):
    path = tmp_path/'malformed.txt'
    path.write_text(text)
    with pytest.raises(DatasetError) as caught:
        load_data(path)
    message = str(caught.value)
    assert f'{path}, line {line}' in message and problem in message
