"""Tests of ADTTE derivations: OS, PFS (FDA 2018 censoring table), DOR, TTR, event_from_cnsr.

Hand-computed: AVAL = ADT - STARTDT + 1 (admiral derive_vars_duration(add_one = TRUE))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.derive import (
    CensorSource,
    EventSource,
    derive_param_dor,
    derive_param_os,
    derive_param_pfs,
    derive_param_tte,
    derive_param_ttr,
    event_from_cnsr,
)

REF = pd.Timestamp("2014-01-01")


def day(d):
    return REF + pd.Timedelta(days=d)


def adsl(n=1, dth=None, nact=None):
    return pd.DataFrame({"USUBJID": [f"S{i + 1}" for i in range(n)], "REFDT": REF,
                         "DTHFL": ["Y" if dth is not None else "N"] * n,
                         "DTHDT": [day(dth) if dth is not None else pd.NaT] * n,
                         "NACTDT": [day(nact) if nact is not None else pd.NaT] * n,
                         "LSTALVDT": [day(dth if dth is not None else 200)] * n})


def ovr(seq, sid="S1"):
    return pd.DataFrame({"USUBJID": sid, "EVALUATOR": "INVESTIGATOR",
                         "ADT": [day(d) for d, _ in seq], "AVALC": [r for _, r in seq]})


def one(df):
    return df.iloc[0][["AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]].tolist()


def test_event_from_cnsr_1_only_boundary():
    assert event_from_cnsr([0, 1, 3]).tolist() == [True, False, False]
    with pytest.raises(OncotrialValueError, match=r"got -1.0 at index 1"):
        event_from_cnsr([0, -1])
    with pytest.raises(OncotrialValueError, match=r"got nan at index 0"):
        event_from_cnsr([np.nan])


def test_derive_param_os_2_death_and_censoring():
    assert one(derive_param_os(adsl(dth=99))) == [100.0, 0, "DEATH", ""]
    assert one(derive_param_os(adsl())) == [201.0, 1, "", "LAST DATE KNOWN ALIVE"]


def test_derive_param_pfs_3_pd_death_and_last_adequate():
    # PD at day 84 -> event day 85
    assert one(derive_param_pfs(ovr([(42, "SD"), (84, "PD")]), adsl())) == [
        85.0, 0, "DISEASE PROGRESSION", ""]
    # death before PD
    assert one(derive_param_pfs(ovr([(42, "SD"), (84, "PD")]), adsl(dth=60))) == [
        61.0, 0, "DEATH", ""]
    # no event: censored at the last *adequate* assessment (NE is not adequate)
    assert one(derive_param_pfs(ovr([(42, "SD"), (84, "NE")]), adsl())) == [
        43.0, 1, "", "LAST ADEQUATE ASSESSMENT"]


def test_derive_param_pfs_4_fda_new_therapy():
    # FDA 2018: new anticancer therapy -> censored at the last assessment before it
    r = one(derive_param_pfs(ovr([(42, "SD"), (84, "PD")]), adsl(nact=60)))
    assert r == [43.0, 1, "", "NEW ANTI-CANCER THERAPY: LAST ADEQUATE ASSESSMENT BEFORE IT"]
    r = one(derive_param_pfs(ovr([(42, "SD"), (84, "PD")]), adsl(nact=60),
                             censor_new_therapy=False))
    assert r[:2] == [85.0, 0]


def test_derive_param_pfs_5_fda_missed_assessments():
    # interval 42 days: PD 126 days after the last adequate assessment (day 42) is more than
    # 2 x 42 -> two or more missed visits -> censored at day 42 (AVAL 43)
    seq = [(42, "SD"), (168, "PD")]
    r = one(derive_param_pfs(ovr(seq), adsl(), assessment_interval_days=42))
    assert r == [43.0, 1, "", "EVENT AFTER 2 OR MORE MISSED ASSESSMENTS: LAST ADEQUATE ASSESSMENT"]
    # PD at day 126 (84 days after): one missed visit -> event
    r = one(derive_param_pfs(ovr([(42, "SD"), (126, "PD")]), adsl(), assessment_interval_days=42))
    assert r[:2] == [127.0, 0]
    # rule off by default
    assert one(derive_param_pfs(ovr(seq), adsl()))[:2] == [169.0, 0]


def test_derive_param_pfs_6_fda_no_baseline_or_post_baseline():
    # no assessments at all: censored at the reference date (AVAL 1)
    a = adsl(n=2)
    r = derive_param_pfs(ovr([(42, "SD")]), a)
    assert r.set_index("USUBJID").loc["S2", ["AVAL", "CNSR", "CNSDTDSC"]].tolist() == [
        1.0, 1, "NO BASELINE ASSESSMENT: REFERENCE DATE"]
    r = derive_param_pfs(ovr([(42, "SD")]), a, censor_no_baseline=False)
    assert r.set_index("USUBJID").loc["S2", "CNSDTDSC"] == (
        "NO ADEQUATE POST-BASELINE ASSESSMENT: REFERENCE DATE")


def test_derive_param_dor_ttr_7_responders_only():
    o = ovr([(42, "PR"), (84, "PR"), (126, "PD")])
    bor = pd.DataFrame({"USUBJID": ["S1", "S2"], "AVALC": ["PR", "SD"]})
    a = adsl(n=2)
    dor = derive_param_dor(o, a, bor)
    assert dor["USUBJID"].tolist() == ["S1"]
    assert one(dor) == [85.0, 0, "DISEASE PROGRESSION", ""]  # day 42 -> day 126
    assert dor["STARTDT"].iloc[0] == day(42)
    ttr = derive_param_ttr(o, a, bor)
    assert ttr[["USUBJID", "AVAL", "CNSR"]].values.tolist() == [["S1", 43.0, 0]]


def test_derive_param_tte_8_sources_are_data():
    # earliest event wins; latest censoring wins; tie -> first listed source
    a = pd.DataFrame({"USUBJID": ["S1", "S2"], "REFDT": REF})
    ev = pd.DataFrame({"USUBJID": ["S1", "S1"], "D": [day(50), day(30)], "K": ["a", "b"]})
    cn = pd.DataFrame({"USUBJID": ["S1", "S2", "S2"], "D": [day(80), day(10), day(20)]})
    out = derive_param_tte(a, source_datasets={"ev": ev, "cn": cn},
                           event_conditions=[EventSource("ev", "D", "K == 'a'", "A"),
                                             EventSource("ev", "D", "K == 'b'", "B")],
                           censor_conditions=[CensorSource("cn", "D", None, "C", censor=2)],
                           paramcd="X", param="x")
    assert out[["USUBJID", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]].values.tolist() == [
        ["S1", 31.0, 0, "B", ""], ["S2", 21.0, 2, "", "C"]]
    with pytest.raises(OncotrialValueError, match="must contain 'nope'"):
        derive_param_tte(a, source_datasets={}, event_conditions=[EventSource("nope", "D")],
                         censor_conditions=[], paramcd="X", param="x")


def test_derive_study_dor_basis_1_unconfirmed_responders_enter_dor():
    """A PR never confirmed (the next assessment is PD) is a responder only when
    ``dor_basis='unconfirmed'`` (trials reporting unconfirmed responses, e.g. NICE-NEC)."""
    from types import SimpleNamespace

    from oncotrial.derive import derive_study

    subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["A"], "first_dose_date": ["2020-01-03"]})
    les = pd.DataFrame({"subject_id": "S1", "lesion_id": "T1", "lesion_class": "TARGET",
                        "assessment_date": ["2020-01-02", "2020-02-14", "2020-03-27"],
                        "diameter": [40.0, 24.0, 40.0]})
    study = SimpleNamespace(subjects=subj, lesions=les)
    confirmed = derive_study(study)
    assert confirmed.adtte.query("PARAMCD == 'DOR'").empty
    unconf = derive_study(study, dor_basis="unconfirmed")
    dor = unconf.adtte.query("PARAMCD == 'DOR'")
    # first response 2020-02-14 to PD 2020-03-27: 42 days + 1 (ADaM AVAL = ADT - STARTDT + 1)
    assert dor[["STARTDT", "ADT", "CNSR"]].astype(str).values.tolist() == [["2020-02-14", "2020-03-27", "0"]]
    assert float(dor["AVAL"].iloc[0]) == 43.0
    assert unconf.settings["dor_basis"] == "unconfirmed"
    with pytest.raises(ValueError, match="`dor_basis` of `derive_study`"):
        derive_study(study, dor_basis="both")
