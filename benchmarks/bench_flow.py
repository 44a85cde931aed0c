"""How long SampleRegressionFlow takes, where the time goes, and how fast the registry answers.

Everything runs for real, in a temporary Metaflow datastore (the course's own runs are not touched):

1. wall time and CPU time (all its processes) of a full run (the default candidates, 4 in parallel) and of a
   one-candidate run, several repeats, next to the composable script on the same data, each started as a fresh
   `python` process, as a student would. CPU time hardly depends on what else the machine is doing; wall time
   does, a lot (other processes on 2 cores). `--compare old_flow.py` times another version of the flow file
   in the same rounds, interleaved, so both see the same load;
2. where a run's time goes, from the Client API (each task's created_at/finished_at), next to the bare cost
   of starting a Python process that imports Metaflow (what every task pays);
3. `latest_deployable_run()` and `load_model()` with 1 run and with 100 runs in the datastore. The extra runs
   are made cheaply and for real: `resume` of a finished run clones all its tasks (no step runs again),
   so each is a complete, successful run with the real artifacts, tagged `deployable` with `--tag`.

Usage: .venv/bin/python benchmarks/bench_flow.py [--repeats 3] [--runs 100] [--compare path/to/old_flow.py]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT/'regression_course'/'flow.py'
DATASTORE = Path(tempfile.mkdtemp(prefix='bench-flow-')).resolve()
ENV = {**os.environ, 'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(DATASTORE),
       'METAFLOW_DATATOOLS_LOCALROOT': str(DATASTORE/'.metaflow'/'data'), 'MPLBACKEND': 'Agg'}
ENV.setdefault('METAFLOW_USER', 'bench')
PY = sys.executable


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, **kw) -> float:
    "Wall time of a command run to completion (it must succeed); its CPU time is added to `CPU`"
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(cmd, env=ENV, cwd=kw.get('cwd', tempfile.gettempdir()), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    CPU.append(_children_cpu() - cpu)
    return time.perf_counter() - start

CPU = []  # CPU seconds of each command `timed` ran, the command and every process it waited for


def flow_run(*args, flow=FLOW) -> tuple[float, str, float]:
    "Run the flow; return its wall time, run id and CPU time"
    id_file = DATASTORE/f'run-id-{time.time_ns()}'
    seconds = timed([PY, str(flow), '--quiet', '--no-pylint', 'run', '--run-id-file', str(id_file), *args])
    return seconds, id_file.read_text().strip(), CPU[-1]


def summary(values) -> str:
    return f'{statistics.median(values):6.2f} s  (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})'


def python_in_datastore(code:str) -> str:
    "Run `code` in a fresh Python process that sees the benchmark's datastore; return its stdout"
    return subprocess.run([PY, '-c', code], env=ENV, check=True, capture_output=True, text=True).stdout


TASK_TIMES = '''
import json
import regression_course.config as config
config.configure_metaflow()
from metaflow import Run
run = Run("SampleRegressionFlow/{run_id}", _namespace_check=False)
rows = []
for step in run:
    for task in step:
        rows.append([step.id, task.created_at.timestamp(), task.finished_at.timestamp()])
print(json.dumps(rows))
'''

REGISTRY_TIMES = '''
import json, time, statistics
t0 = time.perf_counter()
from regression_course.registry import latest_deployable_run, load_model, runs_table
import sklearn.linear_model  # a server has scikit-learn loaded already: unpickling the model is then cheap
imports = time.perf_counter() - t0
def clock(f, n=5):
    out = []
    for _ in range(n):
        t = time.perf_counter(); f(); out.append(time.perf_counter() - t)
    return out
t = time.perf_counter(); run = latest_deployable_run(); first_latest = time.perf_counter() - t
t = time.perf_counter(); model = load_model(); first_load = time.perf_counter() - t
latest = clock(latest_deployable_run); load = clock(load_model)
t = time.perf_counter(); table = runs_table(); table_time = time.perf_counter() - t
print(json.dumps(dict(runs=len(table), run=run.id, model_run=model.run_id, imports=imports, first_latest=first_latest,
                      first_load=first_load, latest=statistics.median(latest), load=statistics.median(load),
                      table=table_time)))
'''


def registry_timing() -> dict:
    return json.loads(python_in_datastore(REGISTRY_TIMES))


def where_time_goes(run_id:str, wall:float):
    rows = json.loads(python_in_datastore(TASK_TIMES.format(run_id=run_id)))
    start = min(r[1] for r in rows)
    by_step = {}
    for step, created, finished in rows: by_step.setdefault(step, []).append((created, finished))
    order = sorted(by_step, key=lambda s: min(c for c, _ in by_step[s]))
    print(f'\n## Where the time of run {run_id} goes (Client API: task created_at -> finished_at)\n')
    print(f'{"step":14} {"tasks":>5} {"starts at":>10} {"ends at":>8} {"mean task":>10}')
    critical = 0.0
    for step in order:
        spans = by_step[step]
        first, last = min(c for c, _ in spans), max(f for _, f in spans)
        critical += last - first
        mean = statistics.mean(f - c for c, f in spans)
        print(f'{step:14} {len(spans):5d} {first - start:9.2f}s {last - start:7.2f}s {mean:9.2f}s')
    n_tasks = len(rows)
    span = max(r[2] for r in rows) - start
    print(f'\n{n_tasks} tasks = {n_tasks} Python processes (+1 for the runtime, +2 for the card).')
    print(f'first task start to last task end: {span:.1f} s; steps end to end (a foreach counted once): {critical:.1f} s;')
    print(f'between steps (scheduling, card rendering): {span - critical:.1f} s; before/after the tasks '
          f'(runtime start-up, including the dataset, finishing): {wall - span:.1f} s of the {wall:.1f} s wall time.')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3, help='repeats of each timed run')
    parser.add_argument('--runs', type=int, default=100, help='runs in the datastore for the registry timing')
    parser.add_argument('--compare', type=Path, help='another version of flow.py to time in the same rounds')
    args = parser.parse_args()
    print(f'# SampleRegressionFlow benchmark ({os.cpu_count()} cores, datastore {DATASTORE})')
    print(f'load average at the start: {os.getloadavg()[0]:.1f}')

    full, other = [flow_run()], []
    registry_1 = registry_timing()  # with exactly one run in the datastore
    for _ in range(args.repeats - 1):
        if args.compare: other.append(flow_run(flow=args.compare))
        full.append(flow_run())
    if args.compare: other.append(flow_run(flow=args.compare))
    single = [flow_run('--candidates', 'linear') for _ in range(args.repeats)]
    script = ('from regression_course.pipeline import composable_script; composable_script()')
    composable = [timed([PY, '-c', script]) for _ in range(args.repeats)]
    bare = [timed([PY, '-c', 'pass']) for _ in range(args.repeats)]
    with_metaflow = [timed([PY, '-c', 'import regression_course.config as c; c.configure_metaflow(); import metaflow']) for _ in range(args.repeats)]
    with_sklearn = [timed([PY, '-c', 'import sklearn.linear_model, sklearn.model_selection']) for _ in range(args.repeats)]

    full_s, single_s, comp_s = ([s for s, *_ in full], [s for s, *_ in single], composable)
    from regression_course.config import DEFAULT_PARAMETERS
    n = len(DEFAULT_PARAMETERS['candidates'].split(','))
    print(f'\n## Wall time, each a fresh process (median of repeats); load average now {os.getloadavg()[0]:.1f}\n')
    print(f'{"what":58} {"wall time":>10}')
    print(f'{f"flow, {n} candidates ({n + 7} tasks)":58} {summary(full_s)}')
    if other: print(f'{f"--compare {args.compare.name}, its defaults":58} {summary([s for s, *_ in other])}')
    print(f'{"flow, 1 candidate (8 tasks)":58} {summary(single_s)}')
    print(f'{"composable_script (1 model, no CV, 1 process)":58} {summary(comp_s)}')
    print(f'{"python -c pass":58} {summary(bare)}')
    print(f'{"python: import regression_course.config, metaflow":58} {summary(with_metaflow)}')
    print(f'{"python: import sklearn.linear_model, model_selection":58} {summary(with_sklearn)}')
    m = statistics.median
    print(f'\nCPU time of all processes of a run (median): flow {m(c for *_, c in full):.1f} s'
          + (f', --compare {m(c for *_, c in other):.1f} s' if other else '')
          + f', 1 candidate {m(c for *_, c in single):.1f} s')
    print(f'ratio flow ({n} candidates) / composable_script: {m(full_s) / m(comp_s):.1f}x; '
          f'flow (1 candidate) / composable_script: {m(single_s) / m(comp_s):.1f}x')
    print(f'goal: full run < 15 s on 2 cores: {"met" if m(full_s) < 15 else "NOT met"} (median {m(full_s):.1f} s)')

    median_run = sorted(full)[len(full) // 2]
    where_time_goes(median_run[1], median_run[0])

    existing = registry_timing()['runs']
    to_make = max(0, args.runs - existing)
    print(f'\n## Registry with {args.runs} runs: making {to_make} more by `resume --tag deployable` of run {full[0][1]}')
    start = time.perf_counter()
    resume = [PY, str(FLOW), '--quiet', '--no-pylint', 'resume', '--origin-run-id', full[0][1], '--tag', 'deployable']
    with ThreadPoolExecutor(2) as pool: list(pool.map(lambda _: timed(resume), range(to_make)))
    print(f'made {to_make} runs in {time.perf_counter() - start:.0f} s')
    registry_n = registry_timing()

    print('\n## Registry timing (fresh process; the model unpickled with scikit-learn already imported)\n')
    print(f'{"runs in datastore":>18} {"import":>8} {"1st latest":>11} {"1st load":>9} {"latest (med)":>13} '
          f'{"load (med)":>11} {"latest+load":>12} {"runs_table":>11}')
    for r in (registry_1, registry_n):
        print(f'{r["runs"]:18d} {r["imports"]:7.2f}s {r["first_latest"]:10.3f}s {r["first_load"]:8.3f}s '
              f'{r["latest"]:12.3f}s {r["load"]:10.3f}s {r["latest"] + r["load"]:11.3f}s {r["table"]:10.2f}s')
    worst = max(r['first_latest'] + r['first_load'] for r in (registry_1, registry_n))
    print(f'goal: latest_deployable_run() + load_model() < 1 s: {"met" if worst < 1 else "NOT met"} '
          f'(worst first call {worst:.3f} s)')


if __name__ == '__main__':
    try: main()
    finally:
        import shutil
        shutil.rmtree(DATASTORE, ignore_errors=True)
