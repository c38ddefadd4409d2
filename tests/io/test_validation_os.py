"""Negative overall survival is a validation error (issue 15).

Before: last-known-alive 3 and 4 days before the reference date gave OS AVAL -3/-4 and
``validate`` said "No problems found".
"""

from __future__ import annotations

from oncotrial.io import validate

SUBJ = ("subject_id,cohort,randomization_date,first_dose_date,last_alive_date\n"
        "S1,A,2020-01-08,2020-01-10,2020-01-07\n"
        "S2,B,2020-02-08,2020-02-10,2020-02-06\n"
        "S3,B,2020-02-08,2020-02-10,2020-02\n")


def test_validate_alive_before_reference_1_names_subject_and_both_dates(make_dir):
    rep = validate(make_dir({"subjects.csv": SUBJ, "lesions.csv": None,
                             "responses.csv": None, "adverse_events.csv": None,
                             "exposure.csv": None, "prior_therapy.csv": None}))
    found = [i for i in rep.issues if i.rule == "alive-before-reference"]
    # S1: 2020-01-07 < first dose 2020-01-10 and < randomisation 2020-01-08 (two findings);
    # S2: 2020-02-06 < both; S3: 2020-02 may be on/after both dates (uncertain: no finding)
    assert [(i.row, i.severity) for i in found] == [(1, "error"), (2, "error"), (1, "error"),
                                                   (2, "error")]
    text = str(found[0])
    assert "S1" in text and "2020-01-07" in text and "2020-01-10" in text
    assert "subjects.csv" in text and "last_alive_date" in text
    assert "2020-01-08" in str(found[2])
