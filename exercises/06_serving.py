"""Checks for the exercises of 06_serving."""
import json
import math

import numpy as np

from regression_course.exercises import exercise


class _ToyModel:
    "A served model in miniature: `predict` wants one row per x, like scikit-learn; trained on x in [x_min, x_max]"
    def __init__(self, slope=2.0, intercept=1.0, x_min=-1.0, x_max=2.0):
        self.slope, self.intercept, self.x_min, self.x_max = slope, intercept, x_min, x_max

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2: raise ValueError(f'Expected 2D array, got {X.ndim}D array instead: reshape your data, one row per x')
        with np.errstate(over='ignore', invalid='ignore'): return self.slope * X[:, 0] + self.intercept


def _client(app):
    "A test client for `app` that lets a view's exception out (so the check can say which), or a hint"
    if not hasattr(app, 'test_client'): return None, f'return the Flask app itself (made with Flask(...)), not a {type(app).__name__}'
    app.testing = True  # an exception in a view reaches the check, instead of a 500 page and a traceback in the log
    return app.test_client(), None


def _ask(client, method, path, what, **kwargs):
    "('ok', response), or ('hint', why) when the view let an exception out"
    try: r = getattr(client, method)(path, **kwargs)
    except NotImplementedError: raise
    except Exception as e: return 'hint', f'{what}: your view let a {type(e).__name__} out ({e}), which a server answers with a 500'
    return 'ok', r


def _body(r):
    "The response's JSON, or None"
    try: return json.loads(r.get_data(as_text=True))
    except ValueError: return None


@exercise('serving.1', '06_serving', 'a small prediction API', needs='make_app')
def _small_api(make_app):
    client, hint = _client(make_app(_ToyModel()))
    if hint: return hint
    for x, prediction, extrapolated in ((1.5, 4.0, False), (1, 3.0, False), (-1.0, -1.0, False), (2.0, 5.0, False),
                                        (3.0, 7.0, True), (-1.5, -2.0, True)):
        how, r = _ask(client, 'post', '/predict', f'POST /predict {{"x": {x}}}', json={'x': x})
        if how == 'hint': return r
        if r.status_code == 404: return 'POST /predict answered 404: add a route for POST on the path /predict'
        if r.status_code == 405: return 'POST /predict answered 405 (method not allowed): the route must accept POST'
        if r.status_code != 200: return f'a good request {{"x": {x}}} should get status 200, not {r.status_code}'
        if r.mimetype != 'application/json': return f'answer with JSON (a dict returned by the view becomes JSON), not {r.mimetype}'
        body = _body(r)
        if not isinstance(body, dict) or not {'prediction', 'extrapolated'} <= set(body):
            return f'the answer should be a JSON object with the keys "prediction" and "extrapolated"; yours is {r.get_data(as_text=True).strip()[:80]}'
        if not isinstance(body['prediction'], (int, float)) or isinstance(body['prediction'], bool) or abs(body['prediction'] - prediction) > 1e-9:
            return f'with the toy model (y = 2x + 1) the prediction at x = {x} is {prediction}, yours is {body["prediction"]!r}: ask the model you were given'
        if not isinstance(body['extrapolated'], bool): return f'"extrapolated" should be true or false, not {body["extrapolated"]!r}'
        if body['extrapolated'] != extrapolated:
            return (f'the toy model was trained on x in [-1, 2]: at x = {x} "extrapolated" should be {str(extrapolated).lower()}'
                    + (' (the edges of the range are inside it)' if x in (-1.0, 2.0) else ''))
    other = _client(make_app(_ToyModel(slope=3.0, intercept=-2.0, x_min=10.0, x_max=20.0)))[0]
    how, r = _ask(other, 'post', '/predict', 'POST /predict {"x": 5} to another model', json={'x': 5})
    if how == 'hint': return r
    if _body(r) != {**(_body(r) or {}), 'prediction': 13.0, 'extrapolated': True}:
        return 'with another model (y = 3x - 2, trained on x in [10, 20]), x = 5 should give 13 and extrapolated true: use the model and the range of the model given to make_app'
    bad = ((dict(json={}), 'a body without x'), (dict(json={'y': 1.5}), '{"y": 1.5}'), (dict(json={'x': '1.5'}), 'x as a string'),
           (dict(json={'x': None}), 'x: null'), (dict(json={'x': [1, 2]}), 'x as a list'), (dict(json=[1.5]), 'a body that is a list'),
           (dict(json={'x': True}), 'x: true (in Python True is an int, but it is not a number a client means)'),
           (dict(data=b'{"x": 1.5', content_type='application/json'), 'a body cut short (not JSON)'),
           (dict(data='x=1.5', content_type='application/x-www-form-urlencoded'), 'a form instead of JSON'),
           (dict(data=b'{"x": NaN}', content_type='application/json'), 'x: NaN (not a number, and not JSON either)'),
           (dict(data=b'{"x": Infinity}', content_type='application/json'), 'x: Infinity'))
    for kwargs, what in bad:
        how, r = _ask(client, 'post', '/predict', what, **kwargs)
        if how == 'hint': return r + ': refuse a bad request with a 400 and a JSON error instead'
        if r.status_code == 200: return f'{what} must be refused with status 400, but you answered 200 with {r.get_data(as_text=True).strip()[:80]}'
        if r.status_code != 400: return f'{what}: the client made the mistake, so the status is 400, not {r.status_code}'
        body = _body(r)
        if r.mimetype != 'application/json' or not isinstance(body, dict):
            return (f'{what} got a 400 as {r.mimetype}, not JSON: that is Flask\'s own error page. A program expects JSON; '
                    'read the body so that Flask does not refuse it for you (look at the parameters of request.get_json)')
        if not isinstance(body.get('error'), str) or not body['error'].strip():
            return f'{what}: the JSON of a 400 should be {{"error": "..."}} with a message saying what to send; yours is {body}'
    return None


