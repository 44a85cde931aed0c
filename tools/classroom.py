"""`make classroom`: a JupyterHub for a whole class on this machine (nbs/99b_classroom.ipynb explains it).

    sudo make classroom CLASS_ROSTER=roster.txt [CLASS_DIR=/srv/regression-course-class] [CLASS_PORT=8010]

    python tools/classroom.py serve      check, prepare the class folder, publish the course, start the hub
    python tools/classroom.py publish    only publish: new material reaches each student at their next server start
    python tools/classroom.py remove-users   delete the class's Unix users and groups (their homes stay in CLASS_DIR)

It must run as root: the hub starts each student's server as that student's own Unix user, made on first login.
Without root it stops at once and says so. Settings come from the environment (see classroom/jupyterhub_config.py).
"""
import grp
import json
import hashlib
import io
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's library, whichever folder we are run from
from regression_course.classroom import PUBLISHED_BRANCH, ClassFolder, enforceable, own_cgroup, read_roster  # noqa: E402

CONFIG = REPO/'classroom'/'jupyterhub_config.py'
PROXY = REPO/'node_modules'/'.bin'/'configurable-http-proxy'
DEFAULT_DIR = '/srv/regression-course-class'
LAB_SETTINGS = {'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false', 'checkForUpdates': False}}  # offline


def fail(why: str):
    print(f'make classroom: {why}', file=sys.stderr)
    raise SystemExit(2)


def run(*cmd, **kw):
    "Run a command; on failure, stop with what it said"
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if done.returncode != 0:
        fail(f"`{' '.join(map(str, cmd))}` failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def settings() -> dict:
    "The class's settings, from the environment, with their defaults"
    prefix = os.environ.get('CLASS_USER_PREFIX', 'jupyter-')
    return dict(dir=Path(os.environ.get('CLASS_DIR', DEFAULT_DIR)).resolve(), roster=os.environ.get('CLASS_ROSTER'),
                prefix=prefix, groups=(f'{prefix}class', f'{prefix}instructors'))


def check(s: dict):
    "Everything `serve` needs, checked before anything is changed: each failure says why and what to do"
    if os.geteuid() != 0:
        fail('run it as root (sudo make classroom ...). The hub starts each student\'s server as that student\'s '
             'own Unix user, made on first login: only root can. To use the course alone, run `make lab`.')
    if not s['prefix']:
        fail('CLASS_USER_PREFIX must not be empty: Unix login names are the prefix and the roster name, so that no '
             'roster name can ever be an account of this machine (root, daemon, ...)')
    if not s['roster']:
        fail('say who is in the class: CLASS_ROSTER=roster.txt (one name a line; `instructor` after an '
             "instructor's name; see classroom/roster.example.txt)")
    try:
        read_roster(s['roster'])
    except (OSError, ValueError) as e:
        fail(f'the roster cannot be used: {e}')
    for tool in ('useradd', 'groupadd', 'userdel', 'runuser', 'git'):
        if shutil.which(tool) is None:
            fail(f'`{tool}` is missing: make classroom needs a Linux server with the usual user tools and git')
    if not PROXY.exists():
        fail(f'JupyterHub\'s proxy is missing ({PROXY.relative_to(REPO)}): run `npm ci` (make classroom does)')


def class_python() -> str:
    "A Python (3.10 or newer) that every student can run: CLASS_PYTHON, this one, or the system's python3"
    candidates = [os.environ.get('CLASS_PYTHON'), os.path.realpath(sys.executable), '/usr/bin/python3']
    tried = []
    for python in filter(None, candidates):
        ok = subprocess.run(['runuser', '-u', 'nobody', '--', python, '-c',
                             'import sys; assert sys.version_info >= (3, 10)'], capture_output=True, cwd='/')
        if ok.returncode == 0:
            return python
        tried.append(python)
    fail(f"no Python 3.10+ that every student can run (tried {', '.join(tried)}: a Python kept in root's private "
         'home cannot be run by anyone else). Install one system-wide (apt-get install python3) or set CLASS_PYTHON.')


def prepare(s: dict) -> ClassFolder:
    "The class folder and its groups: made the first time, checked (and repaired) every time after"
    folder = ClassFolder(s['dir'])
    for group in s['groups']:
        try: grp.getgrnam(group)
        except KeyError: run('groupadd', group)
    class_gid, instructors_gid = (grp.getgrnam(g).gr_gid for g in s['groups'])
    for path, mode, gid in ((folder.root, 0o755, 0), (folder.hub, 0o700, 0), (folder.homes, 0o755, 0),
                            (folder.store, 0o2770, class_gid), (folder.progress, 0o3773, instructors_gid)):
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, 0, gid)
        path.chmod(mode)
    (folder.store/'.metaflow').mkdir(exist_ok=True)
    os.chown(folder.store/'.metaflow', 0, class_gid)
    (folder.store/'.metaflow').chmod(0o2775)
    shutil.copyfile(s['roster'], folder.roster)  # for the instructors' class view; students cannot read it
    os.chown(folder.roster, 0, instructors_gid)
    folder.roster.chmod(0o640)
    git_config = '[include]\n\tpath = /etc/gitconfig\n' if Path('/etc/gitconfig').exists() else ''
    folder.gitconfig.write_text(f'{git_config}[safe]\n\tdirectory = {folder.course}\n\tdirectory = {folder.course}/.git\n')
    folder.gitconfig.chmod(0o644)
    parent = folder.root
    while parent != parent.parent:  # students must be able to walk down to the class folder
        if not os.stat(parent).st_mode & 0o001:
            fail(f'{parent} is closed to other users (mode {oct(os.stat(parent).st_mode & 0o777)}): students could not '
                 f'reach {folder.root}. Choose a CLASS_DIR outside it (default {DEFAULT_DIR}).')
        parent = parent.parent
    return folder


