"""gunicorn's settings for the prediction API, in one place.

`make serve`, the tests, the notebooks and the benchmarks all start gunicorn with this file
(`gunicorn --config gunicorn.conf.py --bind 127.0.0.1:8000 'regression_course.serving:create_app()'`);
options given on the command line override it. Why each value: nbs/96b_slow_clients.ipynb.
"""
import os

# processes, each loading the model once; gunicorn's own variable WEB_CONCURRENCY changes it
workers = int(os.environ.get('WEB_CONCURRENCY', '2'))
# gunicorn's threaded worker, made safe from slow clients (96b): requests have a deadline, errors are JSON
worker_class = 'regression_course.slow_clients.GuardedWorker'
# threads per worker: a thread is taken only by a request that is arriving, so many cost little (96b)
threads = 64
# seconds an idle kept-alive connection stays open
keepalive = 5
# no control socket (gunicorn 25.1+ would create one in your home folder)
control_socket_disable = True
