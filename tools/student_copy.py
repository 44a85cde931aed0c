"""`make student-copy DEST=<folder>`: the course as a class clones it, without what only instructors should see.

    python tools/student_copy.py <folder>

Copies every file git tracks in this checkout, and the untracked files it does not ignore (so what you see is what
you hand out), except those tools/instructors_only.txt lists; writes STUDENT_COPY.md, which says what was left out
and marks the folder as a student copy; and makes the folder a git repository of ONE commit, with none of this
repository's history, remotes or branches. Push it wherever your class clones from.

In the copy, `make app` and `make test` work as they do here. The tests that need what was left out carry
@pytest.mark.instructors: the copy's `make test` deselects them and says so in pytest's summary (tests/conftest.py),
and `make exercises` reports 0 of M. tests/test_student_copy.py builds a copy and proves it, cheaply, in `make test`.
"""
import fnmatch
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT/'tools'/'instructors_only.txt'
MARKER = 'STUDENT_COPY.md'  # at the root of a student copy, and only there


def instructors_only_patterns(manifest: Path = MANIFEST) -> list[str]:
    "The patterns of tools/instructors_only.txt: one a line, comments (#) and blank lines dropped"
    lines = (line.split('#', 1)[0].strip() for line in manifest.read_text().splitlines())
    return [line for line in lines if line]


def is_instructors_only(rel: str, patterns: list[str]) -> bool:
    "Whether the file at `rel` (a path relative to the root, with /) matches a pattern: a folder/ or a glob"
    return any(rel.startswith(p) if p.endswith('/') else fnmatch.fnmatchcase(rel, p) for p in patterns)


def course_files(root: Path = ROOT) -> list[str]:
    "The files git tracks and the untracked ones it does not ignore, as they are in the working tree"
    done = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=root, capture_output=True)
    if done.returncode:
        sys.exit(f'FAIL: {root} is not a git checkout, so what belongs to the course is unknown:\n'
                 + done.stderr.decode())
    return sorted(f for f in set(done.stdout.decode().split('\0')) if f and (root/f).is_file())


def uncommitted(root: Path = ROOT) -> list[str]:
    "Lines of `git status --porcelain`: what the copy takes from the working tree rather than from a commit"
    done = subprocess.run(['git', 'status', '--porcelain'], cwd=root, capture_output=True, text=True)
    return done.stdout.splitlines()


def marker_text(left_out: list[str], patterns: list[str], source: str) -> str:
    "STUDENT_COPY.md: what this copy is and what it leaves out"
    return '\n'.join([
        '# This is a student copy of regression_course',
        '',
        f'It was made with `make student-copy` from the instructors\' repository ({source}). It is the whole course',
        'but for what only instructors should see: ' + ', '.join(f'`{p}`' for p in patterns) + f' ({len(left_out)} files):',
        'the solutions to the exercises, the capstone\'s reference solution and the notes that go with its rubric.',
        '',
        '- `make app` and `make test` work as the README says. The few tests that check the instructors\' files are',
        '  deselected, and pytest\'s summary says how many and why.',
        '- `make exercises` checks *your* answers: it starts at `0 of M exercises done`.',
        '- `make capstone-check` checks your capstone (see `capstone/README.md`).',
        '',
    ])


def git(dest: Path, *args: str) -> str:
    done = subprocess.run(['git', *args], cwd=dest, capture_output=True, text=True)
    if done.returncode: sys.exit(f'FAIL: git {" ".join(args)}:\n{done.stdout}{done.stderr}')
    return done.stdout


def author_options() -> list[str]:
    "Your git name and e-mail for the copy's commit; a neutral author when git knows none"
    def known(key):
        return subprocess.run(['git', 'config', key], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return [] if known('user.name') and known('user.email') else \
        ['-c', 'user.name=regression_course instructors', '-c', 'user.email=instructors@example.org']


def make_copy(dest: Path, quiet: bool = False) -> dict:
    "Write the student copy into `dest` (new or empty); what was copied and left out"
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    dest = Path(dest).expanduser().resolve()
    if (ROOT/MARKER).exists():
        sys.exit(f'FAIL: this is already a student copy ({MARKER}): make one from the instructors\' repository')
    if dest == ROOT or ROOT in dest.parents:
        sys.exit(f'FAIL: {dest} is inside this repository: choose a folder outside it')
    if dest.exists() and any(dest.iterdir()):
        sys.exit(f'FAIL: {dest} exists and is not empty: choose a new folder, or empty it first')
    patterns = instructors_only_patterns()
    files = course_files()
    kept = [f for f in files if not is_instructors_only(f, patterns)]
    left_out = [f for f in files if is_instructors_only(f, patterns)]
    if not left_out:
        sys.exit(f'FAIL: nothing in this checkout matches {MANIFEST.relative_to(ROOT)}: is it the instructors\' repository?')
    dest.mkdir(parents=True, exist_ok=True)
    for rel in kept:
        target = dest/rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT/rel, target)  # keeps the executable bit of scripts
    head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    changes = uncommitted()
    source = f'commit {head or "none"}' + (f', with {len(changes)} uncommitted changes' if changes else '')
    (dest/MARKER).write_text(marker_text(left_out, patterns, source))
    git(dest, 'init', '-q')
    git(dest, 'symbolic-ref', 'HEAD', 'refs/heads/main')  # `git init -b` needs git 2.28; this works everywhere
    git(dest, 'add', '-A', '--force')  # every file copied, even one this .gitignore would ignore (force-added here)
    git(dest, *author_options(), 'commit', '-q', '-m', 'regression_course: the course (student copy)')
    say(f'wrote a student copy of {len(kept)} files to {dest} (one commit, no history); left out {len(left_out)} '
        f'files: {", ".join(patterns)}')
    if changes:
        say(f'note: it includes {len(changes)} uncommitted changes of this checkout (git status): commit them first '
            'if the copy should match a commit')
    say(f'next: cd {dest} && make test   (then push it where your class clones from)')
    return dict(dest=dest, kept=kept, left_out=left_out, patterns=patterns)


@call_parse
def main(dest:str=''): # the folder to write the copy into (new, or empty)
    "Write the course without the instructors' files, as a git repository of one commit"
    if not dest: sys.exit('say where: make student-copy DEST=../regression_course-students')
    make_copy(Path(dest))
