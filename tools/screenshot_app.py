"""Screenshots of the web app for docs/app.md (Playwright driving Debian's Chromium).

Usage: ``PYTHONPATH=src python tools/screenshot_app.py [OUT_DIR] [--only NAME,...]`` (default
``docs/img``; names: design, simulate, study, evidence). Starts ``oncotrial app`` on a free
127.0.0.1 port, takes the design page (TALENT's single stage, a Simon design, an invalid input),
the Simulate tab (Simon's optimal design simulated at p = 0.1, 0.2, 0.3), the study page after
analysing the NICE-NEC twin, and the evidence page, then stops the app. Exit 2 when no Chromium
is found.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _browser() -> str | None:
    for b in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = b if os.path.isabs(b) and os.access(b, os.X_OK) else shutil.which(b)
        if found:
            return found
    return None


def _start() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "oncotrial.cli", "app", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("oncotrial app did not start")


def _twin_zip(tmp: Path) -> Path:
    from oncotrial.evidence.twins import generate_twin, write_twin

    write_twin(generate_twin("nice-nec"), tmp / "nice-nec")
    archive = tmp / "nice-nec.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted((tmp / "nice-nec").iterdir()):
            zf.write(p, f"nice-nec/{p.name}")
    return archive


SHOTS = ("design", "simulate", "study", "evidence")


def main(out: Path, only: tuple[str, ...] = SHOTS) -> int:
    from playwright.sync_api import sync_playwright

    browser = _browser()
    if browser is None:
        print("chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    proc, url = _start()
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
            b = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            if "design" in only:
                page.goto(url + "/?design=single-stage&p0=0.1&p1=0.25&alpha=0.05&power=0.9")
                page.locator("#single_stage-plot img").wait_for()
                page.screenshot(path=out / "app-design-single-stage.png", full_page=True)
                page.goto(url + "/?design=simon&p0=0.1&p1=0.3&alpha=0.05&power=0.8")
                page.locator("#simon-plot img").wait_for()
                page.screenshot(path=out / "app-design-simon.png", full_page=True)
                page.fill("#simon-p1", "0.05")
                page.locator("#simon-error .alert").wait_for()
                page.screenshot(path=out / "app-design-error.png")
            if "simulate" in only:
                page.goto(url + "/?design=simulate&sim=simon&p0=0.1&p1=0.3&rates=0.1%2C0.2%2C0.3"
                          "&n_sim=20000&seed=1")
                page.locator("#simulate-plot img").wait_for()
                page.locator("#simulate-table tbody tr").first.wait_for()
                page.screenshot(path=out / "app-design-simulate.png", full_page=True)
            if "study" in only:
                page.goto(url + "/?page=study")
                page.set_input_files("#study_zip", str(_twin_zip(Path(tmp))))
                page.locator("#validation-status").wait_for()
                page.select_option("#spec_template", "nice-nec")
                page.wait_for_function("() => document.querySelector('#spec_text').value.includes('/upload/')")
                page.click("#run_analysis")
                page.locator("#report-frame").wait_for(timeout=600_000)
                page.frame_locator("#report-frame").locator("h1").first.wait_for()
                page.screenshot(path=out / "app-study.png")
            if "evidence" in only:
                page.goto(url + "/?page=evidence")
                page.fill("#ev_text", "NICE")
                page.locator("#ev_records tbody tr").first.click()
                page.locator("#ev_outcomes tbody tr").first.wait_for()
                page.fill("#ev_text", "")
                page.locator("#cmp_forest img").wait_for()
                page.screenshot(path=out / "app-evidence.png", full_page=True)
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for f in sorted(out.glob("app-*.png")):
        print(f)
    return 0


def _cli(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Screenshots of oncotrial app for docs/app.md.")
    ap.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--only", default=",".join(SHOTS), help=f"comma-separated, of {', '.join(SHOTS)}")
    a = ap.parse_args(argv)
    only = tuple(x.strip() for x in a.only.split(",") if x.strip())
    unknown = sorted(set(only) - set(SHOTS))
    if unknown:
        ap.error(f"--only must name some of {', '.join(SHOTS)}; got {', '.join(unknown)}")
    return main(a.out, only)


if __name__ == "__main__":
    raise SystemExit(_cli(sys.argv[1:]))
