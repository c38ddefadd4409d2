"""Tests of derive_adsl, derive_adae and derive_gmi (hand-computed values)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.derive import derive_adae, derive_adsl, derive_gmi

SUBJ = pd.DataFrame({"subject_id": ["S1", "S2", "S3"], "cohort": "GI",
                     "randomization_date": ["2014-01-01", "2014-01-02", "2014-01-03"],
                     "first_dose_date": ["2014-01-05", None, "2014-01"],
                     "last_dose_date": ["2014-03-01", None, "2014-02"],
                     "death_date": [None, "2014-06", None]})


def test_derive_adsl_1_reference_and_flags():
    a = derive_adsl(SUBJ)
    assert a["REFDT"].astype("string").fillna("NaT").tolist() == ["2014-01-05", "NaT", "2014-01-01"]
    assert a["TRTSDTF"].tolist() == [None, None, "D"]
    assert a["TRTEDT"].astype("string").fillna("NaT").tolist() == ["2014-03-01", "NaT", "2014-02-28"]
    assert a["SAFFL"].tolist() == ["Y", "N", "Y"]
    assert a["DTHFL"].tolist() == ["N", "Y", "N"]
    r = derive_adsl(SUBJ, reference="randomization")
    assert r["REFDT"].astype("string").fillna("NaT").tolist() == ["2014-01-01", "2014-01-02", "2014-01-03"]


def test_derive_adsl_2_exposure_fallback_and_errors():
    ex = pd.DataFrame({"subject_id": ["S2", "S2"], "start_date": ["2014-02-01", "2014-03-01"],
                       "end_date": ["2014-02-20", None]})
    a = derive_adsl(SUBJ, exposure=ex)
    # issue 15: a record without an end date gives no last dose (admiral: last EXENDTC)
    assert a.loc[1, ["TRTSDT", "TRTEDT"]].tolist() == [pd.Timestamp("2014-02-01"),
                                                       pd.Timestamp("2014-02-20")]
    a = derive_adsl(SUBJ, exposure=ex, last_dose_fallback="exposure-start")
    assert a.loc[1, ["TRTSDT", "TRTEDT"]].tolist() == [pd.Timestamp("2014-02-01"),
                                                       pd.Timestamp("2014-03-01")]
    log: list = []
    a = derive_adsl(SUBJ, exposure=ex.iloc[1:], log=log)
    assert a.loc[1, "TRTEDT"] is pd.NaT
    assert next(r["DECISION"] for r in log if r["USUBJID"] == "S2") == "last dose missing"
    with pytest.raises(OncotrialValueError, match="`reference` of `derive_adsl`"):
        derive_adsl(SUBJ, reference="enrolment")
    with pytest.raises(OncotrialValueError, match="must be unique; got 'S1' twice"):
        derive_adsl(pd.concat([SUBJ, SUBJ.iloc[:1]]))


def test_derive_adae_3_teae_window_and_worst_grade():
    adsl = pd.DataFrame({"USUBJID": ["S1"], "TRTSDT": [pd.Timestamp("2014-01-10")],
                         "TRTEDT": [pd.Timestamp("2014-03-01")]})
    ae = pd.DataFrame({"subject_id": "S1", "ae_id": ["1", "2", "3", "4", "5"],
                       "term": ["Nausea", "NAUSEA", "NAUSEA", "RASH", "RASH"],
                       "grade": [2, 3, 3, None, 1], "severity": [None, None, None, "SEVERE", None],
                       "start_date": ["2014-01-09", "2014-03-31", "2014-04-01", "2014-02", None]})
    d = derive_adae(ae, adsl=adsl)
    # day before first dose: not TE; last dose + 30 d (03-31) TE; 04-01 not TE;
    # partial 2014-02 is after first dose month -> 2014-02-01; missing onset -> TE
    assert d["TRTEMFL"].tolist() == ["N", "Y", "N", "Y", "Y"]
    assert d["ATOXGRN"].tolist() == [2, 3, 3, 3, 1]
    assert d["WORSTFL"].tolist() == ["", "Y", "", "Y", ""]
    assert d["APHASE"].tolist()[:3] == ["PRE-TREATMENT", "TREATMENT", "FOLLOW-UP"]
    # a partial onset month containing first dose is imputed to first dose (conservative)
    d = derive_adae(ae.assign(start_date="2014-01"), adsl=adsl)
    assert d["ASTDT"].iloc[0] == pd.Timestamp("2014-01-10")
    assert derive_adae(ae, adsl=adsl, window_days=0)["TRTEMFL"].iloc[1] == "N"


def test_derive_gmi_4_von_hoff():
    pfs = pd.DataFrame({"USUBJID": ["S1", "S2", "S3"], "AVAL": [200.0, 90.0, 150.0],
                        "CNSR": [0, 0, 1],
                        "EVNTDESC": ["DISEASE PROGRESSION", "DEATH", ""]})
    prior = pd.DataFrame({"subject_id": ["S1", "S1", "S2", "S3"], "line": [1, 2, 1, 1],
                          "start_date": ["2012-01-01", "2013-01-01", "2013-01-01", "2013-01-01"],
                          "progression_date": ["2012-06-01", "2013-04-10", "2013-03-31",
                                               "2013-01-30"]})
    g = derive_gmi(pfs, prior_therapy=prior)
    # S1 uses line 2: 100 days; 200/100 = 2.0. S2: 90/90 = 1.0 (death: lower bound).
    assert g[["USUBJID", "PRIORLN", "TTP1", "GMI", "TTP2CNSR", "GMIFL"]].values.tolist() == [
        ["S1", 2, 100.0, 2.0, 0, "Y"], ["S2", 1, 90.0, 1.0, 1, "N"],
        ["S3", 1, 30.0, 5.0, 1, "Y"]]
