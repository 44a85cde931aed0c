"""The course site and the slides, as a reader sees them: Chromium (driven by Playwright) opens every page of
_docs/ (`make docs`) and every deck in _docs/slides/ (`make slides`), served by a local HTTP server on 127.0.0.1
that this module starts and stops.

Every page must load with no request to any other host (the site works offline), no console error, every image
drawn and every internal link landing on a page (and anchor) that exists. The composable pipeline's page shows
the course's figures; a deck starts (Reveal.isReady()) and steps through all its slides; search finds a page.

`make test` builds the site and the slides first; run alone, this module builds them if they are missing or stale.
"""
import functools
import http.server
import os
import re
import sys
import threading
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
        build_docs.build()
    if build_slides.stale():
        build_slides.build()
    assert not build_docs.stale() and not build_slides.stale()

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


class Visit:
    "One page opened in a fresh tab, with everything that went wrong on the way"
    def __init__(self, browser, base: str, path: str):
        self.base, self.path = base, path
        self.page = browser.new_page()
        self.outside, self.errors, self.failed = [], [], []
        # anything for another host is refused at once and recorded: the test is the same with or without internet
        self.page.route(re.compile(r'^(?!http://127\.0\.0\.1[:/]|data:|blob:|about:)'),
                        lambda route: (self.outside.append(route.request.url), route.abort()))
        self.page.on('console', lambda m: self.errors.append(m.text) if m.type == 'error' else None)
        self.page.on('pageerror', lambda e: self.errors.append(f'uncaught: {e}'))
        self.page.on('requestfailed', lambda r: self.failed.append(f'{r.url} ({r.failure})'))
        self.page.on('response', lambda r: self.failed.append(f'{r.url} ({r.status})') if r.status >= 400 else None)
        self.page.goto(base + path, wait_until='load', timeout=60_000)
        self.page.wait_for_load_state('networkidle', timeout=30_000)

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


def broken_links(base: str, page_path: str, hrefs: list[str]) -> list[str]:
    "Links into the site that land on no file, or on a page without the anchor they name"
    bad = []
    for href in hrefs:
        if not href.startswith(base): continue  # another host: a link, never loaded by the page
        url, frag = urldefrag(href)
        target = DOCS/unquote(urlparse(url).path).lstrip('/')
        if target.is_dir(): target = target/'index.html'
        if not target.is_file(): bad.append(f'{href} (no such file)')
        elif frag and target.suffix == '.html' and unquote(frag) not in _ids(target) and not page_path.startswith('slides/'):
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
        assert broken_links(site, path, visit.links()) == [], f'{path} links to nothing'
    finally:
        visit.close()


def test_every_course_notebook_has_a_page_in_course_order(browser, site):
    visit = Visit(browser, site, 'index.html')
    try:
        hrefs = visit.page.eval_on_selector_all('nav.bd-docs-nav a.reference.internal',
                                                'as => as.map(a => a.getAttribute("href"))')
    finally:
        visit.close()
    stems = [Path(h).stem for h in hrefs if h.endswith('.html') and not h.startswith('index')]
    expected = [nb.stem for nb in build_docs.course_notebooks() if nb.stem != 'index']
    assert stems == expected, 'the sidebar does not list the notebooks in course order'


def test_composable_page_shows_the_course_figures_and_links_its_deck(browser, site):
    visit = Visit(browser, site, '02_composable.html')
    try:
        text = visit.page.inner_text('main')
        assert COURSE_MSE in text, 'the composable pipeline page does not show the course MSE'
        assert any(r2 in text for r2 in COURSE_R2), 'the composable pipeline page does not show the course R2'
        assert visit.page.locator('img[src*="_images/"]').count() >= 1, 'no plot on the page'
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
        visit.page.wait_for_selector('#search-results li a', timeout=30_000)
        found = visit.page.eval_on_selector_all('#search-results li a', 'as => as.map(a => a.getAttribute("href"))')
        assert any('02_composable' in h for h in found), found
        assert visit.outside == [] and visit.errors == []
    finally:
        visit.close()


@pytest.mark.parametrize('path', decks())
def test_deck_loads_offline_and_steps_through_every_slide(browser, site, path):
    visit = Visit(browser, site, path)
    try:
        visit.page.wait_for_function('() => window.Reveal && Reveal.isReady()', timeout=30_000)
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
        assert visit.outside == [], f'{path} asked another host for: {visit.outside}'
        assert visit.errors == [], f'{path} logged errors: {visit.errors}'
        assert visit.failed == [], f'{path}: requests failed: {visit.failed}'
        not_drawn = [src for src, width in visit.images() if not width]
        assert not_drawn == [], f'{path}: images not loaded: {not_drawn}'
        assert broken_links(site, path, visit.links()) == []
    finally:
        visit.close()
