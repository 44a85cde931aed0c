"""The course site and the slides, as a reader sees them: Chromium (driven by Playwright) opens every page of
_docs/ and every deck in _docs/slides/ (`make docs` builds both), served by a local HTTP server on 127.0.0.1
that this module starts and stops.

Every page must load with no request to any other host (the site works offline), no request that fails or
answers 4xx/5xx (a 404 fails the test), no console error, every image drawn, and every internal link answered
by the server (200) on a page with the anchor it names. The composable pipeline's page shows the course's
figures and its code; a deck starts (Reveal.isReady()), steps through all its slides, and carries the speaker
notes its notebook holds, which reach the speaker view; search finds a page.

A page or deck is "loaded" when conditions hold, never after a guessed duration: the document's `load` event,
the deck's own readiness (Reveal.isReady(), MathJax done when the deck has formulas), and no request in flight.
(Playwright's `networkidle`, 500 ms without a request, is not used: on a starved CPU it fired in the quiet
before a deck's `load`, and reveal.js's change of the URL to `#/` then left it waiting for an idle that never
came again: the 30 s timeout on a slow machine.)

`make test` builds the site first; run alone, this module builds it if it is missing or stale.
"""
import functools
import http.server
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from conftest import IN_CI, chromium, missing_browser

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT/'tools'))
import build_docs  # noqa: E402
import build_slides  # noqa: E402

DOCS = build_docs.OUT
SCREENSHOT = REPO_ROOT/'nbs'/'images'/'course_site.png'
COURSE_MSE, COURSE_R2 = '107.8999', ('0.71881', '0.7188')


if (_problem := missing_browser()) and not IN_CI:
    pytest.skip(_problem, allow_module_level=True)


def site_pages() -> list[str]:
    "Every HTML page the site must have, relative to _docs/: a page per notebook, the landing page, search, index"
    return [f'{nb.stem}.html' for nb in build_docs.course_notebooks()] + ['search.html', 'genindex.html']


def decks() -> list[str]:
    return [f'slides/{nb.stem}.slides.html' for nb in build_slides.deck_notebooks()]


@pytest.fixture(scope='module')
def site():
    "_docs/ up to date (built here when missing or stale), served on 127.0.0.1; yields the base URL"
    if build_docs.stale():
        print('building the site:', '; '.join(build_docs.stale())[:300])
        build_docs.build()  # the decks too: the site as `make docs` leaves it
    assert not build_docs.stale(), build_docs.stale()
    assert not build_slides.stale(), f'`make docs` left the decks stale: {build_slides.stale()}'

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(DOCS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}/'
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope='module')
def browser(site):
    "One browser window (a context) for the whole module: every visit is a new tab in it"
    with chromium() as browser:
        context = browser.new_context(viewport={'width': 1280, 'height': 900})
        try: yield context
        finally: context.close()


LOAD_TIMEOUT = 60_000  # ms: how long a condition may take before the test says which one never held
DECK_READY = """() => window.Reveal && Reveal.isReady()
    && !(window.MathJax && MathJax.Hub && MathJax.Hub.queue && (MathJax.Hub.queue.pending || MathJax.Hub.queue.running))"""


class Visit:
    "One page opened in a fresh tab, with everything that went wrong on the way"
    def __init__(self, browser, base: str, path: str, ready: str | None = None):
        self.base, self.path = base, path
        self.page = browser.new_page()
        self.outside, self.errors, self.failed, self.in_flight = [], [], [], {}
        # anything for another host is refused at once and recorded: the test is the same with or without internet
        self.page.route(re.compile(r'^(?!http://127\.0\.0\.1[:/]|data:|blob:|about:)'),
                        lambda route: (self.outside.append(route.request.url), route.abort()))
        self.page.on('console', lambda m: self.errors.append(m.text) if m.type == 'error' else None)
        self.page.on('pageerror', lambda e: self.errors.append(f'uncaught: {e}'))
        self.page.on('request', lambda r: self.in_flight.__setitem__(id(r), r.url))
        self.page.on('requestfinished', lambda r: self.in_flight.pop(id(r), None))
        self.page.on('requestfailed', self._failed)
        self.page.on('response', lambda r: self.failed.append(f'{r.url} ({r.status})') if r.status >= 400 else None)
        self.page.goto(base + path, wait_until='load', timeout=LOAD_TIMEOUT)
        if ready: self.page.wait_for_function(ready, timeout=LOAD_TIMEOUT)
        self.settle()

    def _failed(self, request):
        self.in_flight.pop(id(request), None)
        self.failed.append(f'{request.url} ({request.failure})')

    def settle(self):
        "Wait until no request of this page is in flight (each request ends finished or failed: both recorded)"
        deadline = time.monotonic() + LOAD_TIMEOUT / 1000
        while self.in_flight:
            assert time.monotonic() < deadline, f'{self.path}: requests never ended: {list(self.in_flight.values())}'
            self.page.wait_for_timeout(50)  # lets Playwright deliver the events that end them

    def images(self) -> list[tuple[str, int]]:
        "(src, naturalWidth) of every image, each asked to load now (lazy images too)"
        return self.page.evaluate('''() => Promise.all([...document.images].map(img => {
            img.loading = 'eager';
            return img.decode().then(() => [img.currentSrc || img.src, img.naturalWidth],
                                     () => [img.currentSrc || img.src, img.naturalWidth]);
        }))''')

    def links(self) -> list[str]:
        return self.page.eval_on_selector_all('a[href]', 'as => as.map(a => a.href)')

    def close(self): self.page.close()


