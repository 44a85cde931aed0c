"""Run a command as on a Mac: with the GNU-only tools hidden from PATH, and GNU-only options refused.

    python3 tools/without_gnu.py make test
    python3 tools/without_gnu.py make app

macOS has no `md5sum`, `sha256sum`, `timeout`, `setsid`, `nproc`, `tac`, ..., and its `stat`, `sed`, `date`, `cp`,
`xargs`, `grep` and `find` are BSD's, without GNU's options (`stat -c`, `sed -i` with no suffix, `date -d`,
`cp --parents`, `xargs -r`, `grep -P`, `find -printf`). This makes a folder that holds every program on PATH
except the missing ones, and, for those that differ, a guard that refuses a GNU-only option (saying which) before
it runs the real program; then it runs the command with only that folder on PATH. Every refusal is also listed
at the end, and makes this exit 1 even if the command itself carried on.

It proves that the course's own commands need no GNU-only tool. It does not make Linux a Mac: Python, make, git
and the browser are still Linux's.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

MISSING = ['md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'timeout', 'setsid',
           'nproc', 'tac', 'numfmt', 'shuf', 'sha1sum']
GNU_ONLY = {  # program: options BSD's lacks (an option is refused when an argument equals it or starts with it + '=')
    'stat': ['-c', '--format', '--printf'],
    'sed': ['--in-place', '-r', '--regexp-extended'],  # `-i` alone is checked below: BSD's needs a suffix argument
    'date': ['-d', '--date', '-I', '--iso-8601', '--rfc-3339'],
    'cp': ['--parents', '-t', '--target-directory', '--reflink'],
    'xargs': ['-r', '--no-run-if-empty', '-d', '--delimiter'],
    'grep': ['-P', '--perl-regexp'],
    'find': ['-printf', '-fprintf'],
    'readlink': ['-e', '-m', '--canonicalize-existing', '--canonicalize-missing'],
    'mktemp': ['--tmpdir', '-p'],
}


def refused(program: str, args: list[str]) -> str | None:
    "Why `program args` would fail on macOS, or None"
    for arg in args:
        for option in GNU_ONLY.get(program, []):
            if arg == option or arg.startswith(option + '='):
                return f'{program} {option} is GNU-only'
    if program == 'sed':
        for i, arg in enumerate(args):
            if arg == '-i' and (i + 1 == len(args) or args[i + 1].startswith('-') or ' ' in args[i + 1]
                                or args[i + 1].startswith(('s/', 's|', 's#', '/'))):
                return 'sed -i without a backup suffix is GNU-only (BSD sed takes the next argument as the suffix)'
            if arg.startswith('-i') and len(arg) > 2 and not arg.startswith('-i.'):
                return f'sed {arg} is GNU-only'
    return None


def guard(program: str, real: str, log: str, args: list[str]) -> None:
    "Refuse a GNU-only option (exit 2, noted in `log`); otherwise become the real program"
    if why := refused(program, args):
        line = f'{why}: {program} {" ".join(args)}'
        with open(log, 'a') as f: f.write(line + '\n')
        sys.exit(f'without_gnu: {line}')
    os.execv(real, [real, *args])


def shadow_path(folder: Path, log: Path) -> str:
    "Fill `folder` with every program on PATH but the missing ones, guards for those that differ; the new PATH"
    for directory in os.environ.get('PATH', '').split(os.pathsep):
        if not os.path.isdir(directory): continue
        for entry in os.scandir(directory):
            name, target = entry.name, folder/entry.name
            if name in MISSING or target.exists() or target.is_symlink(): continue
            if not (entry.is_file() and os.access(entry.path, os.X_OK)): continue
            if name in GNU_ONLY:
                target.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" --guard {name} '
                                  f'"{os.path.realpath(entry.path)}" "{log}" "$@"\n')
                target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            elif name.startswith('python'):  # run the real one: a venv made by it must not point into this folder
                target.write_text(f'#!/bin/sh\nexec "{entry.path}" "$@"\n')
                target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            else:
                target.symlink_to(entry.path)
    return str(folder)


def main(argv: list[str]) -> int:
    if argv[:1] == ['--guard']:
        program, real, log, *args = argv[1:]
        guard(program, real, log, args)
    if not argv:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix='without-gnu-') as tmp:
        folder, log = Path(tmp)/'bin', Path(tmp)/'refused.log'
        folder.mkdir()
        for path in (Path(tmp), folder):  # other users (a class's students) run its programs too, as on a Mac
            path.chmod(0o755)
        log.touch()
        log.chmod(0o666)  # a refusal in another user's process is recorded too
        path = shadow_path(folder, log)
        hidden = [name for name in sorted(set(MISSING)) if shutil.which(name)]
        print(f'without_gnu: hidden from PATH: {", ".join(hidden)}; GNU-only options refused in: '
              f'{", ".join(sorted(GNU_ONLY))}', flush=True)
        try:
            code = subprocess.run(argv, env={**os.environ, 'PATH': path}).returncode
        except FileNotFoundError:
            print(f'without_gnu: {argv[0]}: not found (hidden, or not installed)')
            return 127
        refusals = log.read_text().splitlines()
        if refusals:
            print('without_gnu: GNU-only uses refused:\n  ' + '\n  '.join(refusals))
            return code or 1
        print(f'without_gnu: no GNU-only tool or option was used; the command exited {code}')
        return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
