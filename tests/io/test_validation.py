"""One test per bad-input class (issue 2): each finding names file, row and column.

Inputs are tiny inline template folders (tests/io/conftest.py VALID with one cell changed);
expected rows are counted by hand (row 1 = first data row after the header).
"""

from __future__ import annotations

import pytest

from oncotrial.io import DataValidationError, read_template, validate

LES_HEAD = "subject_id,assessment_date,visit,lesion_id,lesion_class,site,diameter,unit,status\n"


def _only(report, rule):
    found = [i for i in report.issues if i.rule == rule]
    assert found, f"no {rule!r} in {[str(i) for i in report.issues]}"
    return found


def _assert_at(issue, file, row, column):
    assert (issue.file, issue.row, issue.column) == (file, row, column)
    text = str(issue)
    assert file in text and f"column {column}" in text
    if row is not None:
        assert f"row {row}," in text


def test_valid_folder_has_no_finding(valid_dir):
    assert validate(valid_dir).issues == []


def test_validate_1_missing_required_file(make_dir):
    rep = validate(make_dir({"subjects.csv": None, "lesions.csv": LES_HEAD}))
    # without subjects.csv the folder is not a template folder at all
    assert [i.rule for i in rep.errors] == ["missing-file"]


def test_validate_1b_missing_subjects_file_when_read_directly(make_dir):
    folder = make_dir({"subjects.csv": None})
    with pytest.raises(DataValidationError, match=r"\[missing-file\] subjects.csv"):
        read_template(folder)


def test_validate_2_missing_required_column(make_dir):
    rep = validate(make_dir({"lesions.csv": "subject_id,assessment_date,lesion_class\n"
                                            "S1,2020-01-05,TARGET\n"}))
    (iss,) = _only(rep, "missing-column")
    assert (iss.file, iss.row, iss.column) == ("lesions.csv", None, "lesion_id")


def test_validate_3_missing_required_value(valid_files, make_dir):
    subj = valid_files["subjects.csv"].replace("S2,B,", "S2,,")
    (iss,) = _only(validate(make_dir({"subjects.csv": subj})), "missing-value")
    _assert_at(iss, "subjects.csv", 2, "cohort")


def test_validate_4_unknown_code(valid_files, make_dir):
    les = valid_files["lesions.csv"].replace("NT01,NON-TARGET,BONE,,,ABSENT", "NT01,NONTARGET,BONE,,,ABSENT")
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), "unknown-code")
    _assert_at(iss, "lesions.csv", 6, "lesion_class")
    assert iss.value == "NONTARGET" and "NON-TARGET" in iss.expected


def test_validate_4b_codes_are_case_insensitive(valid_files, make_dir):
    subj = valid_files["subjects.csv"].replace(",61,F,", ",61,f,")
    data = read_template(make_dir({"subjects.csv": subj}))
    assert data.subjects["sex"].tolist() == ["F", "M"]


@pytest.mark.parametrize("bad", ["2014-02-30", "2020-13-01", "01/02/2020", "2020-1-5"])
def test_validate_5_unparseable_or_impossible_date(valid_files, make_dir, bad):
    ae = valid_files["adverse_events.csv"].replace("2020-01-15", bad)
    (iss,) = _only(validate(make_dir({"adverse_events.csv": ae})), "bad-date")
    _assert_at(iss, "adverse_events.csv", 1, "start_date")
    assert iss.value == bad


def test_validate_6_partial_date_where_full_required(valid_files, make_dir):
    les = valid_files["lesions.csv"].replace("S1,2020-03-01,WEEK 8,T01", "S1,2020-03,WEEK 8,T01")
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), "partial-date")
    _assert_at(iss, "lesions.csv", 4, "assessment_date")


