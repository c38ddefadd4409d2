"""Report rendering: tables in the seed layouts, and the HTML renders in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from oncotrial.analysis import analyze_study, example_spec_path, run_analysis
from oncotrial.report import build_tables

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis():
    return analyze_study(example_spec_path())


def test_build_tables_1_efficacy_layout_seed004_table2(analysis):
    t = build_tables(analysis.results)["table2_efficacy"]
    assert list(t.columns) == ["pNET (n = 10)", "siNET (n = 10)", "All (n = 20)"]
    assert t.index[0] == "Patients with assessment, n"
    assert t.loc["Partial response, n (%)", "pNET (n = 10)"] == "1 (10.0)"
    # 1/10, exact CI 0.3 to 44.5 % (R binom.test(1, 10))
    assert t.loc["Objective response rate, % (95% CI)", "pNET (n = 10)"] == "1/10: 10.0 (0.3 to 44.5)"


def test_build_tables_2_ae_layout_seed004_table3(analysis):
    t = build_tables(analysis.results)["table3_adverse_events"]
    assert t.columns[0] == "pNET (n = 10) grade 1-2" and t.columns[1] == "pNET (n = 10) grade 3-4"
    assert t.index[0] == "Any treatment-emergent AE"
    assert t.loc["Diarrhoea", "All (n = 20) grade 3-4"] == "3 (15.0)"


def test_report_3_renders_in_headless_chromium(tmp_path):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("chromium absent: apt-get install -y chromium to run this check")
    report = run_analysis(example_spec_path(), tmp_path / "r")
    shot = tmp_path / "shot.png"
    subprocess.run([str(ROOT / "tools" / "screenshot_report.sh"), str(report), str(shot),
                    "1200", "3000"], check=True, timeout=120, capture_output=True)
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (3000, 1200)
    assert float((img.min(axis=2) < 0.95).mean()) > 0.02  # text, tables and figures drawn
