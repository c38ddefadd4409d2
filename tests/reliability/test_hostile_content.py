"""Probe class "hostile content" (issue 14): data and spec strings never become markup, formulas,
terminal control sequences, mathtext or path components."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial._safe import neutralise_cell, safe_csv_frame, slug, terminal_text
from oncotrial.cli import app
from oncotrial.io import validate

from .conftest import XSS


def test_hostile_run_completes_with_a_documented_code(hostile_run):
    res, out = hostile_run
    assert res.exit_code == 3, res.output  # the singular Cox model: completed with errors
    assert (out / "report.html").is_file() and (out / "manifest.json").is_file()
    assert "Traceback" not in res.output


def test_no_markup_from_data_reaches_the_html(hostile_run):
    _, out = hostile_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for value in re.findall(r'(?:id|href)="([^"]*)"', html):
        assert re.fullmatch(r"#?[a-z0-9-]+", value), value


def test_file_names_from_data_are_slugs(hostile_run):
    _, out = hostile_run
    for p in out.rglob("*"):
        assert re.fullmatch(r"[a-z0-9_.-]+", p.name), p
    phase = [p.name for p in (out / "tables").glob("table3_adverse_events_*.csv")
             if p.stem not in ("table3_adverse_events_related", "table3_adverse_events_serious")]
    assert phase == [f"table3_adverse_events_{slug(XSS.upper()).replace('-', '_')}.csv"]


@pytest.mark.parametrize("folder", ["tables", "adam"])
def test_no_csv_cell_starts_a_formula(hostile_run, folder):
    _, out = hostile_run
    seen = 0
    for f in (out / folder).glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False, header=None)
        for v in df.to_numpy().ravel():
            assert not (v[:1] in ("=", "+", "@", "\t", "\r") or
                        (v[:1] == "-" and not re.fullmatch(r"-[\d.eE+-]+", v))), (f.name, v)
            seen += v.startswith("'=")
    assert seen > 0  # the formula cells are there, neutralised


def test_raw_adam_option_keeps_cells(tmp_path, hostile_run):
    from oncotrial.analysis import run_analysis

    _, out = hostile_run
    spec = out.parent / "spec.toml"
    run_analysis(spec, tmp_path / "raw", raw_adam=True)
    adsl = (tmp_path / "raw" / "adam" / "adsl.csv").read_text(encoding="utf-8")
    assert '\n"=HYPERLINK' not in adsl and ',"=HYPERLINK' in adsl


def test_failed_section_is_a_visible_note_and_an_error_in_results(hostile_run):
    _, out = hostile_run
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(res["cox"]) == {"error"} and "linearly independent" in res["cox"]["error"]
    assert res["errors"]["cox"] == res["cox"]["error"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "This analysis failed and is not shown" in html
    assert res["survival"]["OS"] and res["response"]  # the rest of the report is there
    assert (out / "figures" / "km_os.png").stat().st_size > 1000


def test_mathtext_in_a_cohort_name_is_drawn_literally(hostile_run):
    _, out = hostile_run
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not any(k.startswith("figure:") for k in res.get("errors", {}))
    assert (out / "figures" / "flow.svg").stat().st_size > 1000


@pytest.mark.parametrize("value", ["[/x]", "[red]x[/red]", "\x1b]0;owned\x07", "\x1b[2J",
                                   "\x9b31m", "a\x7fb"])
def test_terminal_text_escapes_markup_and_controls(value):
    from rich.console import Console

    c = Console(record=True, width=80, force_terminal=False)
    c.print(terminal_text(value))
    text = c.export_text()
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert value.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace(
        "\x9b", "\\x9b").replace("\x7f", "\\x7f") in text


def test_validate_prints_hostile_cells_safely(tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "subjects.csv").write_text("subject_id,cohort,sex\nS1,A,[/x]\x1b]0;owned\x07\n")
    res = CliRunner().invoke(app, ["validate", str(d)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "\x1b" not in res.output and "[/x]" in res.output
    assert validate(d).errors[0].rule == "unknown-code"


@pytest.mark.parametrize(("cell", "out"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12.5", "-12.5"), ("+3", "+3"), ("1e-5", "1e-5"),
    ("ok", "ok"), ("", "")])
def test_neutralise_cell_owasp(cell, out):
    assert neutralise_cell(cell) == out


def test_safe_csv_frame_covers_header_and_index():
    df = pd.DataFrame({"=x": ["@a"]}, index=pd.Index(["+i"], name="-n"))
    s = safe_csv_frame(df)
    assert list(s.columns) == ["'=x"] and s.iloc[0, 0] == "'@a" and list(s.index) == ["'+i"]
    assert s.index.name == "'-n"


@pytest.mark.parametrize("name", [XSS, "../../etc/passwd", "a/b", ".", "..", "", "Ü ber",
                                  "x" * 300, "CON"])
def test_slug_is_a_safe_path_component(name):
    s = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) and len(s) <= 70, s
