"""What loading a deck costs a browser: the course's decks against the decks as they were made before, in one run.

The baseline ("before") is each deck rendered from the same notebook by nbconvert's reveal template with only the
change the course made before (Mermaid loaded only by a deck that draws with it): 270 kB of notebook style sheets
inlined into every deck, and MathJax loaded and run by every deck. The course's decks (tools/build_slides.py,
docs/slides.html.j2) share those style sheets as one file the browser fetches once, and load MathJax only where a
slide has a formula. (Both variants show the same cells, and a Metaflow card as a file of its own.)

For every deck and both variants, Chromium (Playwright) loads the deck N times from a local server, each time in a
fresh tab of one window (so the shared style sheet is cached after the first deck, as in a class that opens deck
after deck), and measures until the deck is ready (Reveal.isReady(), MathJax done, no request in flight):
- the wall time, at full speed and with the tab's CPU slowed down CPU_SLOWDOWN times (Chromium's own throttling:
  a slow, busy machine);
- the CPU the page's main thread spent (Chromium's TaskDuration), the requests it made, and the size of the files
  it asked for (whether or not the browser's cache had them).
Reported, never asserted. Results: printed, and benchmarks/results/bench_decks.json.

Run: `.venv/bin/python benchmarks/bench_decks.py` (or `make bench`); it builds the site first if it is stale.
"""
import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT/'tools'), str(REPO_ROOT/'tests')]
import build_docs  # noqa: E402
import build_slides  # noqa: E402
from browser import find_chromium  # noqa: E402

LOADS = 3
CPU_SLOWDOWN = 4
READY = """() => window.Reveal && Reveal.isReady()
    && !(window.MathJax && MathJax.Hub && MathJax.Hub.queue && (MathJax.Hub.queue.pending || MathJax.Hub.queue.running))"""
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run']


BEFORE = """{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def before_decks(dest: Path) -> list[str]:
    "Each course deck as the template of before renders it, into dest/slides/; their names"
    import nbformat
    (dest/'before.html.j2').write_text(BEFORE)
    from nbconvert import SlidesExporter
    config = build_slides.exporter().config  # the course's settings (reveal.js from node_modules, and so on)
    config.SlidesExporter.extra_template_paths = [str(dest)]
    config.SlidesExporter.template_file = 'before.html.j2'
    ex = SlidesExporter(config=config)
    lib = build_docs.library_bytes()
    names = []
    for nb_path in build_slides.deck_notebooks():
        site = sorted(build_docs.CACHE.glob(f'{nb_path.stem}.{build_docs.exec_key(nb_path, lib)}.*.site.ipynb'))
        if not site: raise SystemExit(f'{nb_path.name} is not built: run `make docs` first')
        nb = build_slides.for_slides(nbformat.read(site[-1], as_version=4), nb_path.stem)
        body, _ = ex.from_notebook_node(nb, resources={'metadata': {'name': nb_path.stem, 'path': str(build_docs.NBS)}})
        body = body.replace('Reveal.initialize({', 'window.Reveal = Reveal;\n        Reveal.initialize({', 1)
        name = f'{nb_path.stem}.before.html'
        (dest/'slides'/name).write_text(body, encoding='utf-8')
        names.append(name)
    return names


def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/'


def load(context, url: str, slowdown: float, root: Path) -> dict:
    "Open `url` in a new tab until the deck is ready; what it cost"
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send('Performance.enable')
    if slowdown > 1: cdp.send('Emulation.setCPUThrottlingRate', {'rate': slowdown})
    in_flight, asked = {}, []
    page.on('request', lambda r: (in_flight.__setitem__(id(r), r.url), asked.append(r.url)))
    page.on('requestfinished', lambda r: in_flight.pop(id(r), None))
    page.on('requestfailed', lambda r: in_flight.pop(id(r), None))
    start = time.perf_counter()
    page.goto(url, wait_until='load', timeout=300_000)
    page.wait_for_function(READY, timeout=300_000)
    while in_flight: page.wait_for_timeout(20)
    wall = time.perf_counter() - start
    metrics = {m['name']: m['value'] for m in cdp.send('Performance.getMetrics')['metrics']}
    page.close()
    files = [root/unquote(urlparse(u).path).lstrip('/') for u in asked if u.startswith('http')]
    size = sum(f.stat().st_size for f in files if f.is_file())
    return {'wall_s': wall, 'cpu_s': metrics['TaskDuration'], 'requests': len(asked), 'kB': size / 1000}


def main():
    from playwright.sync_api import sync_playwright
    if build_docs.stale() or build_slides.stale():
        print('building the site and its decks first (make docs)', flush=True)
        build_docs.build()
    results = {'cores': os.cpu_count(), 'loads': LOADS, 'cpu_slowdown': CPU_SLOWDOWN, 'decks': {}}
    with tempfile.TemporaryDirectory(prefix='bench-decks-') as tmp:
        root = Path(tmp)
        (root/'slides').mkdir()
        for deck in build_slides.OUT.glob('*.slides.html'): shutil.copy2(deck, root/'slides'/deck.name)
        (root/'slides'/'lib').symlink_to(build_slides.OUT/'lib')
        (root/'_static').symlink_to(build_docs.OUT/'_static')
        before_decks(root)
        server, base = serve(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_chromium(), args=ARGS)
                for slowdown in (1, CPU_SLOWDOWN):
                    for variant in ('before', 'course'):
                        context = browser.new_context(viewport={'width': 1280, 'height': 900})
                        for stem in (nb.stem for nb in build_slides.deck_notebooks()):
                            name = f'{stem}.before.html' if variant == 'before' else f'{stem}.slides.html'
                            runs = [load(context, f'{base}slides/{name}', slowdown, root)
                                    for _ in range(LOADS)]
                            row = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
                            results['decks'].setdefault(stem, {})[f'{variant} x{slowdown}'] = row
                            print(f'{stem:22} {variant:6} cpu x{slowdown}: ready in {row["wall_s"]:5.2f} s, '
                                  f'main thread {row["cpu_s"]:5.2f} s, {row["requests"]:3.0f} requests, '
                                  f'{row["kB"]:7.0f} kB', flush=True)
                        context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    for slowdown in (1, CPU_SLOWDOWN):
        for key in ('wall_s', 'cpu_s', 'kB'):
            total = {v: sum(d[f'{v} x{slowdown}'][key] for d in results['decks'].values())
                     for v in ('before', 'course')}
            results[f'total {key} x{slowdown}'] = total
            print(f'all {len(results["decks"])} decks, cpu x{slowdown}, {key}: before {total["before"]:.1f}, '
                  f'course {total["course"]:.1f}')
    (REPO_ROOT/'benchmarks'/'results').mkdir(parents=True, exist_ok=True)
    (REPO_ROOT/'benchmarks'/'results'/'bench_decks.json').write_text(json.dumps(results, indent=1))


if __name__ == '__main__':
    main()
