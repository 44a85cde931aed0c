"""An S3-compatible object store on 127.0.0.1, for the course's remote datastore (nbs/09_off_the_laptop.ipynb).

    python tools/s3_store.py [--kind moto|swift] [--port 9797] [--bucket course]   # `make s3`: runs until Ctrl-C
    python tools/s3_store.py --kind swift --install                             # install Swift (Debian, as root)

Two kinds, both real servers speaking S3 over HTTP:
- `moto`: moto's S3 server (PyPI `moto[server]`, a dev requirement): one Python process, accepts any credentials.
- `swift`: OpenStack Swift, a production object store, with its S3 layer (`s3api`) and `tempauth` checking the
  credentials; Debian's `swift-proxy` (python3-swift) and `memcached`. Four WSGI servers (proxy, account,
  container, object), each a process on its own port, and memcached; rings for one device in a scratch folder.

Both are started with the course's credentials (`CREDENTIALS`: what `metaflow_profiles/config_course-s3.json`
names), create the bucket, and are stopped by `stop()` (every process they started, nothing else). Tests import
`start_store` and use it as a context manager (tests/test_remote.py).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROFILE_HOME = REPO/'metaflow_profiles'  # METAFLOW_HOME for the course's named profiles
PROFILE = 'course-s3'  # METAFLOW_PROFILE: config_course-s3.json
SWIFT_PYTHON = '/usr/bin/python3'  # Debian's python3-swift lives in the system Python
SWIFT_PACKAGES = ('swift-proxy', 'memcached')


def profile_settings(home=PROFILE_HOME, profile=PROFILE) -> dict:
    "The settings of a named Metaflow profile (a `config_<profile>.json` in `home`)"
    return json.loads((Path(home)/f'config_{profile}.json').read_text())


def course_credentials(home=PROFILE_HOME, profile=PROFILE) -> tuple[str, str]:
    "The access key and secret the profile gives the course's local store"
    params = profile_settings(home, profile)['METAFLOW_DATATOOLS_CLIENT_PARAMS']
    return params['aws_access_key_id'], params['aws_secret_access_key']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _wait_port(port, procs, timeout, log):
    deadline = time.monotonic() + timeout
    while True:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f'a store process exited ({p.args[:3]}...):\n{Path(log).read_text()[-3000:]}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1): return
        except OSError:
            if time.monotonic() > deadline: raise RuntimeError(f'nothing listens on 127.0.0.1:{port} after {timeout} s')
            time.sleep(0.05)


class Store:
    "A running S3-compatible store: `endpoint`, `bucket`, `kind`, the processes it started, and `stop()`"
    def __init__(self, kind, endpoint, bucket, procs, folder, own_folder):
        self.kind, self.endpoint, self.bucket, self.procs, self.folder = kind, endpoint, bucket, procs, folder
        self._own_folder = own_folder

    def client(self, key=None, secret=None):
        "A boto3 S3 client for this store (the course's credentials unless told otherwise)"
        import boto3
        from botocore.config import Config
        k, s = course_credentials()
        return boto3.client('s3', endpoint_url=self.endpoint, aws_access_key_id=key or k,
                            aws_secret_access_key=secret or s, region_name='us-east-1',
                            config=Config(connect_timeout=5, read_timeout=30, retries={'max_attempts': 2}))

    def create_bucket(self, name=None):
        "Create a bucket (default: this store's); an existing one is kept"
        client = self.client()
        try: client.create_bucket(Bucket=name or self.bucket)
        except client.exceptions.BucketAlreadyOwnedByYou: pass

    def stop(self, grace=10):
        "Stop every process this store started (last started first), and remove its scratch folder"
        for p in reversed(self.procs):
            if p.poll() is None: p.terminate()
        for p in reversed(self.procs):
            try: p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self._own_folder: shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self): return self
    def __exit__(self, *exc): self.stop()


def _start_moto(port, folder, log):
    cmd = [sys.executable, '-m', 'moto.server', '-H', '127.0.0.1', '-p', str(port)]
    with open(log, 'ab') as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    return [proc]


def swift_missing() -> str | None:
    "Why Swift cannot start here, or None"
    if not Path(SWIFT_PYTHON).exists(): return f'{SWIFT_PYTHON} is missing'
    found = subprocess.run([SWIFT_PYTHON, '-c', 'import swift.common.middleware.s3api'], capture_output=True)
    if found.returncode != 0: return "Debian's python3-swift (package swift-proxy) is not installed"
    if not shutil.which('memcached'): return 'memcached is not installed'
    return None


def install_swift() -> str | None:
    "Install Swift's proxy (with s3api) and memcached with apt, as root on Debian; None when done, else why not"
    if swift_missing() is None: return None
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        return f"{swift_missing()}: install it as root: apt-get install {' '.join(SWIFT_PACKAGES)}"
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    for cmd in (['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', *SWIFT_PACKAGES]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0: return f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}"
    return swift_missing()


_MAKE_RINGS = """
import json, sys
from swift.common.ring import RingBuilder
etc, ports = sys.argv[1], json.loads(sys.argv[2])
for name in ('account', 'container', 'object'):
    builder = RingBuilder(6, 1, 0)
    builder.add_dev(dict(id=0, region=1, zone=1, ip='127.0.0.1', port=ports[name], device='d1', weight=1))
    builder.rebalance()
    builder.get_ring().save(f'{etc}/{name}.ring.gz')
