"""How long Voila's culler takes to free many abandoned kernels at once: jupyter_server's manager, which shuts the
idle kernels of a round down one after the other, against HandedOutKernelManager (97b_page_views), which checks
them all at once.

A one-cell page served by Voila with the repository's voila.json, culling scaled down (idle 3 s, a round every
second) so that this takes seconds; N plain GETs (curl, a crawler: each takes a kernel and never comes back). Reported:
seconds from the first abandoned kernel gone to the last (the culler's work), and from the last view to the last gone.
Baseline: the same with `multi_kernel_manager_class` set to jupyter_server's AsyncMappingKernelManager.

Usage: python benchmarks/bench_culling.py [--views 20]
"""
import sys
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent.parent/'tools'))
from voila_kernels import kernels  # noqa: E402
import argparse
import json
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from _common import REPO_ROOT, VOILA, free_port, stop

MANAGERS = {'HandedOutKernelManager (all at once)': 'regression_course.page_views.HandedOutKernelManager',
            "jupyter_server's (one after the other)": 'jupyter_server.services.kernels.kernelmanager.AsyncMappingKernelManager'}


def measure(manager: str, views: int, folder: Path) -> dict:
    config = json.loads((REPO_ROOT/'voila.json').read_text())
    config['VoilaConfiguration']['multi_kernel_manager_class'] = manager
    config['VoilaKernelManager']['fill_delay'] = 0
    config['MappingKernelManager'].update(cull_idle_timeout=3, cull_interval=1)
    (folder/'voila.json').write_text(json.dumps(config))
    port = free_port()
    url = f'http://127.0.0.1:{port}/'
    with open(folder/'voila.log', 'wb') as log:
        proc = subprocess.Popen([VOILA, 'page.ipynb', '--no-browser', f'--port={port}',
                                 '--Voila.ip=127.0.0.1'], cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not kernels(proc.pid): time.sleep(0.1)  # the pool's kernel
        with ThreadPoolExecutor(views) as pool:
            list(pool.map(lambda i: urllib.request.urlopen(f'{url}?view={i}', timeout=300).read(), range(views)))
        viewed = time.monotonic()
        peak, first_gone = len(kernels(proc.pid)), None
        while len(now := kernels(proc.pid)) > 1 and time.monotonic() - viewed < 300:  # until only the pool's is left
            peak = max(peak, len(now))
            if first_gone is None and len(now) < peak: first_gone = time.monotonic()
            time.sleep(0.05)
        last_gone = time.monotonic()
        return {'kernels at the peak': peak, 'left': len(now), 'first to last gone (s)': round(last_gone - (first_gone or last_gone), 1),
                'last view to last gone (s)': round(last_gone - viewed, 1)}
    finally:
        stop(proc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--views', type=int, default=20)
    args = parser.parse_args()
    results = {}
    for name, manager in MANAGERS.items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            page = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('a page')")],
                                            metadata={'kernelspec': {'name': 'python3', 'display_name': 'python3', 'language': 'python'}})
            nbformat.write(page, folder/'page.ipynb')
            results[name] = measure(manager, args.views, folder)
            print(name, results[name], flush=True)
    return results


if __name__ == '__main__':
    main()
