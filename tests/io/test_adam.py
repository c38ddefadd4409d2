"""ADaM input: folder recognition, the formats, and each ADaM rule with file, row and column
(issue 16). Inline folders are tiny and hand-made; the pharmaverseadam extract is the real case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import DataValidationError, detect_kind, read_adam, read_study, validate
from oncotrial.io._adam import analysis_records

DATA = Path(__file__).parent / "data" / "pharmaverseadam"

ADSL = "USUBJID,TRT01P,TRT01A,SAFFL,TRTSDT\nS1,A,A,Y,2020-01-01\nS2,B,B,Y,2020-01-05\n"
ADTTE = ("USUBJID,PARAMCD,PARAM,AVAL,CNSR,AVALU\n"
         "S1,OS,Overall Survival,100,0,DAYS\nS2,OS,Overall Survival,50,1,DAYS\n")


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _rules(folder) -> list[tuple]:
    return [(i.rule, i.file, i.row, i.column) for i in validate(folder).issues]


def test_detect_kind_adam_and_precedence(tmp_path):
    assert detect_kind(DATA) == "adam"
    f = _folder(tmp_path, **{"ADSL.csv": ADSL})
    assert detect_kind(f) == "adam"
    (f / "dm.csv").write_text("USUBJID,ARM\n")
    assert detect_kind(f) == "sdtm"  # SDTM first: a folder with both reads as SDTM


def test_pharmaverseadam_extract_reads_clean():
    d = read_adam(DATA)
    assert {k: len(v) for k, v in d.datasets.items()} == {
        "adsl": 53, "adrs": 658, "adtte": 98, "adae": 196, "adtr": 181}
    assert d.files["adrs"] == "adrs_onco.csv" and d.labels["adsl"]["TRTSDT"] == (
        "Date of First Exposure to Treatment")
    assert d.datasets["adsl"]["TRTSDT"].dtype == "datetime64[ns]"
    assert [i.rule for i in d.report.issues] == ["avalu-assumed-days"]


def test_same_datasets_from_every_format(tmp_path):
    """XPT (haven), CSV, Parquet and pyreadstat XPT give identical typed datasets."""
    import pyreadstat

    pytest.importorskip("pyarrow")  # a declared dependency; absent from some bare venvs
    ref = read_adam(DATA)
    out = tmp_path / "mixed"
    out.mkdir()
    for name, df in ref.datasets.items():
        stem = {"adrs": "adrs_onco", "adtte": "adtte_onco", "adtr": "adtr_onco"}.get(name, name)
        if name in ("adsl", "adtr"):
            df.to_parquet(out / f"{stem}.parquet")
        elif name == "adtte":
            frame = df.astype({c: object for c in df.columns if df[c].dtype == "string"})
            pyreadstat.write_xport(frame.fillna({c: "" for c in frame.columns
                                                 if frame[c].dtype == object}),
                                   str(out / f"{stem}.xpt"), file_format_version=5)
        else:
            shutil.copy(DATA / ref.files[name], out / ref.files[name])
    got = read_adam(out)
    for name, df in ref.datasets.items():
        pd.testing.assert_frame_equal(got.datasets[name], df, check_dtype=False)


def test_rule_duplicate_subject(tmp_path):
    f = _folder(tmp_path, **{"adsl.csv": ADSL + "S1,A,A,Y,2020-01-01\n"})
    assert _rules(f) == [("duplicate-subject", "adsl.csv", 3, "USUBJID")]
    with pytest.raises(DataValidationError, match="duplicate-subject"):
        read_adam(f)


def test_rule_paramcd_param_one_to_one(tmp_path):
    tte = ADTTE + "S1,PFS,Overall Survival,30,0,DAYS\n"  # PARAM of OS reused for PFS
    f = _folder(tmp_path, **{"adsl.csv": ADSL, "adtte.csv": tte})
    assert ("paramcd-param", "adtte.csv", 3, "PARAMCD") in _rules(f)
    (tmp_path / "b").mkdir()
    tte2 = ADTTE.replace("S2,OS,Overall Survival", "S2,OS,OS (days)")
    f2 = _folder(tmp_path / "b", **{"adsl.csv": ADSL, "adtte.csv": tte2})
    assert ("paramcd-param", "adtte.csv", 2, "PARAM") in _rules(f2)


@pytest.mark.parametrize("cnsr, rule", [("-1", "bad-cnsr"), ("0.5", "bad-cnsr"),
                                         ("x", "non-numeric"), ("", "missing-value")])
def test_rule_cnsr_integer_nonnegative(tmp_path, cnsr, rule):
    f = _folder(tmp_path, **{"adsl.csv": ADSL,
                             "adtte.csv": ADTTE.replace("S2,OS,Overall Survival,50,1",
                                                        f"S2,OS,Overall Survival,50,{cnsr}")})
    assert (rule, "adtte.csv", 2, "CNSR") in _rules(f)


def test_rule_aval_nonnegative_and_units(tmp_path):
    tte = ADTTE.replace("S2,OS,Overall Survival,50,1,DAYS", "S2,OS,Overall Survival,-3,1,HOURS")
    f = _folder(tmp_path, **{"adsl.csv": ADSL, "adtte.csv": tte})
    rules = _rules(f)
    assert ("out-of-range", "adtte.csv", 2, "AVAL") in rules
    assert ("unknown-code", "adtte.csv", 2, "AVALU") in rules


def test_rule_every_usubjid_in_adsl(tmp_path):
    f = _folder(tmp_path, **{"adsl.csv": ADSL, "adtte.csv": ADTTE + "S9,OS,Overall Survival,"
                                                                    "10,0,DAYS\n"})
    assert _rules(f) == [("orphan-subject", "adtte.csv", 3, "USUBJID")]


def test_rule_one_record_per_subject_and_parameter(tmp_path):
    f = _folder(tmp_path, **{"adsl.csv": ADSL, "adtte.csv": ADTTE + "S1,OS,Overall Survival,"
                                                                    "10,0,DAYS\n"})
    assert _rules(f) == [("duplicate-record", "adtte.csv", 3, "PARAMCD")]


def test_rule_flags_dates_and_arm(tmp_path):
    adsl = ("USUBJID,TRT01P,SAFFL,ITTFL,TRTSDT\nS1,A,Y,YES,2020-01-01\nS2,,N,N,2020-02\n"
            "S3,B,N,N,2020-02-30\n")
    rules = _rules(_folder(tmp_path, **{"adsl.csv": adsl}))
    assert ("unknown-code", "adsl.csv", 1, "ITTFL") in rules
    assert ("missing-value", "adsl.csv", 2, "TRT01P") in rules
    assert ("partial-date", "adsl.csv", 2, "TRTSDT") in rules
    assert ("bad-date", "adsl.csv", 3, "TRTSDT") in rules


def test_rule_response_codes_and_missing_columns(tmp_path):
    adrs = "USUBJID,PARAMCD,PARAM,AVALC\nS1,BOR,Best Overall Response,GOOD\n"
    rules = _rules(_folder(tmp_path, **{"adsl.csv": "USUBJID\nS1\n", "adrs.csv": adrs,
                                        "adtte.csv": "USUBJID,PARAMCD\nS1,OS\n"}))
    assert ("unknown-code", "adrs.csv", 1, "AVALC") in rules
    assert ("missing-column", "adsl.csv", None, "TRT01P") in rules
    assert ("missing-column", "adtte.csv", None, "AVAL") in rules
    assert ("missing-column", "adtte.csv", None, "CNSR") in rules


def test_ambiguous_and_unused_files(tmp_path):
    f = _folder(tmp_path, **{"adsl.csv": ADSL, "adrs_a.csv": "USUBJID\n",
                             "adrs_b.csv": "USUBJID\n", "adlb.csv": "USUBJID\n"})
    rules = [r[0] for r in _rules(f)]
    assert rules.count("ambiguous-dataset") == 1 and rules.count("unused-dataset") == 1


def test_anl01fl_selects_analysis_records():
    d = read_adam(DATA)
    recs, log = analysis_records(d, "adtr")
    assert len(recs) + len(log) == len(d.datasets["adtr"])
    assert (d.datasets["adtr"].loc[log["row"] - 1, "ANL01FL"].isna()).all()


def test_read_study_points_to_read_adam():
    with pytest.raises(ValueError, match="read_adam"):
        read_study(DATA)


def test_validate_cli_on_adam_folder(tmp_path):
    r = CliRunner().invoke(app, ["validate", str(DATA)])
    assert r.exit_code == 0 and "adam folder" in r.output and "avalu-assumed-days" in r.output
    bad = _folder(tmp_path, **{"adsl.csv": ADSL + "S1,A,A,Y,2020-01-01\n"})
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1 and "duplicate-subject" in r.output
