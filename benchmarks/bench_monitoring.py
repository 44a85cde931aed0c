"""Speed and memory of the monitoring reports (nbs/08_monitoring.ipynb) on a million values.

Cases, each run in a fresh child process (so one case's memory does not inflate the next):

- drift_report, 800 reference x (as many as the course model trained on) against 10^6 live x;
- drift_report, 10^6 reference x against 10^6 live x (a model trained on much more data);
- usage_report on a prediction log of 10^6 rows (one per predicted value, as `read_prediction_log` returns it),
  made with `simulate_traffic` (about 290,000 requests);
- live_metrics joining 10^6 predictions with 10^6 feedback records (shuffled, 10% of ids sent twice);
- simulate_traffic(10^6) itself, for scale.

Time: the call alone (the data is made first), median of 3 repeats, `time.perf_counter`.
Memory: the child's peak resident set size (VmHWM from /proc/self/status; `ru_maxrss` where there is no /proc,
though on Linux it is inherited across fork and exec). It includes the inputs and the imports (numpy, pandas,
scipy: see the "imports only" row); "over import" is the case's peak minus that row's.

Goals (reported, never asserted): each report on 10^6 values in under 2 s and under 500 MB peak.

Run: `.venv/bin/python benchmarks/bench_monitoring.py`.
"""
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

N = 10**6
REPEATS = 3
GOAL_SECONDS, GOAL_MB = 2.0, 500
CASES = ['imports only', 'drift_report (ref 800)', 'drift_report (ref 10^6)', 'usage_report', 'live_metrics',
         'simulate_traffic']


def _peak_mb() -> float:
    "This process's peak resident set size, in MiB"
    status = Path('/proc/self/status')
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB (macOS: bytes)


def _inputs(case: str):
    "The data for `case`, and the call to time"
    import numpy as np
    import pandas as pd
    from regression_course.monitoring import drift_report, live_metrics, usage_report
    from regression_course.monitoring_lab import simulate_traffic
    rng = np.random.default_rng(0)
    if case == 'imports only': return lambda: None
    if case.startswith('drift_report'):
        reference = rng.normal(size=800 if 'ref 800' in case else N)
        live = rng.normal(0.2, 1.1, N)
        return lambda: drift_report(reference, live)
    if case == 'usage_report':
        traffic = simulate_traffic(N, seed=1)
        log = traffic.assign(prediction=16.7 * traffic.x, run_id='1795424648762382', latency_ms=2.0)[
            ['time', 'x', 'prediction', 'run_id', 'latency_ms', 'request']]
        return lambda: usage_report(log, (-2.7, 3.85))
    if case == 'live_metrics':
        traffic = simulate_traffic(N, seed=2)
        predictions = pd.DataFrame({'id': np.arange(N), 'prediction': 16.7 * traffic.x})
        again = rng.choice(N, N // 10, replace=False)  # 10% of ids get a second, later feedback record
        feedback = pd.DataFrame({'id': np.r_[np.arange(N), again], 'y': np.r_[traffic.y, traffic.y.to_numpy()[again]],
                                 'time': pd.concat([traffic.time, traffic.time.iloc[again] + pd.Timedelta('1h')])})
        feedback = feedback.sample(frac=1, random_state=0)  # arrival order is not time order
        return lambda: live_metrics(predictions, feedback, test_mse=107.8999, test_r2=0.71881)
    if case == 'simulate_traffic': return lambda: simulate_traffic(N, seed=3)
    raise ValueError(case)


def child(case: str):
    "Run one case here and print its timings and peak memory as JSON"
    call = _inputs(case)
    seconds = []
    for _ in range(REPEATS):
        t = time.perf_counter(); call(); seconds.append(time.perf_counter() - t)
    print(json.dumps({'seconds': statistics.median(seconds), 'peak_mb': _peak_mb()}))


def measure(case: str) -> dict:
    "Run `case` in a fresh Python process"
    out = subprocess.run([sys.executable, __file__, '--child', case], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    results = {case: measure(case) for case in CASES}
    base = results['imports only']['peak_mb']
    print(f'monitoring on {N:,} values; goals: < {GOAL_SECONDS} s and < {GOAL_MB} MB peak per report '
          f'(median of {REPEATS}; peak RSS of a fresh process)\n')
    print(f"{'case':26} {'seconds':>9} {'peak MB':>9} {'over import':>12}  goal")
    for case, r in results.items():
        if case == 'imports only':
            print(f"{case:26} {'':>9} {r['peak_mb']:9.0f} {'':>12}"); continue
        met = r['seconds'] < GOAL_SECONDS and r['peak_mb'] < GOAL_MB
        goal = ('met' if met else 'MISSED') if case != 'simulate_traffic' else '(not a report)'
        print(f"{case:26} {r['seconds']:9.3f} {r['peak_mb']:9.0f} {r['peak_mb'] - base:12.0f}  {goal}")


if __name__ == '__main__':
    if sys.argv[1:2] == ['--child']: child(sys.argv[2])
    else: main()
