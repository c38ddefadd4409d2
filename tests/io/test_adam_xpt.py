"""ADaM out: SAS transport v5 limits, lossless round trip, define.xml 2.0, R foreign::read.xport
(issue 16)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import example_data_path
from oncotrial.io._adam_write import IBM_MAX, IBM_MIN, read_xpt, write_xpt
from oncotrial.io._define_xml import DEF, ODM, check_define, define_xml

ROOT = Path(__file__).resolve().parents[2]


def _roundtrip(df: pd.DataFrame, tmp: Path) -> pd.DataFrame:
    p = write_xpt(df, tmp / "t.xpt", dataset="T", label="Test")
    return read_xpt(p)[0]


def test_write_xpt_1_types_and_missing(tmp_path):
    df = pd.DataFrame({"USUBJID": pd.array(["a", None, "c"], dtype="string"),
                       "N": pd.array([1, None, 3], dtype="Int64"),
                       "X": [0.1 + 0.2, np.nan, -1e-70],
                       "ADT": pd.to_datetime(["2020-01-02", None, "1959-12-31"]),
                       "ADTM": pd.to_datetime(["2020-01-02 03:04:05", None, "1960-01-01 00:00:00"]),
                       "FL": [True, False, True]})
    got = _roundtrip(df, tmp_path)
    assert got["USUBJID"].tolist()[::2] == ["a", "c"] and pd.isna(got["USUBJID"][1])
    assert got["N"].tolist()[::2] == [1.0, 3.0] and np.isnan(got["N"][1])
    assert got["X"][0] == 0.1 + 0.2 and got["X"][2] == -1e-70  # bit-exact
    assert got["ADT"].tolist()[::2] == list(pd.to_datetime(["2020-01-02", "1959-12-31"]))
    assert got["ADTM"][0] == pd.Timestamp("2020-01-02 03:04:05")
    assert got["FL"].tolist() == ["Y", "N", "Y"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda v: v == 0 or IBM_MIN <= abs(v) <= IBM_MAX)),
    st.one_of(st.none(), st.dates(min_value=pd.Timestamp("1700-01-01").date(),
                                  max_value=pd.Timestamp("2200-12-31").date()))),
    min_size=1, max_size=20))
@example([("", 6e-79, None)])
@example([("x ", -0.0, pd.Timestamp("1960-01-01").date())])
@example([("a", 2.0 ** -60, None), ("b", 123456789.123456789, None)])
def test_write_xpt_2_lossless_roundtrip(rows):
    """Values come back equal: SAS drops trailing blanks and has no empty-vs-missing text."""
    import tempfile

    s = pd.array([r[0] for r in rows], dtype="string")
    x = [np.nan if r[1] is None else r[1] for r in rows]
    d = pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object))
    df = pd.DataFrame({"S": s, "X": x, "D": d})
    with tempfile.TemporaryDirectory() as tmp:
        got = _roundtrip(df, Path(tmp))
    want_s = [None if not v.rstrip() else v.rstrip() for v in s]
    assert [None if pd.isna(v) else v for v in got["S"]] == want_s
    np.testing.assert_array_equal(got["X"].to_numpy(), np.asarray(x, dtype=float))
    assert got["D"].tolist() == d.tolist() or all(
        (pd.isna(a) and pd.isna(b)) or a == b for a, b in zip(got["D"], d, strict=True))


@pytest.mark.parametrize("df, match", [
    (pd.DataFrame({"NINECHARS": [1.0]}), "variable name NINECHARS"),
    (pd.DataFrame({"A": ["x" * 201]}), "value of 201 bytes"),
    (pd.DataFrame({"A": ["Ménière"]}), "non-ASCII"),
    (pd.DataFrame({"X": [1e80]}), "outside the XPT v5 range"),
    (pd.DataFrame({"X": [np.inf]}), "outside the XPT v5 range"),
])
def test_write_xpt_3_limits_raise_and_write_nothing(tmp_path, df, match):
    with pytest.raises(ValueError, match=match):
        write_xpt(df, tmp_path / "t.xpt", dataset="T")
    assert not (tmp_path / "t.xpt").exists()


def test_write_xpt_4_label_limits(tmp_path):
    with pytest.raises(ValueError, match=r"label 'y+' \(41 characters"):
        write_xpt(pd.DataFrame({"A": [1.0]}), tmp_path / "t.xpt", dataset="T",
                  labels={"A": "y" * 41})
    with pytest.raises(ValueError, match="dataset name LONGDATASET"):
        write_xpt(pd.DataFrame({"A": [1.0]}), tmp_path / "t.xpt", dataset="LONGDATASET")


@pytest.fixture(scope="module")
def derived_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("derive")
    r = CliRunner().invoke(app, ["derive", "--data", str(example_data_path()), "--out",
                                 str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_derive_writes_xpt_equal_to_csv(derived_out):
    for name in ("adsl", "adrs", "adtte", "adae"):
        csv = pd.read_csv(derived_out / f"{name}.csv", dtype=str, keep_default_na=False)
        xpt, labels = read_xpt(derived_out / f"{name}.xpt")
        assert all(len(v) <= 40 for v in labels.values())
        csv = csv.drop(columns=[c for c in ("REASON",) if c in csv])
        csv = csv.rename(columns={"EVALUATOR": "EVALUATR", "LSTALVDTF": "LSTALDTF"})
        assert list(xpt.columns) == list(csv.columns)
        for c in csv.columns:
            a = csv[c].replace("", np.nan)
            b = xpt[c]
            if pd.api.types.is_datetime64_any_dtype(b):
                b = b.dt.strftime("%Y-%m-%d")
                a = a.map(lambda v: v[:10] if isinstance(v, str) else v)
            elif pd.api.types.is_numeric_dtype(b):
                a = pd.to_numeric(a).astype(float)
                np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=f"{name}.{c}")
                continue
            assert [None if pd.isna(v) else str(v).rstrip() for v in a] == \
                [None if pd.isna(v) else v for v in b], f"{name}.{c}"


def test_define_xml_structure(derived_out):
    xml = (derived_out / "define.xml").read_bytes()
    assert check_define(xml, derived_out) == []
    root = etree.fromstring(xml)
    ns = {"o": ODM, "d": DEF}
    groups = [g.get("Name") for g in root.iterfind(".//o:ItemGroupDef", ns)]
    assert groups == ["ADSL", "ADRS", "ADTTE", "ADAE"]
    cl = root.find(".//o:CodeList[@OID='CL.ADTTE.PARAMCD']", ns)
    decodes = {i.get("CodedValue"): i.findtext("o:Decode/o:TranslatedText", namespaces=ns)
               for i in cl.iterfind("o:CodeListItem", ns)}
    assert decodes["OS"] == "Overall Survival (days)" and set(decodes) == {"OS", "PFS", "DOR",
                                                                            "TTR"}
    assert root.find(".//o:CodeList[@OID='CL.ADRS.AVALC']", ns) is not None
    mt = root.find(".//o:MethodDef[@OID='MT.ADTTE.OS']", ns)
    assert "last known alive" in mt.findtext("o:Description/o:TranslatedText", namespaces=ns)
    aval = root.find(".//o:ItemDef[@OID='IT.ADTTE.CNSR']", ns)
    assert (aval.get("DataType"), aval.get("Length")) == ("integer", "1")
    assert root.find(".//o:ItemDef[@OID='IT.ADSL.TRTSDT']", ns).get("DataType") == "date"


def test_check_define_finds_broken_references():
    df = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["OS"], "PARAM": ["Overall Survival"],
                       "AVAL": [3.0], "CNSR": [0.0]})
    xml = define_xml({"ADTTE": df})
    assert check_define(xml) == []
    root = etree.fromstring(xml)
    for it in root.iterfind(f".//{{{ODM}}}ItemDef[@OID='IT.ADTTE.CNSR']"):
        it.getparent().remove(it)
    assert any("IT.ADTTE.CNSR does not resolve" in p
               for p in check_define(etree.tostring(root)))
    assert check_define(b"<ODM><unclosed></ODM>")[0].startswith("not well-formed")


def test_analyze_adam_input_writes_xpt_with_input_labels(tmp_path):
    from oncotrial.analysis import run_analysis

    run_analysis(ROOT / "examples" / "pharmaverseadam.toml", tmp_path)
    adam = tmp_path / "adam"
    assert check_define((adam / "define.xml").read_bytes(), adam) == []
    _, labels = read_xpt(adam / "adsl.xpt")
    assert labels["TRTSDT"] == "Date of First Exposure to Treatment"
    root = etree.fromstring((adam / "define.xml").read_bytes())
    origin = {it.get("OID"): it.find(f"{{{DEF}}}Origin").get("Type")
              for it in root.iter(f"{{{ODM}}}ItemDef")}
    assert origin["IT.ADSL.TRT01A"] == "Predecessor" and origin["IT.ADSL.COHORT"] == "Derived"


_R_ENV = {**__import__("os").environ, "R_LIBS_USER": str(Path.home() / ".oncotrial-rlib")}


def _r_has_foreign() -> bool:
    """Whether ``Rscript`` exists and loads the recommended package ``foreign``."""
    if shutil.which("Rscript") is None:
        return False
    r = subprocess.run(["Rscript", "-e", 'quit(status = !requireNamespace("foreign", quietly = TRUE))'],
                       capture_output=True, timeout=60, env=_R_ENV)
    return r.returncode == 0


@pytest.mark.skipif(not _r_has_foreign(),
                    reason="Rscript with package foreign not found (r-base, or "
                           "../shared/oracles/install-r-oracles.sh)")
def test_r_foreign_reads_xpt_as_csv(derived_out):
    """R foreign::read.xport gives the CSV's values (dates as days since 1960-01-01)."""
    script = r"""
    d <- commandArgs(TRUE)[1]; bad <- 0
    for (n in c("adsl", "adrs", "adtte", "adae")) {
      x <- foreign::read.xport(file.path(d, paste0(n, ".xpt")))
      c <- read.csv(file.path(d, paste0(n, ".csv")), colClasses = "character",
                    na.strings = character(0))
      c$REASON <- NULL
      names(c)[names(c) == "EVALUATOR"] <- "EVALUATR"
      names(c)[names(c) == "LSTALVDTF"] <- "LSTALDTF"
      if (!identical(names(x), names(c))) { cat("names differ", n, "\n"); bad <- bad + 1 }
      for (v in names(c)) {
        a <- c[[v]]; b <- x[[v]]
        if (is.numeric(b)) {
          if (all(grepl("^$|^\\d{4}-\\d{2}-\\d{2}", a))) {
            a <- as.numeric(as.Date(substr(a, 1, 10)) - as.Date("1960-01-01"))
          } else a <- as.numeric(ifelse(a == "", NA, a))
          ok <- identical(is.na(a), is.na(b)) && all(a[!is.na(a)] == b[!is.na(b)])
        } else ok <- identical(sub(" +$", "", a), as.character(b))
        if (!ok) { cat("differs:", n, v, "\n"); bad <- bad + 1 }
      }
    }
    cat(if (bad == 0) "OK" else "FAIL", "\n")
    """
    r = subprocess.run(["Rscript", "-e", script, str(derived_out)], capture_output=True,
                       text=True, timeout=120, env=_R_ENV)
    assert r.stdout.strip().endswith("OK"), r.stdout + r.stderr
