"""The course run, trained once and shared: what `make test` and the tests copy instead of training again.

The course run is the training flow on the shipped dataset with its default parameters. Several checks need
exactly that model (the flow's contract, the servers, the Voila page, the notebooks' course run), and each run of
the flow costs about a dozen processor-seconds. So it is trained once, into a datastore of its own, and every
check that needs it gets a copy (`regression_course.config.copy_datastore`: a copy that stands alone).

    course_run_datastore(folder)  # the folder, holding the course run (trained there, once, if it is not yet)

Several processes may ask at once (pytest's workers): a lock makes one of them train and the others wait for it.
"""
import fcntl
import os
import subprocess
import sys
from pathlib import Path

from regression_course.config import FLOW_FILE, copy_datastore, datastore_env  # noqa: F401  (copy_datastore: for callers)


def course_run_datastore(folder: str | Path) -> Path:
    "`folder`, holding a datastore with the course run; trains it there first if it is not yet (one process at a time)"
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    done = folder/'course_run_id'
    with open(folder/'golden.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            env = {**os.environ, **datastore_env(folder)}
            env.setdefault('METAFLOW_USER', 'tester')
            ids = folder/'run_id.tmp'
            proc = subprocess.run([sys.executable, str(FLOW_FILE), '--no-pylint', 'run', '--run-id-file', str(ids)],
                                  cwd=folder, env=env, capture_output=True, text=True)
            if proc.returncode:
                raise RuntimeError(f'training the course run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
            ids.replace(done)
    return folder
