import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

NAME = re.compile(r'[a-z][a-z0-9_-]{0,19}')  # a roster name; with the prefix it stays a valid Linux login name

@dataclass(frozen=True)
class Roster:
    "Who is in the class: students and instructors, by the names they log in with"
    students: tuple[str, ...]
    instructors: tuple[str, ...]

    @property
    def everyone(self) -> tuple[str, ...]: return self.instructors + self.students

def read_roster(
    path:str|Path, # the roster: one name a line; `instructor` after an instructor's name; `#` starts a comment
) -> Roster:
    "The class in a roster file; a `ValueError` names the first bad line"
    students, instructors, seen = [], [], set()
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        where = f'{path}, line {number}'
        name, role = words[0], words[1:]
        if not NAME.fullmatch(name):
            raise ValueError(f'{where}: {name!r} is not a usable login name '
                             '(lowercase letters, digits, - and _, starting with a letter, at most 20)')
        if role not in ([], ['instructor']):
            raise ValueError(f"{where}: after the name, write nothing or `instructor`, not {' '.join(role)!r}")
        if name in seen:
            raise ValueError(f'{where}: {name!r} is listed twice')
        seen.add(name)
        (instructors if role else students).append(name)
    if not instructors:
        raise ValueError(f'{path}: no instructor: mark at least one line `<name> instructor`')
    return Roster(tuple(students), tuple(instructors))

@dataclass(frozen=True)
class ClassFolder:
    "The folders of a class on one server: everything `make classroom` keeps, and keeps across restarts"
    root: Path

    @property
    def hub(self) -> Path: return self.root/'hub'  # JupyterHub's database, cookie secret and passwords (root only)
    @property
    def course(self) -> Path: return self.root/'course'  # the published course: a git checkout students pull from
    @property
    def env(self) -> Path: return self.root/'env'  # the class's Python environment, installed once, read-only
    @property
    def store(self) -> Path: return self.root/'store'  # the shared run store: Metaflow's `.metaflow/`
    @property
    def progress(self) -> Path: return self.root/'progress'  # exercises done: one file per student
    @property
    def homes(self) -> Path: return self.root/'home'  # each student's home: their own course copy
    @property
    def gitconfig(self) -> Path: return self.root/'gitconfig'  # lets students' git trust the published course
    @property
    def roster(self) -> Path: return self.root/'roster.txt'  # the roster, as the instructors' class view reads it

COURSE_COPY = 'regression-course'  # the course copy's folder in each student's home (a hyphen: never an importable name)
PUBLISHED_BRANCH = 'course'  # the branch of the published course that students' copies follow
PROGRESS_ENV = 'REGRESSION_COURSE_PROGRESS'  # where `make exercises` records a student's progress
ROSTER_ENV = 'CLASS_ROSTER'  # the roster (readable by instructors only)

def student_environment(
    folder:ClassFolder, # the class
    name:str, # the student's roster name: their runs are tagged `user:<name>`
    home:str|Path, # the student's home folder
) -> dict[str, str]: # variables to set in the student's server
    "The environment of a student's server: the class's Python, the shared run store, and their own name"
    home = Path(home)
    return {
        'PATH': f"{folder.env/'bin'}:/usr/local/bin:/usr/bin:/bin",
        'METAFLOW_USER': name,
        'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(folder.store),
        'REGRESSION_COURSE_SHARED_STORE': str(folder.store),  # see classroom/share_store.py
        'METAFLOW_DATATOOLS_LOCALROOT': str(folder.store/'.metaflow'/'data'),
        'METAFLOW_CLIENT_CACHE_PATH': str(home/'.cache'/'metaflow_client'),
        PROGRESS_ENV: str(folder.progress/f'{name}.json'),
        ROSTER_ENV: str(folder.roster),
        'GIT_CONFIG_SYSTEM': str(folder.gitconfig),
    }

def sync_course(
    source:str|Path, # the published course: a git repository
    dest:str|Path, # the student's copy
    branch:str=PUBLISHED_BRANCH, # the branch to follow
    env:str|Path|None=None, # the class's Python environment, linked as the copy's `.venv`
) -> list[str]: # what git said
    "Copy the course on first use; afterwards merge new material in the way nbgitpuller does, never overwriting an edit"
    from nbgitpuller.pull import GitPuller
    said = list(GitPuller(str(source), str(dest), branch=branch).pull())
    venv = Path(dest)/'.venv'
    if env is not None and not venv.exists():
        venv.symlink_to(env)
    return said

