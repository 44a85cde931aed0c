"""Latency and throughput of POST /predict under gunicorn, measured against the lecture's baseline app.

The baseline (benchmarks/baseline_app.py) is the app as the lecture writes it: Flask's development server
(`app.run(threaded=True)`), the model a global, one x per request in the form field `_x`. Both run in the same
session, on the same model, each in its own process, one after the other.

Load generator: `wrk` (Debian package `wrk`) when it is installed; otherwise a Python client running in
separate processes, one per simulated client, each on one keep-alive connection (slower, so its numbers are
upper bounds on latency). The batch of 10,000 x is timed with a Python client either way.

Goals on 2 cores: p50 < 1 ms for one client; at least 3x the baseline's throughput at 8 concurrent clients;
a batch of 10,000 x answered in < 50 ms; with 96 slow clients connected (32 idle, 32 trickling a request,
32 stalled in a body), a normal client's /health and /predict answered within 1 s. Two gunicorn set-ups are
measured: `make serve`'s (regression_course.slow_clients.GUNICORN_OPTIONS: the guarded threaded worker,
64 threads) and the plain gthread worker with 4 threads it replaced. Usage: python benchmarks/bench_serving.py [--duration SECONDS]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from regression_course import config

config.configure_metaflow()  # before anything imports metaflow
from _common import ensure_model, free_port, stop

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
from regression_course.slow_clients import GUNICORN_OPTIONS as SERVE_OPTIONS  # what `make serve` runs
# the plain threaded workers `make serve` ran before: 4 threads each, no deadline for reading a request
GTHREAD_OPTIONS = ['--no-control-socket', '--workers', '2', '--worker-class', 'gthread', '--threads', '4', '--keep-alive', '5']
SERVE, GTHREAD, BASELINE = 'gunicorn guarded gthread, 64 threads (make serve)', 'gunicorn gthread, 4 threads (before)', 'baseline: Flask dev server'


@contextmanager
def running(cmd, ready_path, port):
    "Start a server, wait until `ready_path` answers 200, stop it afterwards"
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                err.seek(0)
                raise RuntimeError(f'{cmd[:4]} did not start:\n{err.read().decode()[-2000:]}')
            try:
                if urllib.request.urlopen(f'http://127.0.0.1:{port}{ready_path}', timeout=1).status == 200: break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        stop(proc, grace=15)


# --- load generators ------------------------------------------------------------------------------------
def _seconds(text):
    value, unit = re.fullmatch(r'([\d.]+)(us|ms|s)', text).groups()
    return float(value) * {'us': 1e-6, 'ms': 1e-3, 's': 1.0}[unit]


def wrk(url, body, content_type, clients, duration):
    "p50, p99 (seconds), requests/s and errors, measured by wrk"
    with tempfile.NamedTemporaryFile('w', suffix='.lua', delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "{content_type}"\n')
    try:
        out = subprocess.run(['wrk', '-t1', f'-c{clients}', f'-d{duration}s', '--latency', '-s', script.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    p = {m.group(1): _seconds(m.group(2)) for m in re.finditer(r'^\s+(50|99)%\s+(\S+)', out, re.M)}
    errors = sum(int(n) for n in re.findall(r'Non-2xx or 3xx responses: (\d+)', out))
    errors += sum(int(n) for n in re.findall(r'(?:connect|read|write|timeout) (\d+)', out))
    return p['50'], p['99'], float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)), errors


def _python_client(args):
    port, path, body, content_type, duration = args
    conn, latencies, errors = http.client.HTTPConnection('127.0.0.1', port, timeout=30), [], 0
    deadline = time.perf_counter() + duration
    while (start := time.perf_counter()) < deadline:
        try:
            conn.request('POST', path, body=body, headers={'Content-Type': content_type})
            r = conn.getresponse(); r.read()
            errors += r.status != 200
        except OSError:
            errors += 1; conn.close()
        latencies.append(time.perf_counter() - start)
    return latencies, errors


def python_load(url, body, content_type, clients, duration):
    "The same numbers as `wrk`, from one Python process per client"
    port, path = int(url.split(':')[2].split('/')[0]), '/' + url.split('/', 3)[3]
    with multiprocessing.get_context('spawn').Pool(clients) as pool:
        results = pool.map(_python_client, [(port, path, body.encode(), content_type, duration)] * clients)
    latencies = sorted(l for ls, _ in results for l in ls)
    return (latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)], len(latencies) / duration,
            sum(e for _, e in results))


def batch_seconds(port, xs, repeat=30, pause=0.1):
    "Median and worst time from sending a batch to having the whole answer, one request at a time"
    body, times = json.dumps({'x': xs}).encode(), []
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    for i in range(repeat + 3):
        time.sleep(pause)  # one batch at a time: the worker has finished the previous one (and its log line)
        start = time.perf_counter()
        conn.request('POST', '/predict', body=body, headers={'Content-Type': 'application/json'})
        r = conn.getresponse(); answer = r.read()
        if i >= 3: times.append(time.perf_counter() - start)  # the first few warm up the workers
        assert r.status == 200 and len(json.loads(answer)['prediction']) == len(xs)
    conn.close()
    return statistics.median(times), max(times)


def with_slow_clients(port, n=32, timeout=3.0):
    "Seconds a normal client waits for /health and /predict (None: timed out) while 3 x `n` slow clients are connected"
    socks = []
    try:
        for kind in ('idle', 'trickle', 'stalled'):
            for _ in range(n):
                s = socket.create_connection(('127.0.0.1', port), timeout=5)
                if kind == 'trickle': s.sendall(b'G')
                if kind == 'stalled':
                    s.sendall(b'POST /predict HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"x": [')
                socks.append((kind, s))
        time.sleep(1)
        for kind, s in socks:
            if kind == 'trickle': s.send(b'E')
        waits = []
        for method, path, body in (('GET', '/health', None), ('POST', '/predict', b'{"x": 1.5}')):
            start, conn = time.perf_counter(), http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
            try:
                conn.request(method, path, body=body, headers={'Content-Type': 'application/json'})
                r = conn.getresponse(); r.read()
                waits.append(time.perf_counter() - start if r.status == 200 else None)
            except OSError:
                waits.append(None)
            finally:
                conn.close()
        return waits
    finally:
        for _, s in socks: s.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--duration', type=float, default=3, help='seconds per measurement')
    parser.add_argument('--rounds', type=int, default=3, help='measurements of each server, interleaved')
    args = parser.parse_args(argv)
    model = ensure_model()
    load = wrk if shutil.which('wrk') else python_load
    generator = 'wrk' if load is wrk else 'Python client, one process per client'
    print(f'model: run {model.run_id} ({model.candidate}); load generator: {generator}; '
          f'{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}')
    log_dir = Path(tempfile.mkdtemp(prefix='bench-serving-'))
    duration = int(args.duration) if load is wrk else args.duration
    servers = {
        SERVE: ([sys.executable, '-m', 'gunicorn', *SERVE_OPTIONS], '/predict', 'json'),
        GTHREAD: ([sys.executable, '-m', 'gunicorn', *GTHREAD_OPTIONS], '/predict', 'json'),
        BASELINE: ([sys.executable, str(HERE/'baseline_app.py')], '/', 'form'),
    }
    # All servers run at once (idle ones cost nothing) and are measured in turns, round after round, in a rotating
    # order: on a machine shared with other work, each server then sees the same mix of quiet and busy moments.
    targets, samples = {}, {name: {1: [], 8: []} for name in servers}
    with ExitStack() as stack:
        for name, (cmd, path, kind) in servers.items():
            port = free_port()
            if kind == 'json':
                cmd = [*cmd, '--bind', f'127.0.0.1:{port}', f"regression_course.serving:create_app(log_path={str(log_dir/'p.jsonl')!r})"]
                ready, body, content_type = '/health', '{"x": 1.5}', 'application/json'
            else:
                cmd, ready, body, content_type = [*cmd, str(port)], '/', '_x=1.5', 'application/x-www-form-urlencoded'
            stack.enter_context(running(cmd, ready, port))
            targets[name] = (f'http://127.0.0.1:{port}{path}', body, content_type, port)
        for url, body, content_type, _ in targets.values():
            load(url, body, content_type, 8, 2 if load is wrk else 2.0)  # warm up
        names = list(servers)
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                url, body, content_type, _ = targets[name]
                for clients in (1, 8): samples[name][clients].append(load(url, body, content_type, clients, duration))
        port = targets[SERVE][3]
        xs = [model.x_min + i * (model.x_max - model.x_min) / 10_000 for i in range(10_000)]
        batch = batch_seconds(port, xs)
        back_to_back = batch_seconds(port, xs, pause=0)
        slow = {name: with_slow_clients(targets[name][3]) for name in (SERVE, GTHREAD)}
    rows = {name: {clients: tuple(statistics.median(m[i] for m in runs) for i in range(4)) for clients, runs in by_clients.items()}
            for name, by_clients in samples.items()}
    from regression_course.serving import read_prediction_log
    log = read_prediction_log(log_dir/'p.jsonl')
    batch_handler_ms = log.groupby('request').filter(lambda g: len(g) == 10_000).groupby('request').latency_ms.first()
    shutil.rmtree(log_dir, ignore_errors=True)

    base = rows[BASELINE]
    print(f'\nPOST /predict, one x per request; median of {args.rounds} interleaved {duration} s measurements ({generator})\n')
    print('| server | clients | p50 ms | p99 ms | requests/s | errors | throughput vs baseline |')
    print('|---|---|---|---|---|---|---|')
    for name, by_clients in rows.items():
        for clients, (p50, p99, rps, errors) in by_clients.items():
            print(f'| {name} | {clients} | {p50*1e3:.2f} | {p99*1e3:.2f} | {rps:,.0f} | {errors} | {rps / base[clients][2]:.2f}x |')
    print('\nwith 96 slow clients connected (32 idle, 32 trickling, 32 stalled bodies), a normal client waits:')
    for name, waits in slow.items():
        print(f'- {name}: ' + ', '.join(f'{what} {"timed out (3 s)" if w is None else f"{w * 1e3:.1f} ms"}'
                                         for what, w in zip(('/health', '/predict'), waits)))
    print(f'\nbatch of 10,000 x through make serve (Python client, 30 requests, each until the whole answer is read):\n'
          f'- one at a time:   median {batch[0]*1e3:.1f} ms, worst {batch[1]*1e3:.1f} ms\n'
          f'- back to back:    median {back_to_back[0]*1e3:.1f} ms, worst {back_to_back[1]*1e3:.1f} ms\n'
          f'- in the handler:  median {batch_handler_ms.median():.1f} ms (latency_ms in the prediction log)\n')
    print('| goal | ' + ' | '.join(n for n in (SERVE, GTHREAD)) + ' |')
    print('|---|---|---|')
    p50s = [rows[n][1][0] for n in (SERVE, GTHREAD)]
    ratios = [rows[n][8][2] / base[8][2] for n in (SERVE, GTHREAD)]
    print('| p50 < 1 ms, one client | ' + ' | '.join(f'{p*1e3:.2f} ms {"yes" if p < 1e-3 else "NO"}' for p in p50s) + ' |')
    print('| >= 3x baseline throughput, 8 clients | ' + ' | '.join(f'{r:.2f}x {"yes" if r >= 3 else "NO"}' for r in ratios) + ' |')
    print(f'| batch of 10,000 x < 50 ms | {batch[0]*1e3:.1f} ms {"yes" if batch[0] < 0.05 else "NO"} | |')
    print('| normal client < 1 s with 96 slow clients | ' + ' | '.join(
        'yes' if all(w is not None and w < 1 for w in slow[n]) else 'NO' for n in (SERVE, GTHREAD)) + ' |')
    print(f'\nload average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
