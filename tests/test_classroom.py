"""A whole class on one course server (`make classroom`), used as people use it: in Chromium, through JupyterHub.

One hub, started as `make classroom` starts it (tools/classroom.py) and shared by every check here, serves a roster
of three students and an instructor; each becomes a Unix user on first login. The students log in (the first
login sets the password), each runs the flow (`--candidates linear`) from a new notebook in their own server,
and the instructor's class view (Voila, in the instructor's server) lists the three users' runs. A name not on
the roster and a wrong password are refused. A student cannot open another student's notebook, neither through
the hub nor from their own kernel. Then the hub restarts, and no notebook and no run is lost.

Needs root (the hub makes Unix users; they and their groups are deleted at the end) and Chromium. Without them
the tests are skipped (which fails the run unless ALLOW_SKIP=1); with CI=true they fail.
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import IN_CI, REPO_ROOT, chromium, free_port, missing_browser, port_open, stop
import student_copy  # noqa: E402  (tools/, on the path from conftest)

STUDENTS = ('alice', 'bob', 'carol')
INSTRUCTOR = 'teacher'
PASSWORDS = {name: f'{name}-first-use-1' for name in (*STUDENTS, INSTRUCTOR)}
FLOW = '!python ~/regression-course/regression_course/flow.py --no-pylint run --candidates linear || echo the flow failed'
CLASS_VIEW = 'voila/render/regression-course/app/class_view.ipynb'
NOTEBOOK = 'regression-course/nbs/my_flow.ipynb'  # the notebook each student makes, where they land
WAIT = 300_000  # ms: a server starting, or a flow running, on a busy two-core machine


def _unusable() -> str | None:
    if os.geteuid() != 0: return 'make classroom needs root (it makes a Unix user per student)'
    if not (REPO_ROOT/'node_modules'/'.bin'/'configurable-http-proxy').exists():
        return "JupyterHub's proxy is missing: run `npm ci`"
    return missing_browser()


if (_problem := _unusable()):
    if IN_CI: pytest.fail(f'CI=true and {_problem}', pytrace=False)
    pytest.skip(_problem, allow_module_level=True)


class Hub:
    "The class's hub, started and stopped as `make classroom` starts it (Ctrl-C stops it and every server)"

    def __init__(self, folder: Path, roster: Path, prefix: str):
        self.folder, self.prefix, self.port = folder, prefix, free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.env = {**os.environ, 'CLASS_DIR': str(folder), 'CLASS_ROSTER': str(roster), 'CLASS_USER_PREFIX': prefix,
                    'CLASS_PORT': str(self.port), 'CLASS_HUB_PORT': str(free_port()),
                    'CLASS_PROXY_API_PORT': str(free_port())}
        self.log, self.proc, self.starts = folder.parent/f'{folder.name}.log', None, 0

    def start(self):
        self.starts += 1
        with open(self.log, 'ab') as out:  # as from a script, `make classroom &`: SIGINT ignored, as a shell does
            self.proc = subprocess.Popen([sys.executable, str(REPO_ROOT/'tools'/'classroom.py'), 'serve'],
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        deadline = time.monotonic() + 600  # the first start installs the class's environment
        while True:
            assert self.proc.poll() is None, f'the hub exited:\n{self.log.read_text()[-4000:]}'
            assert time.monotonic() < deadline, f'the hub is not up after 600 s:\n{self.log.read_text()[-4000:]}'
            try:
                if port_open(self.port) and urllib.request.urlopen(f'{self.url}/hub/api', timeout=5).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)

    def stop(self):
        stop(self.proc, grace=120)  # the hub stops each student's server, then its proxy

    def home(self, name: str) -> Path:
        return self.folder/'home'/f'{self.prefix}{name}'


@pytest.fixture(scope='module')
def hub(request):
    "A class of three students and an instructor, in a class folder every user can reach (not under a private TMPDIR)"
    folder = Path(tempfile.mkdtemp(prefix='regression-course-class-', dir='/tmp'))
    folder.chmod(0o755)
    roster = folder.parent/f'{folder.name}.roster'
    roster.write_text(f'# a test class\n{INSTRUCTOR} instructor\n' + '\n'.join(STUDENTS) + '\n')
    hub = Hub(folder, roster, prefix=f'rc{secrets.token_hex(2)}-')
    try:
        hub.start()
        yield hub
    finally:
        if hub.proc is not None: hub.stop()
        if request.session.testsfailed: print(f'the hub said, at the end:\n{hub.log.read_text()[-6000:]}', file=sys.stderr)
        subprocess.run([sys.executable, str(REPO_ROOT/'tools'/'classroom.py'), 'remove-users'], env=hub.env, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        for leftover in (roster, hub.log): leftover.unlink(missing_ok=True)


@pytest.fixture(scope='module')
def browser():
    with chromium() as browser:
        yield browser


def log_in(browser, hub, name, password=None):
    "A new browser (its own cookies) on the hub's login page, with the form filled in and sent: the page"
    page = browser.new_context().new_page()
    page.goto(f'{hub.url}/hub/login')
    page.fill('#username_input', name)
    page.fill('#password_input', password or PASSWORDS[name])
    page.click('#login_submit')
    return page


def wait_for_lab(page, name):
    "Wait until the user's own JupyterLab is up (their server started on login)"
    page.wait_for_url(f'**/user/{name}/lab**', timeout=WAIT)
    page.wait_for_selector('.jp-Launcher', timeout=WAIT)


def new_notebook(page):
    "File > New > Notebook, with the default kernel, ready to run"
    page.click('.lm-MenuBar-itemLabel:text-is("File")')
    page.click('.lm-Menu-itemLabel:text-is("New")')
    page.click('.lm-Menu-itemLabel:text-is("Notebook")')
    page.click('.jp-Dialog button:has-text("Select")')
    page.wait_for_selector('.jp-StatusBar-TextItem:has-text("| Idle")', timeout=WAIT)


def run_cell(page, code):
    "Type `code` in the notebook's last cell and run it (Shift+Enter)"
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .cm-content').last.click()
    page.keyboard.type(code)
    page.keyboard.press('Shift+Enter')


def wait_for_output(page, text, timeout=WAIT, unless=None):
    "Wait until a cell's output says `text` (failing at once if it says `unless`): the outputs, as text"
    from playwright.sync_api import TimeoutError
    outputs = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'
    either = ', '.join(f'{outputs}:has-text("{t}")' for t in (text, unless) if t)
    try:
        page.wait_for_selector(either, timeout=timeout)
        said = '\n'.join(page.locator(outputs).all_inner_texts())
    except TimeoutError:
        said = '\n'.join(page.locator(outputs).all_inner_texts())
        raise AssertionError(f'{page.url}: nothing said {text!r} in {timeout / 1000:.0f} s; the outputs say:\n{said[-3000:]}')
    assert text in said, f'{page.url}: the outputs say:\n{said[-3000:]}'
    return said


def save_as(page, name):
    "Save the new notebook (Ctrl+S): JupyterLab asks for a name the first time"
    page.keyboard.press('Control+s')
    page.fill('.jp-Dialog input', name)
    page.click('.jp-Dialog button:has-text("Rename")')
    page.wait_for_selector('.jp-Dialog', state='detached')


def wait_for_file(path: Path, text: str, timeout=60):
    "Wait until `path` exists and holds `text` (a notebook saved by the browser)"
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text()):
        assert time.monotonic() < deadline, f'{path} was not saved with {text!r}'
        time.sleep(0.2)


def class_view_rows(browser, hub):
    "The instructor logs in and opens the class view: its run table's rows, as text"
    page = log_in(browser, hub, INSTRUCTOR)
    page.wait_for_url(f'**/user/{INSTRUCTOR}/lab**', timeout=WAIT)
    page.goto(f'{hub.url}/user/{INSTRUCTOR}/{CLASS_VIEW}', timeout=WAIT)
    page.wait_for_selector('table.class-view', timeout=WAIT)
    rows = page.locator('table.class-view').last.locator('tbody tr').all_inner_texts()
    page.context.close()
    return rows


@pytest.fixture(scope='module')
def students(browser, hub):
    "Each student logs in for the first time and runs the flow in a new notebook; their pages, open"
    pages = {name: log_in(browser, hub, name) for name in STUDENTS}
    for name, page in pages.items():
        wait_for_lab(page, name)
        new_notebook(page)
        run_cell(page, FLOW)  # all three run at once
    for name, page in pages.items():
        wait_for_output(page, 'Done!', unless='the flow failed')
        save_as(page, Path(NOTEBOOK).name)
        wait_for_file(hub.home(name)/NOTEBOOK, 'Done!')
    yield pages
    for page in pages.values():
        if not page.is_closed(): page.context.close()


def test_each_student_runs_the_flow_in_their_own_server(hub, students):
    for name in STUDENTS:
        home = hub.home(name)
        assert home.owner() == f'{hub.prefix}{name}' and home.stat().st_mode & 0o777 == 0o700, home
        copy = home/'regression-course'
        assert (copy/'nbs'/'00_course.ipynb').exists()  # their own copy of the course
        left_out = [pattern.rstrip('/') for pattern in student_copy.instructors_only_patterns()]
        assert (copy/student_copy.MARKER).exists() and not any(any(copy.glob(p)) for p in left_out)  # a student copy
        log = subprocess.run(['git', '-c', f'safe.directory={copy}', '-C', copy, 'log', '--all', '--format=%s'],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        ours = ('The course, as of commit', 'Automatic commit by nbgitpuller')
        assert log and all(line.startswith(ours) for line in log), log  # publications only: no instructors' history
    servers = subprocess.run(['ps', '-ww', '-o', 'user:32=,args=', '-C', 'jupyterhub-singleuser'], capture_output=True,
                             text=True).stdout.splitlines()
    for name in STUDENTS:  # each server runs as its student's own Unix user, with the steady file manager (99b)
        mine = [line for line in servers if line.split()[0] == f'{hub.prefix}{name}']
        assert len(mine) == 1 and 'classroom.SteadyContentsManager' in mine[0], servers


def test_the_instructor_sees_every_students_runs(browser, hub, students):
    rows = class_view_rows(browser, hub)
    for name in STUDENTS:
        mine = [r for r in rows if r.split('\t')[0] == name]
        assert len(mine) == 1 and 'successful' in mine[0] and 'linear' in mine[0] and 'passed' in mine[0], rows


def test_a_stranger_and_a_wrong_password_are_refused(browser, hub, students):
    for name, password in (('mallory', 'mallory-password'), ('alice', 'not-alices-password')):
        page = log_in(browser, hub, name, password)
        page.wait_for_selector('.login_error', timeout=60_000)
        assert '/hub/login' in page.url and 'Invalid' in page.inner_text('.login_error'), page.url
        page.context.close()


def test_a_student_cannot_open_another_students_notebook(hub, students):
    alice = students['alice']
    elsewhere = alice.context.new_page()  # a second tab, logged in as Alice
    answer = elsewhere.goto(f'{hub.url}/user/bob/lab/tree/{NOTEBOOK}')
    assert answer.status == 403 and 'You do not have permission' in elsewhere.inner_text('body')
    elsewhere.close()
    run_cell(alice, f"open('{hub.home('bob')/NOTEBOOK}').read()")
    wait_for_output(alice, 'PermissionError', timeout=60_000)


def test_the_hub_restarts_and_loses_no_notebook_and_no_run(browser, hub, students):
    for page in students.values(): page.context.close()
    assert (hub.home('carol')/NOTEBOOK).exists()
    hub.stop()
    hub.start()  # publishes the course again: exactly the student copy's files, not the bytecode beside them
    published = subprocess.run(['git', '-C', hub.folder/'course', 'ls-files'], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    ours = subprocess.run(['git', '-C', REPO_ROOT, 'ls-tree', '-r', '--name-only', 'HEAD'], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    extra = set(published) - set(ours) - {student_copy.MARKER}
    assert not extra, sorted(extra)[:5]
    page = log_in(browser, hub, 'carol')  # the password set on first use still holds
    page.wait_for_url('**/user/carol/lab**', timeout=WAIT)
    page.goto(f'{hub.url}/user/carol/lab/tree/{NOTEBOOK}')
    wait_for_output(page, 'Done!')  # her notebook, with the flow's output as she saved it
    page.context.close()
    rows = class_view_rows(browser, hub)
    assert sorted(r.split('\t')[0] for r in rows) == sorted(STUDENTS), rows
