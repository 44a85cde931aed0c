"""Every exercise check can fail, and does so helpfully: the shipped solution passes, the untouched answer cell
(the stub in the notebook) fails, and every plausible wrong answer kept with the checks fails with a hint.
`make exercises` reports 0 of M on the notebooks as shipped: tests/test_student_copy.py checks it, in a student copy."""
import io
from contextlib import redirect_stdout

import pytest

from conftest import REPO_ROOT
from regression_course.exercises import (EXERCISES, SOLUTIONS_DIR, answer_cells, evaluate, load_checks,
                                         solution_blocks)

load_checks()
COURSE = {ex.id: ex for ex in EXERCISES.values() if ex.notebook != '98_exercises'}
COURSE_NOTEBOOKS = sorted(p.stem for p in (REPO_ROOT/'nbs').glob('0*.ipynb'))


def wrong_answers():
    "(id, source) of every wrong answer kept with the checks"
    import importlib.util
    found = []
    for path in sorted((REPO_ROOT/'exercises').glob('[0-9]*.py')):
        spec = importlib.util.spec_from_file_location(f'wrong_{path.stem}', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found += [(id, src) for id, sources in getattr(module, 'WRONG_ANSWERS', {}).items() for src in sources]
    return found


def test_every_course_notebook_has_at_least_two_exercises():
    per_notebook = {nb: [ex for ex in COURSE.values() if ex.notebook == nb] for nb in COURSE_NOTEBOOKS}
    assert {nb: len(exs) for nb, exs in per_notebook.items() if len(exs) < 2} == {}
    assert len(COURSE) >= 2 * len(COURSE_NOTEBOOKS)


@pytest.mark.instructors  # solutions/ is the instructors': a student copy deselects this test
@pytest.mark.parametrize('id', sorted(COURSE))
def test_solution_passes(id):
    solutions = solution_blocks(SOLUTIONS_DIR/f'{COURSE[id].notebook}.py')
    assert id in solutions, f'no solution for {id}'
    assert evaluate(id, solutions[id]) is None


@pytest.mark.parametrize('id', sorted(COURSE))
def test_untouched_stub_fails(id):
    cells = answer_cells(REPO_ROOT/'nbs'/f'{COURSE[id].notebook}.ipynb')
    assert id in cells, f'no answer cell for {id} in {COURSE[id].notebook}'
    hint = evaluate(id, cells[id])
    assert hint and len(hint) > 10


WRONG = wrong_answers()


@pytest.mark.parametrize('id,source', WRONG, ids=[f'{id}-wrong{i}' for i, (id, _) in enumerate(WRONG)])
def test_wrong_answer_fails_with_a_hint(id, source):
    hint = evaluate(id, source)
    assert hint is not None, f'a wrong answer to {id} passed:\n{source}'
    assert 'raised' not in hint or 'NotImplementedError' in source, hint  # a hint about the answer, not a crash


def test_every_exercise_has_a_wrong_answer():
    assert sorted(set(COURSE) - {id for id, _ in WRONG}) == []
