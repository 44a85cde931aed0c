"""`make capstone-check`: check the capstone (capstone/README.md) wherever a check can be honest.

    python tools/capstone_check.py                               # your capstone, in capstone/
    python tools/capstone_check.py --plant rates                 # break that desk's feed (default: one at random)
    python tools/capstone_check.py --folder solutions/capstone   # the reference solution (instructors only)

Everything runs in a scratch Metaflow datastore, removed at the end: your own runs are never read or changed.

1. Your flow file is read, not run: `DesksFlow` has a step `test_desks` with a card whose id is `desks`.
2. A dataset with ONE desk's feed broken is written (capstone/make_data.py --bad_desk: that desk's P&L values
   shuffled among its days; the desk is chosen at random unless you say --plant), and your flow runs on it from a
   terminal, as you run it.
3. The run, through the Client API: it succeeded; `desk_report` has a verdict (`passed`, `reason`) for every
   desk; the broken desk FAILED and every sound desk passed; `served_desks` are the desks that passed; the run is
   tagged deployable.
4. The card `desks`: a table naming every desk with its verdict, an image, and text naming the desk not served.
5. Your app (`create_app()` in app.py) under gunicorn on 127.0.0.1: every served desk gets a prediction from
   that run, close to the desk's true line; the broken desk, an unknown desk and a bad x get a JSON error (never
   200, never 500); and once the run's `deployable` tag is taken away, the app (started again) serves nothing: 503.

It prints one line per check and `capstone: N of M checks passed`, and exits 1 unless all passed. What it cannot
judge (your choices, and why; your write-up) is the rubric's (capstone/README.md).
"""
import ast
import importlib.util
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
CAPSTONE = ROOT/'capstone'
FLOW_FILE, APP_FILE, FLOW_NAME, STEP, CARD_ID = 'desks_flow.py', 'app.py', 'DesksFlow', 'test_desks', 'desks'
CHECKS = [  # every check, in order: the total M of `N of M`
    'the flow has a step test_desks with a card "desks"',
    'the flow runs on a dataset with one broken desk',
    'desk_report has a verdict for every desk',
    'the broken desk failed its test',
    'every sound desk passed its test',
    'served_desks are the desks that passed',
    'the run is tagged deployable',
    'the card has a table of every desk and its verdict',
    'the card has an image',
    'the card names the desk not served',
    'the app predicts every served desk from that run',
    'the app refuses the broken desk with a JSON error',
    'the app answers an unknown desk and a bad x with a 4xx JSON error',
    'the app serves nothing once no run is deployable (503)',
]


