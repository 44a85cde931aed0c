"""The prediction API served by gunicorn, over real HTTP: answers, every kind of error, a fuzz, a load test,
and a server that starts before any model exists."""
import http.client
import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from regression_course import config  # noqa: F401
from regression_course.prediction import for_people
from conftest import free_port, gunicorn_command, serving

REPO_ROOT = Path(__file__).resolve().parent.parent
JSON = {'Content-Type': 'application/json'}


def request(port, method, path, body=None, headers=None, timeout=30):
    "One request on a fresh connection: (status, headers, body bytes)"
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def post(port, payload, **kw):
    status, headers, body = request(port, 'POST', '/predict', json.dumps(payload).encode(), JSON, **kw)
    return status, json.loads(body)


@contextmanager
def gunicorn(tmp_path, factory_args='', env=None, ready=(200,)):
    "Run the API under gunicorn on a free port; always stopped afterwards"
    port, errors = free_port(), tmp_path/f'gunicorn-{time.time_ns()}.err'
    with serving(gunicorn_command(port, factory_args), errors, env=env,
                 is_ready=lambda: request(port, 'GET', '/health', timeout=2)[0] in ready):
        yield port
    assert 'Traceback' not in errors.read_text(), errors.read_text()[-3000:]


@pytest.fixture(scope='module')
def model(deployable_run):
    from regression_course.registry import load_model
    loaded = load_model()
    assert loaded.run_id == deployable_run.id
    return loaded


@pytest.fixture(scope='module')
def log_path(tmp_path_factory):
    return tmp_path_factory.mktemp('log')/'predictions.jsonl'


@pytest.fixture(scope='module')
def server(model, log_path, tmp_path_factory):
    with gunicorn(tmp_path_factory.mktemp('gunicorn'), f'log_path={str(log_path)!r}') as port:
        yield port


