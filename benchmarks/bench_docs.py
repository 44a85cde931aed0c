"""How long the course site and the slides take to build: cold, warm after editing one notebook, and with no change.

In a scratch copy of this checkout (the files git knows, plus untracked ones it does not ignore; node_modules is
linked, not copied), so your own _proc/ cache and _docs/ are not touched:

- cold: `tools/build_docs.py` with an empty cache (every notebook executed, then Sphinx, then the decks: `make docs`
  on a fresh clone, less `npm ci`), then `tools/build_slides.py` alone (the decks again: what they cost by
  themselves);
- warm: one sentence added to one notebook (WARM_NOTEBOOK): only that notebook runs again;
- no change: the same build again, nothing to execute.

Goals (reported, never asserted): `make docs` cold under 120 s on 2 cores; a warm rebuild a small fraction of it.
Results are printed and written to benchmarks/results/bench_docs.json.

Run: `.venv/bin/python benchmarks/bench_docs.py` (or `make bench`); needs node_modules (`npm ci`).
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

REPO_ROOT = Path(__file__).resolve().parent.parent
WARM_NOTEBOOK = 'nbs/02_composable.ipynb'
GOAL_COLD_DOCS = 120


def scratch_copy(dest: Path) -> None:
    try:
        files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=REPO_ROOT, check=True,
                               capture_output=True).stdout.decode().split('\0')
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: everything but what builds make
        skip = {'.git', '.venv', 'node_modules', '_proc', '_docs', '.metaflow', '__pycache__'}
        files = [str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.rglob('*')
                 if p.is_file() and not skip & set(p.relative_to(REPO_ROOT).parts)]
    for rel in filter(None, files):
        src = REPO_ROOT/rel
        if src.is_file():
            (dest/rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest/rel)
    (dest/'node_modules').symlink_to(REPO_ROOT/'node_modules')


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f'{" ".join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return took, proc.stdout


def executed(out: str) -> int:
    m = re.search(r'(\d+) notebooks executed', out)
    return int(m.group(1)) if m else -1


def edit_one_notebook(path: Path) -> None:
    "Add a sentence to the notebook's last markdown cell, as an author would"
    nb = json.loads(path.read_text(encoding='utf-8'))
    cell = next(c for c in reversed(nb['cells']) if c['cell_type'] == 'markdown')
    src = ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']
    cell['source'] = src + '\n\n(An edit made by benchmarks/bench_docs.py.)'
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')


def main():
    if not (REPO_ROOT/'node_modules'/'reveal.js').exists():
        raise SystemExit('node_modules is missing: run `npm ci` first (make docs does)')
    py = sys.executable
    results = {'cores': os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix='bench-docs-') as tmp:
        work = Path(tmp)/'regression_course'
        scratch_copy(work)
        n_nbs = 1 + len(list((work/'nbs').glob('[0-9]*.ipynb')))
        for phase, prepare in (('cold', None), ('warm', lambda: edit_one_notebook(work/WARM_NOTEBOOK)), ('no change', None)):
            if prepare: prepare()
            docs_s, out = timed([py, 'tools/build_docs.py'], work)
            slides_s, _ = timed([py, 'tools/build_slides.py'], work)
            results[phase] = {'docs_s': round(docs_s, 1), 'slides_s': round(slides_s, 1),
                              'notebooks_executed': executed(out), 'notebooks': n_nbs}
            print(f'{phase:>9}: make docs {docs_s:6.1f} s ({executed(out)} of {n_nbs} notebooks executed), '
                  f'make slides {slides_s:5.1f} s', flush=True)
    cold = results['cold']['docs_s']
    print(f'goal: make docs cold under {GOAL_COLD_DOCS} s on 2 cores: {"met" if cold < GOAL_COLD_DOCS else "NOT met"} '
          f'({cold:.0f} s on {results["cores"]} cores)')
    out_dir = REPO_ROOT/'benchmarks'/'results'
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir/'bench_docs.json').write_text(json.dumps(results, indent=1))


if __name__ == '__main__':
    main()