def test_validate_6b_partial_date_allowed_elsewhere(valid_dir):
    # S2's death date 2020-09 and AE start 2020-02 are partial and legal
    data = read_template(valid_dir)
    assert data.subjects["death_date"].tolist()[1] == "2020-09"
    assert data.adverse_events["start_date"].tolist()[1] == "2020-02"


def test_validate_7_duplicate_subject(valid_files, make_dir):
    subj = valid_files["subjects.csv"] + "S1,C,2020-01-02,2020-01-10,,,50,M,0\n"
    (iss,) = _only(validate(make_dir({"subjects.csv": subj})), "duplicate-subject")
    _assert_at(iss, "subjects.csv", 3, "subject_id")
    assert "first at row 1" in iss.expected


@pytest.mark.parametrize("file,line,row", [
    ("lesions.csv", "S9,2020-01-05,BASELINE,T01,TARGET,LIVER,20,mm,\n", 7),
    ("adverse_events.csv", "S9,1,NAUSEA,GI,1,2020-01-15,,Y,N\n", 3),
    ("exposure.csv", "S9,DRUG X,2020-01-10,,60,mg\n", 3),
    ("prior_therapy.csv", "S9,1,FOLFOX,2019-01-01,,\n", 2),
    ("responses.csv", "S9,2020-03-20,WEEK 6,PR,\n", 2),
])
def test_validate_8_rows_for_unknown_subject(valid_files, make_dir, file, line, row):
    (iss,) = _only(validate(make_dir({file: valid_files[file] + line})), "unknown-subject")
    _assert_at(iss, file, row, "subject_id")
    assert iss.value == "S9"


@pytest.mark.parametrize("value,rule", [("abc", "non-numeric"), ("-3", "out-of-range")])
def test_validate_9_non_numeric_or_negative_measurement(valid_files, make_dir, value, rule):
    les = valid_files["lesions.csv"].replace("WEEK 8,T01,TARGET,LIVER,12,", f"WEEK 8,T01,TARGET,LIVER,{value},")
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), rule)
    _assert_at(iss, "lesions.csv", 4, "diameter")


def test_validate_10_unit_other_than_mm_cm(valid_files, make_dir):
    les = valid_files["lesions.csv"].replace("LIVER,20,mm", "LIVER,20,in")
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), "bad-unit")
    _assert_at(iss, "lesions.csv", 1, "unit")


def test_validate_11_death_before_first_dose(valid_files, make_dir):
    subj = valid_files["subjects.csv"].replace(",2020-09,", ",2020-01,")
    (iss,) = _only(validate(make_dir({"subjects.csv": subj})), "death-before-first-dose")
    _assert_at(iss, "subjects.csv", 2, "death_date")


def test_validate_11b_uncertain_partial_order_is_not_an_error(valid_files, make_dir):
    # death 2020-02 may be on/after first dose 2020-02-10: latest(2020-02) = 2020-02-29
    subj = valid_files["subjects.csv"].replace(",2020-09,", ",2020-02,").replace(
        "S2,B,2020-02-01,2020-02-10,2020-03-01", "S2,B,2020-02-01,2020-02-10,2020-02-20")
    ex = valid_files["exposure.csv"].replace("2020-02-10,2020-03-01", "2020-02-10,2020-02-20")
    # the response must not be certainly after the death (issue 14: assessment-after-death)
    rs = valid_files["responses.csv"].replace("2020-03-20", "2020-02-25")
    rep = validate(make_dir({"subjects.csv": subj, "exposure.csv": ex, "responses.csv": rs}))
    assert rep.issues == []


def test_validate_12_assessment_before_consent(valid_files, make_dir):
    les = valid_files["lesions.csv"].replace("S1,2020-01-05,BASELINE,T01", "S1,2019-12-30,BASELINE,T01")
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), "assessment-before-consent")
    _assert_at(iss, "lesions.csv", 1, "assessment_date")


