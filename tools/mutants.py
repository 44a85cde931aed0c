"""Prove the checks catch real mistakes: apply each known mistake to a scratch copy and run the checks on it.

Each mutant makes ONE mistake, the same way in every stage that computes the course's figures (the monolith,
the composable pipeline, the flow), so "the stages agree with each other" cannot catch it: only checks that pin
the figures themselves can. For each mutant: copy the repository (tracked and untracked, not ignored files) to a
scratch folder, edit the notebooks (the source), `nbdev_export` there, then run `nbdev_test` and the figure-pinning
test files in a private datastore with the scratch copy first on PYTHONPATH. A mutant is caught when either fails; the report
names the notebooks and tests that failed. Nothing in this checkout is changed.

Usage: python tools/mutants.py [NAME ...]   (default: every mutant; `make mutants`)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# the test files that pin the course's figures (the whole suite takes minutes more per mutant and adds nothing here)
PYTEST_FILES = ['tests/test_pipeline.py', 'tests/test_flow.py', 'tests/test_serving_http.py']

# name: (the mistake, [(notebook, text as it is, text with the mistake), ...]); every edit must apply
MUTANTS = {
    'seed': ('a different seed for the split (0 instead of 42)', [
        ('nbs/01_monolith.ipynb', 'test_size=0.20, random_state=42', 'test_size=0.20, random_state=0'),
        ('nbs/02_composable.ipynb', 'random_state:int=42', 'random_state:int=0'),
        ('nbs/99_config.ipynb', 'random_state=42,', 'random_state=0,'),  # the flows' defaults
    ]),
    'test_share': ('a different test share (0.3 instead of 0.2)', [
        ('nbs/01_monolith.ipynb', 'test_size=0.20', 'test_size=0.30'),
        ('nbs/02_composable.ipynb', 'test_size:float=0.2', 'test_size:float=0.3'),
        ('nbs/99_config.ipynb', 'test_split=0.2,', 'test_split=0.3,'),  # the flows' defaults
    ]),
    'no_intercept': ('a linear model without an intercept', [
        ('nbs/01_monolith.ipynb', 'linear_model.LinearRegression()', 'linear_model.LinearRegression(fit_intercept=False)'),
        ('nbs/02_composable.ipynb', 'LinearRegression()', 'LinearRegression(fit_intercept=False)'),
        ('nbs/04b_candidates.ipynb', 'LinearRegression()', 'LinearRegression(fit_intercept=False)'),
    ]),
    'train_rows': ('scoring on the training rows instead of the held-out test rows', [
        ('nbs/01_monolith.ipynb', 'reg.predict(X_test)', 'reg.predict(X_train)'),
        ('nbs/01_monolith.ipynb', 'mean_squared_error(y_test, y_predicted)', 'mean_squared_error(y_train, y_predicted)'),
        ('nbs/01_monolith.ipynb', 'r2_score(y_test, y_predicted)', 'r2_score(y_train, y_predicted)'),
        ('nbs/02_composable.ipynb', 'model.predict(splits.X_test)', 'model.predict(splits.X_train)'),
        ('nbs/02_composable.ipynb', 'mean_squared_error(splits.y_test, y_pred)', 'mean_squared_error(splits.y_train, y_pred)'),
        ('nbs/02_composable.ipynb', 'r2_score(splits.y_test, y_pred)', 'r2_score(splits.y_train, y_pred)'),
    ]),
    'ridge': ('a Ridge regression (alpha 30) instead of a plain linear model', [
        ('nbs/01_monolith.ipynb', 'linear_model.LinearRegression()', 'linear_model.Ridge(alpha=30)'),
        ('nbs/02_composable.ipynb', 'LinearRegression()', 'Ridge(alpha=30)'),
        ('nbs/02_composable.ipynb', 'from sklearn.linear_model import LinearRegression', 'from sklearn.linear_model import LinearRegression, Ridge'),
        ('nbs/04b_candidates.ipynb', 'LinearRegression()', 'Ridge(alpha=30)'),
    ]),
}


def copy_repo(dest: Path):
    "Copy the files git tracks, and the untracked ones it does not ignore, into `dest`"
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split('\0')
    for name in filter(None, files):
        if (ROOT/name).is_file():
            (dest/name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT/name, dest/name)


def mutate(root: Path, edits):
    "Apply each (notebook, old, new) edit to the notebook's cell sources; every edit must find its text"
    for nb_name, old, new in edits:
        path = root/nb_name
        nb = json.loads(path.read_text())
        hits = 0
        for cell in nb['cells']:
            src = ''.join(cell['source'])
            if old in src:
                hits += src.count(old)
                cell['source'] = src.replace(old, new).splitlines(keepends=True)
        if not hits:
            raise SystemExit(f'mutant no longer applies: {old!r} is not in {nb_name} (update tools/mutants.py)')
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')


def run(cmd, cwd, env, timeout=900):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def caught_by(nbtest, pytest) -> list[str]:
    "The notebooks and tests that failed, from their output"
    found = []
    tail = (nbtest.stdout + nbtest.stderr).split('nbdev Tests Failed On The Following Notebooks:')
    if nbtest.returncode != 0 and len(tail) > 1:
        found += [f'nbdev_test {line.strip()}' for line in tail[1].splitlines() if line.strip().endswith('.ipynb')]
    found += [f'pytest {m}' for m in re.findall(r'^FAILED (\S+)', pytest.stdout, re.M)]
    found += [f'pytest {m} (error)' for m in re.findall(r'^ERROR (\S+)', pytest.stdout, re.M)]
    return found


def why(nbtest) -> str:
    "The first checkpoint or assertion message nbdev_test printed"
    m = re.search(r'(Checkpoint missed[^\n]*|AssertionError[^\n]*)', nbtest.stdout + nbtest.stderr)
    return m.group(1)[:160] if m else ''


def main(names):
    unknown = set(names) - set(MUTANTS)
    if unknown: raise SystemExit(f'unknown mutants {sorted(unknown)}; known: {", ".join(MUTANTS)}')
    survivors = []
    for name in names or MUTANTS:
        mistake, edits = MUTANTS[name]
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f'mutant-{name}-') as scratch:
            root = Path(scratch)/'repo'
            copy_repo(root)
            mutate(root, edits)
            env = {**os.environ, 'PYTHONPATH': str(root), 'TMPDIR': scratch, 'MPLBACKEND': 'Agg',
                   'METAFLOW_DATASTORE_SYSROOT_LOCAL': str(Path(scratch)/'datastore')}
            for var in ('METAFLOW_DATATOOLS_LOCALROOT', 'METAFLOW_CLIENT_CACHE_PATH'): env.pop(var, None)
            (Path(scratch)/'datastore').mkdir()
            for tool in ('nbdev_export', 'nbdev_clean'):
                done = run([str(BIN/tool)], root, env)
                if done.returncode: raise SystemExit(f'{tool} failed on mutant {name}:\n{done.stderr[-2000:]}')
            nbtest = run([str(BIN/'nbdev_test'), '--n_workers', '2'], root, env)
            pytest = run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *PYTEST_FILES], root, env)
        found = caught_by(nbtest, pytest)
        print(f'{name:13} {mistake}  [{time.monotonic() - started:.0f} s]')
        if found:
            print(f'  caught by {len(found)}: ' + '; '.join(found))
            if message := why(nbtest): print(f'  e.g. {message}')
        else:
            survivors.append(name)
            print('  NOT CAUGHT: every check passed with this mistake')
    print(f'\n{len(names or MUTANTS) - len(survivors)} of {len(names or MUTANTS)} mutants caught')
    return 1 if survivors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