def log_records(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_predict_one_and_many(server, model):
    status, answer = post(server, {'x': 1.5})
    assert status == 200
    assert answer['prediction'] == model.model.predict([[1.5]])[0]
    assert answer['rounded'] == for_people(answer['prediction'])  # what the page shows a person
    assert answer['model'] == model.summary() and answer['warnings'] == []
    xs = [model.x_min, 0.0, model.x_max, model.x_max + 1]
    status, answer = post(server, {'x': xs})
    assert status == 200
    assert answer['prediction'] == model.model.predict([[x] for x in xs]).tolist()
    assert len(answer['warnings']) == 1 and answer['warnings'][0].startswith('x[3]=')
    assert 'rounded' not in answer  # a batch is for programs


def test_served_model_gives_the_course_figures(server):
    "The model the tests train is the course's: the checkpoint figure, over real HTTP"
    from regression_course.course import COURSE_FIGURES
    expected, tolerance = COURSE_FIGURES['prediction_at_10']
    status, answer = post(server, {'x': 10})
    assert status == 200 and abs(answer['prediction'] - expected) <= tolerance, answer
    assert len(answer['warnings']) == 1  # x = 10 is outside the training range: an extrapolation, said so


def test_batch_of_10000(server, model):
    xs = [i / 1000 for i in range(10_000)]
    status, answer = post(server, {'x': xs})
    assert status == 200 and len(answer['prediction']) == 10_000
    assert answer['prediction'] == model.model.predict([[x] for x in xs]).tolist()


def test_warning_outside_training_range(server, model):
    for x in (model.x_min - 1, model.x_max + 100):
        status, answer = post(server, {'x': x})
        assert status == 200 and answer['prediction'] == model.model.predict([[x]])[0]
        assert len(answer['warnings']) == 1 and 'outside the training range' in answer['warnings'][0]


def test_model_health_and_page(server, model):
    status, _, body = request(server, 'GET', '/model')
    info = json.loads(body)
    assert status == 200 and info == {**model.summary(), 'mse': model.mse, 'candidate': model.candidate,
                                      'x_min': model.x_min, 'x_max': model.x_max}
    status, _, body = request(server, 'GET', '/health')
    assert status == 200 and json.loads(body) == {'status': 'ok', 'run_id': model.run_id}
    status, headers, body = request(server, 'GET', '/')
    assert status == 200 and headers['Content-Type'].startswith('text/html') and b'fetch(' in body
    for element in (b'id="x"', b'id="predict"', b'id="prediction"', b'id="model"', b"'warning'", b"'error'"):
        assert element in body, element  # the browser tests find the page's parts by these
    assert b'<script src' not in body and b'https://' not in body  # works offline: nothing from a CDN


BAD_REQUESTS = [  # (method, path, body, content type, status)
    ('POST', '/predict', b'{"y": 1}', 'application/json', 400),
    ('POST', '/predict', b'{"x": "1.5"}', 'application/json', 400),
    ('POST', '/predict', b'{"x": true}', 'application/json', 400),
    ('POST', '/predict', b'{"x": NaN}', 'application/json', 400),
    ('POST', '/predict', b'{"x": -Infinity}', 'application/json', 400),
    ('POST', '/predict', b'{"x": 1e999}', 'application/json', 400),
    ('POST', '/predict', b'{"x": 1e308}', 'application/json', 400),
    ('POST', '/predict', b'{"x": [[1.0]]}', 'application/json', 400),
    ('POST', '/predict', b'{"x": []}', 'application/json', 400),
    ('POST', '/predict', b'{"x": [1, null]}', 'application/json', 400),
    ('POST', '/predict', b'{"x": 1.5', 'application/json', 400),
    ('POST', '/predict', b'', 'application/json', 400),
    ('POST', '/predict', b'[' * 200_000, 'application/json', 400),
    ('POST', '/predict', b'{"x": 1.5}', 'text/plain', 400),
    ('POST', '/predict', b'_x=1.5', 'application/x-www-form-urlencoded', 400),
    ('POST', '/predict', b'{"x": 1.5}', None, 400),
    ('POST', '/predict', json.dumps({'x': [1.0] * 10_001}).encode(), 'application/json', 413),
    ('POST', '/predict', b'{"x": [' + b'1.0, ' * 250_000 + b'1.0]}', 'application/json', 413),
    ('GET', '/predict', None, None, 405),
    ('PUT', '/predict', b'{"x": 1.5}', 'application/json', 405),
    ('DELETE', '/model', None, None, 405),
    ('GET', '/nowhere', None, None, 404),
    ('POST', '/', b'{"x": 1.5}', 'application/json', 405),
]


@pytest.mark.parametrize('method,path,body,content_type,expected', BAD_REQUESTS,
                         ids=[f'{m} {p} {(b or b"")[:20]!r} {c} {s}' for m, p, b, c, s in BAD_REQUESTS])
def test_bad_requests_get_json_errors(server, method, path, body, content_type, expected):
    status, headers, answer = request(server, method, path, body, {'Content-Type': content_type} if content_type else {})
    assert status == expected
    assert headers['Content-Type'] == 'application/json'
    error = json.loads(answer)['error']
    assert error and 'Traceback' not in error


def test_chunked_body_over_the_limit_is_413(server):
    def chunks():
        yield b'{"x": ['
        for _ in range(300):
            yield b'1.0, ' * 1000
        yield b'1.0]}'
    conn = http.client.HTTPConnection('127.0.0.1', server, timeout=30)
    try:
        conn.request('POST', '/predict', body=chunks(), headers=JSON, encode_chunked=True)
        r = conn.getresponse()
        assert r.status == 413 and 'error' in json.loads(r.read())
    finally:
        conn.close()


def test_405_names_the_allowed_methods(server):
    status, headers, body = request(server, 'GET', '/predict')
    assert status == 405 and 'POST' in headers['Allow'] and json.loads(body) == {'error': 'GET is not allowed on /predict: use POST'}


# --- fuzz: whatever a client sends, the answer is JSON and never a 5xx -----------------------------------
json_values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
                           max_leaves=20)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(['x', 'y', 'X']), json_values, min_size=1).map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(['id', 'y', 'x']), json_values | st.just('0' * 32) | st.text(alphabet='0123456789abcdef', max_size=40),
                    min_size=1).map(lambda v: json.dumps(v).encode()),  # feedback-like
    st.builds(lambda x: json.dumps({'x': x}).encode(), st.floats() | st.lists(st.floats(), max_size=50)),
    st.builds(lambda tokens: ('{"x": [' + ', '.join(tokens) + ']}').encode(),
              st.lists(st.sampled_from(['NaN', 'Infinity', '-Infinity', '1e999', '1', '-0.0', 'true', 'null', '"1"', '[]']), max_size=5)),
)
content_types = st.one_of(
    st.sampled_from(['application/json', 'application/json; charset=utf-8', 'application/problem+json', 'text/plain',
                     'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']),
    st.text(alphabet='abcdefghijklmnopqrstuvwxyz/+-.;= ', max_size=40))
