"""The report table model (issue 13): label rows with indented levels, spanners with N, zero
counts as "0", CSV layout, and the spec's [labels] overrides (unknown keys are errors)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from oncotrial import OncotrialValueError
from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
from oncotrial.report._labels import Labels, sentence_case
from oncotrial.report._report_tables import build_report_tables, cox_term
from oncotrial.report._table_model import ReportTable, Row, Spanner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example():
    return analyze_study(example_spec_path())


def _spec(extra: str):
    raw = tomllib.loads(example_spec_path().read_text(encoding="utf-8") + extra)
    return parse_study_spec(raw, example_spec_path().parent)


def test_table_model_1_csv_folds_label_rows_into_a_variable_column():
    t = ReportTable("x", "X", "Characteristic", ("G1", "G2", "G1", "G2"),
                    (Row("Age, years", ("50", "51", "52", "53")), Row("Sex"),
                     Row("Female", ("1", "0", "2", "0"), 1)),
                    spanners=(Spanner("A (N = 3)", 2), Spanner("B (N = 4)", 2)))
    df = t.to_frame()
    assert list(df.index) == [("Age, years", ""), ("Sex", "Female")]
    assert list(df.columns) == ["A (N = 3) | G1", "A (N = 3) | G2", "B (N = 4) | G1",
                                "B (N = 4) | G2"]
    html = t.to_html()
    assert '<th colspan=2 class="span">A (N = 3)</th>' in html
    assert '<td class="var">Sex</td><td></td><td></td><td></td><td></td>' in html


def test_table_model_1b_long_listing_printed_head_says_where_the_rest_is():
    t = ReportTable("gmi", "G", "Patient", ("GMI",),
                    tuple(Row(f"P{i}", ("1.0",)) for i in range(250)), appendix=True)
    h = t.head(200, "tables/gmi.csv")
    assert len(h.rows) == 200 and h.notes[-1] == (
        "Rows 1-200 of 250 shown; the complete listing is tables/gmi.csv.")
    assert t.head(300, "x") is t and len(t.to_frame()) == 250


def test_table_model_2_example_table1_layout(example):
    t1 = next(t for t in build_report_tables(example.results) if t.stem == "table1_baseline")
    labels = [(r.label, r.indent, r.cells is None) for r in t1.rows]
    i = labels.index(("Sex", 0, True))
    assert labels[i + 1][1] == 1 and labels[i + 1][0] in ("Female", "Male")
    assert t1.columns == ("pNET (N = 10)", "siNET (N = 10)", "All (N = 20)")
    cells = [c for r in t1.rows for c in (r.cells or ())]
    assert "0 (0.0)" not in cells
    assert not any(":" in r.label for r in t1.rows)       # no "Sex: F" flat labels


def test_table_model_3_numbers_equal_the_flat_tables(example):
    """The model lays out the same display strings as build_tables (no number changes)."""
    from oncotrial.report import build_tables

    flat = build_tables(example.results)["table2_efficacy"]
    t2 = next(t for t in build_report_tables(example.results) if t.stem == "table2_efficacy")
    row = next(r for r in t2.rows if r.label == "Objective response rate, % (95% CI)")
    assert list(row.cells) == flat.loc["Objective response rate, % (95% CI)"].tolist()
    pr = next(r for r in t2.rows if r.label == "Partial response")
    assert pr.indent == 1 and pr.cells[0] == "1 (10.0)"   # 1/10 (seed 004 Table 2 layout)
    assert any("Clopper-Pearson" in n for n in t2.notes)


def test_table_model_4_spec_labels_override_defaults():
    spec = _spec('\n[labels]\nsex = "Gender"\n[labels.levels.sex]\nF = "Women"\n')
    assert spec.labels == (("sex", "Gender"),)
    a = analyze_study(spec)
    t1 = next(t for t in build_report_tables(a.results) if t.stem == "table1_baseline")
    labs = [r.label for r in t1.rows]
    assert "Gender" in labs and "Women" in labs and "Male" in labs and "Sex" not in labs


@pytest.mark.parametrize(("extra", "key"), [
    ('\n[labels]\nsexx = "Gender"\n', r"`\[labels\]\.sexx`"),
    ('\n[labels.levels.ecgo]\n"0" = "Fully active"\n', r"`\[labels\.levels\]\.ecgo`"),
    ('\n[labels]\nsex = 1\n', r"`\[labels\]\.sex`"),
])
def test_table_model_5_unknown_label_key_is_an_error_naming_it(extra, key):
    with pytest.raises(OncotrialValueError, match=key):
        _spec(extra)


def test_table_model_5b_unknown_level_code_is_a_visible_error_naming_the_key():
    a = analyze_study(_spec('\n[labels.levels.sex]\nX = "Other"\n'))
    t1 = next(t for t in build_report_tables(a.results) if t.stem == "table1_baseline")
    assert "`[labels.levels.sex].X`" in t1.rows[0].cells[0]
    assert "`[labels.levels.sex].X`" in a.results["errors"]["table:table1_baseline"]


def test_table_model_6_labels_and_terms():
    assert sentence_case("SMALL INTESTINE") == "Small intestine"
    assert sentence_case("G3") == "G3" and sentence_case("NON-CR/NON-PD") == "NON-CR/NON-PD"
    lab = Labels({"spec": {}})
    assert (lab.level("sex", "F"), lab.level("x", "Y"), lab.variable("ki67 (categories)")) == (
        "Female", "Yes", "Ki-67, %, categories")
    r = {"spec": {}, "study": {"cohorts": ["panNET", "GI-NET", "All"]}, "baseline": [],
         "cox": {"covariates": ["cohort"], "univariable": [{"term": "cohortGI-NET"}],
                 "reference": {"cohort": "panNET"}}}
    assert cox_term(r, "cohortGI-NET") == "Cohort: GI-NET vs panNET"


@pytest.mark.shared
def test_table_model_7_pharmaverse_tables_without_defects(pharmaverse_dir):
    raw = tomllib.loads((ROOT / "examples" / "pharmaverse.toml").read_text(encoding="utf-8"))
    raw["study"]["data"] = str(pharmaverse_dir)
    res = analyze_study(parse_study_spec(raw, ROOT / "examples")).results
    tabs = {t.stem: t for t in build_report_tables(res)}
    for t in tabs.values():
        cells = [c for r in t.rows for c in (r.cells or ())]
        if t.stem.startswith(("table1", "table2", "table3")):
            assert "0 (0.0)" not in cells, t.stem
        assert "Table3" not in t.title and not t.title.startswith(("Table", "Figure")), t.title
        assert "(CI)" not in " ".join(t.columns), (t.stem, t.columns)
    t1 = tabs["table1_baseline"]
    assert any(r.cells is None for r in t1.rows) and any(r.indent for r in t1.rows)
    assert all(c.endswith(")") and "(N = " in c for c in t1.columns)
    ae = tabs["table3_adverse_events"]
    assert [s.label.split(" (N = ")[0] for s in ae.spanners] == res["study"]["cohorts"]
