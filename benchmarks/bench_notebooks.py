"""How long each course notebook takes to run top to bottom: the minutes the teaching plan shows.

    python benchmarks/bench_notebooks.py                 # measure the notebooks whose figure is missing or stale
    python benchmarks/bench_notebooks.py --all           # measure every course notebook again
    python benchmarks/bench_notebooks.py --only 03_dags  # measure these (comma-separated stems)

(`make measure`, with ONLY=, ALL=1 and BUSY_OK=1.)
Each course notebook (nbs/0*.ipynb, found, not listed) runs on its own, with nbdev's runner (`nbdev_test --path`,
what `make test` runs), one at a time, in a scratch Metaflow datastore that already holds the course run (the
state a class is in after `make app`: the course model trained once). The figures are its wall-clock seconds and
the processor-seconds of the notebook and of everything it started (flows, servers, browsers), with the machine's
cores, the load average before and after, and (on Linux, from /proc/stat) the share of the machine's processor
time that OTHER processes used meanwhile. A busy machine makes the same notebook slower, so before each notebook
the script waits until the machine is quiet (the load average below the number of cores); `--busy_ok` measures
at once, and the teaching plan marks a figure as measured on a busy machine when other processes took more than
a quarter of the machine while it ran (or, where /proc/stat is missing, when the load was above the cores).

Each figure is kept in benchmarks/notebook_times.json (committed: the teaching plan reads it) with the SHA-256 of
the notebook it measured. When a notebook changes, its figure is stale: `make plan` marks it so on the page and
says which notebooks to measure again; this script measures exactly those. Never edit the figures by hand.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMES = REPO_ROOT/'benchmarks'/'notebook_times.json'
sys.path.insert(0, str(REPO_ROOT/'tools'))


def course_notebooks() -> list[Path]:
    "The course notebooks, in course order: nbs/0*.ipynb"
    return sorted((REPO_ROOT/'nbs').glob('0*.ipynb'))


def notebook_hash(path: Path) -> str:
    "What a figure was measured on: the SHA-256 of the (clean, committed) notebook file"
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_times() -> dict:
    "{stem: figure} as kept in benchmarks/notebook_times.json ({} when there is none yet)"
    try: return json.loads(TIMES.read_text())
    except (OSError, ValueError): return {}


def stale(times: dict | None = None) -> list[str]:
    "The course notebooks whose figure is missing, or was measured on another version of the notebook"
    times = read_times() if times is None else times
    return [nb.stem for nb in course_notebooks()
            if times.get(nb.stem, {}).get('sha256') != notebook_hash(nb)]


def commit() -> str:
    done = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO_ROOT, capture_output=True, text=True)
    return done.stdout.strip() or 'unknown'


BUSY_SHARE = 0.25  # other processes using more than this share of the machine make a figure "busy"


def busy(figure: dict) -> bool:
    "Whether other work slowed a figure down: others took over BUSY_SHARE of the machine (or the load > cores)"
    if figure.get('others_share') is not None: return figure['others_share'] > BUSY_SHARE
    return max(figure.get('load_before', 0), figure.get('load_after', 0)) > figure.get('cores', 2)


def wait_for_quiet(quiet_load: float) -> None:
    "Wait until the 1-minute load average is below `quiet_load` (other work would slow the notebook down)"
    said = False
    while (load := os.getloadavg()[0]) >= quiet_load:
        if not said:
            print(f'waiting for a quiet machine (load {load:.1f}, measuring below {quiet_load:g}; --busy_ok to '
                  'measure now)', flush=True)
            said = True
        time.sleep(10)


def busy_seconds() -> float | None:
    "Processor-seconds the whole machine has spent busy since it started (Linux: /proc/stat), or None"
    try: fields = Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]
    except OSError: return None
    ticks = [int(f) for f in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf('SC_CLK_TCK')


def measure(nb: Path, golden_store: Path, scratch: Path) -> dict:
    "Run one notebook top to bottom (nbdev_test) in a copy of `golden_store`; its wall and processor seconds"
    from regression_course.config import copy_datastore, datastore_env
    store = scratch/f'store-{nb.stem}'
    copy_datastore(golden_store, store)
    (scratch/'tmp').mkdir(exist_ok=True)
    env = {**os.environ, **datastore_env(store), 'TMPDIR': str(scratch/'tmp'), 'MPLBACKEND': 'Agg'}
    env.setdefault('METAFLOW_USER', 'course')
    nbdev_test = Path(sys.executable).parent/'nbdev_test'
    load_before = os.getloadavg()[0]
    machine_before = busy_seconds()
    started = time.monotonic()
    with open(scratch/f'{nb.stem}.log', 'wb') as log:
        proc = subprocess.Popen([str(nbdev_test), '--path', str(nb), '--do_print'], cwd=REPO_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # the processor time of the notebook and all it waited for
    wall = time.monotonic() - started
    machine_after = busy_seconds()
    cpu = usage.ru_utime + usage.ru_stime
    others = None if machine_before is None else max(0.0, machine_after - machine_before - cpu)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f'FAIL: {nb.name} failed, so it has no figure:\n'
                         + (scratch/f'{nb.stem}.log').read_text()[-3000:])
    shutil.rmtree(store, ignore_errors=True)
    cores = os.cpu_count() or 1
    return dict(sha256=notebook_hash(nb), wall_s=round(wall, 1), cpu_s=round(cpu, 1), cores=cores,
                load_before=round(load_before, 1), load_after=round(os.getloadavg()[0], 1),
                others_share=None if others is None else round(others / (wall * cores), 2),
                measured=datetime.date.today().isoformat(), commit=commit(), python=platform.python_version())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--all', action='store_true', help='measure every course notebook again')
    ap.add_argument('--only', default='', help='comma-separated notebook stems to measure, e.g. 03_dags,06_serving')
    ap.add_argument('--busy_ok', action='store_true', help='measure at once, however busy the machine is')
    args = ap.parse_args(argv)
    times = read_times()
    known = {nb.stem: nb for nb in course_notebooks()}
    if args.only:
        wanted = [s.strip().removesuffix('.ipynb') for s in args.only.split(',') if s.strip()]
        if unknown := [s for s in wanted if s not in known]:
            sys.exit(f'no course notebook {", ".join(unknown)}: known are {", ".join(known)}')
    else:
        wanted = list(known) if args.all else stale(times)
    if not wanted:
        print(f'every figure in {TIMES.relative_to(REPO_ROOT)} is up to date: nothing to measure')
        return
    import golden  # tools/golden.py: the course run, trained once
    with tempfile.TemporaryDirectory(prefix='bench-notebooks-') as tmp:
        scratch = Path(tmp)
        os.environ.setdefault('METAFLOW_USER', 'course')
        print('training the course run once (every notebook starts from a copy of it)', flush=True)
        golden_store = golden.course_run_datastore(scratch/'golden')
        for stem in wanted:
            if not args.busy_ok: wait_for_quiet(os.cpu_count() or 2)
            figure = measure(known[stem], golden_store, scratch)
            times[stem] = figure
            others = '' if figure['others_share'] is None else f", others used {figure['others_share']:.0%}"
            print(f"{stem:28} {figure['wall_s'] / 60:5.1f} min wall, {figure['cpu_s']:6.1f} processor-s "
                  f"(load {figure['load_before']} -> {figure['load_after']} on {figure['cores']} cores{others})",
                  flush=True)
            # kept after every notebook: an interrupted session keeps what it measured
            ordered = {nb: times[nb] for nb in sorted(times) if nb in known}
            TIMES.write_text(json.dumps(ordered, indent=1) + '\n')
    left = stale(times)
    print(f'wrote {TIMES.relative_to(REPO_ROOT)}; ' + (f'still stale: {", ".join(left)}' if left else 'every figure is up to date')
          + '. Now `make plan` writes the teaching plan from them.')


if __name__ == '__main__':
    main()
