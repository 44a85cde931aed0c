"""`make test`: every check CI runs, in a private folder that is removed at the end.

    python tools/run_checks.py [--workers 2] [--nbtest_workers 3]

1. The quick checks (tools/checks.py): the notebooks are clean, the library matches them, the README and the
   teaching plan too.
2. The course run, trained ONCE (tools/golden.py): the course flow on the shipped dataset with its default
   parameters. Every check that needs that model gets a copy of this datastore instead of training its own.
3. Two chains side by side, one per core: the notebooks (nbdev_test), then the course site built from them and its
   browser checks; and pytest. `npm ci` (the site's JavaScript, the class hub's proxy) runs during steps 1-2. The first chain's output
   is shown when both are done, after pytest's.
4. No process started by the checks may still be running (tools/leftovers.py).

Everything runs with a private temporary folder (TMPDIR) and a private Metaflow datastore: your own .metaflow/ and
runs are never read or touched. Every process started inherits REGRESSION_COURSE_TEST_RUN, which is how step 4
finds them. Each step prints `[<step> took N s]` (benchmarks/bench_make_test.py reads those lines).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))
import golden  # noqa: E402
import leftovers  # noqa: E402


class Step:
    "Run `make -s <target>` (or a command), timed; output to the terminal or to a log file"
    def __init__(self, env, log=None):
        self.env, self.log = env, log
        self.procs = []

    def __call__(self, name, cmd=None) -> bool:
        cmd = cmd or ['make', '--no-print-directory', '-s', name]
        out = open(self.log, 'a') if self.log else None
        started = time.monotonic()
        try:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                    start_new_session=True)  # its own process group: Ctrl-C stops all of it
            self.procs.append(proc)
            ok = proc.wait() == 0
        finally:
            if out: out.close()
        line = f'[{name} took {round(time.monotonic() - started)} s]' if ok else f'FAIL: {name} (see above)'
        if self.log:
            with open(self.log, 'a') as f: print(line, file=f)
        else:
            print(line, flush=True)
        return ok

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                try: os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError: pass


def start_npm(env: dict, log: Path) -> subprocess.Popen:
    "`npm ci` when package-lock.json changed (make's rule): the site's JavaScript and the class hub's proxy"
    with open(log, 'w') as out:
        return subprocess.Popen(['make', '--no-print-directory', '-s', 'node_modules/.package-lock.json'], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def npm_ok(npm: subprocess.Popen, log: Path) -> bool:
    "Wait for `npm ci`; print its output if it failed"
    if npm.wait() == 0: return True
    print(log.read_text() + 'FAIL: npm ci (above)', flush=True)
    return False


def notebooks_then_site(step: Step) -> bool:
    "nbtest, then the site and its browser checks"
    return step('nbtest') and step('site') and step('site-check')


@call_parse
def main(
    workers:int=2, # pytest's workers (and the site checks')
    nbtest_workers:int=3, # nbdev_test's workers
):
    "Run every check CI runs"
    if not shutil.which('npm'):
        sys.exit('FAIL: make test needs Node.js 18 or newer with npm (the site\'s JavaScript, the class hub\'s proxy):'
                 ' `apt install nodejs npm`, `brew install node`, or https://nodejs.org (README: Where it runs)')
    run = Path(tempfile.mkdtemp(prefix='regression-course-test.')).resolve()
    (run/'tmp').mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ('METAFLOW_DATATOOLS_LOCALROOT', 'METAFLOW_CLIENT_CACHE_PATH')}
    env.update(REGRESSION_COURSE_TEST_RUN=str(run), TMPDIR=str(run/'tmp'), NBTEST_WORKERS=str(nbtest_workers),
               WORKERS=str(workers), METAFLOW_DATASTORE_SYSROOT_LOCAL=str(run/'datastore'))
    env.setdefault('METAFLOW_USER', 'tester')
    os.environ.update(env)  # for golden and leftovers, in this process
    here, notebooks = Step(env), Step(env, log=run/'notebooks.log')
    npm = start_npm(env, run/'npm.log')  # meanwhile: pytest (the class hub) and the site need it
    here.procs.append(npm)
    try:
        for check in ('check-clean', 'check-export', 'check-readme', 'check-plan'):
            if not here(check): sys.exit(1)
        started = time.monotonic()
        source = golden.course_run_datastore(run/'golden')
        golden.copy_datastore(source, run/'datastore')  # the notebooks' datastore starts with the course run
        print(f'[course run took {round(time.monotonic() - started)} s]', flush=True)
        env['REGRESSION_COURSE_GOLDEN'] = str(source)  # pytest's workers copy it too
        if not npm_ok(npm, run/'npm.log'): sys.exit(1)
        print('running the notebooks, the site and its browser checks (output below, when done) beside pytest:', flush=True)
        chain = {}
        thread = threading.Thread(target=lambda: chain.update(ok=notebooks_then_site(notebooks)))
        thread.start()
        pytest_ok = here('pytest')
        thread.join()
        print((run/'notebooks.log').read_text(), end='', flush=True)
        if not pytest_ok: sys.exit('FAIL: pytest (above)')
        if not chain.get('ok'): sys.exit('FAIL: the notebooks or the site (above)')
        if leftovers.main(str(run)): sys.exit(1)
    except KeyboardInterrupt:
        here.stop()
        notebooks.stop()
        sys.exit(130)
    finally:
        if (stopped := leftovers.stop_all(str(run))):  # after a failure too: nothing keeps running on your machine
            print(f'stopped {stopped} process(es) the checks had left running', flush=True)
        shutil.rmtree(run, ignore_errors=True)
