"""How long `make test` takes on a fresh clone, check by check, and where its processor time goes.

A fresh clone of this checkout's HEAD, in a scratch folder, then `CI=true make test` there, as `.ci/run` does: the
virtual environment, `npm ci`, every check. `make test` prints `[<check> took N s]` after each check; those lines,
the wall-clock total and the processor time of everything it started are reported.

Where the processor time goes: while `make test` runs, every process on the machine is looked at four times a
second (/proc), and its processor time is put down to what it is: a Metaflow task, a Voila kernel, Chromium, ...
The total comes from the operating system and is exact; the split is close, not exact: a process that lives
less than a quarter of a second may be missed, and one the operating system does not count for `make test` (an
orphan, such as a browser helper that outlived its parent) is seen all the same. The difference is reported as
`not split` (negative when the second kind outweighs the first).

Goals (reported, never asserted): at most 420 s wall on a quiet 2-core machine, and less processor time than the
baseline (issue 17). Baseline: commit c3899e6 (the last landing before the lock, the shared course run and the
checks made to hold under load), measured in the same session: `--rev c3899e6`.
The processor time is the floor: on 2 cores no schedule finishes in less than half of it.
Results are printed and written to benchmarks/results/bench_make_test[-<label>].json, make test's output to the .log.

Run: `.venv/bin/python benchmarks/bench_make_test.py [--rev COMMIT] [--busy] [--label NAME] [--without_gnu]
[--repeat N]` (it takes as long as `make test`, N times; nothing else should run). `--without_gnu` runs it as on a
Mac (tools/without_gnu.py); the result lists the programs it started (`programs_started`, seen as they ran).
`--busy` keeps one core busy with another process for the whole run (a laptop is never idle); `--rev` measures
another commit, e.g. the baseline, beside this one in one session.
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GOALS = {'wall on a quiet 2-core machine': 420}
BASELINE_REV = 'c3899e6'
TICK = os.sysconf('SC_CLK_TCK')

# (component, pattern on the command line), first match wins
COMPONENTS = [
    ('the busy core (not make test)', r'while True: pass'),
    ('Metaflow tasks (one process per step)', r'\.py .* step \w+'),
    ('Metaflow cards', r'\.py .* card '),
    ('Metaflow runs (the scheduler)', r'\.py .*--\w+.* (run|resume)\b|\.py (run|resume)\b'),
    ('Voila and Jupyter kernels', r'ipykernel'),
    ('Voila servers', r'\bvoila\b'),
    ('gunicorn (API servers)', r'gunicorn'),
    ('Chromium', r'chrom|/proc/self/exe --type='),
    ('Playwright driver', r'playwright'),
    ('site and slides build (Sphinx, nbconvert)', r'sphinx|build_docs|build_slides'),
    ('notebooks (nbdev_test)', r'nbtest|nbdev_test|multiprocessing'),
    ('pytest (the tests themselves)', r'pytest|execnet|xdist|exec\(eval\(sys\.stdin'),
    ('npm', r'\bnpm\b|\bnode\b'),
]


def component(cmdline: str) -> str:
    return next((name for name, pattern in COMPONENTS if re.search(pattern, cmdline)), 'other')


class ProcessWatch(threading.Thread):
    "Every process's processor time, by (pid, start time), looked at every `interval` seconds until `stop()`"
    def __init__(self, interval=0.25):
        super().__init__(daemon=True)
        self.interval, self.seen, self.before, self.done = interval, {}, {}, threading.Event()
        self.programs = set()  # the executables of the processes started while watching

    def run(self):
        first = True
        while not self.done.is_set():
            for pid in os.listdir('/proc'):
                if not pid.isdigit() or int(pid) == os.getpid(): continue
                try:
                    stat = Path(f'/proc/{pid}/stat').read_text()
                    fields = stat[stat.rfind(')') + 2:].split()
                    cpu, key = (int(fields[11]) + int(fields[12])) / TICK, (pid, fields[19])
                    cmd = Path(f'/proc/{pid}/cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace')
                except (OSError, IndexError, ValueError):
                    continue
                if first: self.before[key] = cpu  # running already: only what it uses from now on counts
                elif key not in self.seen:
                    try: self.programs.add(os.path.basename(os.readlink(f'/proc/{pid}/exe')))
                    except OSError: pass
                before = self.seen.get(key, (0.0, ''))
                self.seen[key] = (max(before[0], cpu), cmd or before[1])  # a process that was forked may exec later
            first = False
            self.done.wait(self.interval)

    def stop(self) -> dict:
        "Processor seconds by component, since the watch began"
        self.done.set(); self.join()
        by = defaultdict(float)
        for key, (cpu, cmd) in self.seen.items(): by[component(cmd)] += cpu - self.before.get(key, 0.0)
        return dict(sorted(((k, round(v, 1)) for k, v in by.items()), key=lambda kv: -kv[1]))


def main(rev:str='HEAD', busy:bool=False, label:str='', without_gnu:bool=False) -> dict:
    with tempfile.TemporaryDirectory(prefix='bench-make-test-') as tmp:
        clone = Path(tmp)/'clone'
        subprocess.run(['git', 'clone', '--quiet', str(REPO_ROOT), str(clone)], check=True)
        subprocess.run(['git', 'checkout', '--quiet', rev], cwd=clone, check=True)
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=clone, capture_output=True, text=True).stdout.strip()
        spinner = subprocess.Popen([sys.executable, '-c', 'while True: pass']) if busy else None
        env = {k: v for k, v in os.environ.items() if not k.startswith(('METAFLOW_', 'REGRESSION_COURSE_', 'VIRTUAL_ENV'))}
        env['CI'] = 'true'
        watch = ProcessWatch()
        watch.start()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = ['make', 'test']
        if without_gnu:  # as on a Mac: GNU-only programs hidden, GNU-only options refused (this checkout's tool)
            command = [sys.executable, str(REPO_ROOT/'tools'/'without_gnu.py'), *command]
        try:
            done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
        finally:  # stopped (Ctrl-C, SIGTERM) or not, the busy process goes with it
            if spinner:
                spinner.kill()
                spinner.wait()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        by_component = watch.stop()
        by_component.pop('the busy core (not make test)', None)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if spinner:  # its processor time is the load, not make test's
        cpu -= spinner_cpu(watch)
    by_component.pop('other', None)
    by_component['not split'] = round(cpu - sum(by_component.values()), 1)
    checks = {name: int(s) for name, s in re.findall(r'^\[(\S+) took (\d+) s\]$', done.stdout, re.M)}
    result = {'commit': commit, 'busy_core': busy, 'without_gnu': without_gnu, 'passed': done.returncode == 0, 'wall_seconds': round(wall, 1), 'cpu_seconds': round(cpu, 1),
              'cpu_floor_on_2_cores': round(cpu / 2, 1), 'checks_seconds': checks, 'cpu_seconds_by_component': by_component,
              'goals': GOALS, 'baseline': BASELINE_REV, 'cores': os.cpu_count(),
              'programs_started': sorted(watch.programs)}
    if not result['passed']:
        output = done.stdout + done.stderr
        result['failures'] = re.findall(r'^(?:FAILED|ERROR|FAIL:) .*$|^Error in .*$', output, re.M)[:20]
        result['tail'] = output[-3000:]
    print(json.dumps(result, indent=1))
    out = REPO_ROOT/'benchmarks'/'results'
    out.mkdir(exist_ok=True)
    name = f"bench_make_test{'-' + label if label else ''}"
    (out/f'{name}.json').write_text(json.dumps(result, indent=1))
    (out/f'{name}.log').write_text(done.stdout + done.stderr)  # all of make test's output
    return result


def spinner_cpu(watch) -> float:
    "Processor seconds the busy-core process used (it is a child too, so the operating system counted it)"
    return sum(cpu - watch.before.get(key, 0.0) for key, (cpu, cmd) in watch.seen.items() if 'while True: pass' in cmd)


if __name__ == '__main__':
    import argparse
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the busy process
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rev', default='HEAD', help='the commit to measure (default: HEAD)')
    parser.add_argument('--busy', action='store_true', help='keep one core busy with another process meanwhile')
    parser.add_argument('--label', default='', help='a name for the result files')
    parser.add_argument('--without_gnu', action='store_true', help='hide the GNU-only programs (tools/without_gnu.py)')
    parser.add_argument('--repeat', type=int, default=1, help='run it this many times in a row (labels -1, -2, ...)')
    args = parser.parse_args()
    results = [main(args.rev, args.busy, f'{args.label}-{i + 1}' if args.repeat > 1 else args.label, args.without_gnu)
               for i in range(args.repeat)]
    print('passed: ' + ', '.join(str(r['passed']) for r in results))
    sys.exit(0 if all(r['passed'] for r in results) else 1)
