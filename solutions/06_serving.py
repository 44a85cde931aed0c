# exercise serving.1
import math
from flask import Flask, request

def make_app(model) -> Flask:
    "A small prediction API: POST /predict {'x': number} -> {'prediction', 'extrapolated'}, or a 400 JSON error"
    app = Flask(__name__)

    @app.post('/predict')
    def predict():
        body = request.get_json(silent=True)  # None for a body that is not JSON: we refuse it ourselves, as JSON
        x = body.get('x') if isinstance(body, dict) else None
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return {'error': 'send a JSON object {"x": <a finite number>}, e.g. {"x": 1.5}'}, 400
        return {'prediction': float(model.predict([[x]])[0]),
                'extrapolated': bool(x < model.x_min or x > model.x_max)}

    return app

# exercise serving.2
from flask import Flask

def make_stats_app(records:list, x_min:float, x_max:float) -> Flask:
    "An app whose GET /stats counts the requests, predictions and out-of-range predictions in `records`"
    app = Flask(__name__)

    @app.get('/stats')
    def stats():
        xs = [x for r in records for x in (r['x'] if isinstance(r['x'], list) else [r['x']])]  # at each request: the log grows
        outside = sum(x < x_min or x > x_max for x in xs)
        return {'requests': len(records), 'predictions': len(xs), 'outside': outside,
                'share_outside': outside / len(xs) if xs else 0.0}

    return app
