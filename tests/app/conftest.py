"""Fixtures of the browser tests: the app on a free 127.0.0.1 port, Debian's Chromium via Playwright.

The tests skip, saying why, only when no browser (or the playwright package) can be found;
``.ci/run`` installs Debian's ``chromium`` when it is missing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
TIMINGS: dict[str, list[float]] = {}
_APP: dict[str, Path] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, chromium: object) -> Iterator[str]:
    """Start ``oncotrial app`` on a free 127.0.0.1 port; stop it at the end of the session.

    Asks for the run's browser first (tests/conftest.py), so these tests skip, saying why, when no
    Chromium or no playwright package is found.
    """
    port = _free_port()
    _APP["tmp"] = tmp_path_factory.mktemp("app-tmp")  # the app's temporary folders (session folders)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg", "TMPDIR": str(_APP["tmp"])}
    log = tmp_path_factory.mktemp("app") / "app.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "oncotrial.cli", "app", "--port", str(port)],
                                stdout=fh, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oncotrial app did not start: {log.read_text()}")
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def app_session_folder(app_url: str) -> object:
    """``f(token)``: the folder on disk of the browser session whose files are served under
    ``/session-files/<token>/`` (the app runs with ``TMPDIR`` in the test's temporary folder)."""
    def find(token: str) -> Path:
        found = sorted(_APP["tmp"].glob(f"oncotrial-app-*/{token}"))
        assert len(found) == 1, found
        return found[0]
    return find


@pytest.fixture(scope="session")
def browser(app_url: str, chromium: object) -> object:
    """The run's one Chromium (tests/conftest.py), once the app is up."""
    return chromium


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[object]:
    """A fresh browser page; every request it makes is recorded in ``page.requested``."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    requested: list[str] = []
    pg.on("request", lambda r: requested.append(r.url))
    pg.requested = requested  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def pytest_terminal_summary(terminalreporter: object) -> None:
    """Print the measured response times of the design and simulate pages."""
    if not TIMINGS:
        return
    tr = terminalreporter
    tr.write_sep("-", "oncotrial app: response times (design: input change -> result; simulate: Run -> result)")  # type: ignore[attr-defined]
    for name, ts in TIMINGS.items():
        ts = sorted(ts)
        tr.write_line(f"{name}: median {ts[len(ts) // 2]:.2f} s, min {ts[0]:.2f} s, max {ts[-1]:.2f} s, "  # type: ignore[attr-defined]
                      f"n = {len(ts)}")
    out = os.environ.get("ONCOTRIAL_APP_TIMINGS")
    if out:
        Path(out).write_text(json.dumps(TIMINGS, indent=1))


@pytest.fixture(scope="session")
def timings() -> dict[str, list[float]]:
    """Response times recorded by the tests (printed at the end of the run)."""
    return TIMINGS
