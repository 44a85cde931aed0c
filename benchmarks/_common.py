"""What the benchmarks share: a free local port, the voila command, stopping a server, and a deployable model (trained if there is none)."""
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from regression_course import config

config.configure_metaflow()  # before anything imports metaflow

REPO_ROOT = Path(__file__).resolve().parent.parent
VOILA = shutil.which('voila', path=str(Path(sys.executable).parent)) or 'voila'  # this environment's, as `make app` runs it


def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on right now"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def stop(proc, grace:float=30) -> None:
    "Terminate a server process, killing it if it has not stopped within `grace` seconds"
    proc.terminate()
    try: proc.wait(grace)
    except subprocess.TimeoutExpired: proc.kill(); proc.wait()


def ensure_model():
    "The model a server loads (the latest deployable run's), after training the course's run if nothing is deployable"
    from regression_course.registry import course_run, latest_deployable_run, load_model
    if latest_deployable_run() is None:
        print('no deployable model: training the course run (as `make train` does)')
        course_run()
    return load_model()
