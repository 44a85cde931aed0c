"""`make app`: train a model if none is deployable yet, then serve the prediction form with Voila.

    python tools/app.py [--port 8866]

Voila preheats a kernel (voila.json): it runs app/prediction_form.ipynb before anyone visits. The form writes the
file named by PREDICTION_FORM_READY_FILE once it is built (nbs/97_form_app.ipynb); only then is the page quick,
so only then does this say so. Ctrl-C stops Voila (and its kernels) and returns.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_SECONDS = 180  # a first start on a slow laptop imports scikit-learn and Metaflow in the kernel


def ensure_model() -> None:
    "Run the training flow (as `make train` does) when no run is deployable yet"
    from regression_course import config
    config.configure_metaflow()
    from regression_course.registry import latest_deployable_run
    if latest_deployable_run() is None:
        print('no deployable model yet: training one (make train)', flush=True)
        subprocess.run([sys.executable, str(config.FLOW_FILE), 'run'], cwd=ROOT, check=True)


def wait_until_ready(voila: subprocess.Popen, ready: Path) -> bool:
    "True once the form says it is built; False if Voila exits or it takes longer than READY_SECONDS"
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if ready.exists(): return True
        if voila.poll() is not None: return False
        time.sleep(0.1)
    return False


def stop_on_sigterm(signum, frame):
    "`kill` (SIGTERM) stops the app as Ctrl-C does: Voila and its kernels are stopped, not left running"
    raise KeyboardInterrupt


@call_parse
def main(port:int=8866): # the port Voila listens on, on 127.0.0.1
    "Serve the prediction form with Voila, training a model first if none is deployable"
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        ensure_model()
    except subprocess.CalledProcessError:
        sys.exit('training failed (see above): nothing to serve')
    ready = Path(tempfile.mkdtemp(prefix='prediction-form-'))/'ready'
    cmd = [BIN/'voila', ROOT/'app'/'prediction_form.ipynb', '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1']
    voila = subprocess.Popen(list(map(str, cmd)), cwd=ROOT, env={**os.environ, 'PREDICTION_FORM_READY_FILE': str(ready)})
    try:
        print('starting the prediction form: Voila runs it in advance for the first visitor (a few seconds)...',
              flush=True)
        if wait_until_ready(voila, ready):
            print(f'prediction form ready ({ready.read_text().strip()}): http://127.0.0.1:{port}/  (Ctrl-C to stop)', flush=True)
        elif voila.poll() is None:
            print(f"the form is still not ready after {READY_SECONDS} s (see Voila's messages above): "
                  f'http://127.0.0.1:{port}/', flush=True)
        voila.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if voila.poll() is None:
            voila.send_signal(signal.SIGTERM)
            try: voila.wait(30)
            except subprocess.TimeoutExpired: voila.kill()
        ready.unlink(missing_ok=True)
        ready.parent.rmdir()
    sys.exit(0 if voila.returncode in (0, -signal.SIGTERM, None) else voila.returncode)
