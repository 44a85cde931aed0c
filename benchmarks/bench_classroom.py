"""How many students can one class server take at once (`make classroom`), and what runs out first.

    sudo .venv/bin/python benchmarks/bench_classroom.py [--students 1,4,8,12] [--runaway]

A real hub (tools/classroom.py, as `make classroom` starts it) in a scratch class folder. For each class size N,
N students at once log in (the hub's login form, over HTTP: their browsers would be on their own laptops),
their servers start, each opens a kernel and runs the course flow from it (`python flow.py run`, all four
candidates), as a student running a notebook cell would. Reported per size: login-to-server time, flow time
(median and worst), each student's peak memory (their memory control group's high-water mark, server, kernel and
flow together), the machine's free memory at the lowest, and the processor's load.

--runaway: with two students running the flow, a third runs away twice: first allocating memory without end
(until the memory limit stops it), then eight processes spinning; reported: the others' flow times against the
quiet baseline, and how quickly the hub still answers. Needs root. Never asserted: figures only.
"""
import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from regression_course.classroom import own_cgroup  # noqa: E402
from _common import free_port, stop  # noqa: E402

FLOW = '!python ~/regression-course/regression_course/flow.py --no-pylint run || echo the flow failed'


class Hub:
    def __init__(self, students: int):
        self.folder = Path(tempfile.mkdtemp(prefix='regression-course-bench-class-', dir='/tmp'))
        self.folder.chmod(0o755)
        self.names = [f's{i:03d}' for i in range(students)]
        self.roster = self.folder.parent/f'{self.folder.name}.roster'
        self.roster.write_text('teacher instructor\n' + '\n'.join(self.names) + '\n')
        self.prefix, self.port = f'rb{secrets.token_hex(2)}-', free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.env = {**os.environ, 'CLASS_DIR': str(self.folder), 'CLASS_ROSTER': str(self.roster),
                    'CLASS_USER_PREFIX': self.prefix, 'CLASS_PORT': str(self.port),
                    'CLASS_HUB_PORT': str(free_port()), 'CLASS_PROXY_API_PORT': str(free_port())}

    def __enter__(self):
        self.log = open(self.folder.parent/f'{self.folder.name}.log', 'wb')
        self.proc = subprocess.Popen([sys.executable, str(REPO/'tools'/'classroom.py'), 'serve'], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        while True:
            assert self.proc.poll() is None, 'the hub exited: see ' + self.log.name
            try:
                if requests.get(f'{self.url}/hub/api', timeout=5).ok: return self
            except requests.RequestException: pass
            time.sleep(0.5)

    def __exit__(self, *exc):
        stop(self.proc, grace=180)
        subprocess.run([sys.executable, str(REPO/'tools'/'classroom.py'), 'remove-users'], env=self.env)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.log.close()
        for leftover in (self.roster, Path(self.log.name)): leftover.unlink(missing_ok=True)

    def cgroup(self, name) -> Path:
        return own_cgroup('memory')/f'{self.prefix}{name}'


def log_in(hub: Hub, name: str) -> tuple[requests.Session, float]:
    "Log in through the hub's form and wait until the student's JupyterLab page loads: (session, seconds)"
    s, start = requests.Session(), time.monotonic()
    s.get(f'{hub.url}/hub/login')
    s.post(f'{hub.url}/hub/login', data={'username': name, 'password': f'{name}-password',
                                         '_xsrf': s.cookies.get('_xsrf', path='/hub/')})
    while not s.get(f'{hub.url}/user/{name}/lab', timeout=60).url.startswith(f'{hub.url}/user/{name}/lab'):
        time.sleep(0.5)  # the hub's spawn page until the server is up; its page sets the server's XSRF cookie
    s.headers['X-XSRFToken'] = s.cookies.get('_xsrf', path=f'/user/{name}/') or ''
    return s, time.monotonic() - start


def run_in_kernel(hub: Hub, s: requests.Session, name: str, code: str, timeout=1800) -> tuple[str, float]:
    "Start a kernel in the student's server, run `code` in it as a notebook cell would: (output, seconds)"
    from tornado.httpclient import HTTPRequest
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect
    kernel = s.post(f'{hub.url}/user/{name}/api/kernels', json={'name': 'python3'}).json()['id']
    cookie = '; '.join(f'{c.name}={c.value}' for c in s.cookies)
    msg_id, start = uuid.uuid4().hex, time.monotonic()

    async def run():
        url = f'ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel}/channels'
        ws = await websocket_connect(HTTPRequest(url, headers={'Cookie': cookie, 'X-XSRFToken': s.headers['X-XSRFToken']}))
        ws.write_message(json.dumps({
            'header': {'msg_id': msg_id, 'msg_type': 'execute_request', 'username': name, 'session': uuid.uuid4().hex,
                       'date': '', 'version': '5.3'}, 'parent_header': {}, 'metadata': {}, 'channel': 'shell',
            'content': {'code': code, 'silent': False, 'store_history': True, 'user_expressions': {},
                        'allow_stdin': False, 'stop_on_error': True}, 'buffers': []}))
        said = []
        while True:
            msg = json.loads(await ws.read_message())
            if msg.get('parent_header', {}).get('msg_id') != msg_id: continue
            if msg['msg_type'] == 'stream': said.append(msg['content']['text'])
            if msg['msg_type'] == 'error': said.append('\n'.join(msg['content']['traceback']))
            if msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle': break
        ws.close()
        return ''.join(said)

    out = IOLoop().run_sync(run, timeout=timeout)
    return out, time.monotonic() - start


def run_quietly(hub, s, name, code):
    "Run a runaway cell; it ends when it is stopped (or killed by its memory limit)"
    try: run_in_kernel(hub, s, name, code, timeout=600)
    except Exception as e: print(f'  the runaway cell ended: {type(e).__name__}', flush=True)


def stop_kernels(hub, s, name):
    "Shut down every kernel of the student (the runaway's), through their server's API"
    for kernel in s.get(f'{hub.url}/user/{name}/api/kernels').json():
        s.delete(f"{hub.url}/user/{name}/api/kernels/{kernel['id']}")


def peak_mb(hub, name) -> float:
    return int((hub.cgroup(name)/'memory.max_usage_in_bytes').read_text()) / 2**20


class Sampler(threading.Thread):
    "Every half second: free memory (lowest) and the load average (highest)"
    def __init__(self):
        super().__init__(daemon=True)
        self.low_free_mb, self.high_load, self.done = float('inf'), 0.0, threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            free = int(re.search(r'MemAvailable:\s+(\d+)', Path('/proc/meminfo').read_text()).group(1)) / 1024
            self.low_free_mb, self.high_load = min(self.low_free_mb, free), max(self.high_load, os.getloadavg()[0])


def student(hub, name, code=FLOW):
    s, login = log_in(hub, name)
    out, seconds = run_in_kernel(hub, s, name, code)
    return dict(name=name, login=login, flow=seconds, ok='Done!' in out and 'the flow failed' not in out, out=out[-500:],
                session=s)


def log_out(hub, s, name):
    "Stop the student's server, as the hub's control panel does"
    s.delete(f'{hub.url}/hub/api/users/{name}/server', headers={'X-XSRFToken': s.cookies.get('_xsrf', path='/hub/') or ''})
    while s.get(f'{hub.url}/hub/api/users/{name}', headers={'X-XSRFToken': s.cookies.get('_xsrf', path='/hub/') or ''}
                ).json().get('servers'):
        time.sleep(1)


def class_size(hub, names):
    n = len(names)
    if True:
        sampler = Sampler()
        sampler.start()
        start = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            done = list(pool.map(lambda name: student(hub, name), names))
        wall = time.monotonic() - start
        sampler.done.set()
        flows, logins = [d['flow'] for d in done], [d['login'] for d in done]
        peaks = [peak_mb(hub, d['name']) for d in done]
        failed = [d for d in done if not d['ok']]
        print(f"{n:3d} students: all done in {wall:6.1f} s; login {statistics.median(logins):5.1f} s median, "
              f"{max(logins):5.1f} worst; flow {statistics.median(flows):6.1f} s median, {max(flows):6.1f} worst; "
              f"peak memory per student {statistics.median(peaks):5.0f} MB median, {max(peaks):5.0f} worst; "
              f"lowest free memory {sampler.low_free_mb:6.0f} MB; highest load {sampler.high_load:4.1f}; "
              f"{len(failed)} failed", flush=True)
        for d in failed: print(f"  {d['name']}: {d['out']}")
        for d in done: log_out(hub, d['session'], d['name'])


HOG_MEMORY = 'x = []\nwhile True:\n    x.append(bytearray(100 * 2**20))'
HOG_CPU = ('import multiprocessing, time\n'
           'def spin(_):\n    end = time.time() + 120\n    while time.time() < end: pass\n'
           'multiprocessing.Pool(8).map(spin, range(8))')


def runaway():
    with Hub(3) as hub:
        quiet = [student(hub, name) for name in hub.names[:1]]
        print(f"runaway: one student's flow alone: {quiet[0]['flow']:.1f} s", flush=True)
        for what, code in (('memory without end', HOG_MEMORY), ('8 processes spinning', HOG_CPU)):
            s, _ = log_in(hub, hub.names[2])
            latencies, stop_probe = [], threading.Event()

            def probe():
                while not stop_probe.wait(1):
                    t = time.monotonic()
                    requests.get(f'{hub.url}/hub/api', timeout=60)
                    latencies.append(time.monotonic() - t)

            hog = threading.Thread(target=lambda: run_quietly(hub, s, hub.names[2], code), daemon=True)
            hog.start()
            prober = threading.Thread(target=probe, daemon=True)
            prober.start()
            time.sleep(5)
            with ThreadPoolExecutor(2) as pool:
                others = list(pool.map(lambda name: student(hub, name), hub.names[:2]))
            stop_probe.set()
            hog.join(timeout=300)
            times = ', '.join(f"{o['flow']:.1f} s" for o in others)
            limit = int((hub.cgroup(hub.names[2])/'memory.limit_in_bytes').read_text()) / 2**20
            print(f"runaway ({what}): the others' flows {times} ({'ok' if all(o['ok'] for o in others) else 'FAILED'}); "
                  f"the runaway's peak memory {peak_mb(hub, hub.names[2]):.0f} MB (limit {limit:.0f} MB); "
                  f"the hub answered in {statistics.median(latencies) * 1000:.0f} ms median, "
                  f"{max(latencies) * 1000:.0f} ms worst", flush=True)
            stop_kernels(hub, s, hub.names[2])


if __name__ == '__main__':
    if os.geteuid() != 0: raise SystemExit('run as root: the class server makes Unix users')
    parser = argparse.ArgumentParser()
    parser.add_argument('--students', default='1,4,8,12')
    parser.add_argument('--runaway', action='store_true')
    args = parser.parse_args()
    print(f'{os.cpu_count()} cores, {os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30:.0f} GB; '
          'one hub (its first start installs the class environment: not timed); each round new students', flush=True)
    sizes = list(map(int, args.students.split(',')))
    with Hub(sum(sizes)) as hub:  # each round, new students: each logs in for the first time
        first = 0
        for n in sizes:
            class_size(hub, hub.names[first:first + n])
            first += n
    if args.runaway:
        runaway()
