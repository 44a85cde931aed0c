"""The capstone's endpoint: predictions from the newest deployable run of DesksFlow (TODO 5).

Start it from a terminal, then ask it (capstone/README.md says what it must answer):

    make capstone-serve        # gunicorn on 127.0.0.1:8020, serving create_app() from this file
    curl -s -X POST http://127.0.0.1:8020/predict -H 'Content-Type: application/json' \\
         -d '{"desk": "rates", "x": 1.5}'

TODO 5: find the newest deployable run of DesksFlow (the Client API, as in 05_client_api), load
what a prediction needs ONCE, when the app starts (the lecture's step 3), and answer
`POST /predict` as the README says.
"""
import regression_course.config as config

config.configure_metaflow()  # the same datastore as the flow: before metaflow is imported
from flask import Flask, jsonify


def create_app() -> Flask:
    "The app (an app factory, as in 06_serving)"
    app = Flask(__name__)

    @app.post('/predict')
    def predict():
        return jsonify(error='not built yet: see TODO 5 in capstone/app.py'), 501

    return app
