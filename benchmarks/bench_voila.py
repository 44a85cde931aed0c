"""How fast the Voila prediction page is for a visitor: the first visit after `make app`, later visits, and without preheating.

Measured in Chromium (Debian's /usr/bin/chromium, driven by Playwright), each visit in a fresh browser context (a new
visitor: nothing cached): the time from opening the page to a usable form (the x box visible), and from pressing
Predict to the prediction on screen. Timed from Python around Playwright calls, so each number includes a few
milliseconds of Playwright's own messaging. Voila runs as `make app` runs it (voila.json, and the ready file the app
writes once its preheated kernel has built the form; see nbs/97_form_app.ipynb).

Setups:
- first visit, a few seconds after Voila starts: what a visitor got when `make app` said "ready" as it started
  Voila (the old behaviour: the preheated kernel is still starting and loading the model);
- first visit, a few seconds after `make app` says ready (the preheated kernel has built the form);
- later visits (a preheated kernel refilled between visits);
- a kernel started for each visit (`--preheat_kernel=False`).
Goals: page open to usable form < 2 s (first visit included); click to result < 200 ms.
Usage: python benchmarks/bench_voila.py [--starts N] [--visits N]
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from regression_course import config

config.configure_metaflow()  # before anything imports metaflow
from regression_course.form_app import READY_ENV
from _common import VOILA, ensure_model, free_port, stop

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
# The same setups measured with the code before `make app` waited for the ready file and before voila.json's fill_delay
# and extension_denylist (2026-11-23, 2 cores, load average 6 to 10); the old "ready" came as Voila started.
BEFORE = {'start': '5.11 s', 'first': '5.11 s', 'later': '2.26 s', 'per visit': '5.08 s'}


@contextmanager
def voila(options=(), wait_for='ready', give_up=180):
    "Voila serving the app as `make app` does; yields its URL and start time once the port is open (`port`) or the app is ready (`ready`)"
    port, started = free_port(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp)/'voila.log', 'wb') as log:
        ready = Path(tmp)/'ready'
        proc = subprocess.Popen([VOILA, 'app/prediction_form.ipynb', '--no-browser', f'--port={port}',
                                 '--Voila.ip=127.0.0.1', *options], cwd=REPO_ROOT, stdout=log, stderr=log,
                                env={**os.environ, READY_ENV: str(ready)})
        try:
            deadline = time.monotonic() + give_up
            while True:
                assert proc.poll() is None and time.monotonic() < deadline, 'voila stopped or never got ready'
                try:
                    with socket.create_connection(('127.0.0.1', port), timeout=1):
                        if wait_for == 'port' or ready.exists(): break
                except OSError: pass
                time.sleep(0.1)
            yield f'http://127.0.0.1:{port}/', started
        except Exception:
            print(f'voila said:\n{(Path(tmp)/"voila.log").read_text()[-3000:]}')
            raise
        finally:
            stop(proc)


def visit(browser, url, clicks, give_up=60):
    "Seconds from opening the page to a usable form (None if it never came), and from each click to its result"
    page = browser.new_page()  # a new context: a new visitor, nothing cached
    page.route(re.compile(r'^https?://(?!127\.0\.0\.1[:/])'), lambda route: route.abort())  # offline: no CDN font
    start = time.perf_counter()
    try:
        page.goto(url, timeout=give_up * 1000, wait_until='domcontentloaded')
        page.locator('.prediction-x input').wait_for(state='visible', timeout=give_up * 1000)
    except Exception:  # Voila never finished the page (see tests/test_voila_browser.py)
        page.close()
        return None, clicks
    opened = time.perf_counter() - start
    for i in range(3):
        time.sleep(0.5)  # a person reads the answer (and the kernel finishes drawing the plot) before the next
        before = page.locator('.prediction-y').inner_text()
        page.locator('.prediction-x input').fill(f'{len(clicks)}.{i}5')
        start = time.perf_counter()
        page.locator('.prediction-button').click()
        page.wait_for_function('b => document.querySelector(".prediction-y").innerText !== b', arg=before)
        clicks.append(time.perf_counter() - start)
    page.close(run_before_unload=True)
    return opened, clicks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--starts', type=int, default=3, help='Voila starts per first-visit setup')
    parser.add_argument('--visits', type=int, default=3, help='later visits per start, and visits without preheating')
    parser.add_argument('--after', type=float, default=3, help='seconds from "ready" (or from starting Voila) to the first visit')
    parser.add_argument('--pause', type=float, default=15, help='seconds between later visits (the pool refills)')
    args = parser.parse_args(argv)
    if not Path('/usr/bin/chromium').exists(): sys.exit('needs /usr/bin/chromium (make browser)')
    from playwright.sync_api import sync_playwright
    model = ensure_model()
    print(f'model: run {model.run_id}; {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}')
    names = {'start': f'first visit, {args.after:g} s after Voila starts (old `make app` "ready")',
             'first': f'first visit, {args.after:g} s after `make app` says ready',
             'later': f'later visits, {args.pause:g} s apart (preheated, voila.json)',
             'per visit': 'a kernel started for each visit (no preheating)'}
    opened, clicked, stuck = ({name: [] for name in names} for _ in range(3))
    def record(name, url, pause=0.0, since=None):
        time.sleep(max(0.0, pause - (time.perf_counter() - since)) if since else pause)
        seconds, _ = visit(browser, url, clicked[name])
        if seconds is None: stuck[name].append(1)
        else: opened[name].append(seconds)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path='/usr/bin/chromium', args=CHROMIUM_ARGS)
        for _ in range(args.starts):
            with voila(wait_for='port') as (url, started): record('start', url, args.after, since=started)
            with voila(wait_for='ready') as (url, _):
                record('first', url, args.after)
                for _ in range(args.visits): record('later', url, args.pause)
        with voila(['--preheat_kernel=False'], wait_for='port') as (url, _):
            for _ in range(args.visits): record('per visit', url, 1)
        browser.close()
    def shown(xs, unit=1, fmt='{:.2f} s'):
        return f'{fmt.format(statistics.median(xs) * unit)} ({fmt.format(max(xs) * unit)})' if xs else 'n/a'
    print('\nmedians (worst in brackets); every visit a new visitor (nothing cached)\n')
    print('| setup | visits | page open to usable form | before | click to result | never loaded (60 s) |')
    print('|---|---|---|---|---|---|')
    for key, name in names.items():
        n = len(opened[key]) + len(stuck[key])
        print(f'| {name} | {n} | {shown(opened[key])} | {BEFORE.get(key, "")} | '
              f'{shown(clicked[key], 1e3, "{:.0f} ms")} | {len(stuck[key])} |')
    print('\ngoals: page open to usable form < 2 s, first visit included; click to result < 200 ms')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
