"""The course flow on the local datastore against an S3 store (moto's server, and Swift's S3 layer), in one run;
the Argo compile and validation times; and how the cost grows with the number of candidates.

    python benchmarks/bench_remote.py [--repeats 1] [--candidates 1,2,4,8] [--no-swift]

Every flow run is a real `python regression_course/flow.py run` in a scratch folder (a local run and an S3 run
never share one), measured as wall time and processor time (the flow's processes, and the store's own server
processes, read from /proc). The runs are interleaved (local, moto, swift, local, ...) so a busy machine slows
all of them alike. Results are printed and written to benchmarks/results/remote.json.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (configures Metaflow before anything imports it)
from regression_course import config
from regression_course.remote import PROFILE, PROFILE_HOME, compile_argo, profile_env, validate_template

sys.path.insert(0, str(config.REPO_ROOT/'tools'))
from s3_store import start_store, swift_missing  # noqa: E402

CANDIDATES = ['linear', 'ridge:1', 'ridge:10', 'ridge:100', 'ridge:0.1', 'ridge:1000', 'ridge:3', 'ridge:30']
TICK = os.sysconf('SC_CLK_TCK')


def cpu_of(procs) -> float:
    "Processor seconds used so far by the store's server processes"
    total = 0.0
    for p in procs:
        try: fields = Path(f'/proc/{p.pid}/stat').read_text().rsplit(')', 1)[1].split()
        except FileNotFoundError: continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def run_flow(env:dict, candidates:int) -> dict:
    "One run of the course flow: wall and processor seconds (the flow's processes, the store's)"
    cmd = [sys.executable, str(config.FLOW_FILE), '--no-pylint', 'run', '--candidates', ','.join(CANDIDATES[:candidates])]
    store_procs = env.pop('_procs', [])
    before, store_before = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_of(store_procs)
    start = time.monotonic()
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0: raise RuntimeError(f'flow failed:\n{done.stderr[-3000:]}')
    return dict(wall=wall, cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                store_cpu=cpu_of(store_procs) - store_before)


def joined(store, folder:Path) -> dict:
    "The environment of a process that uses `store` through a copy of the course profile"
    home = folder/'profile'
    home.mkdir(parents=True)
    settings = json.loads((PROFILE_HOME/f'config_{PROFILE}.json').read_text())
    (home/f'config_{PROFILE}.json').write_text(json.dumps({**settings, 'METAFLOW_S3_ENDPOINT_URL': store.endpoint}))
    return profile_env(folder/'runs', home=home)


def local(folder:Path) -> dict:
    root = folder/'local'
    return {'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(root), 'METAFLOW_DATATOOLS_LOCALROOT': str(root/'.metaflow'/'data'),
            'METAFLOW_CLIENT_CACHE_PATH': str(root/'.metaflow'/'client_cache')}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=1, help='runs of each store at 4 candidates')
    ap.add_argument('--candidates', default='1,2,4,8', help='numbers of candidates for the growth table (local and moto)')
    ap.add_argument('--no-swift', action='store_true')
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix='bench-remote-'))
    stores = {'moto': start_store('moto', folder=scratch/'moto-store')}
    if not args.no_swift and (problem := swift_missing()) is None:
        started = time.monotonic()
        stores['swift'] = start_store('swift', folder=scratch/'swift-store')
        print(f'swift started in {time.monotonic() - started:.1f} s')
    elif not args.no_swift:
        print(f'swift left out: {problem} (python tools/s3_store.py --kind swift --install)')
    envs = {'local': local(scratch)}
    for name, store in stores.items(): envs[name] = {**joined(store, scratch/name), '_procs': store.procs}
    results = {'machine': dict(cores=os.cpu_count(), load_at_start=os.getloadavg()[0])}
    try:
        print(f'the course flow, 4 candidates, {args.repeats} run(s) per store, interleaved:')
        same = {name: [] for name in envs}
        for _ in range(args.repeats):
            for name, env in envs.items(): same[name].append(run_flow(dict(env), 4))
        base = statistics.median(r['wall'] for r in same['local'])
        for name, runs in same.items():
            wall, cpu = statistics.median(r['wall'] for r in runs), statistics.median(r['cpu'] for r in runs)
            store_cpu = statistics.median(r['store_cpu'] for r in runs)
            print(f'  {name:6} wall {wall:6.1f} s ({wall / base:.2f} x local)  flow CPU {cpu:6.1f} s  store CPU {store_cpu:5.1f} s')
        results['stores'] = same
        print('compile for Argo Workflows (moto store) and validate with hera, 3 times:')
        compiles, validations = [], []
        for _ in range(3):
            template, seconds = compile_argo(env={k: v for k, v in envs['moto'].items() if k != '_procs'})
            compiles.append(seconds)
            start = time.perf_counter()
            validate_template(template)
            validations.append(time.perf_counter() - start)
        print(f'  compile median {statistics.median(compiles):.2f} s (of {", ".join(f"{c:.2f}" for c in compiles)});'
              f' validate median {statistics.median(validations) * 1e3:.0f} ms (hera imported once, in the first)')
        results['compile_seconds'], results['validate_seconds'] = compiles, validations
        counts = [int(n) for n in args.candidates.split(',')]
        print(f'cost against the number of candidates ({counts}), local and moto, interleaved:')
        growth = {}
        for n in counts:
            for name in ('local', 'moto'):
                growth[f'{name}/{n}'] = run_flow(dict(envs[name]), n)
            l, m = growth[f'local/{n}'], growth[f'moto/{n}']
            print(f'  {n} candidates: local wall {l["wall"]:6.1f} s CPU {l["cpu"]:6.1f} s | '
                  f'moto wall {m["wall"]:6.1f} s CPU {m["cpu"]:6.1f} s (+ store {m["store_cpu"]:4.1f} s) | '
                  f'moto/local wall {m["wall"] / l["wall"]:.2f}')
        results['growth'] = growth
    finally:
        for store in stores.values(): store.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    out = config.REPO_ROOT/'benchmarks'/'results'/'remote.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))
    print('written to', out.relative_to(config.REPO_ROOT))


if __name__ == '__main__':
    main()
