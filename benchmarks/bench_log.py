"""Reading the prediction log back: 10^6 predictions, spread over a log and its rotated files, with a few bad lines.

`read_prediction_log` runs in a fresh process, so its peak memory (ru_maxrss, imports included) is its own.
Goals: < 2 s and < 500 MB for 10^6 predictions. Usage: python benchmarks/bench_log.py [--predictions N] [--rounds R]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

READ = """
import resource, sys, time, warnings
from regression_course.serving import read_prediction_log
start_cpu, start = time.process_time(), time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always'); log = read_prediction_log(sys.argv[1])
print(len(log), time.perf_counter() - start, time.process_time() - start_cpu,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(caught))
"""


def write_log(folder: Path, predictions: int, files: int = 4) -> Path:
    "A log of `predictions` values with their ids (one request in 20 a batch of 10), split into the log and rotated files, with bad lines"
    rng, start, lines, n = random.Random(0), datetime(2026, 1, 5, tzinfo=timezone.utc), [], 0
    while n < predictions:
        t = (start + timedelta(milliseconds=len(lines))).isoformat()
        if rng.random() < 0.05:
            xs = [rng.uniform(-3, 4) for _ in range(10)]
            rec = {'time': t, 'x': xs, 'prediction': [16.7 * x for x in xs], 'id': [f'{rng.getrandbits(128):032x}' for _ in xs],
                   'run_id': '1795426107027890', 'latency_ms': 0.4}; n += 10
        else:
            x = rng.uniform(-3, 4)
            rec = {'time': t, 'x': x, 'prediction': 16.7 * x, 'id': f'{rng.getrandbits(128):032x}', 'run_id': '1795426107027890',
                   'latency_ms': 0.2}; n += 1
        lines.append(json.dumps(rec, separators=(',', ':')))
    for i in range(0, len(lines), 100_000): lines.insert(i, '{"time": "2026-01-05T1')  # cut short
    path, per_file = folder/'predictions.jsonl', -(-len(lines) // files)
    for i in range(files):
        name = path if i == files - 1 else Path(f'{path}.{files - 1 - i}')
        name.write_text('\n'.join(lines[i * per_file:(i + 1) * per_file]) + '\n')
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--predictions', type=int, default=1_000_000)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix='bench-log-'))
    try:
        path = write_log(folder, args.predictions)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f'{args.predictions:,} predictions in 4 files, {size / 1e6:.0f} MB; {os.cpu_count()} cores; '
              f'load average {os.getloadavg()[0]:.2f}\n')
        print('| round | rows | wall s | CPU s | peak RSS MB | warnings |\n|---|---|---|---|---|---|')
        results = []
        for r in range(args.rounds):
            out = subprocess.run([sys.executable, '-c', READ, str(path)], capture_output=True, text=True, check=True).stdout.split()
            rows, wall, cpu, rss, warned = int(out[0]), float(out[1]), float(out[2]), float(out[3]), int(out[4])
            results.append((wall, cpu, rss))
            print(f'| {r + 1} | {rows:,} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {warned} |')
        wall, cpu, rss = (sorted(x)[len(x) // 2] for x in zip(*results))
        print(f'\nmedian: {wall:.2f} s wall ({cpu:.2f} s CPU), peak {rss:.0f} MB. Goals: < 2 s {"yes" if wall < 2 else "NO"}, '
              f'< 500 MB {"yes" if rss < 500 else "NO"}; load average after {os.getloadavg()[0]:.2f}')
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == '__main__':
    main()
