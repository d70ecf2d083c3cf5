"""Fixtures for the tests of the built HTML book (run after `make book`; see the Makefile)."""

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
from toc import toc_files  # noqa: E402


def pytest_configure(config):
    if not (HTML / "index.html").exists():
        raise pytest.UsageError(f"{HTML} has no built book: run `make book` first")


@pytest.fixture(scope="session")
def pages():
    """The HTML page of every file in _toc.yml, in reading order."""
    return [HTML / f"{f}.html" for f in toc_files()]


@pytest.fixture(scope="session")
def server():
    """The built book served on localhost (a real HTTP server, as on GitHub Pages)."""
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise pytest.UsageError("chromium is not installed: run `make browser` (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        yield browser
        browser.close()
