"""The baseline for bench_serving.py: the prediction app as the lecture writes it.

Flask's own development server (`app.run(threaded=True)`), the model a module global read once with the
Metaflow client from the latest successful run, one x per request in the form field `_x`, a plain-text
answer. Debug mode stays off. Usage: python benchmarks/baseline_app.py PORT
"""
import sys

import regression_course.config

regression_course.config.configure_metaflow()  # before anything imports metaflow
from flask import Flask, request
from metaflow import Flow

FLOW_NAME = 'SampleRegressionFlow'
app = Flask(__name__)


def get_latest_successful_run(flow_name: str):
    "Gets the latest successful run."
    for r in Flow(flow_name).runs():
        if r.successful:
            return r


##### THIS IS GLOBAL, SO OBJECTS LIKE THE MODEL CAN BE RE-USED ACROSS REQUESTS #####
latest_run = get_latest_successful_run(FLOW_NAME)
latest_model = latest_run.data.model


@app.route('/', methods=['POST', 'GET'])
def main():
    if request.method == 'GET':
        return f'<h1>{FLOW_NAME}</h1>'
    _x = request.form['_x']
    val = latest_model.predict([[float(_x)]])
    return 'Predicted Y is {}'.format(val)


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]), threaded=True, debug=False)