def _ids(path: Path, cache={}) -> set[str]:
    if path not in cache:
        cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding='utf-8', errors='replace')))
    return cache[path]


_answers: dict[str, int] = {}


def broken_links(browser, base: str, page_path: str, hrefs: list[str]) -> list[str]:
    "Links into the site the server does not answer with 200, or to a page without the anchor they name"
    bad = []
    for href in hrefs:
        if not href.startswith(base): continue  # another host: a link, never loaded by the page
        url, frag = urldefrag(href)
        if url not in _answers: _answers[url] = browser.request.get(url).status  # each target asked once
        if _answers[url] != 200:
            bad.append(f'{href} (HTTP {_answers[url]})')
            continue
        target = DOCS/unquote(urlparse(url).path).lstrip('/')
        if target.is_dir(): target = target/'index.html'
        if frag and target.suffix == '.html' and unquote(frag) not in _ids(target) and not page_path.startswith('slides/'):
            bad.append(f'{href} (no anchor #{frag})')
    return bad


@pytest.mark.parametrize('path', site_pages())
def test_page_loads_offline_cleanly_with_images_and_links(browser, site, path):
    visit = Visit(browser, site, path)
    try:
        assert visit.outside == [], f'{path} asked another host for: {visit.outside}'
        assert visit.errors == [], f'{path} logged errors: {visit.errors}'
        assert visit.failed == [], f'{path}: requests failed: {visit.failed}'
        not_drawn = [src for src, width in visit.images() if not width]
        assert not_drawn == [], f'{path}: images not loaded: {not_drawn}'
        assert broken_links(browser, site, path, visit.links()) == [], f'{path} links to nothing'
        visit.settle()  # the images asked for above: loaded, or recorded as failed
        assert visit.failed == [], f'{path}: requests failed: {visit.failed}'
    finally:
        visit.close()


def test_every_course_notebook_has_a_page_in_course_order(browser, site):
    visit = Visit(browser, site, 'index.html')
    try:
        hrefs = visit.page.eval_on_selector_all('nav.bd-docs-nav a.reference.internal',
                                                'as => as.map(a => a.getAttribute("href"))')
    finally:
        visit.close()
    expected = [nb.stem for nb in build_docs.course_notebooks() if nb.stem != 'index']
    # the notebooks' pages, in the sidebar's order (pages that are not notebooks, such as the teaching plan, aside)
    stems = [Path(h).stem for h in hrefs if h.endswith('.html') and Path(h).stem in expected]
    assert stems == expected, 'the sidebar does not list the notebooks in course order'


def test_composable_page_shows_the_course_figures_its_code_and_links_its_deck(browser, site):
    visit = Visit(browser, site, '02_composable.html')
    try:
        text = visit.page.inner_text('main')
        assert COURSE_MSE in text, 'the composable pipeline page does not show the course MSE'
        assert any(r2 in text for r2 in COURSE_R2), 'the composable pipeline page does not show the course R2'
        assert visit.page.locator('img[src*="_images/"]').count() >= 1, 'no plot on the page'
        code = '\n'.join(visit.page.locator('div.cell_input pre').all_inner_texts())
        for exported in exported_definitions('02_composable'):  # the course's code, not a signature
            assert exported in code, f'the page does not show the code of {exported!r}'
        assert '#| export' not in code, 'nbdev directives shown on the page'
        deck = visit.page.locator('a[href="slides/02_composable.slides.html"]')
        assert deck.count() == 1
        if os.environ.get('UPDATE_SCREENSHOTS') or not SCREENSHOT.exists():  # the README's picture
            visit.page.set_viewport_size({'width': 1280, 'height': 800})
            visit.page.screenshot(path=SCREENSHOT)
    finally:
        visit.close()


def test_the_form_appears_as_a_picture_with_how_to_run_it(browser, site):
    visit = Visit(browser, site, '07_prediction_form.html')
    try:
        assert visit.page.locator('img[src*="prediction_form"]').count() >= 1
        assert 'make app' in visit.page.inner_text('main')
    finally:
        visit.close()


def test_search_finds_a_page_offline(browser, site):
    visit = Visit(browser, site, 'search.html?q=composable_script')
    try:
        visit.page.wait_for_selector('#search-results li a', timeout=LOAD_TIMEOUT)
        found = visit.page.eval_on_selector_all('#search-results li a', 'as => as.map(a => a.getAttribute("href"))')
        assert any('02_composable' in h for h in found), found
        assert visit.outside == [] and visit.errors == []
    finally:
        visit.close()


