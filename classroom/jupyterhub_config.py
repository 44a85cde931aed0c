"""JupyterHub's configuration for `make classroom`: one hub, one Unix user per student, one shared run store.

`make classroom` (tools/classroom.py) prepares the class folder, then starts `jupyterhub -f` this file with the
settings below in its environment. Every value has one home: the class folder's layout, the roster's format, a
student's environment, course copy and limits are in `regression_course.classroom` (nbs/99b_classroom.ipynb).

    CLASS_DIR          the class folder (state that survives a restart: hub database, passwords, homes, runs)
    CLASS_ROSTER       the roster file: one name a line, `instructor` after an instructor's name
    CLASS_IP, CLASS_PORT   where the hub listens (127.0.0.1:8010)
    CLASS_HUB_PORT, CLASS_PROXY_API_PORT   the hub's and the proxy's own ports on 127.0.0.1 (CLASS_PORT+1, +2)
    CLASS_USER_PREFIX  Unix login names are the prefix and the roster name (`jupyter-`, as the Littlest JupyterHub)
    CLASS_MEM_LIMIT    memory for one student's server and everything it starts (2G)
    CLASS_TASKS_LIMIT  processes and threads for one student (512)
    CLASS_CULL_IDLE    seconds after which an idle server is stopped (3600)
    CLASS_LTI          a JSON file of the LMS's LTI 1.3 values: set, students log in through the university's LMS
"""
import json
import os
import pwd
import resource
import subprocess
import sys
from pathlib import Path

from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

from regression_course.classroom import (COURSE_COPY, ClassFolder, Limits, NAME, parse_size, read_roster,
                                         student_environment)

c = get_config()  # noqa: F821  (JupyterHub defines it when it loads this file)

REPO = Path(__file__).resolve().parent.parent
FOLDER = ClassFolder(Path(os.environ['CLASS_DIR']).resolve())
ROSTER = read_roster(os.environ['CLASS_ROSTER'])
PREFIX = os.environ.get('CLASS_USER_PREFIX') or 'jupyter-'
IP, PORT = os.environ.get('CLASS_IP', '127.0.0.1'), int(os.environ.get('CLASS_PORT', '8010'))
LIMITS = Limits(memory=parse_size(os.environ.get('CLASS_MEM_LIMIT', '2G')),
                tasks=int(os.environ.get('CLASS_TASKS_LIMIT', '512')))
CLASS_GROUP, INSTRUCTORS_GROUP = f'{PREFIX}class', f'{PREFIX}instructors'

# --- the hub, its proxy, and its state ------------------------------------------------------------------------
c.JupyterHub.bind_url = f'http://{IP}:{PORT}'
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('CLASS_HUB_PORT', PORT + 1)}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CLASS_PROXY_API_PORT', PORT + 2)}"
c.ConfigurableHTTPProxy.command = [str(REPO/'node_modules'/'.bin'/'configurable-http-proxy')]
c.JupyterHub.db_url = f"sqlite:///{FOLDER.hub/'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(FOLDER.hub/'jupyterhub_cookie_secret')
c.JupyterHub.data_files_path = str(Path(sys.prefix)/'share'/'jupyterhub')

# --- who gets in ----------------------------------------------------------------------------------------------
c.Authenticator.allowed_users = set(ROSTER.everyone)
c.Authenticator.admin_users = set(ROSTER.instructors)
c.Authenticator.username_pattern = NAME.pattern


class RosterFirstUseAuthenticator(FirstUseAuthenticator):
    "FirstUseAuthenticator that stores no password for a name that is not on the roster"

    async def authenticate(self, handler, data):
        if self.normalize_username(data['username']) not in self.allowed_users:
            return None
        return await super().authenticate(handler, data)


if os.environ.get('CLASS_LTI'):  # the university's LMS logs students in (LTI 1.3); the roster still decides who
    lti = json.loads(Path(os.environ['CLASS_LTI']).read_text())
    c.JupyterHub.authenticator_class = 'ltiauthenticator.lti13.auth.LTI13Authenticator'
    for key in ('issuer', 'authorize_url', 'jwks_endpoint', 'username_key'):
        if key in lti:
            setattr(c.LTI13Authenticator, key, lti[key])
    c.LTI13Authenticator.client_id = set([lti['client_id']] if isinstance(lti['client_id'], str) else lti['client_id'])
