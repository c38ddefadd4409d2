"""Shared test fixtures: the location of ../shared, the hypothesis profiles, the version header.

Hypothesis is deterministic unless asked otherwise: the default profile ``deterministic``
(``derandomize=True``, no example database, no deadline) is what ``make test`` and CI (``CI``
set) run, so a run never fails because of a random draw, a local ``.hypothesis`` database or a
slow moment of a loaded machine. To search for new
counterexamples run ``HYPOTHESIS_PROFILE=explore make test``; keep every example it finds as an
``@example`` on the test (house rule: a found example is a regression test).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# deadline=None: a loaded CI machine must not turn a slow example into a failure (speed is measured
# in benchmarks, not in tests; hypothesis reports a once-slow example as Flaky)
settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True,
                          deadline=None)
settings.register_profile("explore", derandomize=False, print_blob=True)
_profile = os.environ.get("HYPOTHESIS_PROFILE", "deterministic")
if os.environ.get("CI") and _profile != "deterministic":
    raise pytest.UsageError("CI runs hypothesis deterministically; unset HYPOTHESIS_PROFILE")
settings.load_profile(_profile)

#: libraries whose versions the pytest header prints (what a user's pip install resolves).
KEY_LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "pyreadstat", "typer",
                 "rich", "jinja2", "python-docx", "hypothesis")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Versions of Python and of the key libraries, first thing in the test log."""
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"
    libs = ", ".join(f"{name} {version(name)}" for name in KEY_LIBRARIES)
    return [f"oncotrial test environment: Python {platform.python_version()}; {libs}",
            f"hypothesis profile: {_profile}"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PHARMAVERSE = SHARED / "data" / "pharmaversesdtm"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def pharmaverse_dir() -> Path:
    """Path to ../shared/data/pharmaversesdtm; skips the test when it is absent."""
    if not PHARMAVERSE.is_dir():
        pytest.skip(f"../shared/data/pharmaversesdtm not found at {PHARMAVERSE} (CI provides it)")
    return PHARMAVERSE


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """Path to ../shared/seeds; skips the test when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"../shared/seeds not found at {SEEDS} (CI provides it)")
    return SEEDS


BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """Path of a Chromium-family browser, Debian's /usr/bin/chromium first."""
    for b in BROWSERS:
        found = b if os.path.isabs(b) and os.access(b, os.X_OK) else shutil.which(b)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the whole run, shared by every browser test.

    Playwright's sync API allows one ``sync_playwright()`` per thread at a time, so the app tests
    and the report's reader check use this one browser instead of starting their own. Skips,
    saying why, when no browser or no playwright package is found.
    """
    exe = find_browser()
    if exe is None:
        pytest.skip("no Chromium found (/usr/bin/chromium, chromium, google-chrome): "
                    "`apt-get install -y chromium` to run the browser tests")
    pw = pytest.importorskip("playwright.sync_api", reason="playwright not installed (dev extra)")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


#: the three bundled twins, in the order the report tests use
TWIN_NAMES = ("nice-nec", "regomune", "talent")


@pytest.fixture(scope="session")
def twin_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``data/<name>``: the three bundled twins at seed 0, written once per run.

    The example specs (``example_spec_path(name)``) read their data from ``<root>/data/<name>``.
    Generating the TALENT twin (its curve tuning) takes seconds, so the report, figure and
    published-number tests share this one copy; treat it as read-only.
    """
    from oncotrial.evidence.twins import generate_twin, write_twin

    root = tmp_path_factory.mktemp("bundled-twins")
    for name in TWIN_NAMES:
        write_twin(generate_twin(name, seed=0), root / "data" / name)
    return root


@pytest.fixture(scope="session")
def twin_analyses(twin_root: Path) -> dict[str, object]:
    """``analyze_study`` of each bundled twin's example spec, computed once per run (read-only)."""
    import tomllib

    from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec

    out = {}
    for name in TWIN_NAMES:
        raw = tomllib.loads(example_spec_path(name).read_text(encoding="utf-8"))
        out[name] = analyze_study(parse_study_spec(raw, twin_root))
    return out
