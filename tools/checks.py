"""The quick checks `make test` runs first: the notebooks are clean, the library matches them, the README matches
nbs/index.ipynb.

    python tools/checks.py clean     # nbdev_clean changes nothing (notebooks committed without outputs and metadata)
    python tools/checks.py export    # nbdev_export changes nothing in regression_course/ (the library is in sync)
    python tools/checks.py readme    # README.md is what `make readme` writes from nbs/index.ipynb
    python tools/checks.py plan      # nbs/teaching_plan.md is what `make plan` writes (tools/teaching_plan.py)

Each fixes what it finds (the tool rewrites the files), then fails, so that `git diff` shows the fix to review and
commit. Files are compared by content (SHA-256, in Python: no `md5sum`, which macOS lacks).
"""
import hashlib
import subprocess
import sys
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def digests(paths) -> dict:
    "SHA-256 of each file in `paths` (a missing file counts as None)"
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths}


def unchanged_by(cmds: list, paths) -> list:
    "Run each command in `cmds`; return the files among `paths()` whose content they changed"
    before = digests(paths())
    for cmd in cmds:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f'FAIL: {" ".join(map(str, cmd))} itself failed:\n{done.stdout}{done.stderr}')
    after = digests(paths())
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def notebooks(): return sorted([*ROOT.glob('nbs/*.ipynb'), *ROOT.glob('app/*.ipynb')])
def library(): return sorted([*ROOT.glob('regression_course/*.py'), ROOT/'pyproject.toml'])


def check_clean() -> None:
    changed = unchanged_by([[BIN/'nbdev_clean'], [BIN/'nbdev_clean', '--fname', 'app']], notebooks)
    if changed:
        sys.exit(f'FAIL: notebooks were not clean ({", ".join(Path(p).name for p in changed)}). '
                 "nbdev_clean has now cleaned them: review 'git diff' and commit.")
    print('ok: notebooks are clean')


def check_export() -> None:
    changed = unchanged_by([[BIN/'nbdev_export']], library)
    if changed:
        sys.exit(f'FAIL: regression_course/ was out of date with nbs/ ({", ".join(Path(p).name for p in changed)}). '
                 "nbdev_export has now updated it: review 'git diff' and commit.")
    print('ok: regression_course/ matches the notebooks')


def check_readme() -> None:
    done = subprocess.run([sys.executable, ROOT/'tools'/'build_readme.py', '--check'], cwd=ROOT)
    if done.returncode: sys.exit("FAIL: README.md differs from nbs/index.ipynb: run 'make readme' and commit.")
    print('ok: README.md matches nbs/index.ipynb')


def check_plan() -> None:
    done = subprocess.run([sys.executable, ROOT/'tools'/'teaching_plan.py', '--check'], cwd=ROOT)
    if done.returncode: sys.exit(1)


CHECKS = {'clean': check_clean, 'export': check_export, 'readme': check_readme, 'plan': check_plan}


@call_parse
def main(check:str): # one of: clean, export, readme, plan
    "Run one of the quick checks of `make test`"
    if check not in CHECKS: sys.exit(f'unknown check {check!r}: use one of {", ".join(CHECKS)}')
    CHECKS[check]()
