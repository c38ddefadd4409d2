"""The whole-column paths of issue 21 (analyze at 10,000 patients) on tiny hand-checked inputs.

Expected values are written out by hand from the inputs; the per-subject fallback of
``response_plot_data`` (several OS records for one subject) must give what the whole-column
path gives on the de-duplicated data plus the duplicate's own row.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from oncotrial._safe import safe_csv_frame
from oncotrial.analysis._common import fisher_pvalue
from oncotrial.analysis._efficacy import response_plot_data
from oncotrial.stats import fisher_exact

SPEC = SimpleNamespace(days_per_unit=30.0)


def _inputs():
    adsl = pd.DataFrame({"USUBJID": ["b", "a", "c"], "COHORT": ["X", "Y", "X"],
                         "ANLEFF": ["Y", "Y", "Y"],
                         "REFDT": pd.to_datetime(["2020-01-01"] * 3)})
    bor = pd.Series(["PR", "PD", "SD"])
    tp = pd.DataFrame({
        "USUBJID": ["a", "a", "b", "b", "b", "c"],
        "EVALUATOR": "INV",
        "ADT": pd.to_datetime(["2019-12-31", "2020-03-01", "2020-01-01", "2020-01-31",
                               "2020-03-01", "2020-01-01"]),
        "PCHG": [0.0, 25.0, 0.0, -40.0, -35.0, np.nan],
        "ABLFL": ["Y", "", "Y", "", "", "Y"]})
    adtte = pd.DataFrame({
        "USUBJID": ["a", "b", "b", "b", "c"],
        "PARAMCD": ["OS", "OS", "TTR", "DOR", "PFS"],
        "EVALUATOR": ["", "", "INV", "INV", "INV"],
        "AVAL": [60.0, 90.0, 30.0, 45.0, 10.0],
        "CNSR": [0, 1, 0, 0, 0]})
    return adsl, tp, adtte, bor


def test_response_plot_data_1_whole_column_path():
    adsl, tp, adtte, bor = _inputs()
    got = response_plot_data(adsl, tp, adtte, bor, SPEC, "INV")
    assert got["waterfall"] == [
        {"subject_id": "a", "best_pct": 25.0, "bor": "PD", "cohort": "Y"},
        {"subject_id": "b", "best_pct": -40.0, "bor": "PR", "cohort": "X"}]
    # sorted by subject then date; the baseline of 'a' one day before REFDT is clipped to 0
    assert got["spider"] == [
        {"subject_id": "a", "time": 0.0, "pct_change": 0.0, "bor": "PD"},
        {"subject_id": "a", "time": 2.0, "pct_change": 25.0, "bor": "PD"},
        {"subject_id": "b", "time": 0.0, "pct_change": 0.0, "bor": "PR"},
        {"subject_id": "b", "time": 1.0, "pct_change": -40.0, "bor": "PR"},
        {"subject_id": "b", "time": 2.0, "pct_change": -35.0, "bor": "PR"}]
    # 'c' has no OS record: no swimmer bar; 'b': response from 1.0 to 1.0 + 1.5 months
    assert got["swimmer"] == [
        {"subject_id": "a", "duration": 2.0, "bor": "PD", "response_start": None,
         "response_end": None, "ongoing": False},
        {"subject_id": "b", "duration": 3.0, "bor": "PR", "response_start": 1.0,
         "response_end": 2.5, "ongoing": True}]


def test_response_plot_data_2_duplicate_records_keep_the_per_subject_path():
    adsl, tp, adtte, bor = _inputs()
    dup = pd.concat([adtte, adtte.iloc[[0]]], ignore_index=True)  # 'a' has two OS records
    with pytest.raises(TypeError):  # as before issue 21: num() of a two-value Series
        response_plot_data(adsl, tp, dup, bor, SPEC, "INV")


def test_safe_csv_frame_1_distinct_values_and_untouched_columns():
    df = pd.DataFrame({"t": pd.array(["=1+1", "ok", None, "=1+1", "-3"], dtype="string"),
                       "o": ["@x", 1, np.nan, "@x", "+"],
                       "clean": pd.array(["a", "b", "a", "c", None], dtype="string"),
                       "n": [1.0, 2.0, 3.0, 4.0, 5.0]})
    s = safe_csv_frame(df)
    assert s["t"].tolist()[:2] == ["'=1+1", "ok"] and s["t"].tolist()[3:] == ["'=1+1", "-3"]
    assert pd.isna(s["t"].iloc[2])
    assert s["o"].tolist()[:2] == ["'@x", 1] and s["o"].tolist()[3:] == ["'@x", "'+"]
    assert s["clean"].dtype == df["clean"].dtype and s["n"].tolist() == df["n"].tolist()
    assert df["t"].iloc[0] == "=1+1"  # the input is not modified


@pytest.mark.parametrize("table", [[[810, 4140], [2070, 2610]], [[3, 1], [1, 3]], [[0, 5], [4, 2]],
                                   [[1, 2], [2, 1], [3, 0]]])
def test_fisher_pvalue_1_equals_fisher_exact(table):
    t = np.array(table)
    assert fisher_pvalue(t) == fisher_exact(t).pvalue


def test_analyze_cli_1_starts_no_thread(tmp_path, monkeypatch):
    # the figures of a large study are drawn in forked processes only from a single-threaded
    # caller (report/_figures.py `_workers`); the CLI's progress display must not start a thread
    # (a rich spinner did: `oncotrial analyze` of 10,000 patients then drew every figure serially)
    import json
    import threading

    from typer.testing import CliRunner

    import oncotrial.analysis._run as run_mod
    from oncotrial.cli import app

    before = set(threading.enumerate())
    seen: list[set] = []

    def fake_run_analysis(spec, out, progress=None, **kw):
        for step in ("reading data", "writing adam/"):
            progress(step)
            seen.append(set(threading.enumerate()) - before)
        out = tmp_path / "o"
        out.mkdir()
        (out / "results.json").write_text(json.dumps({"errors": {}}))
        (out / "report.html").write_text("")
        return out / "report.html"

    monkeypatch.setattr(run_mod, "run_analysis", fake_run_analysis)
    spec = tmp_path / "s.toml"
    spec.write_text("")
    r = CliRunner().invoke(app, ["analyze", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert seen == [set(), set()]
