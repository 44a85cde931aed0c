"""How long `make test` takes on a fresh clone, check by check, and how much processor time it uses.

A fresh clone of this checkout's HEAD, in a scratch folder, then `CI=true make test` there, as `.ci/run` does: the
virtual environment, `npm ci`, every check. `make test` prints `[<check> took N s]` after each check; those lines,
the wall-clock total and the processor time of everything it started are reported.

Goals (reported, never asserted): under 3 minutes (issue 7) and under 4 minutes (issue 8) on 2 cores.
Baseline: 463 s (7 min 43 s) before the checks ran side by side (commit d030324, the same checks one after another).
The processor time is the floor: on 2 cores no schedule finishes in less than half of it.
Results are printed and written to benchmarks/results/bench_make_test.json.

Run: `.venv/bin/python benchmarks/bench_make_test.py` (it takes as long as `make test`; nothing else should run).
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GOALS = {'issue 7': 180, 'issue 8': 240}
BASELINE_SECONDS = 463


def main() -> dict:
    with tempfile.TemporaryDirectory(prefix='bench-make-test-') as tmp:
        clone = Path(tmp)/'clone'
        subprocess.run(['git', 'clone', '--quiet', str(REPO_ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(('METAFLOW_', 'REGRESSION_COURSE_', 'VIRTUAL_ENV'))}
        env['CI'] = 'true'
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(['make', 'test'], cwd=clone, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    checks = {name: int(s) for name, s in re.findall(r'^\[(\S+) took (\d+) s\]$', done.stdout, re.M)}
    result = {'passed': done.returncode == 0, 'wall_seconds': round(wall, 1), 'cpu_seconds': round(cpu, 1),
              'cpu_floor_on_2_cores': round(cpu / 2, 1), 'checks_seconds': checks, 'goals': GOALS,
              'baseline_seconds': BASELINE_SECONDS, 'cores': os.cpu_count()}
    if not result['passed']: result['tail'] = (done.stdout + done.stderr)[-3000:]
    print(json.dumps(result, indent=1))
    out = REPO_ROOT/'benchmarks'/'results'
    out.mkdir(exist_ok=True)
    (out/'bench_make_test.json').write_text(json.dumps(result, indent=1))
    return result


if __name__ == '__main__':
    sys.exit(0 if main()['passed'] else 1)