else:  # each student sets a password on first login
    c.JupyterHub.authenticator_class = RosterFirstUseAuthenticator
    c.FirstUseAuthenticator.dbm_path = str(FOLDER.hub/'passwords.dbm')
    c.FirstUseAuthenticator.min_password_length = 8


# --- each student's server: their own Unix user, their course copy, the shared store, limits -----------------
def ensure_login(name: str) -> pwd.struct_passwd:
    "The Unix user of roster name `name`, made on first use: home in the class folder, private, in the class group"
    login, home = PREFIX + name, FOLDER.homes/(PREFIX + name)
    try:
        found = pwd.getpwnam(login)
    except KeyError:
        found = None
    if found is not None and Path(found.pw_dir) != home:  # an account this class did not make: never used
        raise RuntimeError(f'{login} is an existing account of this machine, not a student of this class')
    if found is not None:
        return found
    groups = [CLASS_GROUP] + ([INSTRUCTORS_GROUP] if name in ROSTER.instructors else [])
    subprocess.run(['useradd', '--create-home', '--home-dir', str(home), '--shell', '/bin/bash',
                    '--groups', ','.join(groups), '--comment', f'{name} (regression_course class)', login],
                   check=True, capture_output=True, text=True)
    home.chmod(0o700)  # nobody else reads a student's files
    return pwd.getpwnam(login)


class ClassSpawner(LocalProcessSpawner):
    "A student's server as their own Unix user, in control groups that bound what it and its runs may use"

    def _login(self) -> str:
        return PREFIX + self.user.name

    def user_env(self, env):
        user = pwd.getpwnam(self._login())
        env.update(USER=user.pw_name, LOGNAME=user.pw_name, HOME=user.pw_dir, SHELL=user.pw_shell,
                   CLASS_USER_PREFIX=PREFIX, **student_environment(FOLDER, self.user.name, user.pw_dir))
        return env

    def make_preexec_fn(self, name):
        become_student = set_user_setuid(self._login())
        cgroups, memory, tasks = list(self._cgroups.values()), LIMITS.memory, LIMITS.tasks

        def preexec():
            for folder in cgroups:  # the server, its kernels and its flows' tasks all count against the limits
                (folder/'cgroup.procs').write_text(str(os.getpid()))
            if not cgroups:  # no control groups here: a limit per process is all that can be enforced
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            os.umask(0o002)  # what a student writes in the shared store, the class can read and add to
            become_student()
        return preexec

    async def start(self):
        ensure_login(self.user.name)
        self._cgroups = LIMITS.cgroups(f'{PREFIX}{self.user.name}')
        if not self._cgroups:
            self.log.warning('no control groups: %s gets a per-process memory limit only', self.user.name)
        return await super().start()


c.JupyterHub.spawner_class = ClassSpawner
c.Spawner.cmd = [str(FOLDER.env/'bin'/'python'), '-m', 'regression_course.classroom', 'serve',
                 str(FOLDER.course), str(FOLDER.env)]
c.Spawner.notebook_dir = '~'
c.Spawner.default_url = f'/lab/tree/{COURSE_COPY}/nbs'  # the student's own copy of the course's notebooks
c.Spawner.mem_limit = LIMITS.memory  # also shown to the server (MEM_LIMIT)
c.Spawner.env_keep = ['LANG', 'LC_ALL']
c.Spawner.http_timeout = 180  # a busy two-core machine starting several servers at once is slow
c.Spawner.start_timeout = 180

# --- idle servers are stopped (their files and runs stay) ------------------------------------------------------
# The hub stops it with SIGINT; a hub started in the background of a script (`make classroom &`) passes SIGINT on
# ignored, and Python then never turns it into KeyboardInterrupt: the culler would hold every stop for 30 s.
CULLER = ('import signal; signal.signal(signal.SIGINT, signal.default_int_handler); '
          'from jupyterhub_idle_culler import main; main()')
c.JupyterHub.services = [{'name': 'idle-culler', 'command': [
    sys.executable, '-c', CULLER, f"--timeout={os.environ.get('CLASS_CULL_IDLE', '3600')}"]}]
c.JupyterHub.load_roles = [{'name': 'idle-culler', 'services': ['idle-culler'],
                            'scopes': ['list:users', 'read:users:activity', 'read:servers', 'delete:servers']}]
