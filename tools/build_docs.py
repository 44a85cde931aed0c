"""Build the course site into _docs/: execute the notebooks, render them as nbdev does, then Sphinx (myst-nb).

    python tools/build_docs.py            # what `make docs` runs; re-executes only notebooks that changed
    python tools/build_docs.py --force    # re-execute every notebook

1. Execute: the notebooks whose cached run is missing or stale run under nbdev_test (tools/nbtest.py: nbdev's
   own runner, two at a time, cwd = nbs/, `#| eval: false` cells shown, not run), in a private temporary
   Metaflow datastore that is removed at the end: your own runs are never read or touched. Each passing notebook
   is kept with its outputs in _proc/docs/ under a hash of the notebook and of regression_course/*.py, so after
   editing one notebook only that notebook runs again (editing the library re-runs them all), and `make test`,
   which runs the same runner, leaves nothing to run. The pictures the notebooks draw (nbs/99c_pictures.ipynb)
   are drawn here, from the code as it is now.
2. Process: nbdev's own notebook processors (nbdev.processors.FilterDefaults, what `nbdev_docs` applies before
   Quarto) turn the title cell into front matter and strip magics and directives; the course changes one rule:
   only `#| hide` cells (and the `#| default_exp` line) are left out. Exported cells are the course's code, so
   the page shows them, with an anchor for each name they define where nbdev's links to it land (nbdev's
   `show_doc` signature blocks are not added: the code itself is on the page). Then a few steps make the result
   Sphinx's: the front matter back into a title and a lead paragraph, Quarto cell options into myst-nb tags,
   the ipywidgets form into a still picture (nbs/images/prediction_form.png), speaker notes (markdown cells
   whose slide type is `notes`) kept for the decks but left off the page, and a link to the notebook's deck.
3. Render: Sphinx with myst-nb (execution off: outputs come from step 1) and sphinx-book-theme, from
   docs/conf.py. Nothing on a page loads from another host: MathJax comes from node_modules (npm), widget
   JavaScript and require.js are off.
4. Decks: tools/build_slides.py makes a reveal.js deck of every course notebook in _docs/slides/, so every page's
   link to its deck lands on a file this build wrote.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NBS = REPO/'nbs'
LIB = REPO/'regression_course'
OUT = REPO/'_docs'
CACHE = REPO/'_proc'/'docs'          # executed and processed notebooks, keyed by content hashes
SRC = REPO/'_proc'/'site'            # the Sphinx source folder this script writes (conf.py is docs/conf.py)
DOCTREES = REPO/'_proc'/'doctrees'
HTML = REPO/'_proc'/'html'/'site'    # Sphinx's output, synced into _docs/
NODE = REPO/'node_modules'
WIDGET_MIME = 'application/vnd.jupyter.widget-view+json'
FORM_PICTURE = 'images/prediction_form.png'
# Bump when the execution step changes in a way that changes outputs; processing has its own hash (this file).
EXEC_VERSION = '5'
_SPAWN = multiprocessing.get_context('spawn')  # fresh interpreters: no state leaks between notebooks


_QUARTO_LINK = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)\{target="_blank"[^}]*\}')
_ANSI = re.compile(r'\x1b\[[0-9;]*m')


def course_notebooks() -> list[Path]:
    "The notebooks of the site, in course order: the landing page, then nbs/[0-9]* sorted by file name"
    return [NBS/'index.ipynb'] + sorted(NBS.glob('[0-9]*.ipynb'))


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts: h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:20]


def library_bytes() -> bytes:
    "Everything a notebook's outputs depend on besides the notebook: the library, its data and templates"
    files = sorted(LIB.glob('*.py')) + sorted((LIB/'templates').glob('*')) if (LIB/'templates').exists() else sorted(LIB.glob('*.py'))
    return b''.join(f.name.encode() + f.read_bytes() for f in files if f.is_file())


def exec_key(nb: Path, lib: bytes) -> str:
    return _digest(EXEC_VERSION.encode(), nb.read_bytes(), lib)


# --- 1. execute -------------------------------------------------------------------------------------------
def _directives(src: str) -> dict:
    "nbdev's `#| name: value` lines at the top of a cell, as {name: value}"
    out = {}
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w-]+)\s*:?\s*(.*)$', line)
        if not m:
            if line.strip(): break
            continue
        out[m.group(1)] = m.group(2).strip()
    return out


# --- 2. process ----------------------------------------------------------------------------------------------
def _cell_options(cell) -> None:
    "Quarto cell options nbdev leaves in a cell (`#| echo: false`, `#| code-fold`) as myst-nb tags"
    if cell.cell_type != 'code': return
    lines = cell.source.splitlines()
    opts = {}
    while lines and lines[0].lstrip().startswith('#|'):
        m = re.match(r'\s*#\|\s*([\w-]+)\s*:?\s*(.*)$', lines.pop(0))
        if m: opts[m.group(1)] = m.group(2).strip().strip('"')
    cell.source = '\n'.join(lines)
    tags = cell.metadata.setdefault('tags', [])
    if opts.get('echo') == 'false' or not cell.source.strip(): tags.append('remove-input')
    for out in cell.get('outputs', []):  # Quarto's link attributes, as HTML
        md = out.get('data', {}).get('text/markdown')
        if isinstance(md, str):
            out['data']['text/markdown'] = _QUARTO_LINK.sub(r'<a href="\2">\1</a>', md)
    if opts.get('output') == 'false': tags.append('remove-output')
    if not tags: del cell.metadata['tags']


_REMOTE_IMPORT = re.compile(r'@import\s*(url\()?\s*["\']?https?://[^;]*;?', re.I)
_REMOTE_TAG = re.compile(r'<(link|script)\b[^>]*\b(href|src)\s*=\s*["\']?(https?:)?//[^>]*>(\s*</script>)?', re.I)


DOCUMENTS = CACHE/'documents'   # whole HTML documents the notebooks show (Metaflow cards), by content hash
DOCUMENT_URL = '_static/documents/'  # where pages find them; decks, one folder down, at ../ that


def offline_html(html: str, documents: Path | None = None) -> str:
    "An HTML output that loads nothing from another host; a whole document (a Metaflow card) in its own frame"
    html = _REMOTE_TAG.sub('', _REMOTE_IMPORT.sub('', html))
    if re.search(r'<html[\s>]|<!doctype', html, re.I):
        style = 'width:100%; height:640px; border:1px solid #ddd; border-radius:4px'
        if documents is None:
            import html as _h
            return f'<iframe class="output-document" srcdoc="{_h.escape(html, quote=True)}" style="{style}"></iframe>'
        # a card is megabytes of script: a file of its own, loaded when the reader reaches it, not with the page
        name = hashlib.sha256(html.encode('utf-8')).hexdigest()[:20] + '.html'
        documents.mkdir(parents=True, exist_ok=True)
        if not (documents/name).exists(): (documents/name).write_text(html, encoding='utf-8')
        html = (f'<iframe class="output-document" src="{DOCUMENT_URL}{name}" loading="lazy" '
                f'title="a Metaflow card" style="{style}"></iframe>')
    return html


def _offline_outputs(cell) -> None:
    for out in cell.get('outputs', []):
        data = out.get('data', {})
        if isinstance(data.get('text/html'), (str, list)):
            data['text/html'] = offline_html(''.join(data['text/html']), DOCUMENTS)


def _form_picture(cell) -> bool:
    "Replace an ipywidgets output (a live form needs a kernel) by the still picture of the page"
    outs = cell.get('outputs', [])
    if not any(WIDGET_MIME in o.get('data', {}) for o in outs): return False
    from nbformat.v4 import new_output
    text = ('![The prediction form: type an x, press Predict, read the prediction]('+FORM_PICTURE+')\n\n'
            '*A still picture of the form. `make app` serves it live: type an x and press Predict.*')
    cell.outputs = [o for o in outs if WIDGET_MIME not in o.get('data', {})]
    cell.outputs.append(new_output('display_data', data={'text/markdown': text, 'text/plain': 'the prediction form'}))
    return True


PLUMBING = {'hide', 'default_exp'}         # directives of cells a reader never sees
EXPORTED = {'export', 'exporti', 'exports'}  # directives of cells whose code goes into regression_course/


def _filters():
    "nbdev's FilterDefaults, showing exported cells (the course's code) and adding no `show_doc` blocks"
    from nbdev.processors import FilterDefaults, add_links, add_show_docs, exec_show_docs, mv_exports, rm_export

    def rm_plumbing(cell):
        "Leave out `#| hide` cells and the `#| default_exp` line; keep exported cells, marked for their anchors"
        names = set(cell.directives_ or {})
        if names & PLUMBING: del cell['source']
        elif cell.cell_type == 'code' and names & EXPORTED: cell.metadata['exported'] = True

    def links_but_in_notes(cell):
        "nbdev's links from names to their documentation, but none in speaker notes: a presenter reads them"
        if cell.metadata.get('slideshow', {}).get('slide_type') != 'notes': add_links(cell)

    class CourseFilters(FilterDefaults):
        def base_procs(self):
            procs = [p for p in super().base_procs() if p not in (add_show_docs, exec_show_docs, mv_exports)]
            swap = {rm_export: rm_plumbing, add_links: links_but_in_notes}
            return [swap.get(p, p) for p in procs]
    return CourseFilters()


def defined_names(source: str) -> list[str]:
    "The functions and classes a cell defines, and their methods as `Class.method`: what nbdev's links point at"
    import ast
    try: tree = ast.parse(source)
    except SyntaxError: return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            if isinstance(node, ast.ClassDef):
                names += [f'{node.name}.{m.name}' for m in node.body
                          if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return names


def _anchor_cell(cell):
    "A markdown cell holding the anchors nbdev's links to the names `cell` defines land on (the page only)"
    from docutils.nodes import make_id
    from nbformat.v4 import new_markdown_cell
    ids = dict.fromkeys(make_id(name) for name in defined_names(cell.source))
    if not ids: return None
    anchor = new_markdown_cell(''.join(f'<span id="{i}"></span>' for i in ids))
    anchor.metadata['tags'] = ['code-anchor']
    return anchor


def _speaker_notes(cell) -> bool:
    "Speaker notes (a markdown cell whose slide type is `notes`) stay in the notebook for the deck, off the page"
    if cell.cell_type != 'markdown' or cell.metadata.get('slideshow', {}).get('slide_type') != 'notes':
        return False
    cell.metadata['tags'] = ['remove-cell', 'speaker-notes']  # build_slides.py takes `remove-cell` off again
    return True


def process_nb(executed: Path, dest: Path, env: dict) -> None:
    "nbdev's docs processors, then the steps that make the notebook Sphinx's (see the module docstring)"
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    os.chdir(NBS)  # as nbdev_test and proc_nbs run notebooks: settings.ini found upward, data paths relative to nbs/
    import nbformat
    from execnb.nbio import read_nb, write_nb
    nb = read_nb(executed)
    nb.path_ = str(NBS/executed.name.split('.')[0]) + '.ipynb'
    _filters()(nb)
    write_nb(nb, dest)
    nb = nbformat.read(dest, as_version=4)
    stem = executed.name.split('.')[0]
    nb.metadata.pop('widgets', None)
    cells, fm = [], {}
    for cell in nb.cells:
        if cell.cell_type == 'raw' and cell.source.startswith('---'):
            fm = _front_matter(cell.source)
            continue
        _speaker_notes(cell)
        _cell_options(cell)
        _form_picture(cell)
        _offline_outputs(cell)
        if cell.cell_type == 'code': cell.metadata.pop('hidden', None)
        if cell.metadata.pop('exported', False) and (anchor := _anchor_cell(cell)): cells.append(anchor)
        cells.append(cell)
    from nbformat.v4 import new_markdown_cell
    head = [f"# {fm.get('title', stem)}"]
    if fm.get('description'): head.append(f"*{fm['description']}*")
    if stem[:1] == '0':  # the course notebooks have decks; the appendix does not
        head.append(f'<p class="slides-link"><a href="slides/{stem}.slides.html">Slides for this notebook</a> '
                    f'(reveal.js: press <kbd>S</kbd> for speaker notes) &middot; source: '
                    f'<code>nbs/{stem}.ipynb</code></p>')
    nb.cells = [new_markdown_cell('\n\n'.join(head))] + cells
    nbformat.write(nb, dest)


def _front_matter(raw: str) -> dict:
    import yaml
    body = raw.strip().strip('-').strip()
    try: return yaml.safe_load(body) or {}
    except Exception: return {}


# --- 3. render ------------------------------------------------------------------------------------------------
def _copy_if_changed(src: Path, dst: Path) -> None:
    "Copy keeping dst's mtime when the bytes are equal, so Sphinx rebuilds only pages that changed"
    if dst.exists() and dst.read_bytes() == src.read_bytes(): return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def stage(processed: dict[str, Path]) -> None:
    "Lay out the Sphinx source folder: processed notebooks, images, local MathJax, the table of contents"
    SRC.mkdir(parents=True, exist_ok=True)
    wanted = {f'{stem}.ipynb' for stem in processed}
    for old in SRC.glob('*.ipynb'):
        if old.name not in wanted: old.unlink()
    for stem, path in processed.items():
        if stem == 'index': continue
        _copy_if_changed(path, SRC/f'{stem}.ipynb')
    # the landing page gets the table of contents: course notebooks, then the appendix
    import nbformat
    from nbformat.v4 import new_markdown_cell
    index = nbformat.read(processed['index'], as_version=4)
    course = [s for s in processed if s != 'index' and not s.startswith('9')]
    appendix = [s for s in processed if s.startswith('9')]
    pages = sorted(NBS.glob('*.md'))  # pages written in markdown, not run: the teaching plan (tools/teaching_plan.py)
    for page in pages: _copy_if_changed(page, SRC/page.name)
    toc = ''.join(f'```{{toctree}}\n:caption: {cap}\n:maxdepth: 1\n\n' + '\n'.join(stems) + '\n```\n\n'
                  for cap, stems in (('The course', course), ('Appendix: the engineering', appendix),
                                     ('For instructors', [p.stem for p in pages])) if stems)
    index.cells.append(new_markdown_cell('## Contents\n\n' + toc))
    tmp = SRC/'index.tmp'
    nbformat.write(index, tmp)
    _copy_if_changed(tmp, SRC/'index.ipynb'); tmp.unlink()
    for img in (NBS/'images').glob('*'):
        if img.is_file(): _copy_if_changed(img, SRC/'images'/img.name)
    # the documents (cards) the pages show, and no others
    shown = {m for path in processed.values()
             for m in re.findall(re.escape(DOCUMENT_URL) + r'([0-9a-f]+\.html)', path.read_text(encoding='utf-8'))}
    folder = SRC/DOCUMENT_URL
    for old in folder.glob('*.html') if folder.exists() else []:
        if old.name not in shown: old.unlink()
    for name in shown:
        _copy_if_changed(DOCUMENTS/name, folder/name)
    mj = NODE/'mathjax'/'es5'
    if not (mj/'tex-chtml.js').exists():
        raise SystemExit('node_modules/mathjax is missing: run `npm ci` (make docs does) first')
    for rel in ['tex-chtml.js', 'output/chtml/fonts', 'input/tex/extensions', 'ui', 'a11y', 'sre']:
        src, dst = mj/rel, SRC/'_static'/'mathjax'/rel
        if src.is_dir():
            if not dst.exists(): shutil.copytree(src, dst)
        else: _copy_if_changed(src, dst)


def render(jobs: str = '1') -> None:
    # Sphinx writes into _proc/ (myst-nb puts a jupyter_execute/ folder beside the output folder), then the
    # result is synced into _docs/, whose slides/ folder belongs to tools/build_slides.py (step 4)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-c', str(REPO/'docs'), '-d', str(DOCTREES), '-q',
           '-j', jobs, str(SRC), str(HTML)]
    subprocess.run(cmd, check=True, cwd=REPO)
    sync(HTML, OUT, keep={'slides'})
    fix_links()


def sync(src: Path, dst: Path, keep=frozenset()) -> None:
    "Make `dst` hold `src`'s files (copying only what changed), leaving the top-level folders in `keep` alone"
    import filecmp
    wanted = set()
    for f in src.rglob('*'):
        if not f.is_file(): continue
        rel = f.relative_to(src); wanted.add(rel)
        d = dst/rel
        if d.exists() and filecmp.cmp(f, d, shallow=False): continue
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, d)
    for f in list(dst.rglob('*')) if dst.exists() else []:
        rel = f.relative_to(dst)
        if f.is_file() and rel.parts[0] not in keep and rel not in wanted: f.unlink()


def fix_links() -> None:
    "nbdev links names to its own (Quarto) site; point them at this site's pages instead"
    for html in OUT.glob('*.html'):
        text = html.read_text(encoding='utf-8')
        new = local_links(text)
        if new != text: html.write_text(new, encoding='utf-8')


_ids_cache: dict = {}


def local_links(text: str, prefix: str = '') -> str:
    "`text` (HTML) with links into nbdev's would-be site (doc_host) pointing at this site's pages, from `prefix`"
    try:
        from nbdev.config import get_config
        from nbdev.doclinks import _nbpath2html
        cfg = get_config(path=REPO)
        host = f'{cfg.doc_host}{cfg.doc_baseurl}'.rstrip('/') + '/'
    except Exception:
        return text
    from docutils.nodes import make_id
    pages = {_nbpath2html(p).name: p.stem for p in course_notebooks()}
    link = re.compile(re.escape(host) + r'([\w.-]+\.html)(#[\w.%-]*)?')

    def local(m):
        page = pages.get(m.group(1))
        if page is None: return m.group(0)
        anchor = make_id(m.group(2)[1:]) if m.group(2) else ''
        if anchor and page not in _ids_cache and (OUT/f'{page}.html').exists():
            _ids_cache[page] = set(re.findall(r'\bid="([^"]+)"', (OUT/f'{page}.html').read_text(encoding='utf-8')))
        return f'{prefix}{page}.html' + (f'#{anchor}' if anchor in _ids_cache.get(page, ()) else '')
    return link.sub(local, text)


# --- the build ----------------------------------------------------------------------------------------------
def build_plan() -> dict:
    "{stem: (notebook, its executed copy, its processed copy)}: the cache files this checkout's build needs"
    lib = library_bytes()
    proc_hash = _digest(Path(__file__).read_bytes(), (REPO/'settings.ini').read_bytes())[:8]
    plan = {}
    for nb in course_notebooks():
        key = exec_key(nb, lib)
        plan[nb.stem] = (nb, CACHE/f'{nb.stem}.{key}.executed.ipynb', CACHE/f'{nb.stem}.{key}.{proc_hash}.site.ipynb')
    return plan


def _imports_this_checkout() -> bool:
    "Whether this Python imports `regression_course` from this checkout (`make install`'s editable install does)"
    # Only then do the notebooks run as `make test` runs them: with no PYTHONPATH, which every Python they start
    # (a flow, a server, 91b's stand-in for a pod's bare image) would inherit.
    import importlib.util
    spec = importlib.util.find_spec('regression_course')
    return bool(spec and spec.origin and Path(spec.origin).resolve() == (LIB/'__init__.py').resolve())


STAMP = CACHE/'built.json'      # what the last successful build rendered
DURATIONS = CACHE/'durations.json'  # how long each notebook took to run, to start the longest first


def stale() -> list[str]:
    "Why _docs/ does not show the notebooks as they are now (empty: it does)"
    try: built = json.loads(STAMP.read_text())
    except (OSError, ValueError): return ['_docs/ was never built here']
    why = [f'{stem}: changed since the last build' for stem, (_, _, site) in build_plan().items()
           if built.get(stem) != site.name]
    return why + [f'_docs/{stem}.html is missing' for stem in built if not (OUT/f'{stem}.html').exists()]


def build(force: bool = False, workers: int = 2, quiet: bool = False) -> dict:
    "Execute what changed, process, render. Returns what ran and how long it took, for benchmarks"
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    t0 = time.time()
    CACHE.mkdir(parents=True, exist_ok=True)
    plan = build_plan()
    try: durations = json.loads(DURATIONS.read_text())
    except (OSError, ValueError): durations = {}
    to_run = sorted([(nb, ex) for nb, ex, _ in plan.values() if force or not ex.exists()],
                    key=lambda t: -durations.get(t[0].stem, 60))  # longest first: two workers finish together
    ran, timings = [], {}
    with tempfile.TemporaryDirectory(prefix='regression-course-docs-') as store:
        env = {'METAFLOW_DATASTORE_SYSROOT_LOCAL': store,
               'METAFLOW_DATATOOLS_LOCALROOT': str(Path(store)/'.metaflow'/'data'),
               'METAFLOW_CLIENT_CACHE_PATH': str(Path(store)/'.metaflow'/'client_cache'),
               'METAFLOW_USER': os.environ.get('METAFLOW_USER', 'course')}
        if not _imports_this_checkout():  # this checkout's library, whatever the venv was installed from
            env['PYTHONPATH'] = os.pathsep.join([str(REPO)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        if to_run:
            # nbdev_test's own runner (tools/nbtest.py), which keeps each passing notebook's outputs in the cache:
            # the same execution `make test` does, so a site built after the tests runs nothing again
            names = '|'.join(re.escape(nb.name) for nb, _ in to_run)
            say(f'executing {len(to_run)} of {len(plan)} notebooks with nbdev_test (the others are cached in {CACHE.relative_to(REPO)}/)')
            started = time.time()
            proc = subprocess.run([sys.executable, str(REPO/'tools'/'nbtest.py'), '--n_workers', str(workers),
                                   '--file_re', f'^({names})$'], cwd=REPO, env={**os.environ, **env})
            missing = [nb for nb, ex in to_run if not ex.exists()]
            if proc.returncode or missing:
                raise SystemExit(f'FAIL: a notebook failed while executing (see above; open it in `make lab`): '
                                 f'{", ".join(nb.name for nb in missing)}')
            ran = [nb.stem for nb, _ in to_run]
            timings = {'all': round(time.time() - started, 1)}
        to_process = [(ex, site) for stem, (_, ex, site) in plan.items() if force or not site.exists() or stem in ran]
        if to_process:
            say(f"processing {len(to_process)} notebooks with nbdev's processors")
            with ProcessPoolExecutor(max_workers=max(1, min(workers, len(to_process))), mp_context=_SPAWN) as pool:
                list(pool.map(process_nb, [e for e, _ in to_process], [s for _, s in to_process], [env]*len(to_process)))
    keep = {p for trio in plan.values() for p in trio[1:]}
    for old in CACHE.glob('*.ipynb'):
        if old not in keep: old.unlink()
    shown = {m for _, _, site in plan.values()
             for m in re.findall(re.escape(DOCUMENT_URL) + r'([0-9a-f]+\.html)', site.read_text(encoding='utf-8'))}
    for old in DOCUMENTS.glob('*.html') if DOCUMENTS.exists() else []:
        if old.name not in shown: old.unlink()
    stage({stem: site for stem, (_, _, site) in plan.items()})
    say('rendering with Sphinx (myst-nb, sphinx-book-theme)')
    t_render = time.time()
    render()
    STAMP.write_text(json.dumps({stem: site.name for stem, (_, _, site) in plan.items()}, indent=1))
    render_seconds = round(time.time() - t_render, 1)
    if str(REPO/'tools') not in sys.path: sys.path.insert(0, str(REPO/'tools'))
    import build_slides  # every page links to its deck: this build writes the decks too
    decks = build_slides.build(quiet=quiet, force=force)
    took = time.time() - t0
    say(f'site: {OUT.relative_to(REPO)}/index.html ({len(plan)} pages, {len(decks["decks"])} decks, '
        f'{len(ran)} notebooks executed, {took:.0f} s)')
    return {'executed': ran, 'timings': timings, 'render_seconds': render_seconds,
            'slides_seconds': round(decks['seconds'], 1), 'seconds': round(took, 1)}


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--force', action='store_true', help='re-execute every notebook, ignoring the cache')
    ap.add_argument('--workers', type=int, default=2, help='notebooks executed at once')
    args = ap.parse_args()
    sys.path.insert(0, str(REPO/'tools'))
    import build_docs  # workers find their functions by module name (spawned processes cannot see __main__'s)
    build_docs.build(force=args.force, workers=args.workers)