"""  # one device, one replica: rings for a store on one machine
_RUN_SERVER = 'import sys; from swift.common.wsgi import run_wsgi; sys.exit(run_wsgi(sys.argv[1], sys.argv[2]))'


def _swift_configs(folder:Path, ports:dict, memcached_port:int, key:str, secret:str):
    "Rings for one device and a config file per server, in `folder`"
    (folder/'node'/'d1').mkdir(parents=True, exist_ok=True)  # the objects: kept from one start to the next
    etc = folder/'etc'
    shutil.rmtree(etc, ignore_errors=True)  # rings and configs: made anew, for this start's ports
    etc.mkdir()
    account, user = key.split(':', 1)
    common = textwrap.dedent(f'''
        [swift-hash]
        swift_hash_path_suffix = regression-course
        swift_hash_path_prefix = regression-course
        [swift-constraints]
        ''')
    (etc/'swift.conf').write_text(common)
    rings = subprocess.run([SWIFT_PYTHON, '-c', _MAKE_RINGS, str(etc), json.dumps(ports)], capture_output=True, text=True)
    if rings.returncode != 0: raise RuntimeError(f'building the rings failed:\n{rings.stderr[-2000:]}')
    base = f'[DEFAULT]\nswift_dir = {etc}\ndevices = {folder/"node"}\nmount_check = false\nworkers = 0\nbind_ip = 127.0.0.1\nlog_level = WARNING\n'
    for kind in ('account', 'container', 'object'):
        (etc/f'{kind}-server.conf').write_text(base + f'bind_port = {ports[kind]}\n' + textwrap.dedent(f'''
            [pipeline:main]
            pipeline = {kind}-server
            [app:{kind}-server]
            use = egg:swift#{kind}
            '''))
    (etc/'proxy-server.conf').write_text(base + f'bind_port = {ports["proxy"]}\n' + textwrap.dedent(f'''
        [pipeline:main]
        pipeline = catch_errors gatekeeper proxy-logging cache s3api tempauth proxy-logging proxy-server
        [app:proxy-server]
        use = egg:swift#proxy
        account_autocreate = true
        [filter:tempauth]
        use = egg:swift#tempauth
        user_{account}_{user} = {secret} .admin
        [filter:s3api]
        use = egg:swift#s3api
        location = us-east-1
        [filter:cache]
        use = egg:swift#memcache
        memcache_servers = 127.0.0.1:{memcached_port}
        [filter:catch_errors]
        use = egg:swift#catch_errors
        [filter:gatekeeper]
        use = egg:swift#gatekeeper
        [filter:proxy-logging]
        use = egg:swift#proxy_logging
        '''))
    return etc


def _start_swift(port, folder, log):
    if problem := swift_missing(): raise RuntimeError(f'cannot start Swift: {problem} (python tools/s3_store.py --kind swift --install)')
    key, secret = course_credentials()
    ports = dict(proxy=port, account=free_port(), container=free_port(), object=free_port())
    memcached_port = free_port()
    etc = _swift_configs(folder, ports, memcached_port, key, secret)
    procs = []
    with open(log, 'ab') as out:
        procs.append(subprocess.Popen(['memcached', '-l', '127.0.0.1', '-p', str(memcached_port), '-U', '0', '-m', '16',
                                       '-u', 'root' if os.geteuid() == 0 else os.environ.get('USER', 'nobody')],
                                      stdout=out, stderr=subprocess.STDOUT))
        for kind in ('account', 'container', 'object', 'proxy'):
            procs.append(subprocess.Popen([SWIFT_PYTHON, '-c', _RUN_SERVER, str(etc/f'{kind}-server.conf'), f'{kind}-server'],
                                          stdout=out, stderr=subprocess.STDOUT, cwd=folder))
    try:
        for kind in ('account', 'container', 'object'): _wait_port(ports[kind], procs, 60, log)
        _wait_port(memcached_port, procs, 60, log)
    except Exception:
        Store('swift', '', '', procs, folder, False).stop()
        raise
    return procs


def start_store(
    kind:str='moto', # 'moto' or 'swift'
    port:int|None=None, # the S3 endpoint's port on 127.0.0.1 (default: a free one)
    bucket:str|None='course', # a bucket to create; None: none
    folder:str|Path|None=None, # scratch folder for logs and data (default: a new temporary one, removed by stop())
    timeout:float=60, # seconds to wait for the store to answer
) -> Store:
    "Start an S3-compatible store on 127.0.0.1 and create `bucket`; stop it with `.stop()` or a `with` block"
    port = port or free_port()
    own = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix=f's3-{kind}-'))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder/'store.log'
    try:
        procs = {'moto': _start_moto, 'swift': _start_swift}[kind](port, folder, log)
    except BaseException:
        if own: shutil.rmtree(folder, ignore_errors=True)
        raise
    store = Store(kind, f'http://127.0.0.1:{port}', bucket, procs, folder, own)
    store.log = log
    try:
        _wait_port(port, procs, timeout, log)
        deadline = time.monotonic() + timeout
        while True:  # listening is not answering: Swift's proxy needs its memcached and rings first
            try:
                store.client().list_buckets()
                break
            except Exception as e:
                if time.monotonic() > deadline: raise RuntimeError(f'{kind} on {store.endpoint} does not answer S3: {e}')
                time.sleep(0.1)
        if bucket: store.create_bucket()
    except BaseException:
        store.stop()
        raise
    return store


@contextmanager
def running_store(**kwargs):
    "`start_store` as a context manager"
    store = start_store(**kwargs)
    try: yield store
    finally: store.stop()


def main():
    settings = profile_settings()
    default_port = int(settings['METAFLOW_S3_ENDPOINT_URL'].rsplit(':', 1)[1])
    default_bucket = settings['METAFLOW_DATASTORE_SYSROOT_S3'].split('/')[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kind', choices=['moto', 'swift'], default='moto')
    ap.add_argument('--port', type=int, default=default_port, help="the profile's port (METAFLOW_S3_ENDPOINT_URL)")
    ap.add_argument('--bucket', default=default_bucket, help="the profile's bucket (METAFLOW_DATASTORE_SYSROOT_S3)")
    ap.add_argument('--folder', help="where the store keeps its data (default: .s3-<kind>/ in the repository)")
    ap.add_argument('--install', action='store_true', help='install Swift with apt (as root) and exit')
    ap.add_argument('--install-missing', action='store_true', help='install Swift first if it is missing (as root)')
    args = ap.parse_args()
    if args.install_missing and args.kind == 'swift' and (problem := install_swift()):
        sys.exit(problem)
    if args.install:
        problem = install_swift()
        print(problem or 'Swift (proxy with s3api) and memcached are installed')
        sys.exit(1 if problem else 0)
    folder = Path(args.folder or REPO/f'.s3-{args.kind}')
    store = start_store(args.kind, args.port, args.bucket, folder)
    print(f'{args.kind} S3 store on {store.endpoint}, bucket {args.bucket}; Ctrl-C to stop.')
    if args.kind == 'moto':
        print('moto keeps objects in memory: they are gone when it stops, and the runs recorded in '
              f'{REPO/".metaflow-profiles"/PROFILE} then point at nothing (remove that folder too). '
              f'Swift (S3=swift make s3) keeps them in {folder.parent/".s3-swift"}.')
    else:
        print(f'objects are kept in {folder/"node"}')
    print(f'Use it from any shell: export METAFLOW_HOME={PROFILE_HOME} METAFLOW_PROFILE={PROFILE}')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in store.procs): time.sleep(0.5)
        print(f'a store process stopped: see {store.log}')
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        store.stop()


if __name__ == '__main__':
    main()