def parse_size(
    size:str|int, # bytes, or a number with K, M, G or T (powers of 1024), e.g. '2G'
) -> int: # bytes
    "A memory size in bytes"
    text = str(size).strip().upper()
    units = {'': 1, 'K': 2**10, 'M': 2**20, 'G': 2**30, 'T': 2**40}
    match = re.fullmatch(r'(\d+(?:\.\d+)?)\s*([KMGT]?)B?', text)
    if not match:
        raise ValueError(f'{size!r} is not a memory size: write e.g. 2G, 512M or a number of bytes')
    return int(float(match.group(1)) * units[match.group(2)])

CGROUP_V1 = Path('/sys/fs/cgroup')

def own_cgroup(controller:str) -> Path|None:
    "This process's cgroup (version 1) for `controller`, or None"
    for line in Path('/proc/self/cgroup').read_text().splitlines():
        _, names, path = line.split(':', 2)
        if controller in names.split(','):
            found = CGROUP_V1/controller/path.lstrip('/')
            return found if found.is_dir() else None
    return None

@dataclass
class Limits:
    "What one student's server (and every process it starts) may use"
    memory:int # bytes of memory, all processes together
    tasks:int=512 # processes and threads, all together

    def cgroups(self, group:str) -> dict[str, Path]:
        "Make (or reuse) this student's control groups, with the limits written; controller: folder"
        made = {}
        for controller, files in (('memory', {'memory.limit_in_bytes': self.memory, 'memory.swappiness': 0}),
                                  ('pids', {'pids.max': self.tasks}),
                                  ('cpu', {'cpu.shares': 1024})):
            parent = own_cgroup(controller)
            if parent is None:
                continue
            folder = parent/group
            folder.mkdir(exist_ok=True)
            for name, value in files.items():
                try: (folder/name).write_text(str(value))
                except OSError:
                    if name != 'memory.swappiness': raise  # no swap here: that one is optional
            made[controller] = folder
        return made

def enforceable() -> str:
    "Say what can enforce a per-student limit here: control groups (version 1), or only per-process limits"
    if os.geteuid() != 0:
        return 'nothing: only root can start servers as other users and give them limits'
    memory = own_cgroup('memory')
    if memory is None or not os.access(memory, os.W_OK):
        return 'per-process limits only (setrlimit): no writable memory control group'
    return f'control groups (memory, processes, a fair share of the processor), made in {memory}'

def read_progress(
    folder:str|Path, # where students record their progress (`ClassFolder.progress`)
):
    "Exercises done per student, from what `make exercises` recorded: a `pandas.DataFrame`, one row a student"
    import pandas as pd
    rows = []
    for path in sorted(Path(folder).glob('*.json')):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # unreadable or half-written: skipped, never fatal
        rows.append(dict(user=path.stem, done=record.get('done'), total=record.get('total'),
                         checked=pd.to_datetime(record.get('time'), utc=True),
                         missing=', '.join(k for k, ok in record.get('exercises', {}).items() if not ok)))
    return pd.DataFrame(rows, columns=['user', 'done', 'total', 'checked', 'missing'])

_FINISHED: dict[str, dict] = {}  # a finished run never changes: read once per process

def _run_row(run) -> dict:
    "One run, as the class view shows it"
    from .registry import DEPLOYABLE_TAG, _started, _user
    if run.pathspec in _FINISHED:
        return {**_FINISHED[run.pathspec], 'deployable': DEPLOYABLE_TAG in run.tags}  # tags can change
    row = dict(user=_user(run), run=run.id, started=_started(run), status='running or failed',
               candidate=None, r2=float('nan'), gate=None)
    try:
        task = run['test_model'].task
        row.update(candidate=task['chosen_candidate'].data, r2=float(task['test_metrics'].data['r2']),
                   gate='passed' if task['gate'].data['passed'] else 'failed')
    except KeyError:
        pass  # stopped (or still running) before the quality gate
    if run.successful:
        row['status'] = 'successful'
        _FINISHED[run.pathspec] = row
    return {**row, 'deployable': DEPLOYABLE_TAG in run.tags}

def class_runs(
    flow_name:str|None=None, # the flow (default: the course's, `SampleRegressionFlow`)
):
    "Every user's runs, newest first: who ran what when, the chosen candidate, test R2, the gate's verdict, served or not"
    import pandas as pd
    from .registry import FLOW_NAME, _flow, latest_deployable_run
    flow_name = flow_name or FLOW_NAME
    served = latest_deployable_run(flow_name)
    rows = [_run_row(run) for run in (_flow(flow_name) or [])]
    columns = ['user', 'run', 'started', 'status', 'candidate', 'r2', 'gate', 'deployable']
    table = pd.DataFrame(rows, columns=columns)
    table['served'] = table.run == (served.id if served else None)
    return table.sort_values('started', ascending=False, ignore_index=True)

