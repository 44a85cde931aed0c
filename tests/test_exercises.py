"""Every exercise check can fail, and does so helpfully: the shipped solution passes, the untouched answer cell
(the stub in the notebook) or starting file (exercises/flows/, for an exercise whose answer is a flow file) fails,
and every plausible wrong answer kept with the checks fails with a hint. A wrong answer to a file exercise is the
starting file with a few lines changed, and must get the hint it names; the first one of each exercise runs the
starting file's flow (changed by those lines) to the end, so it also shows that the starting file runs.
Every stage, from 00_data on, asks at least one design question; every design question has a model answer for
instructors, and every model answer a question.
`make exercises` reports 0 of M on the notebooks as shipped: tests/test_student_copy.py checks it, in a student copy."""
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from regression_course.exercises import (EXERCISES, SOLUTIONS_DIR, answer_cells, answer_file, design_questions,
                                         evaluate, hint_for, load_checks, model_answers, solution_blocks)

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
    if COURSE[id].file:  # the instructors' finished flow file, run as the student's is
        assert answer_file(id, solutions=True).is_file(), f'no solution file for {id}'
        assert hint_for(id, path=answer_file(id, solutions=True)) is None
        return
    solutions = solution_blocks(SOLUTIONS_DIR/f'{COURSE[id].notebook}.py')
    assert id in solutions, f'no solution for {id}'
    assert evaluate(id, solutions[id]) is None


@pytest.mark.parametrize('id', sorted(COURSE))
def test_untouched_stub_fails(id):
    if COURSE[id].file:  # the starting file, as the course ships it
        hint = hint_for(id, path=answer_file(id))
        assert hint and len(hint) > 10 and 'raised' not in hint, hint
        return
    cells = answer_cells(REPO_ROOT/'nbs'/f'{COURSE[id].notebook}.ipynb')
    assert id in cells, f'no answer cell for {id} in {COURSE[id].notebook}'
    hint = evaluate(id, cells[id])
    assert hint and len(hint) > 10


def test_no_exercise_takes_source_code_as_a_string():
    "An exercise that writes or changes a flow has a flow file for an answer, not a function returning its text"
    for id, ex in COURSE.items():
        if ex.file:
            continue
        cells = answer_cells(REPO_ROOT/'nbs'/f'{ex.notebook}.ipynb')
        assert 'FlowSpec' not in cells.get(id, '') and not re.search(r"\.py'\)\.read_text\(\)", cells.get(id, '')), id


def wrong_file(id, wrong, folder):
    "The starting file of exercise `id` with the lines of a wrong answer changed, written under `folder`"
    text = answer_file(id).read_text()
    for old, new in wrong['replace']:
        assert text.count(old) == 1, f'{id}: the starting file has changed, and no longer holds once: {old!r}'
        text = text.replace(old, new)
    path = Path(folder)/answer_file(id).name
    path.write_text(text)
    return path


WRONG = wrong_answers()


@pytest.mark.parametrize('id,source', WRONG, ids=[f'{id}-wrong{i}' for i, (id, _) in enumerate(WRONG)])
def test_wrong_answer_fails_with_a_hint(id, source, tmp_path):
    if isinstance(source, dict):  # a wrong flow file: the starting file with some lines changed
        hint = hint_for(id, path=wrong_file(id, source, tmp_path))
        assert hint is not None and source['hint'] in hint, f'a wrong answer to {id} got {hint!r}'
        return
    hint = evaluate(id, source)
    assert hint is not None, f'a wrong answer to {id} passed:\n{source}'
    assert 'raised' not in hint or 'NotImplementedError' in source, hint  # a hint about the answer, not a crash


def test_every_exercise_has_a_wrong_answer():
    assert sorted(set(COURSE) - {id for id, _ in WRONG}) == []


@pytest.mark.parametrize('notebook', [nb for nb in COURSE_NOTEBOOKS if nb >= '00_data'])  # 00_course: the tour
def test_every_stage_asks_a_design_question(notebook):
    "A `### Design question` cell with a bold title: an open question, discussed in class, with a model answer"
    assert design_questions(REPO_ROOT/'nbs'/f'{notebook}.ipynb'), f'{notebook} asks no design question'


@pytest.mark.instructors  # the model answers are in solutions/
@pytest.mark.parametrize('notebook', COURSE_NOTEBOOKS)
def test_every_design_question_has_a_model_answer(notebook):
    "Each design question of a notebook, by its title, has a model answer in the notebook's solutions file, and back"
    solutions = SOLUTIONS_DIR/f'{notebook}.py'
    answers = model_answers(solutions) if solutions.exists() else {}
    assert design_questions(REPO_ROOT/'nbs'/f'{notebook}.ipynb') == list(answers)
    assert all(len(answer) > 300 for answer in answers.values()), 'a model answer says too little'