methods = st.sampled_from(['POST', 'POST', 'POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
paths = st.sampled_from(['/predict', '/predict', '/predict', '/feedback', '/feedback', '/', '/model', '/health', '/predict/',
                         '//predict', '/feedback/']) | \
    st.from_regex(r'\A/[a-z0-9_.~-]{0,12}\Z')


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, path=paths, body=bodies, content_type=content_types)
def test_fuzz_never_5xx_always_json(server, method, path, body, content_type):
    status, headers, answer = request(server, method, path, body, {'Content-Type': content_type})
    assert status < 500, answer
    if method == 'HEAD' or (method, path) == ('GET', '/'):
        return
    if method == 'OPTIONS' and status == 200:
        return  # Flask answers OPTIONS itself, with an empty body and the `Allow` header
    assert headers['Content-Type'] == 'application/json'
    data = json.loads(answer)
    assert ('prediction' in data and 'id' in data) if status == 200 and path == '/predict' else True
    assert ('replaced' in data) if status == 200 and path == '/feedback' else True
    if status >= 400:
        assert isinstance(data['error'], str) and data['error']


# --- load: 10,000 requests from 32 clients, no errors, every one in the log --------------------------------
def test_load_10000_requests_32_clients(server, model, log_path):
    before = len(log_records(log_path))
    n_requests, n_clients = 10_000, 32
    errors, lock = [], threading.Lock()
    xs = [model.x_min + (model.x_max - model.x_min) * i / n_requests for i in range(n_requests)]

    def client(worker):
        conn = http.client.HTTPConnection('127.0.0.1', server, timeout=30)  # reconnects when the server closes
        try:
            for i in range(worker, n_requests, n_clients):
                try:
                    conn.request('POST', '/predict', body=json.dumps({'x': xs[i]}).encode(), headers=JSON)
                    r = conn.getresponse()
                    body = r.read()
                    if r.status != 200: raise AssertionError(f'{r.status} {body[:200]!r}')
                except Exception as e:
                    with lock: errors.append(f'request {i}: {e!r}')
                    conn.close()
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(w,)) for w in range(n_clients)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - started
    print(f'{n_requests} requests from {n_clients} clients in {elapsed:.1f} s ({n_requests / elapsed:.0f}/s)')
    assert errors == [], errors[:5]
    deadline = time.monotonic() + 10  # each line is written just after its answer was sent
    while len(log_records(log_path)) < before + n_requests and time.monotonic() < deadline: time.sleep(0.1)
    new = log_records(log_path)[before:]
    assert len(new) == n_requests
    assert {r['run_id'] for r in new} == {model.run_id}
    assert sorted(r['x'] for r in new) == sorted(xs)


# --- a server started before any model exists picks one up once it is trained ------------------------------
def test_server_without_model_answers_503_then_picks_up_a_trained_one(datastore, model, tmp_path):
    empty = tmp_path/'datastore'
    (empty/'.metaflow').mkdir(parents=True)
    env = {'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(empty), 'METAFLOW_DATATOOLS_LOCALROOT': str(empty/'.metaflow'/'data')}
    log = tmp_path/'predictions.jsonl'
    with gunicorn(tmp_path, f'log_path={str(log)!r}, retry_seconds=0.5', env=env, ready=(503,)) as port:
        for method, path in (('POST', '/predict'), ('GET', '/model'), ('GET', '/health')):
            status, headers, body = request(port, method, path, b'{"x": 1.5}', JSON)
            assert status == 503 and headers['Content-Type'] == 'application/json'
            assert 'make train' in json.loads(body)['error'] and headers['Retry-After'] == '1'  # ceil(retry_seconds)
        # "train" a model: put the tests' deployable run into this datastore (copied whole, then renamed in)
        flow = datastore/'.metaflow'/'SampleRegressionFlow'
        shutil.copytree(flow, empty/'.metaflow'/'incoming')
        shutil.copytree(datastore/'.metaflow'/'data', empty/'.metaflow'/'data', dirs_exist_ok=True)
        os.rename(empty/'.metaflow'/'incoming', empty/'.metaflow'/'SampleRegressionFlow')
        deadline = time.monotonic() + 30
        while True:
            status, answer = post(port, {'x': 1.5})
            if status == 200 or time.monotonic() > deadline: break
            time.sleep(0.2)
        assert status == 200, answer
        assert answer['model']['run_id'] == model.run_id
        assert answer['prediction'] == model.model.predict([[1.5]])[0]
    assert len(log_records(log)) >= 1
