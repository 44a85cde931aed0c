"""The course's dependencies beyond `make install` and `make lock` (tools/install.py): `make upgrade` and
`make check-oldest`.

    python tools/deps.py upgrade   # the newest releases, checked first; uv.lock replaced only if every check passed
    python tools/deps.py oldest    # the OLDEST versions settings.ini admits, checked: are its lower bounds honest?

settings.ini declares what the course needs, as ranges (`scikit-learn>=1.3`); uv.lock records the exact versions
(and their hashes, for Linux and macOS) that `make install` installs and that the checks passed with.

`upgrade` works in a scratch clone of the last commit, so nothing here changes until the end: there it moves
uv.lock to the newest releases (`uv lock --upgrade`), runs `make test`, and reports what changed and what broke.
Only if every check passed does it copy the new uv.lock here (then commit it). Either way the report, and
make test's whole output, are kept in upgrade.log.

`oldest` resolves the lowest version each direct requirement admits (`uv lock --resolution lowest-direct`) in a
scratch clone and runs the checks there. If they fail, a lower bound in settings.ini is a lie: raise it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).parent/'uv'
PACKAGING = ('settings.ini', 'setup.py', 'pyproject.toml', 'uv.lock')


def uv(*args, cwd=ROOT, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != 'VIRTUAL_ENV'}
    return subprocess.run([str(UV), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def locked_versions(folder: Path) -> dict:
    "{package: set of versions} in `folder`/uv.lock (a package can have one version per Python)"
    found = {}
    text = (folder/'uv.lock').read_text()
    for name, version in re.findall(r'^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', text, re.M):
        found.setdefault(name, set()).add(version)
    return found


def changes(before: dict, after: dict) -> list[str]:
    "One line per package whose locked versions differ"
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, set()), after.get(name, set())
        if old != new:
            fmt = lambda vs: ', '.join(sorted(vs)) or '-'
            lines.append(f'  {name}: {fmt(old)} -> {fmt(new)}')
    return lines


def held_back(folder: Path) -> list[str]:
    "The direct requirements whose newest release the declared ranges keep out (`uv tree --outdated`)"
    tree = uv('tree', '--outdated', '--depth', '1', '--frozen', cwd=folder, check=False).stdout
    return [f'  {m[0]} {m[1]} (newest: {m[2]})' for m in re.findall(r'── (\S+) v(\S+) .*\(latest: v(\S+)\)', tree)]


def scratch_clone() -> Path:
    "A clone of the last commit in a temporary folder (warns if the packaging files have uncommitted changes)"
    dirty = subprocess.run(['git', 'status', '--porcelain', '--', *PACKAGING], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    if dirty:
        print(f'note: uncommitted changes to packaging files are not used (commit them first):\n{dirty}')
    clone = Path(tempfile.mkdtemp(prefix='regression-course-deps-'))/'clone'
    subprocess.run(['git', 'clone', '--quiet', str(ROOT), str(clone)], check=True)
    return clone


def make_test(clone: Path, log: Path, **extra_env) -> tuple[bool, list[str], float]:
    "Run `make test` in `clone`, its output to `log`: (passed, the failure lines, seconds)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(('METAFLOW_', 'REGRESSION_COURSE_', 'VIRTUAL_ENV'))}
    env.update(extra_env)
    started = time.monotonic()
    with open(log, 'w') as out:
        done = subprocess.run(['make', 'test'], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)
    text = log.read_text()
    failures = re.findall(r'^(?:FAILED|ERROR|FAIL:) .*$|^Error in .*$', text, re.M)[:30]
    return done.returncode == 0, failures, time.monotonic() - started


def upgrade() -> None:
    clone = scratch_clone()
    report, log = ROOT/'upgrade.log', clone.parent/'make_test.log'
    try:
        before = locked_versions(clone)
        print('resolving the newest releases (uv lock --upgrade) in a scratch clone ...', flush=True)
        uv('lock', '--upgrade', cwd=clone)
        changed, kept_out = changes(before, locked_versions(clone)), held_back(clone)
        if kept_out:
            print('held back by the upper bounds in settings.ini (raise them deliberately, one at a time):\n'
                  + '\n'.join(kept_out), flush=True)
        if not changed:
            line = 'uv.lock already holds the newest releases settings.ini admits: nothing to check'
            report.write_text(f'make upgrade, {time.strftime("%Y-%m-%d %H:%M")}: {line}\n'
                              + ('held back by settings.ini:\n' + '\n'.join(kept_out) + '\n' if kept_out else ''))
            print(line)
            return
        print(f'{len(changed)} packages would change:\n' + '\n'.join(changed), flush=True)
        print('running every check (make test) on them; this takes as long as make test ...', flush=True)
        passed, failures, seconds = make_test(clone, log)
        lines = [f'make upgrade, {time.strftime("%Y-%m-%d %H:%M")}: {len(changed)} packages changed', *changed,
                 f'make test on them: {"passed" if passed else "FAILED"} in {seconds:.0f} s', *failures]
        if passed:
            shutil.copy(clone/'uv.lock', ROOT/'uv.lock')
            lines.append('uv.lock here now holds the new versions: run `make install`, then commit uv.lock')
        else:
            lines.append('uv.lock here is unchanged (the old versions stay); what broke is listed above')
        report.write_text('\n'.join(lines) + '\n\n--- make test output ---\n' + log.read_text())
        print('\n'.join(lines[len(changed) + 1:]) + f'\nreport and make test output: {report}')
        if passed:
            subprocess.run([sys.executable, ROOT/'tools'/'install.py'], check=True)
        else:
            sys.exit(1)
    finally:
        shutil.rmtree(clone.parent, ignore_errors=True)


def oldest() -> None:
    clone = scratch_clone()
    report, log = ROOT/'oldest.log', clone.parent/'make_test.log'
    try:
        print('resolving the oldest versions settings.ini admits (uv lock --resolution lowest-direct) ...', flush=True)
        uv('lock', '--resolution', 'lowest-direct', cwd=clone)
        changed = changes(locked_versions(ROOT), locked_versions(clone))
        print(f'{len(changed)} packages differ from uv.lock:\n' + '\n'.join(changed), flush=True)
        print('running every check (make test) on them ...', flush=True)
        # every uv that make test runs resolves as this lock was made, so `make install` accepts the lock as it is
        passed, failures, seconds = make_test(clone, log, UV_RESOLUTION='lowest-direct')
        lines = [f'make check-oldest: make test {"passed" if passed else "FAILED"} in {seconds:.0f} s', *failures]
        if not passed:
            lines.append('a lower bound in settings.ini admits versions the course does not work with: raise it')
        report.write_text('\n'.join(changed + lines) + '\n\n--- make test output ---\n' + log.read_text())
        print('\n'.join(lines) + f'\nreport and make test output: {report}')
        sys.exit(0 if passed else 1)
    finally:
        shutil.rmtree(clone.parent, ignore_errors=True)


COMMANDS = {'upgrade': upgrade, 'oldest': oldest}


@call_parse
def main(command:str): # upgrade or oldest
    "Upgrade the course's dependencies, or check the oldest versions it admits"
    if command not in COMMANDS: sys.exit(f'unknown command {command!r}: use one of {", ".join(COMMANDS)}')
    COMMANDS[command]()
