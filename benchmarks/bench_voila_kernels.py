"""How many kernels the Voila prediction page leaves running, and how much memory they hold: before, right after
20 page views, and 2 minutes later, with voila.json's own settings (the culling `make app` does).

Voila runs as `make app` runs it (voila.json, preheated pool of 1, the ready file). One tab stays open throughout (it
must keep working); the views come all at once, as a busy or hostile moment would bring them: browser tabs closed as
a person closes them, one closed without the page's unload handler (a crash), a page elsewhere with five
<img src="http://127.0.0.1:.../"> tags, and plain GETs (curl, a crawler), some hanging up after the first bytes.
Kernels are the Voila server's ipykernel child processes; memory is their resident set (RSS), summed.

Goal: 2 minutes after the views, no more kernels than the pool plus the open page, and their memory back to
where it was; the open page still predicts.
Usage: python benchmarks/bench_voila_kernels.py [--views N] [--wait S] [--config OTHER_VOILA_JSON]
(--config: serve with another voila.json instead, e.g. the old one: git show HEAD~1:voila.json > /tmp/old-voila.json)
"""
import sys
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent.parent/'tools'))
from voila_kernels import kernels, rss_mb  # noqa: E402
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from regression_course import config

config.configure_metaflow()  # before anything imports metaflow
from regression_course.form_app import READY_ENV
from _common import REPO_ROOT, VOILA, ensure_model, free_port, stop

sys.path.insert(0, str(REPO_ROOT/'tools'))
from browser import find_chromium  # noqa: E402  (tools/browser.py: as `make browser` and the tests find it)

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
# The same 20 views with the settings before this benchmark (cull_idle_timeout 600, cull_interval 60; Voila's
# shutdown-on-close refused for want of an _xsrf cookie), 2026-11-23, 2 cores: what was left 2 minutes later
BEFORE = ('22 kernels (peak 22), 4,819 MB kernel RSS 120 s after the views (2 expected); '
          'of 4 tabs closed, 3 shutdown requests refused (403), 0 kernels freed')


def get(url, abandon=False):
    "A plain GET that never opens a websocket; `abandon`: hang up after the first bytes"
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read(100) if abandon else response.read()