def _flat(x):
    return list(x) if isinstance(x, list) else [x]


@exercise('serving.2', '06_serving', 'a GET /stats endpoint over the log', needs='make_stats_app')
def _stats(make_stats_app):
    records = [{'time': '2026-01-01T00:00:00+00:00', 'x': 0.5, 'prediction': 2.0, 'run_id': '1', 'latency_ms': 0.3},
               {'time': '2026-01-01T00:00:01+00:00', 'x': [1.0, 5.0], 'prediction': [3.0, 11.0], 'run_id': '1', 'latency_ms': 0.4},
               {'time': '2026-01-01T00:00:02+00:00', 'x': -3.0, 'prediction': -5.0, 'run_id': '1', 'latency_ms': 0.2},
               {'time': '2026-01-01T00:00:03+00:00', 'x': 2.0, 'prediction': 5.0, 'run_id': '1', 'latency_ms': 0.2}]
    empty = []
    client, hint = _client(make_stats_app(empty, -1.0, 2.0))
    if hint: return hint
    how, r = _ask(client, 'get', '/stats', 'GET /stats on an empty log')
    if how == 'hint': return r + (' (with no predictions, there is no share to divide: say 0.0)' if 'ZeroDivision' in r else '')
    if r.status_code == 404: return 'GET /stats answered 404: add a route for GET on the path /stats'
    if r.status_code != 200: return f'GET /stats should answer 200, not {r.status_code}'
    if r.mimetype != 'application/json': return f'answer with JSON, not {r.mimetype}'
    want = {'requests': 0, 'predictions': 0, 'outside': 0, 'share_outside': 0.0}
    if _body(r) != want: return f'on an empty log the answer should be {json.dumps(want)}; yours is {r.get_data(as_text=True)[:120]}'
    client = _client(make_stats_app(records, -1.0, 2.0))[0]
    how, r = _ask(client, 'get', '/stats', 'GET /stats on a log with a batch')
    if how == 'hint': return r + (' (a batch record has a list of x values: count each one)' if 'list' in r else '')
    body = _body(r)
    if not isinstance(body, dict) or set(body) != set(want):
        return f'the answer should be a JSON object with exactly the keys {", ".join(want)}; yours is {r.get_data(as_text=True)[:120]}'
    if body['requests'] != 4: return f'the log has 4 records (4 requests answered), you counted {body["requests"]}'
    if body['predictions'] != 5: return f'one of the 4 requests was a batch of 2 x values, so 5 predictions, not {body["predictions"]}'
    if body['outside'] != 2:
        return f'with a training range of [-1, 2], 2 of the 5 x values (5.0 and -3.0) lie outside; you counted {body["outside"]} (the edges are inside)'
    if not isinstance(body['share_outside'], (int, float)) or abs(body['share_outside'] - 0.4) > 1e-9:
        return f'share_outside is the outside predictions over all predictions: 2 / 5 = 0.4, not {body["share_outside"]!r}'
    records.append({'time': '2026-01-01T00:00:04+00:00', 'x': 10.0, 'prediction': 21.0, 'run_id': '1', 'latency_ms': 0.2})
    how, r = _ask(client, 'get', '/stats', 'GET /stats after one more request was logged')
    if how == 'hint': return r
    if (_body(r) or {}).get('predictions') != 6:
        return 'the log grows while the server runs: after one more record, /stats should count it. Compute the counts inside the view, at each request, not when the app is built'
    return None


