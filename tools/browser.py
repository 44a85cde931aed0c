"""Where Chromium is, for the browser tests and `make browser` alike.

Looked for in order: the CHROMIUM environment variable, `chromium` then `chromium-browser` on PATH (Fedora,
snap, Homebrew), then Debian's /usr/bin/chromium. `python tools/browser.py` prints the path, or exits 1.
"""
import os
import shutil
import sys
from pathlib import Path

DEBIAN_CHROMIUM = '/usr/bin/chromium'


def find_chromium() -> str | None:
    "The Chromium executable to drive, or None when there is none"
    if chosen := os.environ.get('CHROMIUM'):
        return chosen if Path(chosen).is_file() else None
    for name in ('chromium', 'chromium-browser'):
        if found := shutil.which(name):
            return found
    return DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).is_file() else None


if __name__ == '__main__':
    path = find_chromium()
    if path is None:
        print('no Chromium found: set CHROMIUM=/path/to/chromium, or put chromium on PATH', file=sys.stderr)
        sys.exit(1)
    print(path)
