"""Where Chromium is, for the browser tests, and `make browser`, which gets one when there is none.

Looked for in order: the CHROMIUM environment variable; `chromium`, `chromium-browser`, `google-chrome` and
`google-chrome-stable` on PATH (Debian, Fedora, snap, Homebrew); Debian's /usr/bin/chromium; the macOS apps
(Chromium, Google Chrome) in /Applications; then the Chromium that Playwright downloads for itself
(`playwright install chromium`). Any of them will do: the tests drive it through Playwright.

    python tools/browser.py            # print the path, or exit 1 saying what to do
    python tools/browser.py --install  # if none is found: Debian's chromium (as root, with apt-get), else
                                       # Playwright's own (`playwright install chromium`); else say what to do
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastcore.script import call_parse

DEBIAN_CHROMIUM = '/usr/bin/chromium'
ON_PATH = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
MACOS_APPS = ('/Applications/Chromium.app/Contents/MacOS/Chromium',
              '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
WHAT_TO_DO = """no Chromium found for the browser tests. Any one of these will do:
  - Debian/Ubuntu: sudo apt-get install chromium        (Ubuntu's snap: sudo snap install chromium)
  - Fedora:        sudo dnf install chromium
  - macOS:         brew install --cask chromium           (or use an installed Google Chrome)
  - anywhere with internet: .venv/bin/playwright install chromium   (Playwright's own copy)
  - or point at one: CHROMIUM=/path/to/chromium make test
Without one, `make test` skips the browser tests and therefore fails (ALLOW_SKIP=1 accepts the skips)."""


def playwright_chromium() -> str | None:
    "The Chromium that `playwright install chromium` put in Playwright's cache, if it did"
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).is_file() else None


def find_chromium() -> str | None:
    "The Chromium executable to drive, or None when there is none"
    if chosen := os.environ.get('CHROMIUM'):
        return chosen if Path(chosen).is_file() else None
    for name in ON_PATH:
        if found := shutil.which(name):
            return found
    for path in (DEBIAN_CHROMIUM, *MACOS_APPS):
        if Path(path).is_file():
            return path
    return playwright_chromium()


def install_chromium() -> str | None:
    "Find Chromium, or install one the way this machine allows; None (having said what to do) if neither works"
    if found := find_chromium():
        return found
    if sys.platform.startswith('linux') and os.geteuid() == 0 and shutil.which('apt-get'):
        print("installing Debian's chromium for the browser tests (apt-get)")
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        for cmd in (['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']):
            if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode: break
        if found := find_chromium():
            return found
    print("installing Playwright's own Chromium (playwright install chromium)")
    done = subprocess.run([sys.executable, '-m', 'playwright', 'install', 'chromium'], capture_output=True, text=True)
    if done.returncode == 0 and (found := find_chromium()):
        return found
    reason = (done.stdout + done.stderr).strip().splitlines()
    print(f"could not install Playwright's Chromium ({reason[1 if len(reason) > 1 else 0] if reason else 'no reason given'})")
    print(WHAT_TO_DO)
    return None


@call_parse
def main(install:bool=False): # get one when none is found (as `make browser` does); always exits 0
    "Print the path of the Chromium the browser tests will drive"
    if install:
        if path := install_chromium(): print(f'browser tests will drive {path}')
        return
    if (path := find_chromium()) is None:
        print(WHAT_TO_DO, file=sys.stderr)
        sys.exit(1)
    print(path)
