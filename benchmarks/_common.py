"""What the benchmarks share: a free local port, and a deployable model (trained if there is none)."""
import socket
import subprocess
import sys
from pathlib import Path

from regression_course import config  # before metaflow

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on right now"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def ensure_model():
    "The deployable model, after training one (as `make train` does) if there is none yet"
    from regression_course.registry import latest_deployable_run, load_model
    if latest_deployable_run() is None:
        print('no deployable model: training one (make train)')
        subprocess.run([sys.executable, str(REPO_ROOT/'regression_course'/'flow.py'), 'run'], check=True,
                       cwd=config.DATASTORE_ROOT, capture_output=True)
    return load_model()
