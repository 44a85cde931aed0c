"""What the checks of flow exercises share: read a flow file without running it, run it with Metaflow's own
command line in a scratch datastore, and read the run back with the Client API.

A flow exercise's answer is a real flow file (exercises/flows/<name>.py), which the student runs from a terminal
(`python exercises/flows/<name>.py run`). Its check runs that same file, in place, once, with a datastore of its
own in a new temporary folder: the course's runs, and the student's own runs of the file, stay untouched.
The checks of 05_client_api use `run_copy` and `reading` to prepare the datastore they read."""
import ast
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path


def datastore_env(root) -> dict:
    "The environment that points Metaflow (in a new process) at a local datastore in `root`"
    root = Path(root)
    env = {**os.environ,
           'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(root),
           'METAFLOW_DATATOOLS_LOCALROOT': str(root/'.metaflow'/'data'),
           'METAFLOW_CLIENT_CACHE_PATH': str(root/'.metaflow'/'client_cache'),
           'METAFLOW_DEFAULT_DATASTORE': 'local',  # local even when a profile names an S3 store
           'METAFLOW_DEFAULT_METADATA': 'local',
           'MPLBACKEND': 'Agg'}
    env.setdefault('METAFLOW_USER', 'student')
    env.pop('PYTHONDONTWRITEBYTECODE', None)  # let task processes reuse compiled scikit-learn (as the Makefile does)
    return env


@contextmanager
def reading(root):
    "Point this process's Client API at the datastore in `root` for a while (Metaflow reads its settings once)"
    from metaflow.plugins.datastores.local_storage import LocalStorage
    before = LocalStorage.datastore_root
    LocalStorage.datastore_root = str(Path(root)/'.metaflow')
    try:
        yield
    finally:
        LocalStorage.datastore_root = before


def open_run(pathspec: str):
    "The run at `pathspec`, whoever made it; the caller's namespace is left as it was"
    from metaflow import Run, get_namespace, namespace
    before = get_namespace()
    namespace(None)  # a Run opened in the global namespace keeps seeing every run
    try:
        return Run(pathspec)
    finally:
        namespace(before)


def why_it_failed(output: str) -> str:
    "The most telling line of a failed run's output"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):  # Metaflow's check of the DAG says what is wrong on the next line
        if line.startswith('Validity checker found an issue') and i + 1 < len(lines):
            return lines[i + 1][-300:]
    telling = [line for line in lines if re.search(r'(Error|Exception|error:)', line)]
    return (telling or lines or ['(no output)'])[-1][-300:]


def read_flow(path, name: str):
    "(the flow class `name` defined in the file at `path`, its edges {step: [next steps]}), or (None, a hint)"
    from metaflow import FlowSpec
    from metaflow.graph import FlowGraph
    path = Path(path)
    source = path.read_text()
    spec = importlib.util.spec_from_file_location(f'flow_exercise_{uuid.uuid4().hex}', path)
    module = importlib.util.module_from_spec(spec)
    try:
        with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
            spec.loader.exec_module(module)
    except SystemExit:
        return None, "importing your file started the flow: start it only under `if __name__ == '__main__':`"
    except Exception as e:
        return None, f'{path.name} does not import: {type(e).__name__}: {e}'
    flows = [value for value in vars(module).values() if inspect.isclass(value) and issubclass(value, FlowSpec)
             and value.__module__ == module.__name__]
    if not any(flow.__name__ == name for flow in flows):
        found = ', '.join(flow.__name__ for flow in flows) or 'none'
        return None, f'{path.name} should define the flow class {name} (keep the name it came with); it defines {found}'
    if not re.search(rf'^if __name__ == .__main__.:\s*\n\s+{name}\(\)', source, re.M):
        return None, f"the file cannot run from a terminal: end it with `if __name__ == '__main__':` and `{name}()`"
    flow = getattr(module, name)
    try:
        edges = {node.name: sorted(node.out_funcs) for node in FlowGraph(flow)}
    except Exception as e:
        return None, f'Metaflow cannot read the steps of {name}: {type(e).__name__}: {e}'
    return flow, edges


def class_source(path, name: str) -> str:
    "The source of the class `name` in the file at `path` ('' if there is none)"
    source = Path(path).read_text()
    found = [node for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name == name]
    return ast.get_source_segment(source, found[0]) if found else ''


def run_flow_file(path, *args, root=None):
    """Run the flow file at `path`, in place, as a terminal would (`python <path> run *args`), in the datastore
    `root` (default: a new temporary folder): (run id if it succeeded, its output, root)"""
    root = Path(root or tempfile.mkdtemp(prefix='flow-exercise-'))
    id_file = root/f'run_id_{uuid.uuid4().hex}'
    command = [sys.executable, str(Path(path).resolve()), '--no-pylint', 'run', '--run-id-file', str(id_file),
               *map(str, args)]
    done = subprocess.run(command, cwd=root, env=datastore_env(root), capture_output=True, text=True, timeout=900)
    run_id = id_file.read_text().strip() if id_file.exists() else None
    return run_id if done.returncode == 0 else None, done.stdout + done.stderr, root


def run_copy(source: str, *args, root=None, name='flow.py'):
    """Run the flow in `source`, written to a file in a new temporary folder, in the datastore `root` (default:
    that folder): (run id if it succeeded, output, root). For the checks' own set-up, never for an answer."""
    folder = Path(tempfile.mkdtemp(prefix='exercise-flow-'))
    (folder/name).write_text(source)
    return run_flow_file(folder/name, *args, root=root or folder)
