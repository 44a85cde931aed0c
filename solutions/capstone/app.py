"""The capstone's endpoint (reference solution): predictions from the newest deployable run of
DesksFlow, for the desks that passed their test in that run, and a page to ask them from.

    make capstone-serve SOLUTION=1     # gunicorn on 127.0.0.1:8020

- `POST /predict` with `{"desk": "rates", "x": 1.5}`:
  `200 {"prediction": ..., "desk": "rates", "run": "..."}`.
- A desk the run does not serve (it failed its test): `409`. The request is well formed, and the
  desk exists, but the served run's verdict refuses it; asking again will not help until a newer
  run passes that desk (which `503`, "try again later", would wrongly suggest).
- An unknown desk: `404`; a body that is not `{"desk": <text>, "x": <finite number>}`: `400`.
- No deployable run yet: `503` (run the flow first). Every error is JSON: `{"error": "..."}`.
- `GET /model`: the run served, its desks and their verdicts; `GET /`: the page.

The run is read once, when the app starts: the lecture's step 3, the model loaded once.
"""
import math

import regression_course.config as config

config.configure_metaflow()  # the same datastore as the flow: before metaflow is imported
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

FLOW_NAME = 'DesksFlow'
USAGE = 'send JSON like {"desk": "rates", "x": 1.5}'


class Refused(Exception):
    "A request answered with an error: its status and what to say"
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def newest_deployable_run(flow_name: str = FLOW_NAME):
    "The newest successful run of `flow_name` tagged deployable, or None"
    from metaflow import Flow, namespace
    from metaflow.exception import MetaflowNotFound
    namespace(None)  # whoever trained it: the tag, not the user, says it may be served
    try:
        runs = Flow(flow_name).runs(config.DEPLOYABLE_TAG)  # newest first
    except MetaflowNotFound:
        return None
    return next((run for run in runs if run.successful), None)


def load_served(run) -> dict | None:
    "What a request needs from `run`: its id, the model per desk, the desks served, the report"
    if run is None:
        return None
    data = run.data
    return dict(run=run.id, model=data.model, served=list(data.served_desks),
                report=data.desk_report)


def parse_request(body) -> tuple[str, float]:
    "The desk and the x of a request's body, or `Refused(400)` saying what is wrong"
    if not isinstance(body, dict):
        raise Refused(400, f'the body must be a JSON object: {USAGE}')
    desk, x = body.get('desk'), body.get('x')
    if not isinstance(desk, str) or not desk:
        raise Refused(400, f'"desk" must be a desk name: {USAGE}')
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise Refused(400, f'"x" must be a finite number, not {x!r}: {USAGE}')
    return desk, float(x)


def create_app(flow_name: str = FLOW_NAME) -> Flask:
    "The app: the newest deployable run is read once, here"
    app = Flask(__name__)
    served = load_served(newest_deployable_run(flow_name))

    def current():
        if served is None:
            no_run = f'no deployable run of {flow_name} yet: run the flow, then restart this app'
            raise Refused(503, no_run)
        return served

    @app.errorhandler(Refused)
    def refused(e):
        return jsonify(error=str(e)), e.status

    @app.errorhandler(HTTPException)
    def http_error(e):
        return jsonify(error=e.description), e.code

    @app.get('/')
    def page():
        return render_template('index.html', served=served)

    @app.post('/predict')
    def predict():
        desk, x = parse_request(request.get_json(silent=True))
        model = current()
        if desk not in model['report']:
            known = ', '.join(sorted(model['report']))
            raise Refused(404, f'no desk {desk!r}: the desks are {known}')
        if desk not in model['served']:
            why = model['report'][desk]['reason']
            failed = f"it failed its test in run {model['run']} ({why})"
            raise Refused(409, f'desk {desk!r} is not served: {failed}')
        prediction = float(model['model'][desk].predict([[x]])[0])
        return jsonify(prediction=prediction, desk=desk, run=model['run'])

    @app.get('/model')
    def model_info():
        model = current()
        return jsonify(run=model['run'], served_desks=model['served'], desk_report=model['report'])

    return app
