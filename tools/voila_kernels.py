"""The kernels a Voila server runs and their memory, read from /proc: shared by tests/test_voila_kernels.py and benchmarks/bench_voila_kernels.py."""
import re
from pathlib import Path


def kernels(voila_pid: int) -> dict[str, int]:
    "kernel id: pid of each kernel process the Voila server runs (its children; the id is in the connection file's name)"
    found = {}
    for proc in Path('/proc').glob('[0-9]*'):
        try:
            state, ppid = (proc/'stat').read_text().rsplit(')', 1)[1].split()[:2]
            if int(ppid) != voila_pid or state == 'Z': continue
            if m := re.search(rb'kernel-([0-9a-f-]{36})\.json', (proc/'cmdline').read_bytes()):
                found[m[1].decode()] = int(proc.name)
        except (OSError, ValueError):
            continue  # gone meanwhile
    return found


def rss_mb(pids) -> float:
    "Resident memory of these processes, in MB (those gone count 0)"
    total = 0
    for pid in pids:
        try: total += int(re.search(r'VmRSS:\s+(\d+)', Path(f'/proc/{pid}/status').read_text())[1])
        except (OSError, TypeError): pass
    return total / 1024
