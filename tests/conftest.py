"""Shared test set-up: a private Metaflow datastore holding the course run, and helpers that run the real flow.

The datastore is configured here, at import, before any test module imports `metaflow` (Metaflow reads its
settings once, on import). The course run (the flow on the shipped dataset with default parameters) is trained
once per `make test` (tools/golden.py) and copied into each worker's datastore; run alone, pytest trains it once
for all its workers, when the first test asks for it.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from types import SimpleNamespace
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT/'tools'))
import browser  # noqa: E402  (tools/browser.py: the same search `make browser` makes)
import golden  # noqa: E402  (tools/golden.py: the course run, trained once)
from slowest_first import slowest_first  # noqa: E402  (tools/slowest_first.py)
from regression_course import config  # noqa: E402
from regression_course.slow_clients import GUNICORN_OPTIONS  # noqa: E402  (gunicorn.conf.py, as `make serve`)

_DATASTORE = Path(tempfile.mkdtemp(prefix='regression-course-tests-')).resolve()
os.environ.update(config.datastore_env(_DATASTORE))
os.environ.setdefault('METAFLOW_USER', 'tester')  # a name you exported (METAFLOW_USER=ada) is kept: tests must not care
os.environ.setdefault('MPLBACKEND', 'Agg')
assert config.configure_metaflow() == _DATASTORE
if 'REGRESSION_COURSE_GOLDEN' in os.environ:  # `make test` trained the course run once: every worker starts with it
    config.copy_datastore(os.environ['REGRESSION_COURSE_GOLDEN'], _DATASTORE)

FLOW_PATH = config.FLOW_FILE
IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')
ALLOW_SKIP = os.environ.get('ALLOW_SKIP', '').lower() in ('1', 'true', 'yes')
CHROMIUM = browser.find_chromium()
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']  # no background traffic: this machine's network is closed


def missing_browser() -> str | None:
    "Why the browser tests cannot run here, or None when Chromium and Playwright are both available"
    if CHROMIUM is None: return browser.WHAT_TO_DO
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'the playwright package is missing'
    return None


@contextmanager
def chromium():
    "Debian's Chromium through Playwright, closed at the end; missing, it fails the test in CI and skips it elsewhere"
    if problem := missing_browser():
        if IN_CI: pytest.fail(f'CI=true and {problem}: the browser tests cannot be skipped in CI')
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try: yield browser
        finally: browser.close()


# --- a student copy (`make student-copy`): the tests of the instructors' files are deselected, visibly ----------
STUDENT_COPY = (REPO_ROOT/'STUDENT_COPY.md').exists()  # written by tools/student_copy.py, at a copy's root only
LEFT_OUT_REASON = ("they check the instructors' files (solutions/, the capstone's reference solution), which this "
                   'student copy leaves out: see STUDENT_COPY.md')


def pytest_configure(config):
    config.addinivalue_line('markers', "instructors: needs what only the instructors' repository has "
                                       '(tools/instructors_only.txt); deselected in a student copy')
    config.instructors_deselected = set()  # node ids, gathered from pytest's workers when it has them


# The test files that take longest start first. pytest-xdist (`--dist loadfile`) hands out whole files; by itself
# it starts the files with the most tests first, so test_classroom (5 tests, the longest file) started among the
# last and kept one worker going alone. `make pytest` passes `--no-loadscope-reorder`, so this order holds. The
# summary's "slowest files" line says what each file took.
SLOWEST_FILES = ('test_classroom.py', 'test_student_runs.py', 'test_exercises.py', 'test_remote.py',
                 'test_swift_store.py', 'test_hostile.py', 'test_voila_kernels.py', 'test_promotion.py',
                 'test_live_swap.py')  # a quiet make test: 221, 178, 155, 85, 85, 82, 65, 54 s, ...


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect anything: what was collected, for the student-copy check
def pytest_collection_modifyitems(config, items):
    "The slowest files first; in a student copy, deselect (never skip) the tests marked `instructors`"
    items[:] = slowest_first(items, SLOWEST_FILES, lambda item: item.path.name)  # tests in a file keep their order
    config.collected_ids = [item.nodeid for item in items]
    config.instructors_marked = {item.nodeid for item in items if item.get_closest_marker('instructors')}
    if not STUDENT_COPY: return
    left_out = [item for item in items if item.get_closest_marker('instructors')]
    if left_out:
        items[:] = [item for item in items if not item.get_closest_marker('instructors')]
        config.hook.pytest_deselected(items=left_out)
        config.instructors_deselected.update(item.nodeid for item in left_out)


_FILE_SECONDS = {}  # test file -> seconds of its set-ups, tests and tear-downs


def pytest_runtest_logreport(report):
    "Add up each test file's time (under pytest-xdist, in the controller: the workers send it every report)"
    path = report.nodeid.split('::')[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0) + report.duration


def pytest_testnodedown(node, error):
    "pytest-xdist: a worker hands what it deselected to the controller, which writes the summary"
    node.config.instructors_deselected.update(getattr(node, 'workeroutput', {}).get('instructors_deselected', ()))


def pytest_terminal_summary(terminalreporter):
    "Say, in the summary, which files took longest, what a student copy left out and why; that skips fail the run"
    slowest = sorted(_FILE_SECONDS.items(), key=lambda kv: -kv[1])[:8]
    if slowest:
        terminalreporter.write_line('slowest files (set-up, tests and tear-down, summed): ' +
                                    ', '.join(f'{Path(p).name} {s:.0f} s' for p, s in slowest))
    deselected = terminalreporter.config.instructors_deselected
    if deselected:
        terminalreporter.write_line(f'{len(deselected)} test(s) deselected: {LEFT_OUT_REASON}', yellow=True)
        if not terminalreporter.stats.get('deselected'):  # under pytest-xdist the controller has not counted them
            # pytest's last line counts them too; other plugins read every entry's attributes, as of a report
            terminalreporter.stats['deselected'] = [SimpleNamespace(nodeid=n) for n in sorted(deselected)]
    skipped = terminalreporter.stats.get('skipped', [])
    if skipped and not ALLOW_SKIP:
        terminalreporter.write_line(f'FAIL: {len(skipped)} test(s) skipped (reasons above). Skips hide failures: '
                                    'fix what is missing, or run with ALLOW_SKIP=1 if you really mean to skip them.', red=True)


def pytest_sessionfinish(session, exitstatus):
    "A skipped test fails the run, unless ALLOW_SKIP=1; the controller removes the course run pytest trained on its own"
    if hasattr(session.config, 'workeroutput'):  # a pytest-xdist worker: what it deselected goes to the controller
        session.config.workeroutput['instructors_deselected'] = sorted(session.config.instructors_deselected)
    if not hasattr(session.config, 'workerinput'):
        uid = os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())
        shutil.rmtree(Path(tempfile.gettempdir())/f'regression-course-golden-{uid}', ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    if reporter and reporter.stats.get('skipped') and not ALLOW_SKIP and exitstatus == 0:
        session.exitstatus = 1


def run_flow(*args, cwd=None, check=True, timeout=300, env=None, flow=None):
    "Run `python regression_course/flow.py run *args` (or another `flow` file) for real, in the tests' datastore"
    cmd = [sys.executable, str(flow or FLOW_PATH), '--no-pylint', 'run', *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd or _DATASTORE, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f'flow failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on right now"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def stop(proc, grace=15):
    "Terminate a server process, killing it if it has not stopped within `grace` seconds"
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def gunicorn_command(port, factory_args=''):
    "The command `make serve` runs, on `port`, with `create_app(factory_args)`"
    return [sys.executable, '-m', 'gunicorn', *GUNICORN_OPTIONS, '--bind', f'127.0.0.1:{port}',
            f'regression_course.serving:create_app({factory_args})']


def port_open(port) -> bool:
    "True once something accepts connections on 127.0.0.1:`port` (an `OSError` until then)"
    with socket.create_connection(('127.0.0.1', port), timeout=1):
        return True


@contextmanager
def serving(cmd, log, is_ready, env=None, timeout=180):
    """Start a server (output to `log`), wait until `is_ready()` is true, yield the process, and always stop it.
    `timeout` only turns a server that never gets ready into a failure (how fast it starts is not checked here): on a
    busy 2-core machine importing scikit-learn and Flask in two gunicorn workers has taken over a minute"""
    with open(log, 'wb') as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env={**os.environ, **(env or {})},
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, f'{cmd} exited:\n{Path(log).read_text()[-3000:]}'
            assert time.monotonic() < deadline, f'{cmd} not ready after {timeout} s:\n{Path(log).read_text()[-3000:]}'
            try:
                if is_ready(): break
            except OSError:
                pass
            time.sleep(0.1)
        yield proc
    finally:
        stop(proc)


@pytest.fixture(scope='session', autouse=True)
def datastore():
    "The tests' private datastore root (removed at the end of the session)"
    yield _DATASTORE
    shutil.rmtree(_DATASTORE, ignore_errors=True)


def copy_of(datastore, folder) -> dict:
    "Copy `datastore` (its runs) into `folder`; the environment of a process that should use the copy"
    config.copy_datastore(datastore, folder)
    return {**os.environ, **config.datastore_env(folder)}


@pytest.fixture(scope='session')
def deployable_run(datastore):
    "The course run: a real, successful, deployable run of SampleRegressionFlow on the course dataset"
    from regression_course.registry import course_run
    if course_run(train=False) is None:  # pytest on its own: its workers share one training (tools/golden.py)
        shared = Path(tempfile.gettempdir())/f"regression-course-golden-{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}"
        config.copy_datastore(golden.course_run_datastore(shared), datastore)
    run = course_run(train=False)
    assert run is not None and config.DEPLOYABLE_TAG in run.tags, 'the course dataset should give a deployable run'
    return run
