"""Speed and memory of the composable pipeline, against the monolith's line-by-line reading and our own careful reader.

For files of 10^3, 10^5 and 10^6 `x<TAB>y` rows (made with `make_course_dataset` + `write_dataset`, in a
temporary folder) this measures:

- ours: `load_data_fast` (the appendix's reader, nbs/90_fast_reader.ipynb: `load_data`'s rows and errors,
  pandas' speed), then the pipeline's `check_dataset`, `prepare_train_and_test_dataset`, `train_model`,
  `evaluate_model` (with_plot=False), each timed with `time.perf_counter`, median of several repeats;
- baseline: the monolith's reading loop (a faithful copy of the loop in `regression_course.monolith`,
  `monolith_reading` below), timed the same way on the same file;
- careful: the course's own `load_data` (nbs/00_data.ipynb), every line through `parse_line`: what the fast
  reader saves;
- peak memory: each case runs once in a fresh child process, which reports its own peak resident set size
  (VmHWM from /proc/self/status; `ru_maxrss` only where there is no /proc, because on Linux `ru_maxrss` is
  inherited across fork and exec and would report this parent's peak). A child that only imports the same
  modules gives the baseline; "over import" is the case's peak minus that. This is whole-process RSS, not
  just Python allocations.

Timings are measured inside a child process too, after its imports, so they exclude start-up.
Goals (reported, never asserted): 10^6 rows in under 5 s and under 500 MB peak; loading at least 3x faster
than the line-by-line baseline.

Run: `.venv/bin/python benchmarks/bench_pipeline.py` (or `make bench`).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [10**3, 10**5, 10**6]
REPEATS = {10**3: 5, 10**5: 5, 10**6: 3}
GOAL_SECONDS, GOAL_MB, GOAL_RATIO = 5.0, 500, 3.0
STAGES = ['load', 'check', 'split', 'train', 'evaluate']
TOTAL_STAGES = ['load', 'split', 'train', 'evaluate']  # the goal's "load + split + train + evaluate"


def monolith_reading(file_name):
    "BASELINE: the monolith's reading loop, copied line for line from `regression_course.monolith.monolith`"
    Xs = []
    Ys = []
    with open(file_name) as f:
        for line in f.readlines():
            x, y = line.split('\t')
            Xs.append([float(x)])
            Ys.append(float(y))
    return Xs, Ys


def _peak_mb() -> float:
    "This process's peak resident set size, in MiB"
    # On Linux, ru_maxrss survives fork and exec: a child started from a big parent reports the parent's peak.
    # VmHWM ("high water mark") belongs to the child's own address space, so read it when we can.
    status = Path('/proc/self/status')
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB (macOS: bytes)


def _pipeline_once(path) -> dict:
    "Run the pipeline's steps once on `path`; return each step's seconds"
    from regression_course.fast_reader import load_data_fast
    from regression_course.pipeline import (check_dataset, evaluate_model, prepare_train_and_test_dataset,
                                            train_model)
    seconds, t = {}, time.perf_counter()
    def lap(name):
        nonlocal t
        now = time.perf_counter(); seconds[name] = now - t; t = now
    dataset = load_data_fast(path); lap('load')
    check_dataset(dataset, source=str(path)); lap('check')
    splits = prepare_train_and_test_dataset(dataset); lap('split')
    model = train_model(splits); lap('train')
    evaluate_model(model, splits, with_plot=False); lap('evaluate')
    return seconds


def _baseline_once(path) -> dict:
    t = time.perf_counter()
    monolith_reading(path)
    return {'read': time.perf_counter() - t}


def _careful_once(path) -> dict:
    from regression_course.data import load_data
    t = time.perf_counter()
    load_data(path)
    return {'read': time.perf_counter() - t}


def child(mode: str, path: str, repeats: int):
    "Runs in a fresh process: import, then run `mode` `repeats` times; print JSON results"
    import regression_course.fast_reader  # noqa: F401  (the same imports in every mode, so baselines compare)
    import regression_course.pipeline  # noqa: F401
    runs = []
    for _ in range(repeats):
        if mode == 'pipeline': runs.append(_pipeline_once(path))
        elif mode == 'baseline': runs.append(_baseline_once(path))
        elif mode == 'careful': runs.append(_careful_once(path))
        elif mode != 'import': raise SystemExit(f'unknown mode {mode}')
    print(json.dumps({'runs': runs, 'peak_mb': _peak_mb()}))


def run_child(mode: str, path='-', repeats=1) -> dict:
    out = subprocess.run([sys.executable, __file__, '--child', mode, str(path), str(repeats)],
                         check=True, capture_output=True, text=True, env={**os.environ, 'MPLBACKEND': 'Agg'})
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float: return statistics.median(r[key] for r in runs)


def main():
    from regression_course.data import make_course_dataset, write_dataset
    from regression_course.fast_reader import fast_rows, load_data_fast
    with tempfile.TemporaryDirectory(prefix='bench-pipeline-') as tmp:
        files = {}
        for n in SIZES:
            made = make_course_dataset(n_samples=n)
            files[n] = write_dataset(made.X, made.y, Path(tmp)/f'rows_{n}.txt')
        # the baseline must read exactly what we read, or the comparison means nothing
        Xs, Ys = monolith_reading(files[10**3])
        ours = load_data_fast(files[10**3])
        assert [x[0] for x in Xs] == ours.X[:, 0].tolist() and Ys == ours.y.tolist()
        # and `load_data_fast` must really take the shortcut on these files, or we would time the careful reader
        body = files[10**3].read_bytes().rstrip()
        assert fast_rows(body, body.count(b'\n') + 1) is not None

        import_mb = run_child('import')['peak_mb']
        rows = []
        for n in SIZES:
            r = REPEATS[n]
            timed = run_child('pipeline', files[n], r)['runs']
            base = run_child('baseline', files[n], r)['runs']
            careful = run_child('careful', files[n], r)['runs']
            mem = run_child('pipeline', files[n], 1)['peak_mb']
            base_mem = run_child('baseline', files[n], 1)['peak_mb']
            stage = {s: median_of(timed, s) for s in STAGES}
            total = statistics.median(sum(run[s] for s in TOTAL_STAGES) for run in timed)
            base_read = median_of(base, 'read')
            rows.append(dict(n=n, repeats=r, size_mb=files[n].stat().st_size / 2**20, **stage, total=total,
                             peak=mem, over=mem - import_mb, base_read=base_read, base_peak=base_mem,
                             ratio=base_read / stage['load'], careful=median_of(careful, 'read')))

    print(f'Python {sys.version.split()[0]}, {os.cpu_count()} CPUs. Times: median of repeats (perf_counter, '
          f'inside a child after imports). Peak: VmHWM, the peak RSS of each fresh child process; import-only child: {import_mb:.0f} MB.\n')
    print('| rows | file MB | repeats | load s | check s | split s | train s | evaluate s | total s (load+split+train+evaluate) '
          '| peak RSS MB | peak over import MB |')
    print('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for r in rows:
        print(f"| {r['n']:,} | {r['size_mb']:.1f} | {r['repeats']} | {r['load']:.4f} | {r['check']:.4f} | {r['split']:.4f} "
              f"| {r['train']:.4f} | {r['evaluate']:.4f} | {r['total']:.4f} | {r['peak']:.0f} | {r['over']:.0f} |")
    print('\nLoading: ours (`load_data_fast`) against the BASELINE (the monolith\'s line-by-line loop)\n')
    print('| rows | baseline read s | ours load s | ratio (baseline / ours) | baseline peak RSS MB '
          '| careful `load_data` s |')
    print('|---:|---:|---:|---:|---:|---:|')
    for r in rows:
        print(f"| {r['n']:,} | {r['base_read']:.4f} | {r['load']:.4f} | {r['ratio']:.1f}x | {r['base_peak']:.0f} | {r['careful']:.4f} |")
    big = rows[-1]
    print('\nGoals (reported, not asserted):')
    for text, ok in [(f"10^6 rows load+split+train+evaluate under {GOAL_SECONDS:g} s: {big['total']:.2f} s", big['total'] < GOAL_SECONDS),
                     (f"10^6 rows peak RSS under {GOAL_MB} MB: {big['peak']:.0f} MB ({big['over']:.0f} MB over import)", big['peak'] < GOAL_MB),
                     (f"loading at least {GOAL_RATIO:g}x faster than line by line at 10^6 rows: {big['ratio']:.1f}x", big['ratio'] >= GOAL_RATIO)]:
        print(f"- {'met' if ok else 'MISSED'}: {text}")


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--child': child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else: main()
