"""Classroom slides: a reveal.js deck per course notebook (nbs/0*), in _docs/slides/<notebook>.slides.html.

    python tools/build_slides.py      # `make docs` runs it last (tools/build_docs.py); alone, it needs that build

Each deck is the notebook as the site shows it (executed outputs and all the course's code, exported cells
included; only `#| hide` cells are left out, see tools/build_docs.py), cut into slides by each cell's
`slideshow` metadata (tools/slide_marks.py writes it). Markdown cells marked `notes` are the speaker notes: the
page leaves them out, the deck keeps them as reveal.js notes, which the speaker view shows (press S).
nbconvert's SlidesExporter renders the deck with reveal.js 4 from node_modules/ (npm), copied next to the decks:
the decks work from disk (open the file) and from any static server, with no CDN.

Loading a deck costs what it must: the notebook style sheets nbconvert would inline into every deck (270 kB)
are one shared file the browser fetches once (lib/notebook.css); MathJax is loaded only by a deck that has a
formula; the projector's style is docs/slides.css. Press S for the speaker view, Esc for the overview.
"""
import re
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO/'tools'))
import build_docs  # noqa: E402  (the same notebook list and cache)

NODE = REPO/'node_modules'
OUT = build_docs.OUT/'slides'
ASSETS = './lib'   # _docs/slides/lib/: reveal.js, require.js, jQuery, MathJax 2, Font Awesome 4, Mermaid
# what the decks load, copied from node_modules (package.json pins the versions)
COPIES = {
    'reveal.js/dist': 'reveal.js/dist',
    'reveal.js/plugin/notes': 'reveal.js/plugin/notes',
    'requirejs/require.js': 'require.js',
    'jquery/dist/jquery.min.js': 'jquery.min.js',
    'font-awesome/css': 'font-awesome/css',
    'font-awesome/fonts': 'font-awesome/fonts',
    'mathjax2/MathJax.js': 'mathjax/MathJax.js',
    'mathjax2/config': 'mathjax/config',
    'mathjax2/extensions': 'mathjax/extensions',
    'mathjax2/jax/input/TeX': 'mathjax/jax/input/TeX',
    'mathjax2/jax/element': 'mathjax/jax/element',
    'mathjax2/jax/output/CommonHTML': 'mathjax/jax/output/CommonHTML',
    'mathjax2/fonts/HTML-CSS/TeX/woff': 'mathjax/fonts/HTML-CSS/TeX/woff',
    'mermaid/dist/mermaid.esm.min.mjs': 'mermaid/mermaid.esm.min.mjs',
    'mermaid/dist/chunks/mermaid.esm.min': 'mermaid/chunks/mermaid.esm.min',
}
NOTEBOOK_CSS = ['static/index.css', 'static/theme-light.css', 'static/custom_reveal.css']  # nbconvert's own
COURSE_CSS = REPO/'docs'/'slides.css'   # the projector's style: code that fits 100 columns, long code scrolls
_MATH = re.compile(r'\$[^$\n]+\$|\\\(|\\\[|\\begin\{')


STAMP = build_docs.CACHE/'slides-built.json'   # the docs build the decks were made from


def _made_from() -> str:
    "What the decks are made from: the site's build (its notebooks), and this file, the template and the style"
    site = build_docs.STAMP.read_text() if build_docs.STAMP.exists() else ''
    return build_docs._digest(site.encode(), *(f.read_bytes() for f in (Path(__file__), REPO/'docs'/'slides.html.j2', COURSE_CSS)))


def stale() -> list[str]:
    "Why _docs/slides/ does not match the site (empty: it does)"
    why = [f'slides/{nb.stem}.slides.html is missing' for nb in deck_notebooks()
           if not (OUT/f'{nb.stem}.slides.html').exists()]
    if not STAMP.exists() or not build_docs.STAMP.exists() or STAMP.read_text() != _made_from():
        why.append('the site, or the way decks are made, changed since the slides were made')
    return why


def deck_notebooks() -> list[Path]:
    "The course notebooks that get a deck: nbs/0*"
    return [nb for nb in build_docs.course_notebooks() if nb.name.startswith('0')]


def copy_assets(ex) -> None:
    if not (NODE/'reveal.js'/'dist'/'reveal.js').exists():
        raise SystemExit('node_modules/reveal.js is missing: run `npm ci` (make docs does) first')
    for src, dst in COPIES.items():
        s, d = NODE/src, OUT/ASSETS/dst
        if d.exists(): continue
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(s, d) if s.is_dir() else shutil.copy2(s, d)
    for img in (build_docs.NBS/'images').glob('*'):
        if img.is_file(): build_docs._copy_if_changed(img, OUT/'images'/img.name)
    # the style sheets every deck shares, fetched once rather than inlined 12 times
    css = '\n'.join(_template_file(ex, name).read_text(encoding='utf-8') for name in NOTEBOOK_CSS)
    for name, text in (('notebook.css', css), ('slides.css', COURSE_CSS.read_text(encoding='utf-8'))):
        dest = OUT/ASSETS/name
        if not dest.exists() or dest.read_text(encoding='utf-8') != text: dest.write_text(text, encoding='utf-8')


def _template_file(ex, name: str) -> Path:
    "A file of nbconvert's templates (reveal's, then lab's), found where nbconvert finds it"
    for folder in ex.template_paths:
        if (Path(folder)/name).is_file(): return Path(folder)/name
    raise SystemExit(f"nbconvert's templates have no {name}: update NOTEBOOK_CSS in build_slides.py")