def publish(folder: ClassFolder) -> str:
    """Publish the instructor's last commit as the course students copy: a student copy of it (no solutions/, nothing
    tools/instructors_only.txt lists), committed on top of the previous publication, so the class's repository holds
    publications only and none of the instructors' history; the class's environment follows it"""
    import tarfile
    from student_copy import MARKER, instructors_only_patterns, is_instructors_only, marker_text
    head = run('git', '-C', REPO, 'rev-parse', 'HEAD').strip()
    if run('git', '-C', REPO, 'status', '--porcelain', '--untracked-files=no').strip():
        print('note: you have uncommitted changes; students get your last commit only', file=sys.stderr)
    patterns = instructors_only_patterns()
    files = run('git', '-C', REPO, 'ls-tree', '-r', '-z', '--name-only', head).split('\0')
    kept = [f for f in files if f and not is_instructors_only(f, patterns)]
    left_out = [f for f in files if f and is_instructors_only(f, patterns)]
    if not (folder.course/'.git').exists():
        run('git', 'init', '-q', folder.course)
        run('git', '-C', folder.course, 'symbolic-ref', 'HEAD', f'refs/heads/{PUBLISHED_BRANCH}')
    if run('git', '-C', folder.course, 'ls-files').strip():
        run('git', '-C', folder.course, 'rm', '-r', '-q', '--', '.')  # what the last publication had goes first
    archive = subprocess.run(['git', '-C', REPO, 'archive', '--format=tar', head, '--', *kept], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder.course, **({'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}))
    (folder.course/MARKER).write_text(marker_text(left_out, patterns, f'commit {head[:10]}'))
    # exactly the copy's files: not what the class's environment wrote beside them (its bytecode), ignored or not
    run('git', '-C', folder.course, 'add', '--force', '--pathspec-from-file=-', '--pathspec-file-nul',
        input='\0'.join([*kept, MARKER]))
    if subprocess.run(['git', '-C', folder.course, 'diff', '--cached', '--quiet']).returncode:
        run('git', '-C', folder.course, '-c', 'user.name=regression_course instructors', '-c',
            'user.email=instructors@example.org', 'commit', '-q', '-m', f'The course, as of commit {head[:10]}')
    install_environment(folder)
    return head


def deps_hash(course: Path) -> str:
    "What the class's environment is made from: when it changes, the environment is synced again"
    files = ('uv.lock', 'setup.py', 'settings.ini', 'pyproject.toml', 'classroom/share_store.py')
    return hashlib.md5(b''.join((course/f).read_bytes() for f in files)).hexdigest()


def share_store(folder: ClassFolder):
    "Load classroom/share_store.py at every Python start in the class's environment (it says why)"
    site = Path(run(folder.env/'bin'/'python', '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').strip())
    shutil.copyfile(folder.course/'classroom'/'share_store.py', site/'regression_course_share_store.py')
    (site/'regression_course_share_store.pth').write_text('import regression_course_share_store\n')


def install_environment(folder: ClassFolder):
    "The class's Python environment: exactly uv.lock, installed once for everybody, byte-compiled, read-only for students"
    stamp, wanted = folder.env/'.installed', deps_hash(folder.course)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    print('installing the course environment for the class (once; a few minutes the first time)', file=sys.stderr)
    uv = Path(sys.executable).parent/'uv'
    env = {**{k: v for k, v in os.environ.items() if k != 'VIRTUAL_ENV'}, 'UV_PROJECT_ENVIRONMENT': str(folder.env)}
    run(uv, 'sync', '-q', '--locked', '--extra', 'dev', '--python', class_python(), cwd=folder.course, env=env)
    # students cannot write next to the library: compile it now, or every process they start compiles it again
    run(folder.env/'bin'/'python', '-m', 'compileall', '-q', '-j', '0', folder.env/'lib', folder.course/'regression_course')
    settings = folder.env/'share'/'jupyter'/'lab'/'settings'
    settings.mkdir(parents=True, exist_ok=True)
    (settings/'overrides.json').write_text(json.dumps(LAB_SETTINGS, indent=1))
    share_store(folder)
    stamp.write_text(wanted + '\n')


def serve(s: dict):
    check(s)
    folder = prepare(s)
    head = publish(folder)
    roster = read_roster(s['roster'])
    port = os.environ.get('CLASS_PORT', '8010')
    ip = os.environ.get('CLASS_IP', '127.0.0.1')
    print(f"class: {len(roster.students)} students, instructors {', '.join(roster.instructors)}; course at {head[:8]}; "
          f"folder {folder.root}\nlimits per student: {os.environ.get('CLASS_MEM_LIMIT', '2G')} memory, enforced by "
          f"{enforceable()}\nhub: http://{ip}:{port}/  (first login sets the password)\n"
          f"class view: http://{ip}:{port}/user/<instructor>/voila/render/regression-course/app/class_view.ipynb",
          file=sys.stderr, flush=True)
    env = {**os.environ, 'CLASS_DIR': str(folder.root), 'CLASS_ROSTER': str(Path(s['roster']).resolve()),
           'CLASS_USER_PREFIX': s['prefix']}
    hub = Path(sys.executable).parent/'jupyterhub'
    os.chdir(folder.hub)
    os.execve(hub, [str(hub), '-f', str(CONFIG)], env)


def remove_users(s: dict):
    "Delete the Unix users and groups the class made (homes stay, in the class folder)"
    if os.geteuid() != 0:
        fail('run it as root')
    if not s['prefix']:
        fail('CLASS_USER_PREFIX must not be empty')
    for user in pwd.getpwall():
        if user.pw_name.startswith(s['prefix']) and Path(user.pw_dir).parent == s['dir']/'home':
            run('userdel', user.pw_name)
    for group in s['groups']:
        try: grp.getgrnam(group)
        except KeyError: continue
        run('groupdel', group)
    for controller in ('memory', 'pids', 'cpu'):  # the students' control groups (empty once their servers stopped)
        parent = own_cgroup(controller)
        for folder in (p for p in (parent.glob(s['prefix'] + '*') if parent else []) if p.is_dir()):
            try: folder.rmdir()
            except OSError as e: print(f'{folder} stays: {e}', file=sys.stderr)


if __name__ == '__main__':
    command = sys.argv[1] if len(sys.argv) > 1 else 'serve'
    s = settings()
    if command == 'serve':
        serve(s)
    elif command == 'publish':
        check(s)
        print(f'published {publish(prepare(s))[:8]}: students get it at their next server start')
    elif command == 'remove-users':
        remove_users(s)
    else:
        fail(f'unknown command {command!r}: serve, publish or remove-users')
