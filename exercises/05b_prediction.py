"""Checks for the exercises of 05b_prediction."""
import json
import math

import numpy as np

from regression_course.exercises import exercise
from regression_course.prediction import RequestError


def _refusal(parse, payload):
    "('ok', result) if `parse` accepts `payload`, ('refused', RequestError) or ('raised', other exception)"
    try: return 'ok', parse(payload)
    except NotImplementedError: raise
    except RequestError as e: return 'refused', e
    except Exception as e: return 'raised', e


@exercise('prediction.1', '05b_prediction', 'refuse unknown keys', needs='parse_x_strict')
def _strict(parse_x_strict):
    for payload, values, scalar in (({'x': 1.5}, [1.5], True), ({'x': [1, 2.5]}, [1.0, 2.5], False)):
        how, got = _refusal(parse_x_strict, payload)
        if how != 'ok': return f'{json.dumps(payload)} is a good request, but you refused it: {type(got).__name__}: {got}'
        if not (hasattr(got, 'values') and hasattr(got, 'scalar')) or list(np.asarray(got.values)) != values or bool(got.scalar) != scalar:
            return f'for a good request like {json.dumps(payload)}, return what parse_x returns (a ParsedX), not {got!r}'
    for payload, names in (({'x': 1.5, 'colour': 'red'}, ['colour']), ({'X': 2.0, 'x': 1.0}, ['X']),
                           ({'x': [1.0], 'y': 2, 'z': 3}, ['y', 'z'])):
        how, got = _refusal(parse_x_strict, payload)
        if how == 'ok': return f'{json.dumps(payload)} has a key the API does not know, but you accepted it'
        if how == 'raised':
            return f'{json.dumps(payload)}: your function lets a {type(got).__name__} out, which the API would answer with a 500; refuse it with a RequestError'
        if got.status != 400: return f'{json.dumps(payload)}: a bad key is the client\'s mistake: status 400, not {got.status}'
        if missing := [n for n in names if f'"{n}"' not in str(got) and f"'{n}'" not in str(got)]:
            return f'{json.dumps(payload)}: your message {str(got)!r} should name the unknown key {missing[0]!r}, in quotes, so the client can fix it'
    for payload, what in (({'x': True}, 'a boolean x'), ({'x': [1.0, math.nan]}, 'a NaN in the list'), ([1.5], 'a body that is a list'),
                          ({'y': 1.5}, 'a body without x')):
        how, got = _refusal(parse_x_strict, payload)
        if how == 'ok': return f'{what} ({_shown(payload)}) must still be refused, as parse_x refuses it: reuse parse_x for the rest'
        if how == 'raised':
            return f'{what} ({_shown(payload)}): your function lets a {type(got).__name__} out; look at the keys only of a dict, and let parse_x do the rest'
    return None


def _shown(payload):
    try: return json.dumps(payload, allow_nan=True)
    except (TypeError, ValueError): return repr(payload)


def _toy_predict(X):
    "A line y = 2x + 1 that, like a scikit-learn model, wants one row per x"
    X = np.asarray(X, dtype=float)
    if X.ndim != 2: raise ValueError(f'Expected 2D array, got {X.ndim}D array instead: reshape your data, one row per x')
    with np.errstate(over='ignore'): return 2 * X[:, 0] + 1


@exercise('prediction.2', '05b_prediction', 'flag the extrapolations', needs='flagged_predictions')
def _flagged(flagged_predictions):
    values = np.array([0.0, -1.0, 1.0, 2.5, -3.0])
    answer = flagged_predictions(_toy_predict, values, -1.0, 1.0)
    if not isinstance(answer, list): return f'return a list with one dict per x, not a {type(answer).__name__}'
    if len(answer) != len(values): return f'5 x values should give 5 answers, not {len(answer)}'
    if not all(isinstance(a, dict) for a in answer): return 'each answer should be a dict with the keys x, prediction and extrapolated'
    if keys := [sorted(a) for a in answer if sorted(a) != ['extrapolated', 'prediction', 'x']]:
        return f'each answer should have exactly the keys x, prediction and extrapolated; one has {keys[0]}'
    try: json.dumps(answer, allow_nan=False)
    except (TypeError, ValueError) as e:
        return f'json.dumps cannot write your answer ({e}): the API sends it as JSON, so use Python float and bool, not NumPy types'
    if [a['x'] for a in answer] != list(values): return f'the answers should be in the order of the x values, each with its x; yours have x = {[a["x"] for a in answer]}'
    if [a['prediction'] for a in answer] != [1.0, -1.0, 3.0, 6.0, -5.0]:
        return f'with predict = 2x + 1 the predictions should be [1, -1, 3, 6, -5]; yours are {[a["prediction"] for a in answer]}'
    flags = [a['extrapolated'] for a in answer]
    if not all(isinstance(f, bool) for f in flags): return f'extrapolated should be True or False; yours are {flags}'
    if flags == [False, True, True, True, True] or flags[1] or flags[2]:
        return f'with a training range of [-1, 1], x = -1 and x = 1 are the edges of what the model saw, not outside it; your flags are {flags}'
    if flags != [False, False, False, True, True]:
        return f'with a training range of [-1, 1], only 2.5 and -3 are outside: expected flags [False, False, False, True, True], yours are {flags}'
    try: flagged_predictions(_toy_predict, np.array([0.0, 1e308]), -1.0, 1.0)
    except RequestError: pass
    except NotImplementedError: raise
    except Exception as e: return f'x = 1e308 makes the prediction overflow: your function lets a {type(e).__name__} out; predict_values refuses it with a RequestError'
    else: return 'x = 1e308 makes the prediction overflow to infinity, which JSON cannot send; predict through predict_values, which refuses it'
    return None


WRONG_ANSWERS = {
    'prediction.1': [
        '''from regression_course.prediction import parse_x
def parse_x_strict(payload):
    return parse_x(payload)''',
        '''from regression_course.prediction import parse_x
def parse_x_strict(payload):
    unknown = set(payload) - {'x'}
    if unknown: raise KeyError(f'unknown keys {sorted(unknown)}')
    return parse_x(payload)''',
        '''from regression_course.prediction import RequestError, parse_x
def parse_x_strict(payload):
    if set(payload) - {'x'}: raise RequestError('unknown key in the request')
    return parse_x(payload)''',
        '''from regression_course.prediction import RequestError, parse_x
def parse_x_strict(payload):
    if isinstance(payload, dict) and set(payload) != {'x'}:
        raise RequestError(f'unknown keys: {", ".join(repr(k) for k in payload if k != "x")}', 422)
    return parse_x(payload)''',
    ],
    'prediction.2': [
        '''import numpy as np
from regression_course.prediction import predict_values
def flagged_predictions(predict, values, x_min, x_max):
    ys = predict_values(predict, values)
    return [{'x': x, 'prediction': y, 'extrapolated': x < x_min or x > x_max} for x, y in zip(values, ys)]''',
        '''from regression_course.prediction import predict_values
def flagged_predictions(predict, values, x_min, x_max):
    ys = predict_values(predict, values)
    return [{'x': float(x), 'prediction': float(y), 'extrapolated': bool(x <= x_min or x >= x_max)} for x, y in zip(values, ys)]''',
        '''def flagged_predictions(predict, values, x_min, x_max):
    ys = predict(values.reshape(-1, 1))
    return [{'x': float(x), 'prediction': float(y), 'extrapolated': bool(x < x_min or x > x_max)} for x, y in zip(values, ys)]''',
    ],
}