def predicts(page, x: str, give_up=30) -> bool:
    "Type x, press Predict: does an answer come?"
    before = page.locator('.prediction-y').inner_text()
    page.locator('.prediction-x input').fill(x)
    page.locator('.prediction-button').click()
    try:
        page.wait_for_function('b => document.querySelector(".prediction-y").innerText !== b', arg=before, timeout=give_up * 1000)
        return True
    except Exception:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--views', type=int, default=20, help='page views (a quarter browser tabs, 5 images, the rest GETs)')
    parser.add_argument('--wait', type=float, default=120, help='seconds after the views to look again')
    parser.add_argument('--config', type=Path, help="another voila.json to serve with (default: the repository's)")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None: sys.exit('needs Chromium (make browser)')
    from playwright.sync_api import sync_playwright
    model = ensure_model()
    settings = args.config or REPO_ROOT/'voila.json'
    cull = json.loads(settings.read_text())['MappingKernelManager']
    print(f'model: run {model.run_id}; {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}; '
          f'voila.json culling: {cull}')
    port = free_port()
    url = f'http://127.0.0.1:{port}/'
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp)/'voila.log', 'wb') as log:
        ready, options = Path(tmp)/'ready', []
        if args.config:
            (Path(tmp)/'config').mkdir(); shutil.copy(args.config, Path(tmp)/'config'/'voila.json')
            options = [f"--Voila.config_file_paths={Path(tmp)/'config'}"]
        voila = subprocess.Popen([VOILA, 'app/prediction_form.ipynb', '--no-browser', f'--port={port}',
                                  '--Voila.ip=127.0.0.1', *options], cwd=REPO_ROOT, stdout=log, stderr=log,
                                 env={**os.environ, READY_ENV: str(ready)})
        rows = []
        def record(moment, ks=None):
            ks = kernels(voila.pid) if ks is None else ks
            rows.append((moment, len(ks), rss_mb(ks.values()), rss_mb([voila.pid])))
        try:
            deadline = time.monotonic() + 180
            while not ready.exists():
                assert voila.poll() is None and time.monotonic() < deadline, 'voila stopped or never got ready'
                time.sleep(0.1)
            time.sleep(3)
            record('before (pool only)')
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                context = browser.new_context()
                context.route(re.compile(r'^https?://(?!127\.0\.0\.1[:/])'), lambda route: route.abort())
                kept = context.new_page()
                kept.goto(url, timeout=60_000, wait_until='domcontentloaded')
                kept.locator('.prediction-x input').wait_for(state='visible', timeout=60_000)
                kept_works = [predicts(kept, '1.5')]
                time.sleep(8)  # the pool refills (fill_delay 5 s, then the kernel starts)
                record('one tab open, pool refilled')
                peak, views_done = [0], threading.Event()
                def watch():
                    while not views_done.is_set(): peak[0] = max(peak[0], len(kernels(voila.pid))); views_done.wait(0.25)
                watcher = threading.Thread(target=watch, daemon=True); watcher.start()
                n_tabs, n_imgs = max(1, args.views // 4), min(5, args.views - max(1, args.views // 4))
                n_gets = args.views - n_tabs - n_imgs
                started = time.monotonic()
                with ThreadPoolExecutor(max(1, n_gets)) as pool:
                    gets = [pool.submit(get, f'{url}?get={i}', i % 2 == 1) for i in range(n_gets)]
                    tabs = [context.new_page() for _ in range(n_tabs)]
                    for tab in tabs: tab.evaluate('u => { location.href = u }', url)
                    elsewhere = context.new_page()
                    elsewhere.set_content(''.join(f'<img src="{url}?img={i}">' for i in range(n_imgs)))
                    for i, tab in enumerate(tabs):
                        tab.wait_for_load_state('domcontentloaded', timeout=180_000)
                        try: tab.locator('.prediction-x input').wait_for(state='visible', timeout=20_000)
                        except Exception: pass
                        tab.close(run_before_unload=i < n_tabs - 1)  # the last one as if the browser crashed
                    elsewhere.wait_for_function('() => [...document.images].every(i => i.complete)', timeout=180_000)
                    elsewhere.close()
                    for g in gets: g.result()
                views_took = time.monotonic() - started
                time.sleep(2)
                record(f'right after {args.views} views ({views_took:.0f} s)')
                done, settled = time.monotonic(), None
                while time.monotonic() - done < args.wait:
                    if settled is None and len(kernels(voila.pid)) <= 2: settled = time.monotonic() - done
                    time.sleep(1)
                views_done.set(); watcher.join()
                record(f'{args.wait:g} s after the views')
                kept_works.append(predicts(kept, '-0.25'))
                browser.close()
            text = (Path(tmp)/'voila.log').read_text()  # before Voila shuts the rest down
        except Exception:
            print(f'voila said:\n{(Path(tmp)/"voila.log").read_text()[-3000:]}')
            raise
        finally:
            stop(voila)
    print(f'\n| moment | kernels | kernel RSS | Voila server RSS |\n|---|---|---|---|')
    for moment, n, rss, server in rows: print(f'| {moment} | {n} | {rss:,.0f} MB | {server:,.0f} MB |')
    print(f'\npeak during the views: {peak[0]} kernels; down to pool + open page (2) '
          f'{"after %.0f s" % settled if settled is not None else "NOT within %g s" % args.wait}')
    refused, culled = len(re.findall(r'^403 POST /voila/api/shutdown/\S+ \(\S+\) [\d.]+ms', text, re.M)), len(re.findall(r"Culling '\w+' kernel", text))
    print(f'kernels shut down: {text.count("Kernel shutdown:")}, of which culled {culled}, at their page\'s request '
          f'{text.count("Kernel shutdown:") - culled}; shutdown-on-close requests refused (403, no _xsrf): {refused}')
    print(f'the open tab predicts: at the start {kept_works[0]}, at the end {kept_works[1]}')
    if not args.config: print(f'before (the old voila.json, same views): {BEFORE}')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