def uses_math(nb) -> bool:
    "Whether a deck shows a formula (markdown `$...$`, `\\(`, `\\[`, or a LaTeX output): only then load MathJax"
    if any(c.cell_type == 'markdown' and _MATH.search(c.source) for c in nb.cells): return True
    return any('text/latex' in o.get('data', {}) for c in nb.cells for o in c.get('outputs', []))


def exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config
    lib = ASSETS
    c = Config()
    c.SlidesExporter.reveal_url_prefix = f'{lib}/reveal.js'   # relative: works from disk and from any server
    c.SlidesExporter.reveal_theme = 'white'                   # `simple` imports Google Fonts
    c.SlidesExporter.reveal_scroll = True
    c.SlidesExporter.reveal_number = 'c/t'
    c.SlidesExporter.reveal_transition = 'none'
    c.SlidesExporter.require_js_url = f'{lib}/require.js'
    c.SlidesExporter.jquery_url = f'{lib}/jquery.min.js'
    c.SlidesExporter.mathjax_url = f'{lib}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe'
    c.SlidesExporter.font_awesome_url = f'{lib}/font-awesome/css/font-awesome.min.css'
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'remove-input'}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {'remove-output'}
    c.TagRemovePreprocessor.remove_cell_tags = {'remove-cell'}
    c.SlidesExporter.extra_template_paths = [str(REPO/'docs')]
    c.SlidesExporter.template_file = 'slides.html.j2'   # docs/slides.html.j2: reveal's, Mermaid only when used
    ex = SlidesExporter(config=c)
    ex.mermaid_js_url = f'{lib}/mermaid/mermaid.esm.min.mjs'   # not a configurable trait in nbconvert 7
    return ex


def for_slides(nb, stem: str):
    "The site's notebook, as a deck: the title slide says what the notebook teaches and links back to the page"
    first = nb.cells[0]
    first.source = re.sub(r'<p class="slides-link">.*?</p>',
                          f'<p class="deck-links"><a href="../{stem}.html">Read it on the course site</a> '
                          f'&middot; press S for speaker notes, Esc for an overview</p>', first.source, flags=re.S)
    first.metadata['slideshow'] = {'slide_type': 'slide'}
    decks = {nb.stem for nb in deck_notebooks()}
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get('tags', [])
        if 'code-anchor' in tags: continue  # the page's anchors for nbdev's links: a deck links to the page
        if 'speaker-notes' in tags:  # the page leaves the notes out; the deck keeps them
            cell.metadata['tags'] = [t for t in tags if t != 'remove-cell']
        cells.append(cell)
    nb.cells = cells

    def relink(m):  # a link to another notebook: its deck when it has one, else its page on the site
        stem, frag = m.group(1), m.group(2) or ''
        return f'({stem}.slides.html{frag})' if stem in decks and not frag else f'(../{stem}.html{frag})'
    for cell in nb.cells:
        if cell.cell_type == 'markdown':
            cell.source = re.sub(r'\(([\w.-]+)\.ipynb(#[\w.%-]*)?\)', relink, cell.source)
        for out in cell.get('outputs', []):  # a card the page shows as a file: the deck is one folder down
            html = out.get('data', {}).get('text/html')
            if isinstance(html, str) and f'src="{build_docs.DOCUMENT_URL}' in html:
                out['data']['text/html'] = html.replace(f'src="{build_docs.DOCUMENT_URL}', f'src="../{build_docs.DOCUMENT_URL}')
    return nb


def build(quiet: bool = False, force: bool = False) -> dict:
    "Make every deck, unless they are up to date (`stale()` is empty) and not `force`d"
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    import nbformat
    t0 = time.time()
    if not force and not stale():
        say(f'slides: the {len(deck_notebooks())} decks in {OUT.relative_to(REPO)}/ are up to date')
        return {'decks': [f'{nb.stem}.slides.html' for nb in deck_notebooks()], 'seconds': time.time() - t0}
    OUT.mkdir(parents=True, exist_ok=True)
    ex = exporter()
    copy_assets(ex)
    lib = build_docs.library_bytes()
    made = []
    for nb_path in deck_notebooks():
        site = sorted(build_docs.CACHE.glob(f'{nb_path.stem}.{build_docs.exec_key(nb_path, lib)}.*.site.ipynb'))
        if not site:
            raise SystemExit(f'{nb_path.name} has no up-to-date executed copy: run `make docs` (tools/build_docs.py) first')
        nb = for_slides(nbformat.read(site[-1], as_version=4), nb_path.stem)
        uses_mermaid = any('```mermaid' in c.source for c in nb.cells if c.cell_type == 'markdown')
        body, _ = ex.from_notebook_node(nb, resources={'metadata': {'name': nb_path.stem, 'path': str(build_docs.NBS)},
                                                       'uses_mermaid': uses_mermaid, 'uses_math': uses_math(nb),
                                                       'css_urls': [f'{ASSETS}/notebook.css', f'{ASSETS}/slides.css']})
        body = build_docs.local_links(body, prefix='../')
        # the tests (and a console) reach the deck as window.Reveal; nbconvert keeps it inside require()'s callback
        assert 'Reveal.initialize({' in body, 'nbconvert changed its reveal template: update build_slides.py'
        body = body.replace('Reveal.initialize({', 'window.Reveal = Reveal;\n        Reveal.initialize({', 1)
        dest = OUT/f'{nb_path.stem}.slides.html'
        if not dest.exists() or dest.read_text(encoding='utf-8') != body: dest.write_text(body, encoding='utf-8')
        made.append(dest)
    STAMP.write_text(_made_from())
    say(f'slides: {len(made)} decks in {OUT.relative_to(REPO)}/ ({time.time() - t0:.0f} s)')
    return {'decks': [d.name for d in made], 'seconds': time.time() - t0}


if __name__ == '__main__':
    build(force='--force' in sys.argv[1:])
