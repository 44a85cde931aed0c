"""After `make test`: fail if any process started by the run is still alive.

`make test` exports REGRESSION_COURSE_TEST_RUN=<its private folder> before it starts anything, so every process
it starts (notebook kernels, flows, gunicorn, Voila, browsers) inherits the marker. Usage:
python tools/leftovers.py <the run's folder>. Exits 1, listing them, if any such process (other than this one
and the shell that started it) is alive.
"""
import os
import sys
import time

import psutil  # the process table on Linux and macOS alike (macOS has no /proc)


def marked_processes(marker: str) -> dict[int, str]:
    "pid: command line of every live process whose environment carries `marker`"
    name, _, value = marker.partition('=')
    found, skip = {}, {os.getpid(), os.getppid()}
    for proc in psutil.process_iter():
        try:
            if proc.pid in skip or proc.environ().get(name) != value: continue
            found[proc.pid] = ' '.join(proc.cmdline())
        except (psutil.Error, OSError):
            continue  # gone, or not ours to read
    return found


def main(run: str) -> int:
    marker = f'REGRESSION_COURSE_TEST_RUN={run}'
    deadline = time.monotonic() + 10  # servers stopped at the very end may still be on their way out
    while (alive := marked_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if alive:
        print(f'FAIL: {len(alive)} process(es) started by the tests are still running:')
        for pid, cmd in sorted(alive.items()):
            print(f'  {pid}: {cmd[:200]}')
        return 1
    print('ok: no process left behind')
    return 0


def stop_all(run: str) -> int:
    "Stop every process the run started that is still alive (after a failed run too); how many there were"
    procs = []
    for pid in marked_processes(f'REGRESSION_COURSE_TEST_RUN={run}'):
        try: procs.append(psutil.Process(pid))
        except psutil.Error: continue
    for proc in procs:
        try: proc.terminate()
        except psutil.Error: pass
    _, alive = psutil.wait_procs(procs, timeout=10)
    for proc in alive:
        try: proc.kill()
        except psutil.Error: pass
    return len(procs)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
