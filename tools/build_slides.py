"""Classroom slides: a reveal.js deck per course notebook (nbs/0*), in _docs/slides/<notebook>.slides.html.

    python tools/build_slides.py      # what `make slides` runs, after `make docs` (it reuses the executed notebooks)

Each deck is the notebook as the site shows it (executed outputs, `#| hide` and `#| export` cells removed by
nbdev's processors, see tools/build_docs.py), cut into slides by each cell's `slideshow` metadata
(tools/slide_marks.py writes it). nbconvert's SlidesExporter renders it with reveal.js 4 from node_modules/
(npm), copied next to the decks: the decks work from disk (open the file) and from any static server, with
no CDN. Press S for the speaker view, Esc for the overview.
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
# Projector-friendly: code and tables a little smaller, tall slides scroll (reveal_scroll) instead of overflowing.
CSS = """
<link rel="icon" href="data:,">
<style>
.reveal .jp-InputArea-editor, .reveal .jp-OutputArea-output pre { font-size: 0.62em; line-height: 1.3; }
.reveal .jp-RenderedHTMLCommon table { font-size: 0.55em; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-RenderedImage img { max-height: 60vh; }
.reveal p.deck-links { font-size: 0.5em; }
</style>
"""


STAMP = build_docs.CACHE/'slides-built.json'   # the docs build the decks were made from


def stale() -> list[str]:
    "Why _docs/slides/ does not match the site (empty: it does)"
    why = [f'slides/{nb.stem}.slides.html is missing' for nb in deck_notebooks()
           if not (OUT/f'{nb.stem}.slides.html').exists()]
    if not STAMP.exists() or not build_docs.STAMP.exists() or STAMP.read_text() != build_docs.STAMP.read_text():
        why.append('the site was rebuilt since the slides were made')
    return why


def deck_notebooks() -> list[Path]:
    "The course notebooks that get a deck: nbs/0*"
    return [nb for nb in build_docs.course_notebooks() if nb.name.startswith('0')]


def copy_assets() -> None:
    if not (NODE/'reveal.js'/'dist'/'reveal.js').exists():
        raise SystemExit('node_modules/reveal.js is missing: run `npm ci` (make slides does) first')
    for src, dst in COPIES.items():
        s, d = NODE/src, OUT/ASSETS/dst
        if d.exists(): continue
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(s, d) if s.is_dir() else shutil.copy2(s, d)
    for img in (build_docs.NBS/'images').glob('*'):
        if img.is_file(): build_docs._copy_if_changed(img, OUT/'images'/img.name)


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

    def relink(m):  # a link to another notebook: its deck when it has one, else its page on the site
        stem, frag = m.group(1), m.group(2) or ''
        return f'({stem}.slides.html{frag})' if stem in decks and not frag else f'(../{stem}.html{frag})'
    for cell in nb.cells:
        if cell.cell_type == 'markdown':
            cell.source = re.sub(r'\(([\w.-]+)\.ipynb(#[\w.%-]*)?\)', relink, cell.source)
    # show_doc cells (documentation nbdev adds after exported names) follow the cell they document
    return nb


def build(quiet: bool = False) -> dict:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    import nbformat
    t0 = time.time()
    OUT.mkdir(parents=True, exist_ok=True)
    copy_assets()
    lib = build_docs.library_bytes()
    ex = exporter()
    made = []
    for nb_path in deck_notebooks():
        site = sorted(build_docs.CACHE.glob(f'{nb_path.stem}.{build_docs.exec_key(nb_path, lib)}.*.site.ipynb'))
        if not site:
            raise SystemExit(f'{nb_path.name} has no up-to-date executed copy: run `make docs` (tools/build_docs.py) first')
        nb = for_slides(nbformat.read(site[-1], as_version=4), nb_path.stem)
        uses_mermaid = any('```mermaid' in c.source for c in nb.cells if c.cell_type == 'markdown')
        body, _ = ex.from_notebook_node(nb, resources={'metadata': {'name': nb_path.stem, 'path': str(build_docs.NBS)},
                                                       'uses_mermaid': uses_mermaid})
        body = build_docs.local_links(body.replace('</head>', CSS + '</head>', 1), prefix='../')
        # the tests (and a console) reach the deck as window.Reveal; nbconvert keeps it inside require()'s callback
        assert 'Reveal.initialize({' in body, 'nbconvert changed its reveal template: update build_slides.py'
        body = body.replace('Reveal.initialize({', 'window.Reveal = Reveal;\n        Reveal.initialize({', 1)
        dest = OUT/f'{nb_path.stem}.slides.html'
        if not dest.exists() or dest.read_text(encoding='utf-8') != body: dest.write_text(body, encoding='utf-8')
        made.append(dest)
    STAMP.write_text(build_docs.STAMP.read_text() if build_docs.STAMP.exists() else '')
    say(f'slides: {len(made)} decks in {OUT.relative_to(REPO)}/ ({time.time() - t0:.0f} s)')
    return {'decks': [d.name for d in made], 'seconds': time.time() - t0}


if __name__ == '__main__':
    build()