def load_generator():
    "capstone/make_data.py, the shipped generator (whatever folder is checked)"
    spec = importlib.util.spec_from_file_location('capstone_make_data', CAPSTONE/'make_data.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Report:
    "The checks' verdicts, printed as they come"
    def __init__(self):
        self.verdicts = {}

    def __call__(self, check: str, hint: str | None):
        assert check in CHECKS, check
        self.verdicts[check] = hint
        print(f"{'ok' if hint is None else 'not yet':8} {check}" + ('' if hint is None else f': {hint}'), flush=True)
        return hint is None

    def skip_rest(self, why: str):
        for check in CHECKS:
            if check not in self.verdicts: self(check, f'not checked: {why}')

    def summary(self) -> bool:
        done = sum(hint is None for hint in self.verdicts.values())
        print(f'capstone: {done} of {len(CHECKS)} checks passed')
        return done == len(CHECKS)


def static_problem(flow_file: Path) -> str | None:
    "What the flow file lacks (a class DesksFlow with a step test_desks carrying @card(id='desks')), or None"
    if not flow_file.exists(): return f'no {flow_file}'
    try: tree = ast.parse(flow_file.read_text(), str(flow_file))
    except SyntaxError as e: return f'{flow_file.name} is not valid Python: {e}'
    flow = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == FLOW_NAME), None)
    if flow is None: return f'{flow_file.name} has no class {FLOW_NAME}'
    method = next((n for n in flow.body if isinstance(n, ast.FunctionDef) and n.name == STEP), None)
    if method is None: return f'{FLOW_NAME} has no step `{STEP}` yet (TODO 1)'
    names = [ast.unparse(d) for d in method.decorator_list]
    if 'step' not in names: return f'`{STEP}` is not decorated with @step'
    card = [d for d in method.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func) == 'card']
    ids = [kw.value.value for d in card for kw in d.keywords if kw.arg == 'id' and isinstance(kw.value, ast.Constant)]
    if CARD_ID not in ids: return f"`{STEP}` has no @card(type='blank', id='{CARD_ID}') yet (TODO 2)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def ask(port: int, body) -> tuple[int, dict | None]:
    "POST `body` (JSON) to /predict: (status, the JSON answer or None when it is not JSON)"
    data = json.dumps(body).encode()
    req = urllib.request.Request(f'http://127.0.0.1:{port}/predict', data=data, method='POST',
                                 headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    try: return status, json.loads(text)
    except ValueError: return status, None


class App:
    "The app under gunicorn on 127.0.0.1, started and always stopped"
    def __init__(self, folder: Path, env: dict, log: Path):
        self.folder, self.env, self.log, self.port = folder, env, log, free_port()

    def __enter__(self):
        cmd = [sys.executable, '-m', 'gunicorn', '--no-control-socket', '--chdir', str(self.folder),
               '--bind', f'127.0.0.1:{self.port}',
               '--workers', '1', '--timeout', '300', 'app:create_app()']
        with open(self.log, 'wb') as out:
            self.proc = subprocess.Popen(cmd, cwd=self.folder, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        while True:  # until it listens, or stops; a busy machine may take long, and nothing here is timed
            if self.proc.poll() is not None:
                raise RuntimeError(f'the app stopped before it listened:\n{self.log.read_text()[-2000:]}')
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1): return self
            except OSError:
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.proc.terminate()
        try: self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def json_error(status: int, answer, allowed) -> str | None:
    "What is wrong with an error answer, or None"
    if status not in allowed: return f'status {status}'
    if not isinstance(answer, dict) or not isinstance(answer.get('error'), str): return f'{status}, not JSON {{"error": ...}}'
    return None


def check_run(report: Report, run, desks: list[str], planted: str) -> None:
    "Step 3: the run's artifacts"
    from metaflow import Run  # noqa: F401  (configured by the caller)
    data = run.data
    verdicts = getattr(data, 'desk_report', None) if 'desk_report' in data else None
    if not isinstance(verdicts, dict):
        report('desk_report has a verdict for every desk', 'the run has no artifact `desk_report` (a dict: desk -> verdict)')
    else:
        bad = [d for d in desks if not isinstance(verdicts.get(d), dict)
               or not isinstance(verdicts[d].get('passed'), bool) or not isinstance(verdicts[d].get('reason'), str)]
        report('desk_report has a verdict for every desk',
               f'no verdict {{"passed": bool, "reason": str, ...}} for {", ".join(bad)}' if bad else None)
    verdicts = verdicts if isinstance(verdicts, dict) else {}
    entry = verdicts.get(planted, {}) if isinstance(verdicts.get(planted), dict) else {}
    report('the broken desk failed its test',
           None if entry.get('passed') is False else f'the {planted} desk\'s feed was broken (its P&L shuffled among its '
           f'days) and it passed: {entry.get("reason", "no reason given")!r}. A test on that desk\'s own days would see it')
    sound = [d for d in desks if d != planted]
    failed = {d: (verdicts.get(d) or {}).get('reason') for d in sound if (verdicts.get(d) or {}).get('passed') is not True}
    report('every sound desk passed its test',
           None if not failed else 'these desks\' data is sound and they failed: '
           + '; '.join(f'{d} ({why})' for d, why in failed.items()) + '. Does your model know the desk (TODO 3)?')
    served = getattr(data, 'served_desks', None) if 'served_desks' in data else None
    passed = sorted(d for d, e in verdicts.items() if isinstance(e, dict) and e.get('passed') is True)
    report('served_desks are the desks that passed',
           'the run has no artifact `served_desks` (TODO 4)' if served is None else
           None if sorted(served) == passed else f'served_desks is {sorted(served)}, the desks that passed are {passed}')
    from regression_course.config import DEPLOYABLE_TAG
    report('the run is tagged deployable',
           None if DEPLOYABLE_TAG in run.tags else f'the run is not tagged {DEPLOYABLE_TAG!r}, though desks passed (TODO 4)')


def check_card(report: Report, run, desks: list[str], planted: str, scratch: Path) -> None:
    "Step 4: the card `desks` of the step test_desks"
    from metaflow.cards import get_cards
    from regression_course.cards import card_components
    os.chdir(scratch)  # Metaflow finds cards from the working folder's .metaflow/
    cards = list(get_cards(run[STEP].task, id=CARD_ID))
    if not cards:
        for check in ('the card has a table of every desk and its verdict', 'the card has an image',
                      'the card names the desk not served'):
            report(check, f'the step {STEP} has no card with id {CARD_ID!r}')
        return
    parts = card_components(cards[0].get())
    tables = [p for p in parts if p.get('type') == 'table']
    rows = [' '.join(map(str, row)).lower() for t in tables for row in t.get('data', [])]
    missing = [d for d in desks if not any(d in row for row in rows)]
    planted_row = next((row for row in rows if planted in row), '')
    hint = ('no table (metaflow.cards.Table)' if not tables else
            f'the table has no row for {", ".join(missing)}' if missing else
            f'the {planted} desk\'s row does not say it failed: {planted_row!r}' if 'fail' not in planted_row else None)
    report('the card has a table of every desk and its verdict', hint)
    report('the card has an image', None if any(p.get('type') == 'image' for p in parts)
           else 'no image (metaflow.cards.Image, e.g. Image.from_matplotlib(figure))')
    texts = ' '.join(str(p.get('source') or p.get('text') or '') for p in parts if p.get('type') in ('markdown', 'text'))
    report('the card names the desk not served', None if planted in texts.lower() else
           f'no text (metaflow.cards.Markdown) on the card names {planted}, the desk that is not served')


def check_app(report: Report, folder: Path, run, env: dict, planted: str, served: list[str], generator,
              scratch: Path) -> None:
    "Step 5: the endpoint"
    if not (folder/APP_FILE).exists():
        report.skip_rest(f'no {folder/APP_FILE}')
        return
    with App(folder, env, scratch/'app.log') as app:
        problems = []
        for desk in served:
            status, answer = ask(app.port, {'desk': desk, 'x': 1.0})
            value = answer.get('prediction') if isinstance(answer, dict) else None
            truth = generator.true_pnl(desk, 1.0)
            if status != 200: problems.append(f'{desk}: status {status} {answer}')
            elif not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(f'{desk}: no number "prediction" in {answer}')
            elif abs(value - truth) > 1.5: problems.append(f'{desk}: {value:.2f} at x = 1, the true line says {truth:.2f}')
            elif str(answer.get('run')) != str(run.id): problems.append(f'{desk}: "run" is {answer.get("run")!r}, not {run.id}')
        report('the app predicts every served desk from that run', '; '.join(problems) or None)
        status, answer = ask(app.port, {'desk': planted, 'x': 1.0})
        hint = json_error(status, answer, [s for s in range(400, 600) if s != 500])
        if hint is None and planted not in answer['error']: hint = f'the error does not name the desk: {answer}'
        report('the app refuses the broken desk with a JSON error', hint and f'{planted}: {hint}')
        problems = [f'{what}: {hint}' for what, body in (('unknown desk', {'desk': 'no-such-desk', 'x': 1.0}),
                                                         ('x not a number', {'desk': served[0] if served else 'fx', 'x': 'abc'}))
                    if (hint := json_error(*ask(app.port, body), range(400, 500)))]
        report('the app answers an unknown desk and a bad x with a 4xx JSON error', '; '.join(problems) or None)
    from metaflow import Run
    from regression_course.config import DEPLOYABLE_TAG
    Run(run.pathspec, _namespace_check=False).remove_tag(DEPLOYABLE_TAG)  # now no run may be served
    with App(folder, env, scratch/'app-untagged.log') as app:
        status, answer = ask(app.port, {'desk': served[0] if served else 'fx', 'x': 1.0})
    report('the app serves nothing once no run is deployable (503)', json_error(status, answer, [503]) and
           f'with the run untagged, the app answered {status} {answer}: does it pick the newest DEPLOYABLE run?')


@call_parse
def main(
    folder:str='capstone', # the folder holding desks_flow.py and app.py
    plant:str='', # the desk whose feed is broken (default: one at random)
    keep:bool=False, # keep the scratch datastore and logs (their folder is printed)
):
    "Check the capstone where a check can be honest; the rubric judges the rest"
    folder = (ROOT/folder).resolve() if not Path(folder).is_absolute() else Path(folder)
    if not folder.exists():
        hint = (" (a student copy leaves the instructors' reference solution out)"
                if 'solutions' in folder.parts and (ROOT/'STUDENT_COPY.md').exists() else '')
        sys.exit(f'no folder {folder}{hint}')
    generator = load_generator()
    desks = list(generator.DESKS)
    planted = plant or random.SystemRandom().choice(desks)
    if planted not in desks: sys.exit(f'--plant must be one of {", ".join(desks)}')
    report = Report()
    print(f'checking {folder.relative_to(ROOT) if ROOT in folder.parents else folder}; the {planted} desk\'s feed is '
          f'broken this time (to check with the same desk again: --plant {planted})', flush=True)
    if not report(CHECKS[0], static_problem(folder/FLOW_FILE)):
        report.skip_rest('the flow file is not ready')
        sys.exit(0 if report.summary() else 1)
    scratch = Path(tempfile.mkdtemp(prefix='capstone-check-')).resolve()
    try:
        from regression_course.config import datastore_env
        env = {**os.environ, **datastore_env(scratch), 'TMPDIR': str(scratch), 'MPLBACKEND': 'Agg'}
        env.setdefault('METAFLOW_USER', 'capstone')
        os.environ.update(env)  # this process reads the run too: before metaflow is imported
        dataset = scratch/'desks-broken.txt'
        dataset.write_text(generator.desks_text(bad_desk=planted))
        ids = scratch/'run_id'
        print(f'running {FLOW_FILE} on a dataset with the {planted} desk broken (a minute or more)...', flush=True)
        with open(scratch/'flow.log', 'wb') as log:
            done = subprocess.run([sys.executable, str(folder/FLOW_FILE), '--no-pylint', 'run', '--dataset', str(dataset),
                                   '--run-id-file', str(ids)], cwd=scratch, env=env, stdout=log, stderr=subprocess.STDOUT)
        if not report(CHECKS[1], None if done.returncode == 0 and ids.exists() else
                      f'the run failed (exit {done.returncode}); its log ends:\n' + (scratch/'flow.log').read_text()[-2500:]):
            report.skip_rest('the flow did not run')
        else:
            from metaflow import Run, namespace
            namespace(None)
            run = Run(f'{FLOW_NAME}/{ids.read_text().strip()}')
            check_run(report, run, desks, planted)
            check_card(report, run, desks, planted, scratch)
            served = sorted(run.data.served_desks) if 'served_desks' in run.data else []
            check_app(report, folder, run, env, planted, served, generator, scratch)
    finally:
        os.chdir(ROOT)
        if keep: print(f'kept: {scratch} (flow.log, app.log, the datastore)')
        else: shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if report.summary() else 1)
