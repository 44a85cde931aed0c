"""Serving under hostile conditions, over real HTTP: slow clients, malformed chunked bodies, gunicorn's own
refusals, a log that rotates and is read back safely, a corrupt newest model, a 503 that says when to retry."""
import glob
import json
import os
import shutil
import socket
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import pytest

from regression_course import config  # noqa: F401
from regression_course.slow_clients import GUNICORN_OPTIONS
from conftest import copy_of, free_port, run_flow, serving
from test_serving_http import request, post

JSON = {'Content-Type': 'application/json'}


@contextmanager
def guarded(tmp_path, factory_args='', env=None, ready=(200,)):
    "The API under gunicorn with `make serve`'s options on a free port; yields (port, server log path)"
    port, log = free_port(), tmp_path/f'gunicorn-{time.time_ns()}.log'
    cmd = [sys.executable, '-m', 'gunicorn', *GUNICORN_OPTIONS, '--bind', f'127.0.0.1:{port}',
           f'regression_course.serving:create_app({factory_args})']
    # ready once it answers and both workers have loaded the app: a worker still loading it (seconds, on a busy machine)
    # leaves every connection to the other, whose threads the slow clients below would then fill alone
    is_ready = lambda: request(port, 'GET', '/health', timeout=2)[0] in ready and log.read_text().count('app loaded, serving') == 2
    with serving(cmd, log, env=env, is_ready=is_ready):
        yield port, log


def raw(port, data: bytes, timeout=10) -> tuple[str, dict, bytes]:
    "Send raw bytes; the status line, headers and body the server answers before closing"
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.sendall(data)
        answer, deadline = b'', time.monotonic() + timeout
        while time.monotonic() < deadline and (chunk := s.recv(65536)):
            answer += chunk
    head, _, body = answer.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    return lines[0], {k.lower(): v.strip() for k, _, v in (l.partition(':') for l in lines[1:])}, body


# Slow clients are cut off after CUT_OFF s: a request starved by them waits about that long, one that is not answers
# in milliseconds. Each probe is three clients at once: starved, all three wait; on a busy machine one may be late.
CUT_OFF = 8


def probe(port, method, path, body=None, clients=3) -> list[tuple[int, float]]:
    "(status, seconds) of `clients` identical requests sent at the same time, each on a new connection"
    answers, barrier = [None] * clients, threading.Barrier(clients)
    def one(i):
        barrier.wait(); start = time.perf_counter()
        answers[i] = (request(port, method, path, body, JSON, timeout=CUT_OFF + 5)[0], time.perf_counter() - start)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for t in threads: t.start()
    for t in threads: t.join()
    return answers


