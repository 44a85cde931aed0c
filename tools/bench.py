"""`make bench`: run every benchmark in benchmarks/, one after the other; stop at the first that fails.

Each benchmark prints its own figures beside its named baseline and keeps them in benchmarks/results/. They take
minutes each (bench_make_test.py runs a whole `make test` on a fresh clone): run them on a quiet machine.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == '__main__':
    for bench in sorted((ROOT/'benchmarks').glob('bench_*.py')):
        print(f'== {bench.relative_to(ROOT)}', flush=True)
        if subprocess.run([sys.executable, str(bench)], cwd=ROOT).returncode:
            sys.exit(f'FAIL: {bench.name}')
