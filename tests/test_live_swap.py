"""A live swap, for real: gunicorn (2 workers, as `make serve`) under load from 8 clients while a better-or-equal
model is promoted by a real flow run, then rolled back. Every worker must serve each within 10 s, naming the run
that answered, and no request may fail. Also the feedback contract over HTTP: ids issued, 404, 400, later wins.

It runs in a copy of the tests' datastore, so the course's served model elsewhere is left alone.
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from conftest import copy_of, free_port, gunicorn_command, run_flow, serving

JSON = {'Content-Type': 'application/json'}
SWAP_SECONDS = 10  # the promise: a promotion or a rollback is served by every worker within this


@pytest.fixture(scope='module')
def copy(deployable_run, datastore, tmp_path_factory):
    "(root, env) of a copy of the tests' datastore, whose newest deployable run is the course run"
    root = tmp_path_factory.mktemp('swap')
    return root, copy_of(datastore, root)


class Clients:
    "`n` clients asking /predict over and over (a new connection every 20 requests, so both workers get some)"
    def __init__(self, port, n=8, pause=0.01):
        self.port, self.pause, self.answers, self.failures = port, pause, [], []
        self.stopping, self.lock = threading.Event(), threading.Lock()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(n)]

    def client(self, i):
        while not self.stopping.is_set():
            conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
            try:
                for _ in range(20):
                    asked = time.monotonic()
                    try:
                        conn.request('POST', '/predict', body=json.dumps({'x': 1.0 + i / 10}).encode(), headers=JSON)
                        r = conn.getresponse(); body = r.read()
                        if r.status != 200: raise AssertionError(f'{r.status} {body[:200]!r}')
                        answer = json.loads(body)
                        with self.lock: self.answers.append((asked, answer['model']['run_id'], answer['id']))
                    except Exception as e:
                        with self.lock: self.failures.append(f'{type(e).__name__}: {e}')
                        break
                    time.sleep(self.pause)
            finally:
                conn.close()

    def __enter__(self):
        for t in self.threads: t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads: t.join(30)

    def serving_only(self, run_id, since) -> bool:
        "True once every answer to a request asked after `since` came from `run_id` (and there are some)"
        with self.lock: later = [r for t, r, _ in self.answers if t > since]
        return len(later) >= 50 and set(later) == {run_id}

    def wait_for(self, run_id, since, limit=SWAP_SECONDS + 20) -> float:
        "Seconds from `since` until the last answer from another run was asked for (the swap time)"
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock: others = [t for t, r, _ in self.answers if t > since and r != run_id]
            if self.serving_only(run_id, max([since, *others])) and time.monotonic() - max([since, *others]) > 2:
                return max([since, *others]) - since
            time.sleep(0.2)
        raise AssertionError(f'{run_id} not served by every worker {limit} s after {since}')


def request(port, method, path, payload=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        body = payload if isinstance(payload, bytes) or payload is None else json.dumps(payload).encode()
        conn.request(method, path, body=body, headers=JSON)
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_promotion_and_rollback_reach_every_worker_live_with_no_failed_request(copy, deployable_run, tmp_path):
    root, env = copy
    port, errors = free_port(), tmp_path/'gunicorn.err'
    with serving(gunicorn_command(port, f"log_path={str(tmp_path/'p.jsonl')!r}"), errors, env=env,
                 is_ready=lambda: request(port, 'GET', '/health')[0] == 200):
        assert request(port, 'GET', '/health')[1]['run_id'] == deployable_run.id
        with Clients(port) as clients:
            time.sleep(1)
            # a promotion: the same data and candidate give the same MSE, which the champion/challenger rule accepts
            run_flow('--candidates', 'linear', '--run-id-file', tmp_path/'new.id', env=env)
            promoted_at, new = time.monotonic(), (tmp_path/'new.id').read_text().strip()
            swap = clients.wait_for(new, promoted_at)
            health, model = request(port, 'GET', '/health')[1], request(port, 'GET', '/model')[1]
            assert health['run_id'] == model['run_id'] == new
            # a rollback, as `make rollback` does it
            subprocess.run([sys.executable, '-c', 'from regression_course.registry import rollback; rollback("test: live swap back")'],
                           env={**os.environ, **env}, check=True, capture_output=True)
            rolled_back_at = time.monotonic()
            back = clients.wait_for(deployable_run.id, rolled_back_at)
        assert clients.failures == [], clients.failures[:5]
        print(f'{len(clients.answers)} answers, 0 failed; promotion served by every worker after {swap:.1f} s, '
              f'the rollback after {back:.1f} s')
        assert swap <= SWAP_SECONDS and back <= SWAP_SECONDS
        assert len({i for *_, i in clients.answers}) == len(clients.answers)  # every prediction its own id
    assert 'Traceback' not in errors.read_text(), errors.read_text()[-3000:]


def test_feedback_contract_over_http(deployable_run, tmp_path):
    from regression_course.feedback import read_feedback
    port, errors = free_port(), tmp_path/'gunicorn.err'
    with serving(gunicorn_command(port, f"log_path={str(tmp_path/'p.jsonl')!r}"), errors,
                 is_ready=lambda: request(port, 'GET', '/health')[0] == 200):
        one = request(port, 'POST', '/predict', {'x': 1.5})[1]
        many = request(port, 'POST', '/predict', {'x': [0.5, 1.0, 2.0]})[1]
        assert isinstance(one['id'], str) and len(many['id']) == 3 and len({one['id'], *many['id']}) == 4
        # any worker accepts any id: send each several times, on fresh connections
        for i, y in enumerate([25.0, 24.0, 23.0]):
            status, answer = request(port, 'POST', '/feedback', {'id': one['id'], 'y': y})
            assert status == 200 and answer['replaced'] == (i > 0) and answer['y'] == y
            if i: assert 'later value wins' in answer['message']
        for id_ in many['id']: assert request(port, 'POST', '/feedback', {'id': id_, 'y': 1})[0] == 200
        unknown = request(port, 'POST', '/feedback', {'id': 'f' * 32, 'y': 1.0})
        assert unknown[0] == 404 and 'unknown prediction id' in unknown[1]['error']
        for bad in ({'id': one['id'], 'y': 'high'}, {'id': one['id']}, {'id': one['id'], 'y': None}, [1], {'id': 3, 'y': 1},
                    b'{"id": "a", "y": NaN}', b'{"id": "a", "y": 1'):
            status, answer = request(port, 'POST', '/feedback', bad)
            assert status == 400 and answer['error'], (bad, status, answer)
        assert request(port, 'GET', '/feedback')[0] == 405
    feedback = read_feedback(tmp_path/'feedback.sqlite').set_index('id').y.to_dict()
    assert feedback == {one['id']: 23.0, **{i: 1.0 for i in many['id']}}
    logged = [json.loads(line) for line in (tmp_path/'p.jsonl').read_text().splitlines()]
    # the two requests may have gone to different workers, each appending its own line: the file's order is not the requests'
    assert sorted(json.dumps(r['id']) for r in logged) == sorted(map(json.dumps, [one['id'], many['id']]))
    assert 'Traceback' not in errors.read_text(), errors.read_text()[-3000:]