def exported_definitions(stem: str) -> list[str]:
    "The first line of each function or class an exported cell of nbs/<stem>.ipynb defines, e.g. `def load_data(`"
    nb = json.loads((build_docs.NBS/f'{stem}.ipynb').read_text(encoding='utf-8'))
    found = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'code' and re.match(r'\s*#\|\s*export\b', src):
            found += re.findall(r'^((?:def|class) \w+)', src, re.M)
    return found


def speaker_notes(stem: str) -> list[str]:
    "The first words of each speaker-notes cell of nbs/<stem>.ipynb"
    nb = json.loads((build_docs.NBS/f'{stem}.ipynb').read_text(encoding='utf-8'))
    plain = lambda src: re.sub(r'[*`#>]', '', re.sub(r'(?m)^\s*(?:[-+*]|\d+\.)\s+', '', src))  # no list marks
    return [' '.join(plain(''.join(c['source'])).split()[:6]) for c in nb['cells']
            if c['cell_type'] == 'markdown' and c.get('metadata', {}).get('slideshow', {}).get('slide_type') == 'notes']


@pytest.mark.parametrize('path', decks())
def test_deck_loads_offline_and_steps_through_every_slide(browser, site, path):
    visit = Visit(browser, site, path, ready=DECK_READY)
    try:
        total = visit.page.evaluate('Reveal.getTotalSlides()')
        assert total >= 2, f'{path} has {total} slide(s)'
        assert visit.page.evaluate("Reveal.hasPlugin('notes')"), 'no speaker notes plugin'
        title = visit.page.inner_text('.reveal .slides section.present')
        assert title.strip(), 'the first slide is empty'
        steps = visit.page.evaluate('''() => {  // as a presenter does: next, next, ... to the last fragment of the last slide
            let steps = 0;
            while (!(Reveal.isLastSlide() && !Reveal.availableFragments().next) && steps < 2000) { Reveal.next(); steps++; }
            return steps;
        }''')
        assert steps < 2000, f'{path}: Reveal.next() never reaches the last slide'
        assert steps >= total - 1
        stem = Path(path).name.split('.')[0]
        code = '\n'.join(visit.page.locator('.jp-InputArea-editor pre').all_inner_texts())
        for exported in exported_definitions(stem):
            assert exported in code, f'{path} does not show the code of {exported!r}'
        notes = visit.page.evaluate("""() => Reveal.getSlides().map(s => Reveal.getSlideNotes(s))
            .filter(Boolean).map(html => new DOMParser().parseFromString(html, 'text/html').body.textContent)""")
        notes = ' '.join(' '.join(n.split()) for n in notes)
        expected = speaker_notes(stem)
        assert expected, f'nbs/{stem}.ipynb has no speaker notes (markdown cells of slide type `notes`)'
        missing = [n for n in expected if n not in notes]
        assert missing == [], f'{path}: speaker notes that never reach the deck: {missing}'
        not_drawn = [src for src, width in visit.images() if not width]
        assert not_drawn == [], f'{path}: images not loaded: {not_drawn}'
        assert broken_links(browser, site, path, visit.links()) == []
        visit.settle()  # what the last slides asked for: loaded, or recorded as failed
        assert visit.outside == [], f'{path} asked another host for: {visit.outside}'
        assert visit.errors == [], f'{path} logged errors: {visit.errors}'
        assert visit.failed == [], f'{path}: requests failed: {visit.failed}'
    finally:
        visit.close()


def test_speaker_notes_reach_the_speaker_view(browser, site):
    "S opens reveal.js's speaker view, a second window that shows the current slide's notes: the presenter's screen"
    path = 'slides/03_dags.slides.html'
    visit = Visit(browser, site, path, ready=DECK_READY)
    try:
        first = visit.page.evaluate('Reveal.getSlides().findIndex(s => Reveal.getSlideNotes(s))')
        assert first >= 0, f'{path} has no slide with notes'
        visit.page.evaluate('i => Reveal.slide(...Object.values(Reveal.getIndices(Reveal.getSlides()[i])))', first)
        expected = visit.page.evaluate("""() => new DOMParser().parseFromString(Reveal.getSlideNotes(), 'text/html')
            .body.textContent.split(/\\s+/).filter(Boolean).slice(0, 6).join(' ')""")
        with browser.expect_page(timeout=LOAD_TIMEOUT) as opened:
            visit.page.keyboard.press('s')
        speaker = opened.value
        try:
            speaker.wait_for_function('words => (document.querySelector(".speaker-controls-notes .value") || {})'
                                      '.textContent?.split(/\\s+/).filter(Boolean).join(" ").includes(words)',
                                      arg=expected, timeout=LOAD_TIMEOUT)
        finally:
            speaker.close()
        assert visit.errors == [], f'{path} logged errors: {visit.errors}'
    finally:
        visit.close()
