"""The package installs from a clean virtual environment with pip and with uv."""
import subprocess
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

def _fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    return path/'bin'/'python'

def test_pip_editable_install_in_a_fresh_venv(tmp_path):
    "`pip install -e .` works (`make install` proves `uv pip install -e .[dev]` on every run)"
    python = _fresh_venv(tmp_path/'env')
    cmd = [str(python), '-m', 'pip', 'install', '--quiet', '--no-deps', '-e', str(REPO_ROOT)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=240)
    out = subprocess.run([str(python), '-c', 'import importlib.metadata as m; d = m.metadata("regression_course");'
                          'print(d["Version"], d["Requires-Python"], "dev" in (d.get_all("Provides-Extra") or []))'],
                         check=True, capture_output=True, text=True)
    version, requires_python, has_dev = out.stdout.split()
    assert version == '0.1.0' and requires_python == '>=3.10' and has_dev == 'True'

def test_setup_py_does_not_use_pkg_resources():
    assert 'pkg_resources' not in (REPO_ROOT/'setup.py').read_text()

def test_nbdev_is_pinned_to_2():
    import nbdev
    assert nbdev.__version__ == '2.4.14'