def class_board(
    runs, # a table from `class_runs`
    progress=None, # a table from `read_progress` (default: nobody has recorded any)
    roster:Roster|None=None, # the class (default: whoever has a run or a record)
):
    "One row per student: runs, the last one, the best test R2 that passed the gate, and exercises done"
    import pandas as pd
    progress = read_progress(Path('/nonexistent')) if progress is None else progress
    names = list(roster.students) if roster else sorted(set(runs.user) | set(progress.user))
    rows = []
    for name in names:
        mine = runs[runs.user == name]
        passed = mine[mine.gate == 'passed']
        done = progress[progress.user == name]
        rows.append(dict(user=name, runs=len(mine), last_run=mine.started.max() if len(mine) else pd.NaT,
                         passed_gate=len(passed), best_r2=passed.r2.max() if len(passed) else float('nan'),
                         exercises=(f'{done.done.iloc[0]} of {done.total.iloc[0]}' if len(done) else 'none recorded')))
    return pd.DataFrame(rows, columns=['user', 'runs', 'last_run', 'passed_gate', 'best_r2', 'exercises'])

def best_run(runs) -> dict|None:
    "The class's best model: the run with the highest test R2 among those that passed the gate (None if none did)"
    passed = runs[runs.gate == 'passed']
    return None if passed.empty else passed.loc[passed.r2.idxmax()].to_dict()

def _html(table, **formats) -> str:
    "A table as HTML, numbers and times formatted for people"
    shown = table.copy()
    for column, fmt in formats.items():
        shown[column] = shown[column].map(lambda v: '' if v is None or v != v else fmt.format(v))
    return shown.to_html(index=False, border=0, classes='class-view', na_rep='')

def class_view(
    flow_name:str|None=None, # the flow (default: the course's)
    progress:str|Path|None=None, # the progress folder (default: beside this server's own progress file)
    roster:str|Path|None=None, # the roster (default: `$CLASS_ROSTER`, if this user may read it)
):
    "The instructor's page: the served model, the class's best, one row per student, then every run"
    from IPython.display import HTML
    from .registry import load_model
    runs = class_runs(flow_name)
    where = progress or (Path(os.environ[PROGRESS_ENV]).parent if PROGRESS_ENV in os.environ else None)
    done = read_progress(where) if where else None
    try:
        people = read_roster(roster or os.environ[ROSTER_ENV])
    except (KeyError, OSError, ValueError):
        people = None  # a student's view: whoever has runs
    served, best = load_model(flow_name=flow_name) if flow_name else load_model(), best_run(runs)
    board = class_board(runs, done, people)
    when = '{:%Y-%m-%d %H:%M}'
    parts = ['<h2>The class</h2>',
             (f'<p><b>The class\'s API serves</b> run {served.run_id} ({served.candidate}, test R2 {served.r2:.4f}, '
              f'trained {served.trained_at:%Y-%m-%d %H:%M} UTC).</p>' if served else
              '<p><b>The class\'s API serves nothing yet</b>: no run has passed the gate and been promoted.</p>'),
             (f"<p><b>The class's best model</b>: {best['user']}'s run {best['run']} ({best['candidate']}, "
              f"test R2 {best['r2']:.4f}).</p>" if best else '<p>No run has passed the gate yet.</p>'),
             f'<h3>Students ({len(board)})</h3>',
             _html(board, last_run=when, best_r2='{:.4f}'),
             f'<h3>Every run ({len(runs)}), newest first</h3>',
             _html(runs, started=when, r2='{:.4f}')]
    return HTML('\n'.join(parts))

def serve(
    course:str|Path, # the published course
    env:str|Path, # the class's Python environment
    *args:str, # for jupyterhub-singleuser
):
    "Run as the student when their server starts: bring their course copy up to date, then become their server"
    import sys
    try:
        for line in sync_course(course, Path.home()/COURSE_COPY, env=env):
            print(line, end='', file=sys.stderr)
    except Exception as e:  # a copy git cannot merge still gets its server: the student keeps working
        print(f'the course copy was not updated: {e}', file=sys.stderr)
    server = Path(env)/'bin'/'jupyterhub-singleuser'
    os.execv(server, [str(server), *args])

#| eval: false
if __name__ == '__main__' and '__file__' in globals():
    import sys
    if sys.argv[1:2] == ['serve']:
        serve(*sys.argv[2:])
