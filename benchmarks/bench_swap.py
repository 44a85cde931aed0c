"""From a promotion (or a rollback) to every gunicorn worker serving it, under load, with no failed request.

A scratch datastore (08's laboratory, regression_course.monitoring_lab) gets the course run; `make serve`'s gunicorn
(2 workers) serves it while 8 clients ask /predict without pause. Then, `--rounds` times: a new run of the flow
on the same data (`--candidates linear`: at least as good as the champion, so promoted) and a rollback of it.
For each we report the seconds from the moment the registry changed to the last answer from the old run
(for a promotion, from the end of the flow's process, a little after its tag was added: an upper bound), the
answers during the swap, and failures. Goal: < 10 s, 0 failed. Usage: python benchmarks/bench_swap.py [--rounds R]
"""
import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time

from regression_course.monitoring_lab import LocalServer, scratch_datastore, train

CLIENTS = 8


def hammer(port, stop, answers, failures, lock):
    "Ask /predict until `stop`, on one kept-open connection; note (time asked, run id) of each answer"
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    while not stop.is_set():
        asked = time.monotonic()
        try:
            conn.request('POST', '/predict', body=b'{"x": 1.5}', headers={'Content-Type': 'application/json'})
            r = conn.getresponse(); body = r.read()
            if r.status != 200: raise RuntimeError(f'{r.status} {body[:100]!r}')
            with lock: answers.append((asked, json.loads(body)['model']['run_id']))
        except Exception as e:
            with lock: failures.append(repr(e))
            conn.close(); conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.close()


def swap_seconds(answers, lock, since, new, wait=15):
    "Seconds from `since` to the last answer from another run than `new` (waiting `wait` s for stragglers)"
    time.sleep(wait)
    with lock: after = [(t, r) for t, r in answers if t > since]
    old = [t for t, r in after if r != new]
    assert after and after[-1][1] == new, f'{new} is not being served {wait} s after the change'
    return (max(old) - since) if old else 0.0, len(after)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args(argv)
    env = scratch_datastore()
    first, _ = train(env)
    server = LocalServer(env)
    stop, answers, failures, lock = threading.Event(), [], [], threading.Lock()
    threads = [threading.Thread(target=hammer, args=(server.port, stop, answers, failures, lock)) for _ in range(CLIENTS)]
    print(f'{CLIENTS} clients on `make serve` (2 workers), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}\n')
    print('| round | change | seconds to every worker | answers in the 15 s after | failed |\n|---|---|---|---|---|')
    rows = []
    try:
        for t in threads: t.start()
        for r in range(args.rounds):
            new, verdict = train(env, '--candidates', 'linear')
            promoted = time.monotonic()
            assert verdict.startswith('promoted'), verdict
            seconds, n = swap_seconds(answers, lock, promoted, new)
            rows.append(('promotion', seconds)); print(f'| {r + 1} | promotion | {seconds:.2f} | {n:,} | {len(failures)} |')
            subprocess.run([sys.executable, '-c', 'from regression_course.registry import rollback; rollback("benchmark")'],
                           env=env, check=True, capture_output=True)
            rolled_back = time.monotonic()
            seconds, n = swap_seconds(answers, lock, rolled_back, first)
            rows.append(('rollback', seconds)); print(f'| {r + 1} | rollback | {seconds:.2f} | {n:,} | {len(failures)} |')
    finally:
        stop.set()
        for t in threads: t.join(30)
        server.stop()
    worst = max(s for _, s in rows)
    print(f'\n{len(answers):,} answers, {len(failures)} failed; slowest swap {worst:.2f} s. '
          f'Goals: < 10 s {"yes" if worst < 10 else "NO"}, 0 failed {"yes" if not failures else "NO"}')


if __name__ == '__main__':
    main()