WRONG_ANSWERS = {
    'serving.1': [
        '''from flask import Flask, request
def make_app(model):
    app = Flask(__name__)
    @app.post('/predict')
    def predict():
        x = request.json['x']
        return {'prediction': float(model.predict([[x]])[0]), 'extrapolated': x < model.x_min or x > model.x_max}
    return app''',
        '''import math
from flask import Flask, request
def make_app(model):
    app = Flask(__name__)
    @app.post('/predict')
    def predict():
        body = request.get_json(silent=True)
        x = body.get('x') if isinstance(body, dict) else None
        if not isinstance(x, (int, float)) or not math.isfinite(x):
            return {'error': 'send {"x": <a number>}'}, 400
        return {'prediction': float(model.predict([[x]])[0]), 'extrapolated': x < model.x_min or x > model.x_max}
    return app''',
        '''from flask import Flask, request
def make_app(model):
    app = Flask(__name__)
    @app.post('/predict')
    def predict():
        body = request.get_json()
        x = body.get('x') if isinstance(body, dict) else None
        if isinstance(x, bool) or not isinstance(x, (int, float)) or x != x:
            return {'error': 'send {"x": <a number>}'}, 400
        return {'prediction': float(model.predict([[x]])[0]), 'extrapolated': x <= model.x_min or x >= model.x_max}
    return app''',
        '''import math
from flask import Flask, request
def make_app(model):
    app = Flask(__name__)
    @app.post('/predict')
    def predict():
        body = request.get_json()
        x = body.get('x') if isinstance(body, dict) else None
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return {'error': 'send {"x": <a number>}'}, 400
        return {'prediction': float(model.predict([[x]])[0]), 'extrapolated': x < model.x_min or x > model.x_max}
    return app''',
    ],
    'serving.2': [
        '''from flask import Flask
def make_stats_app(records, x_min, x_max):
    app = Flask(__name__)
    @app.get('/stats')
    def stats():
        outside = sum(r['x'] < x_min or r['x'] > x_max for r in records)
        n = len(records)
        return {'requests': n, 'predictions': n, 'outside': outside, 'share_outside': outside / n if n else 0.0}
    return app''',
        '''from flask import Flask
def make_stats_app(records, x_min, x_max):
    app = Flask(__name__)
    @app.get('/stats')
    def stats():
        outside = sum(r['x'] < x_min or r['x'] > x_max for r in records)
        return {'requests': len(records), 'predictions': len(records), 'outside': outside, 'share_outside': outside / len(records)}
    return app''',
        '''from flask import Flask
def make_stats_app(records, x_min, x_max):
    app = Flask(__name__)
    xs = [x for r in records for x in (r['x'] if isinstance(r['x'], list) else [r['x']])]
    outside = sum(x < x_min or x > x_max for x in xs)
    answer = {'requests': len(records), 'predictions': len(xs), 'outside': outside, 'share_outside': outside / len(xs) if xs else 0.0}
    @app.get('/stats')
    def stats():
        return answer
    return app''',
    ],
}