@pytest.mark.parametrize("file,old,new,row,column", [
    ("adverse_events.csv", "2020-01-15,2020-01-20", "2020-01-15,2020-01-10", 1, "end_date"),
    ("exposure.csv", "2020-02-10,2020-03-01", "2020-02-10,2020-01-31", 2, "end_date"),
    ("prior_therapy.csv", "2019-01-01,2019-06-30,2019-06-30", "2019-01-01,2018-06-30,2019-06-30",
     1, "end_date"),
    ("subjects.csv", "2020-01-10,2020-06-01", "2020-01-10,2019-12-01", 1, "last_dose_date"),
])
def test_validate_13_end_before_start(valid_files, make_dir, file, old, new, row, column):
    (iss,) = _only(validate(make_dir({file: valid_files[file].replace(old, new)})), "end-before-start")
    _assert_at(iss, file, row, column)


def test_validate_14_duplicated_lesion_measurement(valid_files, make_dir):
    les = valid_files["lesions.csv"] + "S1,2020-03-01,WEEK 8,T01,TARGET,LIVER,13,mm,\n"
    (iss,) = _only(validate(make_dir({"lesions.csv": les})), "duplicate-measurement")
    _assert_at(iss, "lesions.csv", 7, "lesion_id")
    assert "first at row 4" in iss.expected


def test_validate_14b_other_evaluator_is_not_a_duplicate(make_dir):
    head = LES_HEAD.strip() + ",evaluator\n"
    les = head + "S1,2020-01-05,BASELINE,T01,TARGET,LIVER,20,mm,,R1\n" \
                 "S1,2020-01-05,BASELINE,T01,TARGET,LIVER,21,mm,,R2\n"
    assert validate(make_dir({"lesions.csv": les})).issues == []


def test_validate_15_too_many_targets_are_warnings(make_dir):
    organs = ["LIVER", "LIVER", "LIVER", "LUNG", "BONE", "SPLEEN"]
    les = LES_HEAD + "".join(f"S1,2020-01-05,BASELINE,T0{k},TARGET,{o},15,mm,\n"
                             for k, o in enumerate(organs, start=1))
    rep = validate(make_dir({"lesions.csv": les}))
    assert rep.ok and len(rep.warnings) == 2
    (n,) = _only(rep, "too-many-targets")
    assert n.severity == "warning" and n.value == "6 target lesions" and n.file == "lesions.csv"
    (o,) = _only(rep, "too-many-targets-per-organ")
    assert o.value == "3 target lesions in LIVER" and o.column == "site" and o.row == 1
    assert read_template(make_dir({"lesions.csv": les})).report.warnings  # read keeps warnings


def test_validate_16_all_problems_in_one_pass(valid_files, make_dir):
    subj = valid_files["subjects.csv"].replace("S2,B,", "S2,,")
    les = valid_files["lesions.csv"].replace("LIVER,20,mm", "LIVER,20,in")
    ae = valid_files["adverse_events.csv"].replace("2020-01-15", "2020-02-30")
    folder = make_dir({"subjects.csv": subj, "lesions.csv": les, "adverse_events.csv": ae})
    with pytest.raises(DataValidationError) as exc:
        read_template(folder)
    rules = sorted(i.rule for i in exc.value.report.errors)
    assert rules == ["bad-date", "bad-unit", "missing-value"]
    assert "3 validation error(s)" in str(exc.value)


def test_validate_17_unknown_column_is_a_warning(valid_files, make_dir):
    subj = valid_files["subjects.csv"].replace("ecog\n", "ecog,colour\n").replace(",0\n", ",0,red\n") \
        .replace(",1\n", ",1,blue\n")
    rep = validate(make_dir({"subjects.csv": subj}))
    assert [(i.rule, i.severity, i.column) for i in rep.issues] == [
        ("unknown-column", "warning", "colour")]


def test_validate_never_raises_on_missing_folder(tmp_path):
    rep = validate(tmp_path / "absent")
    assert not rep.ok and rep.errors[0].rule == "missing-file"