@pytest.fixture(scope='module')
def api(deployable_run, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('hostile')
    with guarded(tmp, f"run={deployable_run.id!r}, log_path={str(tmp/'p.jsonl')!r}",
                 env={'REGRESSION_COURSE_REQUEST_SECONDS': str(CUT_OFF)}) as (port, log):
        yield port, log
    assert 'Traceback' not in log.read_text(), log.read_text()[-3000:]


# --- slow clients --------------------------------------------------------------------------------------------
def test_slow_clients_cannot_starve_the_api(api):
    port, log = api
    socks = []
    try:
        for kind in ('idle', 'trickle', 'stalled'):
            for _ in range(32):
                s = socket.create_connection(('127.0.0.1', port), timeout=5)
                if kind == 'trickle': s.sendall(b'G')
                if kind == 'stalled':
                    s.sendall(b'POST /predict HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"x": [')
                socks.append((kind, s))
        time.sleep(1)
        for kind, s in socks:
            if kind == 'trickle': s.send(b'E')
        for method, path, body in (('GET', '/health', None), ('POST', '/predict', b'{"x": 1.5}')):
            answers = probe(port, method, path, body)
            assert all(status == 200 for status, _ in answers), (path, answers)
            assert min(took for _, took in answers) < 1 and max(took for _, took in answers) < CUT_OFF / 2, (path, answers)
        deadline, closed = time.monotonic() + CUT_OFF + 12, set()
        while len(closed) < len(socks) and time.monotonic() < deadline:
            for i, (kind, s) in enumerate(socks):
                if i in closed: continue
                if kind == 'trickle':
                    try: s.send(b'E')
                    except OSError: closed.add(i); continue
                s.settimeout(0.01)
                try:
                    if s.recv(100) == b'': closed.add(i)
                except socket.timeout: pass
                except OSError: closed.add(i)
            time.sleep(0.5)
        assert len(closed) == len(socks), f'{len(socks) - len(closed)} slow clients still connected'
    finally:
        for _, s in socks: s.close()
    text = log.read_text()
    assert 'cut off slow client 127.0.0.1:' in text and f'request not complete after {CUT_OFF:g} s' in text
    assert 'cut off idle client 127.0.0.1:' in text


SLOW_ANSWER_APP = """
import json, time

def app(environ, start_response):
    "Reads the body, then takes its time to answer, as a server loading a model on a busy machine does"
    body = environ['wsgi.input'].read()
    time.sleep(float(environ.get('HTTP_X_TAKE_SECONDS', 0)))
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps({'read': len(body)}).encode()]
"""


def test_a_slow_answer_is_not_cut_off_as_a_slow_client(tmp_path):
    "The deadline is the client's: a request that has arrived whole is answered, however long the answer takes"
    (tmp_path/'slow_answer.py').write_text(SLOW_ANSWER_APP)
    port, log, deadline = free_port(), tmp_path/'gunicorn.log', 2
    cmd = [sys.executable, '-m', 'gunicorn', *GUNICORN_OPTIONS, '--bind', f'127.0.0.1:{port}', '--chdir',
           str(tmp_path), 'slow_answer:app']
    env = {'REGRESSION_COURSE_REQUEST_SECONDS': str(deadline)}
    with serving(cmd, log, env=env, is_ready=lambda: request(port, 'GET', '/', timeout=5)[0] == 200):
        slow = {'X-Take-Seconds': str(deadline + 1.5), **JSON}  # past the deadline and the watchdog's next look
        answers = [None, None]
        def ask(i, method, body):
            answers[i] = request(port, method, '/', body, slow, timeout=deadline + 30)
        threads = [threading.Thread(target=ask, args=(0, 'POST', b'{"x": 1.5}')),
                   threading.Thread(target=ask, args=(1, 'GET', None))]
        for t in threads: t.start()
        for t in threads: t.join()
    assert [(status, json.loads(body)) for status, _, body in answers] == [(200, {'read': 10}), (200, {'read': 0})]
    assert 'cut off' not in log.read_text(), log.read_text()[-2000:]


# --- malformed requests --------------------------------------------------------------------------------------
CHUNKED = b'POST /predict HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'


@pytest.mark.parametrize('body', [b'ZZ\r\n{"x": 1.5}\r\n0\r\n\r\n', b'3\r\n1.5XX0\r\n\r\n', b'-1\r\n1\r\n0\r\n\r\n'],
                         ids=['bad chunk size', 'missing terminator', 'negative size'])
def test_malformed_chunked_bodies_are_400_json(api, body):
    status, headers, answer = raw(api[0], CHUNKED + body)
    assert status.startswith('HTTP/1.1 400'), (status, answer)
    assert headers['content-type'] == 'application/json' and json.loads(answer)['error']


@pytest.mark.parametrize('data,expected', [
    (b'GET /' + b'a' * 9000 + b' HTTP/1.1\r\nHost: a\r\n\r\n', 414),
    (b'GET /health HTTP/1.1\r\nHost: a\r\n' + b'X-A: b\r\n' * 200 + b'\r\n', 431),
    (b'GET /health HTTP/1.1\r\nHost: a\r\nX-Big: ' + b'b' * 9000 + b'\r\n\r\n', 431),
    (b'HELLO THERE\r\n\r\n', 400),
    (b'GET /health HTTP/1.1\r\nHost: a\r\nBad Header: 1\r\n\r\n', 400),
    (b'GET /health HTTP/9.9\r\nHost: a\r\n\r\n', 400),
], ids=['uri too long', 'too many headers', 'header too large', 'not a request line', 'bad header name', 'bad version'])
def test_gunicorn_refusals_are_json(api, data, expected):
    status, headers, answer = raw(api[0], data)
    assert status.startswith(f'HTTP/1.1 {expected}'), (status, answer)
    assert headers['content-type'] == 'application/json' and json.loads(answer)['error']


# --- the prediction log --------------------------------------------------------------------------------------
def test_log_rotates_at_the_cap_and_reads_back_in_order(tmp_path):
    from regression_course.prediction_log import PredictionLog, log_files
    from regression_course.serving import read_prediction_log
    log = PredictionLog(tmp_path/'p.jsonl', max_bytes=2000, keep=3)
    for i in range(300):
        assert log.append({'time': f'2026-01-05T10:{i // 60:02d}:{i % 60:02d}+00:00', 'x': float(i), 'prediction': 1.0,
                           'run_id': '1', 'latency_ms': 0.1})
    files = log_files(tmp_path/'p.jsonl')
    assert [f.name for f in files] == ['p.jsonl.3', 'p.jsonl.2', 'p.jsonl.1', 'p.jsonl']
    assert all(f.stat().st_size < 2000 + 200 for f in files)
    back = read_prediction_log(tmp_path/'p.jsonl')
    assert back.x.is_monotonic_increasing and back.x.iloc[-1] == 299.0 and back.request.is_monotonic_increasing


def test_bad_log_lines_are_skipped_with_a_count(tmp_path):
    from regression_course.serving import read_prediction_log
    good = {'time': '2026-01-05T10:00:00+00:00', 'x': 1.5, 'prediction': 25.0, 'run_id': '1', 'latency_ms': 0.2}
    lines = [json.dumps(good), json.dumps({**good, 'time': 'yesterday'}), '[' * 100_000, '{"time": "2026-01-05T1',
             json.dumps({**good, 'x': [1.0, 2.0], 'prediction': [3.0]}), json.dumps({**good, 'x': [1.0, 2.0], 'prediction': [3.0, 4.0]})]
    (tmp_path/'p.jsonl').write_text('\n'.join(lines) + '\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        log = read_prediction_log(tmp_path/'p.jsonl')
    assert log.x.tolist() == [1.5, 1.0, 2.0] and log.request.tolist() == [1, 6, 6]
    assert [str(w.message).split(': ')[-1] for w in caught] == ['skipped 4 unreadable line(s)']


@pytest.mark.parametrize('kind', ['fifo', 'directory'])
def test_a_log_that_is_not_a_file_is_refused_without_hanging(tmp_path, kind):
    from regression_course.prediction_log import PredictionLog
    from regression_course.serving import read_prediction_log
    path = tmp_path/'p.jsonl'
    os.mkfifo(path) if kind == 'fifo' else path.mkdir()
    result = {}

    def use():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            result['rows'] = len(read_prediction_log(path))
            result['written'] = PredictionLog(path).append({'x': 1.0})
        result['warnings'] = [str(w.message) for w in caught]
    worker = threading.Thread(target=use, daemon=True)
    worker.start(); worker.join(5)
    if worker.is_alive() and kind == 'fifo':
        os.close(os.open(path, os.O_RDWR | os.O_NONBLOCK))  # unblock it, so the test process can end
    assert not worker.is_alive(), 'hung on a log that is not a regular file'
    assert result['rows'] == 0 and result['written'] is False
    assert 'not a regular file' in result['warnings'][0] or kind == 'directory'
    assert len(result['warnings']) == 2


# --- the model -----------------------------------------------------------------------------------------------
def test_503_carries_retry_after():
    from regression_course.serving import create_app
    client = create_app(loader=lambda: None, retry_seconds=7, log_path=os.devnull).test_client()
    for r in (client.post('/predict', json={'x': 1.5}), client.get('/health'), client.get('/model')):
        assert r.status_code == 503 and r.headers['Retry-After'] == '7' and 'make train' in r.json['error']


def test_create_app_serves_the_run_asked_for(deployable_run):
    from regression_course.serving import create_app
    for run in (deployable_run.id, deployable_run.pathspec):
        client = create_app(run=run, log_path=os.devnull).test_client()
        assert client.get('/health').json == {'status': 'ok', 'run_id': deployable_run.id}


def test_corrupt_newest_model_falls_back_to_the_previous_run(datastore, deployable_run, tmp_path):
    "A second deployable run whose model file is truncated: the server serves the run before and says why"
    copy = tmp_path/'datastore'
    env = copy_of(datastore, copy)
    promote = ['--promotion_tolerance', 100]  # deployable even if not better
    run_flow('--random_state', 7, '--candidates', 'linear', *promote, cwd=copy, env=env)  # newer, deployable, another model
    flow_dir = copy/'.metaflow'/'SampleRegressionFlow'
    newest = max((p for p in flow_dir.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    assert newest.name != deployable_run.id
    sha = json.loads(open(glob.glob(str(newest/'end'/'*'/'0.data.json'))[0]).read())['objects']['model']
    old = json.loads(open(glob.glob(str(flow_dir/deployable_run.id/'end'/'*'/'0.data.json'))[0]).read())['objects']['model']
    assert sha != old, 'the two runs must not share the model file'
    blob = flow_dir/'data'/sha[:2]/sha
    blob.write_bytes(blob.read_bytes()[:blob.stat().st_size // 2])  # truncated, as a cut-short copy leaves it
    with guarded(tmp_path, f"log_path={str(tmp_path/'p.jsonl')!r}", env=env) as (port, _):
        status, _, body = request(port, 'GET', '/health')
        health = json.loads(body)
        assert status == 200 and health['run_id'] == deployable_run.id, health
        assert health['note'].startswith(f'newest deployable run {newest.name} (') and 'could not be loaded' in health['note']
        assert health['note'].endswith(f'serving {deployable_run.id}')
        status, answer = post(port, {'x': 1.5})
        assert status == 200 and answer['model']['run_id'] == deployable_run.id
