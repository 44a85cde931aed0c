"""How fast the Voila prediction page is for a visitor, with and without preheated kernels.

Measured in Chromium (Debian's /usr/bin/chromium, driven by Playwright): the time from opening the page to a
usable form (the x box visible), and from pressing Predict to the prediction on screen. Timed from Python
around Playwright calls, so each number includes a few milliseconds of Playwright's own messaging.
Goals: page open to usable form < 3 s; click to result < 200 ms. Usage: python benchmarks/bench_voila.py [--repeat N]
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regression_course import config  # before metaflow
from _common import ensure_model, free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
SETUPS = {'kernel started per visit': ['--preheat_kernel=False'],
          'preheated kernel, pool of 1 (voila.json)': ['--preheat_kernel=True', '--pool_size=1']}


def measure(browser, url, repeat, between, give_up=60):
    "Lists of seconds: open to usable form, and click to result (3 clicks per visit); and the visits that never loaded"
    opened, clicked, stuck = [], [], 0
    for visit in range(repeat):
        time.sleep(between)  # let a preheated pool refill; the default setup needs no pause
        page = browser.new_page()
        page.route(re.compile(r'^https?://(?!127\.0\.0\.1[:/])'), lambda route: route.abort())  # offline: no CDN font
        start = time.perf_counter()
        try:
            page.goto(url, timeout=give_up * 1000, wait_until='domcontentloaded')
            page.locator('.prediction-x input').wait_for(state='visible', timeout=give_up * 1000)
        except Exception:  # Voila never finished the page (see tests/test_voila_browser.py)
            stuck += 1
            page.close()
            continue
        opened.append(time.perf_counter() - start)
        for i in range(3):
            time.sleep(0.5)  # a person reads the answer (and the kernel finishes drawing the plot) before the next
            before = page.locator('.prediction-y').inner_text()
            page.locator('.prediction-x input').fill(f'{visit}.{i}5')
            start = time.perf_counter()
            page.locator('.prediction-button').click()
            page.wait_for_function('b => document.querySelector(".prediction-y").innerText !== b', arg=before)
            clicked.append(time.perf_counter() - start)
        page.close(run_before_unload=True)
    return opened, clicked, stuck


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeat', type=int, default=5, help='page visits per setup')
    parser.add_argument('--pause', type=float, default=15, help='seconds between visits with a preheated pool (to refill it)')
    args = parser.parse_args(argv)
    if not Path('/usr/bin/chromium').exists(): sys.exit('needs /usr/bin/chromium (make browser)')
    from playwright.sync_api import sync_playwright
    model = ensure_model()
    print(f'model: run {model.run_id}; {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}')
    voila = shutil.which('voila', path=str(Path(sys.executable).parent)) or 'voila'
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path='/usr/bin/chromium', args=CHROMIUM_ARGS)
        for name, options in SETUPS.items():
            port = free_port()
            with tempfile.TemporaryFile() as log:
                proc = subprocess.Popen([voila, 'app/prediction_form.ipynb', '--no-browser', f'--port={port}',
                                         '--Voila.ip=127.0.0.1', *options], cwd=REPO_ROOT, stdout=log, stderr=log)
                try:
                    while True:
                        try:
                            with socket.create_connection(('127.0.0.1', port), timeout=1): break
                        except OSError: time.sleep(0.1)
                    preheated = '--preheat_kernel=True' in options
                    if preheated: time.sleep(10)  # the pool starts its kernel and runs the notebook
                    results[name] = measure(browser, f'http://127.0.0.1:{port}/', args.repeat, args.pause if preheated else 0)
                except Exception:
                    log.seek(0)
                    print(f'{name} failed; voila said:\n{log.read().decode()[-3000:]}')
                    raise
                finally:
                    proc.terminate()
                    try: proc.wait(15)
                    except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        browser.close()
    print(f'\n{args.repeat} visits per setup, 3 predictions per visit; medians (worst in brackets)\n')
    print('| setup | page open to usable form | click to result | visits that never loaded (60 s) |')
    print('|---|---|---|---|')
    for name, (opened, clicked, stuck) in results.items():
        shown = (lambda xs, f: f(statistics.median(xs), max(xs)) if xs else 'n/a')
        print(f'| {name} | {shown(opened, lambda m, w: f"{m:.2f} s ({w:.2f})")} | '
              f'{shown(clicked, lambda m, w: f"{m*1e3:.0f} ms ({w*1e3:.0f})")} | {stuck} of {args.repeat} |')
    print('\ngoals: page open to usable form < 3 s; click to result < 200 ms')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
