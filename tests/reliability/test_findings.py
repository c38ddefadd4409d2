"""One non-regression test per numbered finding of issue 14 ("Nothing lost, nothing injected,
nothing half-written"), each with its input built in the test."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.analysis import parse_study_spec
from oncotrial.cli import app
from oncotrial.design import bop2_design, event_probability, simon_oc
from oncotrial.io import read_study, validate

from .conftest import XSS, copy_example, edit_csv

runner = CliRunner()


def test_finding_01_phase_name_xss_is_escaped_and_slugged(hostile_run):
    _, out = hostile_run  # spec phase and AE phase: '"><img src=x onerror=alert(1)>'
    html = (out / "report.html").read_text(encoding="utf-8")
    assert XSS not in html and "<img src=x" not in html
    assert all(re.fullmatch(r"#?[a-z0-9-]+", v) for v in re.findall(r'(?:id|href)="([^"]*)"',
                                                                    html))
    assert all(re.fullmatch(r"[a-z0-9_.-]+", p.name) for p in (out / "tables").iterdir())


def test_finding_02_truncated_xpt_is_an_error(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    d = tmp_path / "sdtm"
    d.mkdir()
    (d / "dm.csv").write_text("USUBJID,ARM,RFXSTDTC\nS1,A,2020-01-02\n")
    tr = pd.DataFrame({"USUBJID": ["S1"] * 546, "TRTESTCD": "DIAMETER", "TRLNKID": "T01",
                       "TRDTC": [f"2020-{1 + i % 12:02d}-01" for i in range(546)],
                       "TRSTRESN": np.arange(546.0)})
    pyreadstat.write_xport(tr, str(d / "tr.xpt"))
    data = (d / "tr.xpt").read_bytes()
    cut = int(0.3 * len(data)) | 1  # odd: never on an 80-byte record boundary (see docs)
    (d / "tr.xpt").write_bytes(data[:cut])
    rep = validate(d)
    assert [(i.rule, i.file) for i in rep.errors] == [("truncated-file", "tr.xpt")]
    assert runner.invoke(app, ["validate", str(d)]).exit_code == 1


@pytest.mark.parametrize("kind", ["directory", "symlink-loop"])
def test_finding_03_unreadable_optional_table_is_not_absent(tmp_path, kind):
    d = copy_example(tmp_path / "s")
    (d / "responses.csv").unlink()
    if kind == "directory":
        (d / "responses.csv").mkdir()
    else:
        (d / "responses.csv").symlink_to("responses.csv")
    res = runner.invoke(app, ["validate", str(d)])
    assert res.exit_code == 1 and "unreadable-file" in res.output
    assert "No problems found" not in res.output


def test_finding_04_failed_rerun_keeps_the_old_output_and_reruns_leave_no_stale_files(
        tmp_path, monkeypatch):
    import oncotrial.derive._cli as dcli

    out = tmp_path / "out"
    assert runner.invoke(app, ["derive", "--data", str(copy_example(tmp_path / "s")), "--out",
                               str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "stale-cox.csv").write_text("from another tool")
    res = runner.invoke(app, ["derive", "--data", str(tmp_path / "s"), "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.output  # a user's file in --out: refused
    (out / "stale-cox.csv").unlink()
    calls = []

    def dies(df, path, raw=False):  # killed after the first file
        calls.append(path.name)
        if len(calls) > 1:
            raise KeyboardInterrupt
        df.to_csv(path)

    monkeypatch.setattr(dcli, "_write", dies)
    res = runner.invoke(app, ["derive", "--data", str(tmp_path / "s"), "--out", str(out)])
    assert res.exit_code == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s"]


def test_finding_05_template_and_twin_keep_an_existing_study(tmp_path):
    d = copy_example(tmp_path / "study")
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    assert runner.invoke(app, ["template", str(d)]).exit_code == 2
    assert runner.invoke(app, ["twin", "--example", "talent", "--out", str(d)]).exit_code == 2
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before


def test_finding_06_formula_cells_are_neutralised(hostile_run):
    _, out = hostile_run  # a cohort '=HYPERLINK("http://evil","x") $\x$' heads flow.csv
    header = (out / "tables" / "flow.csv").read_text(encoding="utf-8").splitlines()[0]
    # the flow table's first column is the analysis set (issue 12); the cohort header follows
    assert header.startswith("Analysis set,\"'=HYPERLINK(")
    adsl = pd.read_csv(out / "adam" / "adsl.csv", dtype=str, keep_default_na=False)
    assert adsl["COHORT"].str.startswith("'=HYPERLINK").sum() == 10


def test_finding_07_duplicate_columns_short_rows_nul_and_empty_subjects(tmp_path):
    d = copy_example(tmp_path / "s")
    edit_csv(d / "subjects.csv", lambda df: df.insert(3, "AGE", "99"))
    rep = validate(d)
    assert ("duplicate-column", "subjects.csv") in [(i.rule, i.file) for i in rep.errors]
    d2 = copy_example(tmp_path / "s2")
    text = (d2 / "lesions.csv").read_text()
    (d2 / "lesions.csv").write_text(text.replace("RADIOLOGIST", "RADIO\x00LOGIST", 1)
                                    .replace("INVESTIGATOR", "RADIO\x00LOGIST", 1) + "EX-001,x\n")
    rules = {i.rule for i in validate(d2).errors}
    assert "nul-byte" in rules
    d3 = copy_example(tmp_path / "s3")
    (d3 / "lesions.csv").write_text((d3 / "lesions.csv").read_text() + "EX-001,2022-06-02\n")
    assert [i.rule for i in validate(d3).errors] == ["ragged-row"]
    d4 = copy_example(tmp_path / "s4")
    header = (d4 / "subjects.csv").read_text().splitlines()[0]
    (d4 / "subjects.csv").write_text(header + "\n")
    rep = validate(d4)
    assert "no-subjects" in {i.rule for i in rep.errors}
    assert sum(i.rule == "unknown-subject" for i in rep.errors) > 300


@pytest.mark.parametrize("content", [b"", "sex\né".encode("latin-1"), "a,b\n1,2".encode("utf-16"),
                                     b"a,b\n\xc3\x28,1\n", b"\x89PNG\r\n\x1a\n"])
def test_finding_08_no_traceback_for_unreadable_input(tmp_path, content):
    d = copy_example(tmp_path / "s")
    (d / "adverse_events.csv").write_bytes(content)
    for args in (["validate", str(d)], ["summary", str(d)],
                 ["derive", "--data", str(d), "--out", str(tmp_path / "o")]):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, (args, res.output)
        assert "adverse_events.csv" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize(("section", "text"), [
    ("survival", "landmarks = [inf]"), ("survival", "landmarks = [nan]"),
    ("survival", "risk_times = [-5]"), ("survival", "endpoints = []"),
    ("safety", "teae_window_days = 100000000"), ("response", "confirm_days = 1000000000000000000")])
def test_finding_09_spec_values_refused_before_any_work(tmp_path, section, text):
    import tomllib

    raw = tomllib.loads(f'[study]\ntitle = "T"\ndata = "d"\n[{section}]\n{text}\n')
    with pytest.raises(ValueError, match=rf"`\[{section}\]\.\w+(\[0\])?` of the study spec"):
        parse_study_spec(raw)
    with pytest.raises(ValueError, match=r"`\[\[subgroups\]\]\[0\]` of the study spec"):
        parse_study_spec({"study": {"title": "T", "data": "d"}, "subgroups": [1, 2]})


def test_finding_10_failing_sub_analysis_is_a_note(hostile_run):
    res, out = hostile_run  # ki67 = age: singular Cox; cohort '$\x$': mathtext
    assert res.exit_code == 3
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert list(results["errors"]) == ["cox"]
    assert "This analysis failed and is not shown" in (out / "report.html").read_text()
    assert len(list((out / "figures").glob("*.png"))) >= 7


def test_finding_11_impossible_clinical_data(tmp_path):
    d = copy_example(tmp_path / "s")

    def subjects(df):
        df.loc[0, "death_date"] = "2099-01-01"
        df.loc[1, "first_dose_date"] = "1900-01-01"
        df.loc[2, "death_date"] = "2022-06-10"  # before its later scans and last-alive date

    edit_csv(d / "subjects.csv", subjects)
    edit_csv(d / "lesions.csv", lambda df: df.__setitem__(
        "diameter", df["diameter"].where(df.index != 0, "1e308")))
    rules = {i.rule for i in validate(d, data_cutoff="2024-12-31").errors}
    assert {"date-after-cutoff", "implausible-date", "implausible-diameter",
            "assessment-after-death", "alive-after-death"} <= rules
    sd = tmp_path / "sdtm"
    sd.mkdir()
    (sd / "dm.csv").write_text("USUBJID,ARM,RFXSTDTC\nS1,A,2020-01-10\n")
    (sd / "tu.csv").write_text("USUBJID,TULNKID,TUTESTCD,TUSTRESC\nS1,T01,TUMIDENT,TARGETT\n")
    (sd / "tr.csv").write_text("USUBJID,TRLNKID,TRTESTCD,TRDTC,TRSTRESN\n"
                               "S1,T01,DIAMETER,2020-01-05,20\n")
    assert [(i.rule, i.value) for i in validate(sd).errors] == [("unknown-code", "TARGETT")]


@pytest.mark.parametrize("var", ["RFSTDTC", "BRTHDTC", "RFENDTC", "DMDTC"])
def test_finding_12_unused_sdtm_dates_are_checked(tmp_path, var):
    d = tmp_path / "sdtm"
    d.mkdir()
    (d / "dm.csv").write_text(f"USUBJID,ARM,RFXSTDTC,{var}\nS1,A,2020-01-10,2014-13-45\n")
    (d / "ae.csv").write_text("USUBJID,AESEQ,AEDECOD,AEDTC\nS1,1,NAUSEA,2014-13-45\n")
    (d / "ds.csv").write_text("USUBJID,DSDECOD,DSDTC\nS1,COMPLETED,2014-13-45\n")
    rep = validate(d)
    assert rep.ok  # unused: warnings
    assert sorted((i.file, i.column) for i in rep.warnings if i.rule == "bad-dtc") == [
        ("ae.csv", "AEDTC"), ("dm.csv", var), ("ds.csv", "DSDTC")]
    with pytest.raises(ValueError, match="bad-dtc"):  # used (TUDTC): an error
        _used_bad(tmp_path)


def _used_bad(tmp_path):
    d = tmp_path / "used"
    d.mkdir()
    (d / "dm.csv").write_text("USUBJID,ARM,RFXSTDTC\nS1,A,2020-01-10\n")
    (d / "tu.csv").write_text("USUBJID,TULNKID,TUTESTCD,TUSTRESC,TUDTC\n"
                              "S1,T01,TUMIDENT,TARGET,2014-13-45\n")
    (d / "tr.csv").write_text("USUBJID,TRLNKID,TRTESTCD,TRDTC,TRSTRESN\n"
                              "S1,T01,DIAMETER,2020-01-05,20\n")
    return read_study(d)


def test_finding_13_design_api_checks_inputs_and_budgets_time():
    for bad in ((-1, 12, 12), (0, 12, 12), (0.1, 0, 12)):
        with pytest.raises(ValueError, match="of `event_probability` must be"):
            event_probability(*bad)
    for bad in ((1, 10, 5, 29, 1.2), (11, 10, 5, 29, 0.2)):
        with pytest.raises(ValueError, match="of `simon_oc` must be"):
            simon_oc(*bad)
    with pytest.raises(ValueError, match="`time_budget` of `bop2_design`"):
        bop2_design(0.2, 0.4, 0.1, nmax=1000, time_budget=0.5)
