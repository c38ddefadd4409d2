"""Probe class "semantic errors" (issue 14): impossible clinical data and non-conformant SDTM
values are findings with file, row and column, before any analysis."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import read_study, validate

SUBJECTS_HEAD = "subject_id,cohort,consent_date,first_dose_date,death_date,last_alive_date\n"
OK_SUBJECT = "S1,A,2020-01-01,2020-01-10,,2020-06-01\n"
LESIONS_HEAD = "subject_id,assessment_date,lesion_id,lesion_class,diameter,status\n"
OK_LESIONS = ("S1,2020-01-05,T01,TARGET,20,\n"
              "S1,2020-03-01,T01,TARGET,12,\n")


def _study(tmp_path, subjects=OK_SUBJECT, lesions=OK_LESIONS, responses=None):
    d = tmp_path / "s"
    d.mkdir()
    (d / "subjects.csv").write_text(SUBJECTS_HEAD + subjects)
    (d / "lesions.csv").write_text(LESIONS_HEAD + lesions)
    if responses is not None:
        (d / "responses.csv").write_text("subject_id,assessment_date,response\n" + responses)
    return d


# (case id, subjects rows, lesion rows, rule, file, row, column)
CASES = [
    ("assessment-after-death", "S1,A,2020-01-01,2020-01-10,2020-02-01,\n", OK_LESIONS,
     "assessment-after-death", "lesions.csv", 2, "assessment_date"),
    ("alive-after-death", "S1,A,2020-01-01,2020-01-10,2020-02-01,2020-06-01\n",
     "S1,2020-01-05,T01,TARGET,20,\n", "alive-after-death", "subjects.csv", 1,
     "last_alive_date"),
    ("death-in-2099", "S1,A,2020-01-01,2020-01-10,2099-01-01,\n", OK_LESIONS,
     "date-after-cutoff", "subjects.csv", 1, "death_date"),
    ("first-dose-1900", "S1,A,,1900-01-10,,2020-06-01\n", OK_LESIONS,
     "implausible-date", "subjects.csv", 1, "first_dose_date"),
    ("diameter-1e308", OK_SUBJECT, "S1,2020-01-05,T01,TARGET,1e308,\nS1,2020-03-01,T01,TARGET,12,\n",
     "implausible-diameter", "lesions.csv", 1, "diameter"),
    ("new-lesion-at-baseline", OK_SUBJECT, OK_LESIONS + "S1,2020-01-05,N01,NEW,,PRESENT\n",
     "new-lesion-at-baseline", "lesions.csv", 3, "lesion_class"),
    ("no-baseline", OK_SUBJECT, "S1,2020-03-01,T01,TARGET,20,\nS1,2020-05-01,T01,TARGET,12,\n",
     "baseline-after-first-dose", "lesions.csv", 1, "assessment_date"),
]


@pytest.mark.parametrize(("case", "subjects", "lesions", "rule", "file", "row", "column"), CASES,
                         ids=[c[0] for c in CASES])
def test_impossible_data_is_an_error(tmp_path, case, subjects, lesions, rule, file, row, column):
    rep = validate(_study(tmp_path, subjects, lesions), data_cutoff="2024-06-30")
    hits = [(i.file, i.row, i.column) for i in rep.errors if i.rule == rule]
    assert hits == [(file, row, column)], [str(i) for i in rep.issues]


def test_lesion_after_baseline_is_a_visible_warning(tmp_path):
    rep = validate(_study(tmp_path, lesions=OK_LESIONS + "S1,2020-03-01,T02,TARGET,9,\n"),
                   data_cutoff="2024-06-30")
    assert rep.ok
    assert [(i.rule, i.row) for i in rep.warnings] == [("lesion-after-baseline", 3)]


@pytest.mark.parametrize(("cutoff", "n_errors"), [("2020-12-31", 0), ("2020-02-15", 2)])
def test_data_cutoff_api_and_cli(tmp_path, cutoff, n_errors):
    d = _study(tmp_path)
    rep = validate(d, data_cutoff=cutoff)  # last_alive 2020-06-01 and the week-8 scan 2020-03-01
    assert len([i for i in rep.errors if i.rule == "date-after-cutoff"]) == n_errors
    res = CliRunner().invoke(app, ["validate", str(d), "--data-cutoff", cutoff])
    assert res.exit_code == (1 if n_errors else 0), res.output


def test_bad_data_cutoff_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(app, ["validate", str(_study(tmp_path)), "--data-cutoff", "2024-13-01"])
    assert res.exit_code == 1 and "data_cutoff" in res.output and "Traceback" not in res.output


def _sdtm(tmp_path, dm_extra="", dm_vals="", tu_class="TARGET"):
    d = tmp_path / "sdtm"
    d.mkdir()
    (d / "dm.csv").write_text(f"USUBJID,ARM,RFXSTDTC{dm_extra}\nS1,A,2020-01-10{dm_vals}\n")
    (d / "tu.csv").write_text(f"USUBJID,TULNKID,TUTESTCD,TUSTRESC,TUDTC\n"
                              f"S1,T01,TUMIDENT,{tu_class},2020-01-05\n")
    (d / "tr.csv").write_text("USUBJID,TRLNKID,TRTESTCD,TRDTC,TRSTRESN\n"
                              "S1,T01,DIAMETER,2020-01-05,20\nS1,T01,DIAMETER,2020-03-01,12\n")
    return d


@pytest.mark.parametrize(("var", "value", "severity"), [
    ("BRTHDTC", "2014-13-45", "warning"), ("RFSTDTC", "2014-02-30", "warning"),
    ("RFENDTC", "yesterday", "warning"), ("DMDTC", "2014/01/02", "warning"),
    ("DTHDTC", "2014-13-45", "error"), ("RFICDTC", "13/01/2020", "error"),
])
def test_every_sdtm_dtc_is_checked_used_or_not(tmp_path, var, value, severity):
    rep = validate(_sdtm(tmp_path, f",{var}", f",{value}"), data_cutoff="2024-06-30")
    hits = [(i.severity, i.file, i.row) for i in rep.issues if i.column == var]
    assert hits == [(severity, "dm.csv", 1)], [str(i) for i in rep.issues]


@pytest.mark.parametrize(("var", "severity"), [("VISITNUM", "warning"), ("DMSEQ", "warning"),
                                               ("AGE", "error")])
def test_every_numeric_sdtm_variable_is_checked(tmp_path, var, severity):
    rep = validate(_sdtm(tmp_path, f",{var}", ",abc"), data_cutoff="2024-06-30")
    assert [(i.severity, i.rule) for i in rep.issues if i.column == var] == [
        (severity, "non-numeric")]


def test_unknown_tu_class_is_an_unknown_code_error(tmp_path):
    rep = validate(_sdtm(tmp_path, tu_class="TARGETT"), data_cutoff="2024-06-30")
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in rep.errors] == [
        ("unknown-code", "tu.csv", 1, "TUSTRESC", "TARGETT")]


def test_header_only_subjects_with_orphan_records(tmp_path):
    d = _study(tmp_path, subjects="")
    rep = validate(d, data_cutoff="2024-06-30")
    rules = [i.rule for i in rep.errors]
    assert rules.count("no-subjects") == 1 and rules.count("unknown-subject") == 2
    with pytest.raises(ValueError, match="no-subjects"):
        read_study(d, data_cutoff="2024-06-30")
