"""`make install`: the course's environment in .venv/, exactly as uv.lock says.

    python3 tools/install.py          # `make install`
    python3 tools/install.py --lock   # `make lock`: re-resolve uv.lock first (after settings.ini changed), then install

Every target runs it first; with nothing changed it takes a fraction of a second. It needs only the Python that
runs it (3.10 or newer, on Linux or macOS) and the standard library:

1. checks the Python and the operating system, and says what to do when either will not work;
2. creates .venv/ with `python -m venv` if it is missing;
3. puts uv into it, at the version uv.lock itself records (uv is locked like every other package);
4. runs `uv sync --locked --extra dev`: every package at exactly its locked version, hashes checked, nothing
   else left in the environment, and the course itself installed in editable mode.

If settings.ini (the requirements the course declares) and uv.lock disagree, it stops and says which packages
differ, rather than resolving anew: `make lock` re-resolves the lock, `make upgrade` moves it to the newest
releases and checks them first.
"""
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT/'.venv'
BIN = VENV/'bin'
LOCK = ROOT/'uv.lock'
MIN_PYTHON = (3, 10)


def fail(message: str) -> None:
    "Print `message` to stderr and exit 1"
    print(message, file=sys.stderr)
    sys.exit(1)


def check_platform() -> None:
    "Stop, saying what to do, on a Python or an operating system the course does not run on"
    if sys.version_info < MIN_PYTHON:
        fail(f'regression_course needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; {sys.executable} is '
             f'{platform.python_version()}. Install a newer one (python.org, Homebrew `brew install python@3.12`, '
             f'or your distribution\'s python3.12) and run: make PYTHON=python3.12 <target>')
    if os.name == 'nt' or sys.platform == 'cygwin':
        fail('regression_course runs on Linux and macOS (Metaflow and gunicorn need a Unix). On Windows, install '
             'WSL 2 (`wsl --install` in an administrator PowerShell), open Ubuntu, clone the course there and run '
             'make there.')


def locked_version(package: str) -> str:
    "The version uv.lock records for `package` (read with a regular expression: Python 3.10 has no tomllib)"
    found = re.search(rf'^\[\[package\]\]\nname = "{re.escape(package)}"\nversion = "([^"]+)"', LOCK.read_text(), re.M)
    if not found: fail(f'{LOCK.name} records no version of {package}: run `make lock`')
    return found[1]


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, text=True, **kw)


def ensure_venv() -> None:
    "Create .venv/ with this Python unless it is there and works"
    python = BIN/'python'
    if python.exists() and run([python, '-c', 'pass'], capture_output=True).returncode == 0: return
    print(f'creating {VENV.name}/ with {sys.executable} (Python {platform.python_version()})')
    run([sys.executable, '-m', 'venv', '--clear', VENV], check=True)


def ensure_uv() -> Path:
    "uv in .venv/ at the version uv.lock records (installed with the venv's pip when missing or different)"
    uv, wanted = BIN/'uv', locked_version('uv')
    have = run([uv, '--version'], capture_output=True).stdout.split()[1:2] if uv.exists() else []
    if have != [wanted]:
        print(f'installing uv {wanted} into {VENV.name}/')
        done = run([BIN/'python', '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', f'uv=={wanted}'],
                   capture_output=True)
        if done.returncode: fail(f'could not install uv {wanted} with pip:\n{done.stdout}{done.stderr}')
    return uv


def ensure_uv_for_lock() -> Path:
    "uv in .venv/ to re-resolve with: the locked version if there is a lock, else the newest"
    if LOCK.exists(): return ensure_uv()
    uv = BIN/'uv'
    if not uv.exists(): run([BIN/'python', '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'uv'], check=True)
    return uv


def explain_disagreement(uv: Path) -> str:
    "What re-resolving would change: the lines of `uv lock --dry-run` that name a package"
    done = run([uv, 'lock', '--dry-run'], capture_output=True)
    lines = [l.strip() for l in (done.stdout + done.stderr).splitlines() if re.match(r'\s*(Add|Remov|Updat)', l)]
    return '\n'.join(f'  {l}' for l in lines) or '  (uv names no package: the project\'s own metadata changed)'


def sync(uv: Path) -> None:
    "Install exactly uv.lock into .venv/; stop with an explanation if the lock is out of date"
    env = {k: v for k, v in os.environ.items() if k != 'VIRTUAL_ENV'}  # another activated venv must not matter
    done = run([uv, 'sync', '--locked', '--extra', 'dev'], capture_output=True, env=env)
    if 'needs to be updated' in done.stderr:
        fail('uv.lock does not match the requirements declared in settings.ini (or setup.py). Re-resolving would:\n'
             f'{explain_disagreement(uv)}\n'
             'Run `make lock` to update uv.lock (then `make test`), or undo the change to settings.ini.')
    if done.returncode: fail(f'uv sync failed:\n{done.stdout}{done.stderr}')
    changed = [l.strip() for l in done.stderr.splitlines()
               if re.match(r'\s*[-+~] ', l) and 'regression-course' not in l]  # the course itself: rebuilt, editable
    if changed:
        print(f'installed uv.lock into {VENV.name}/ ({len(changed)} package changes: '
              f'{", ".join(changed[:6])}{", ..." if len(changed) > 6 else ""})')


def relock(uv: Path) -> None:
    "`uv lock`: re-resolve uv.lock for settings.ini, keeping every locked version that still fits"
    done = run([uv, 'lock'], capture_output=True)
    if done.returncode: fail(f'uv lock failed:\n{done.stdout}{done.stderr}')
    print(done.stderr.strip())


def main() -> None:
    check_platform()
    if VENV.is_symlink() and not os.access(VENV.resolve(), os.W_OK):
        return  # a student's copy on a class server (make classroom): .venv is the class's, installed by the instructor
    relocking = '--lock' in sys.argv[1:]
    if not LOCK.exists() and not relocking: fail(f'{LOCK} is missing: run `make lock` to create it')
    ensure_venv()
    if relocking:
        relock(ensure_uv_for_lock())
    sync(ensure_uv())


if __name__ == '__main__':
    main()
