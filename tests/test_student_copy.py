"""The student copy (`make student-copy DEST=...`): the course a class clones, without the instructors' files.

In the instructors' repository one copy is built (a second or two: files copied, one git commit) and its key
properties proved cheaply: one commit and no history; the same files as here but for those
tools/instructors_only.txt lists, and none of their contents anywhere in it; its tests collect, with exactly the
tests marked `instructors` deselected and the reason in pytest's summary, also when pytest runs on two workers as
`make test` runs it; `make exercises` there reports 0 of M.
The copy's whole `make test` takes as long as this repository's: run it by hand before handing a copy out.

In a student copy only the last test runs, in place: its notebooks report 0 of M.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, STUDENT_COPY
from regression_course.exercises import (EXERCISES, SOLUTIONS_DIR, answer_file, load_checks, model_answers,
                                         solution_blocks)

import student_copy  # tools/student_copy.py (conftest puts tools/ on the path)


@pytest.fixture(scope='module')
def student_course(tmp_path_factory):
    "The course as a student has it: a fresh student copy of this repository, or this folder if it is one"
    if STUDENT_COPY:
        return dict(dest=REPO_ROOT, kept=None, left_out=None, patterns=None)
    return student_copy.make_copy(tmp_path_factory.mktemp('students')/'regression_course', quiet=True)


def git(folder, *args) -> str:
    return subprocess.run(['git', *args], cwd=folder, capture_output=True, text=True, check=True).stdout


def in_copy(copy: Path, *args, timeout=300):
    "Run `python *args` in the copy, importing the copy's own package (the working folder comes first on the path)"
    env = {k: v for k, v in os.environ.items() if k not in ('PYTEST_XDIST_WORKER', 'PYTEST_XDIST_TESTRUNUID',
                                                            'PYTEST_CURRENT_TEST', 'PYTEST_ADDOPTS',
                                                            'REGRESSION_COURSE_GOLDEN')}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.instructors
def test_the_copy_is_one_commit_with_no_history(student_course):
    copy = student_course['dest']
    assert git(copy, 'rev-list', '--count', 'HEAD').strip() == '1'
    assert git(copy, 'remote').strip() == ''
    assert git(copy, 'branch', '--format=%(refname:short)').split() == ['main']
    assert git(copy, 'status', '--porcelain').strip() == ''  # everything copied is committed


@pytest.mark.instructors
def test_the_copy_holds_the_course_and_nothing_of_the_instructors(student_course):
    copy, kept, left_out = student_course['dest'], student_course['kept'], student_course['left_out']
    patterns = student_copy.instructors_only_patterns()
    assert left_out and all(f.startswith('solutions/') for f in left_out if 'solutions/' in patterns)
    in_copy_files = sorted(git(copy, 'ls-files').splitlines())
    assert in_copy_files == sorted(kept + [student_copy.MARKER])
    assert [f for f in in_copy_files if student_copy.is_instructors_only(f, patterns)] == []
    for rel in kept:  # byte for byte what this checkout has
        assert (copy/rel).read_bytes() == (REPO_ROOT/rel).read_bytes(), rel
    # nor their contents under another name: no instructors' file, and no exercise solution, in any file
    secret_files = {(REPO_ROOT/f).read_bytes() for f in left_out}
    load_checks()
    notebooks = {ex.notebook for ex in EXERCISES.values() if ex.notebook != '98_exercises'}
    solutions = [block.split('\n', 1)[1].strip() for nb in sorted(notebooks)
                 for block in solution_blocks(SOLUTIONS_DIR/f'{nb}.py').values()]
    solutions += [answer for nb in sorted(notebooks) for answer in model_answers(SOLUTIONS_DIR/f'{nb}.py').values()]
    solutions += [answer_file(ex.id, solutions=True).read_text() for ex in EXERCISES.values() if ex.file]  # flow files
    assert solutions and all(len(s) > 20 for s in solutions)
    squash = lambda text: re.sub(r'\s+', ' ', text)
    wanted = [squash(s) for s in solutions]
    for rel in in_copy_files:
        data = (copy/rel).read_bytes()
        assert data not in secret_files, f'{rel} is a copy of an instructors-only file'
        try: text = squash(data.decode())
        except UnicodeDecodeError: continue
        leaked = [s[:60] for s in wanted if s in text]
        assert leaked == [], f'{rel} holds an exercise solution: {leaked}'


@pytest.mark.instructors
def test_the_copys_tests_collect_with_the_instructors_tests_deselected(student_course, request):
    """The copy's test modules that use the `instructors` mark collect as they do here, less exactly the marked
    tests, and pytest's summary says why. (Only those modules: every other one is byte for byte this repository's,
    and none of them names what a copy leaves out, which the first assertion checks; collecting them all would
    cost another ten processor-seconds.)"""
    copy = student_course['dest']
    names = [p.rstrip('/') for p in student_copy.instructors_only_patterns()] + ['mark.instructors']
    using = sorted(p.name for p in (REPO_ROOT/'tests').glob('test_*.py') if any(n in p.read_text() for n in names))
    marking = sorted(p.name for p in (REPO_ROOT/'tests').glob('test_*.py') if 'mark.instructors' in p.read_text())
    assert using == marking, 'a test module uses an instructors-only file without marking its tests `instructors`'
    collected = {nodeid.split('::')[0] for nodeid in request.config.collected_ids}
    files = [f'tests/{name}' for name in marking if f'tests/{name}' in collected]
    done = in_copy(copy, '-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider', *files)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    selected = [line for line in done.stdout.splitlines() if '::' in line and not line.startswith(' ')]
    here = [nodeid for nodeid in request.config.collected_ids if nodeid.split('::')[0] in files]
    marked = request.config.instructors_marked & set(here)
    assert marked, 'no test is marked `instructors`: what would a student copy leave out?'
    assert sorted(selected) == sorted(set(here) - marked)
    assert re.search(rf'\b{len(selected)}/{len(here)} tests collected \({len(marked)} deselected\)', done.stdout), \
        done.stdout[-1500:]
    assert f"{len(marked)} test(s) deselected: they check the instructors' files" in done.stdout


@pytest.mark.instructors
def test_the_copys_pytest_on_two_workers_passes_and_says_what_it_left_out(student_course):
    """As `make test` runs pytest (two workers, whose controller collects nothing itself), on one cheap test and
    the solutions' tests: it passes, deselects those, and its summary counts them and says why"""
    load_checks()
    # test_exercises.py's instructors' tests: a solution's per exercise, a model answers' per course notebook
    m = sum(ex.notebook != '98_exercises' for ex in EXERCISES.values()) + len(list((REPO_ROOT/'nbs').glob('0*.ipynb')))
    done = in_copy(student_course['dest'], '-m', 'pytest', '-n', '2', '-q', '-p', 'no:cacheprovider',
                   'tests/test_exercises.py', '-k', 'every_exercise_has_a_wrong_answer or solution_passes or model_answer')
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{m} test(s) deselected: they check the instructors' files" in done.stdout, done.stdout[-1500:]
    assert re.search(rf'^1 passed, {m} deselected in ', done.stdout, re.M), done.stdout[-1500:]


def test_make_exercises_reports_0_of_m(student_course):
    "`make exercises` on the notebooks a student starts from: nothing done yet (in a student copy of this repository)"
    copy = student_course['dest']
    done = in_copy(copy, '-c', 'import regression_course.config as c; print(c.REPO_ROOT)')
    assert Path(done.stdout.strip()) == copy, f'the copy imported another package: {done.stdout}{done.stderr}'
    done = in_copy(copy, '-m', 'regression_course.exercises', timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    load_checks()
    m = sum(ex.notebook != '98_exercises' for ex in EXERCISES.values())
    assert done.stdout.strip().splitlines()[-1] == f'0 of {m} exercises done', done.stdout[-3000:]
    assert len(re.findall(r' (ok|not yet: .+)$', done.stdout, re.M)) == m
    assert ' ok\n' not in done.stdout
