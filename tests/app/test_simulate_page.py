"""Browser tests of the Simulate tab (Playwright + Chromium).

The expected exact operating characteristic is Simon (1989) Table 1's optimal design for
p0 = 0.10, p1 = 0.30 (1/10, 5/29): P(reject | p0) = 0.0471, computed here by the API's
forward recursion (the ``reference`` column); the simulated rate must lie within 3 Monte
Carlo SE of it, and every simulated number must equal the API's for the same seed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NS = "simulate"
SHARED = "/?design=simulate&sim=simon&p0=0.1&p1=0.3&rates=0.1%2C0.3&n_sim=20000&seed=1"


def _head(page, key: str) -> str:
    loc = page.locator(f'#{NS}-headline [data-key="{key}"]')
    loc.wait_for()
    return loc.inner_text()


def _run_and_time(page) -> float:
    """Click Run and return the seconds until the new result is shown."""
    done = page.locator("#simulation-done")
    before = done.get_attribute("data-run") if done.count() else ""
    t0 = time.perf_counter()
    page.click(f"#{NS}-run")
    # a new run number, not new text: two quick runs can print the same text (same seconds)
    page.wait_for_function("(b) => { const e = document.querySelector('#simulation-done');"
                           " return e && e.dataset.run !== b && !document.querySelector('#simulation-progress'); }",
                           arg=before, polling=100)
    page.locator(f"#{NS}-plot img").wait_for()
    return time.perf_counter() - t0


def test_app_simulate_1_simon_from_a_shared_url(page, app_url) -> None:
    from oncotrial.design import simon_design, simulate

    page.goto(app_url + SHARED)
    text = _head(page, "reject@0.1")  # the tab runs on its first visit
    m = re.fullmatch(r"(\d\.\d{4}) \(MC SE (\d\.\d{4})\); exact (\d\.\d{4})", text)
    assert m is not None, text
    est, se, exact = map(float, m.groups())
    assert exact == 0.0471 and abs(est - exact) < 3 * se
    api = simulate(simon_design(0.1, 0.3, 0.05, 0.8, nmax=40).optimal, [0.1, 0.3], n_sim=20000, seed=1)
    assert (est, se) == tuple(round(x, 4) for x in api.estimate("0.1", "reject"))
    assert "20000 trials per scenario, seed 1" in page.locator("#simulation-done").inner_text()
    assert page.locator(f"#{NS}-p0").input_value() == "0.1"
    assert page.locator(f"#{NS}-table").inner_text().count("reject") >= 2
    assert "p = 0.3" in page.locator(f"#{NS}-scenarios").inner_text()


def test_app_simulate_2_each_kind_runs_and_is_timed(page, app_url, timings) -> None:
    page.goto(app_url + "/?design=simulate")
    _head(page, "reject@0.2")  # simon at the CLI's defaults (p0 = 0.2, p1 = 0.4)
    assert page.locator(f"#{NS}-s0").is_hidden() and page.locator(f"#{NS}-hr").is_hidden()
    label = page.locator(f"label[for={NS}-n_sim]").inner_text()
    assert "trials" in label and page.locator(f"#{NS}-n_sim").input_value() == "2000"
    for sim, key, shown in (("simon", "reject@0.2", "nmax"), ("landmark", "reject[log-log]@0.5", "s0"),
                            ("two-arm", "reject@HR 0.7", "hr")):
        page.select_option(f"#{NS}-sim", sim)
        page.locator(f"#{NS}-{shown}").wait_for(state="visible")  # the form has its new layout
        ts = [_run_and_time(page) for _ in range(2)]
        timings.setdefault(f"simulate {sim}, 2000 trials x 2 scenarios (Run -> result)", []).extend(ts)
        assert re.match(r"\d\.\d{4} \(MC SE", _head(page, key))
        assert f"Simulated {sim}: 2000 trials" in page.locator("#simulation-done").inner_text()
    assert page.locator(f"#{NS}-hr").is_visible() and page.locator(f"#{NS}-p0").is_hidden()
    assert "landmark" not in page.url and "sim=two-arm" in page.url
    # the Weibull shape is offered only with the Weibull law (the CLI refuses it otherwise)
    page.select_option(f"#{NS}-sim", "landmark")
    assert page.locator(f"#{NS}-shape").is_hidden()
    page.select_option(f"#{NS}-law", "weibull")
    page.locator(f"#{NS}-shape").wait_for(state="visible")


def test_app_simulate_3_invalid_inputs_and_stale_results(page, app_url) -> None:
    page.goto(app_url + "/?design=simulate&sim=single-stage&p0=0.1&p1=0.25&alpha=0.05&power=0.9")
    _head(page, "reject@0.1")
    page.fill(f"#{NS}-p1", "0.05")
    err = page.locator(f"#{NS}-error .alert")
    err.wait_for()
    assert "`p1` of `single_stage_design` must be greater than `p0`" in err.inner_text()
    page.locator("#simulation-stale").wait_for()  # the shown result is no longer the inputs'
    page.fill(f"#{NS}-p1", "0.25")
    page.fill(f"#{NS}-rates", "0.1,abc")
    page.wait_for_function(f"() => document.querySelector('#{NS}-error').innerText.includes("
                           "'`rates` of the simulation form must be comma-separated numbers')")
    page.fill(f"#{NS}-rates", "0.1,1.5")
    page.wait_for_function(f"() => document.querySelector('#{NS}-error').innerText.includes('scenarios')")
    page.fill(f"#{NS}-rates", "0.1,0.25")
    page.locator(f"#{NS}-error .alert").wait_for(state="detached")
    _run_and_time(page)
    assert page.locator("#simulation-stale").count() == 0
    assert _head(page, "reject@0.25")


def test_app_simulate_4_downloads_equal_the_cli(page, app_url) -> None:
    from typer.testing import CliRunner

    from oncotrial.cli import app

    page.goto(app_url + "/?design=simulate&sim=two-arm&hr=1%2C0.75&n=100&events=50&n_sim=300&seed=3")
    _head(page, "reject@HR 0.75")
    got = {}
    for ext in ("csv", "json", "png"):
        with page.expect_download() as dl:
            page.click(f"#{NS}-dl_{ext}")
        assert dl.value.suggested_filename == f"oncotrial-simulation.{ext}"
        got[ext] = Path(dl.value.path()).read_bytes()
    body = json.loads(got["json"])
    assert body["inputs"]["hr"] == "1,0.75" and body["inputs"]["n"] == 100
    cli = CliRunner().invoke(app, ["design", "simulate", "two-arm", "--hr", "1,0.75", "--n", "100", "--events",
                                   "50", "--n-sim", "300", "--seed", "3", "--json", "--no-progress"])
    assert cli.exit_code == 0, cli.output
    assert body["result"]["results"] == json.loads(cli.output)["results"]
    rows = list(csv.DictReader(io.StringIO(got["csv"].decode())))
    assert {"scenario", "metric", "estimate", "mc_se", "reference"} <= set(rows[0])
    assert len(rows) == len(body["result"]["results"])
    assert got["png"][:8] == b"\x89PNG\r\n\x1a\n"
