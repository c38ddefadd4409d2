"""admiral conventions as named options (issue 15): each option with a tiny inline case and a
hand-written expectation, citing the admiral/admiralonco template line it follows."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.derive import (
    DerivationWarning,
    conventions_of,
    derive_adsl,
    derive_param_os,
    derive_param_pfs,
    derive_study,
    ovr_from_responses,
    worst_per_date,
)

REF = pd.Timestamp("2014-01-01")


def test_conventions_1_presets_and_overrides():
    a = conventions_of("admiral")
    assert (a.reference, a.responses_from, a.evaluator, a.response_date) == (
        "randomization", "rs", "INVESTIGATOR", "first")
    assert conventions_of("oncotrial").death_without_assessment == "censor"
    assert conventions_of("admiral", dor_basis="confirmed").dor_basis == "confirmed"
    with pytest.raises(OncotrialValueError, match="`conventions` of `derive_study` must be"):
        conventions_of("sas")


def test_conventions_2_rs_date_imputation_last_and_mid():
    # ad_adrs.R: derive_vars_dt(dtc = RSDTC, highest_imputation = "D", date_imputation = "last")
    rs = pd.DataFrame({"subject_id": ["S1", "S1", "S1"],
                       "assessment_date": ["2014-02", "2014-03-01", "2014"],
                       "response": ["SD", "PR", "PR"]})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        o = ovr_from_responses(rs, date_rule=("last", "D"))
    # the year-only date is not imputed (highest "D") and is reported, not silently dropped
    assert o["ADT"].dt.strftime("%Y-%m-%d").tolist() == ["2014-02-28", "2014-03-01"]
    assert any("does not impute" in str(x.message) for x in w)
    o = ovr_from_responses(rs, date_rule=("mid", "M"))
    assert o["ADT"].dt.strftime("%Y-%m-%d").tolist() == ["2014-02-15", "2014-03-01",
                                                         "2014-06-30"]
    # a date the SDTM reader completed to the first of the month (flag D) is re-imputed
    rs2 = pd.DataFrame({"subject_id": ["S1"], "assessment_date": ["2014-02-01"],
                        "response": ["NE"], "date_imputation": ["D"]})
    assert str(ovr_from_responses(rs2, date_rule=("last", "D"))["ADT"].iloc[0].date()) == \
        "2014-02-28"


def test_conventions_3_response_date_first_vs_best():
    # admiralonco: RSP/CB ordered by ADT (first qualifying); oncotrial default: the BOR date
    subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["A"], "first_dose_date": ["2014-01-01"],
                         "randomization_date": ["2014-01-01"]})
    rs = pd.DataFrame({"subject_id": "S1", "response": ["SD", "PR", "CR", "CR"],
                       "assessment_date": ["2014-02-12", "2014-03-26", "2014-05-07",
                                           "2014-06-18"]})
    study = SimpleNamespace(subjects=subj, responses=rs)

    def dates(**kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = derive_study(study, responses_from="rs", **kw).adrs.set_index("PARAMCD")
        return {p: str(a.loc[p, "ADT"].date()) for p in ("BOR", "RSP", "CB", "CRSP", "CCB")}

    # BOR CR (first CR 2014-05-07); CB: SD at day 42 >= 42 is the first qualifying date
    assert dates() == {"BOR": "2014-05-07", "RSP": "2014-05-07", "CB": "2014-05-07",
                       "CRSP": "2014-05-07", "CCB": "2014-05-07"}
    # first: RSP first CR/PR 2014-03-26; CB earliest of CR/PR and SD >= day 42 (2014-02-12);
    # CRSP first confirmed response: PR 2014-03-26 (confirmed by CR 2014-05-07, 42 days)
    assert dates(conventions="admiral", evaluator="INVESTIGATOR") == {
        "BOR": "2014-05-07", "RSP": "2014-03-26", "CB": "2014-02-12", "CRSP": "2014-03-26",
        "CCB": "2014-02-12"}


def test_conventions_4_pfs_death_without_assessment():
    # FDA 2018: "No baseline tumor assessments -> censored at randomization";
    # admiralonco ad_adtte.R: death_event has no assessment condition -> event
    adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": [REF], "DTHDT": [REF + pd.Timedelta(days=30)],
                         "NACTDT": pd.NaT})
    ovr = pd.DataFrame({"USUBJID": pd.Series([], dtype=str), "AVALC": pd.Series([], dtype=str),
                        "ADT": pd.Series([], dtype="datetime64[ns]")})
    fda = derive_param_pfs(ovr, adsl)
    assert fda[["AVAL", "CNSR"]].values.tolist() == [[1.0, 1]]
    adm = derive_param_pfs(ovr, adsl, death_without_assessment="event")
    assert adm[["AVAL", "CNSR", "EVNTDESC"]].values.tolist() == [[31.0, 0, "DEATH"]]


def test_conventions_5_pfs_censor_at_last_assessment_and_reference():
    adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": [REF], "DTHDT": pd.NaT, "NACTDT": pd.NaT})
    ovr = pd.DataFrame({"USUBJID": "S1", "AVALC": ["SD", "NE"],
                        "ADT": [REF + pd.Timedelta(days=42), REF + pd.Timedelta(days=84)]})
    # FDA: last adequate assessment (NE is not adequate); admiral lasta_censor: the LSTA date
    assert derive_param_pfs(ovr, adsl)["AVAL"].tolist() == [43.0]
    assert derive_param_pfs(ovr, adsl, censor_at="last-assessment")["AVAL"].tolist() == [85.0]
    # rand_censor: a last assessment before REFDT -> censored at REFDT (AVAL 1)
    early = pd.DataFrame({"USUBJID": ["S1"], "AVALC": ["SD"],
                          "ADT": [REF - pd.Timedelta(days=3)]})
    assert derive_param_pfs(early, adsl, censor_at_reference=True)["AVAL"].tolist() == [1.0]


def test_conventions_6_os_negative_warns_and_rand_censor():
    # issue 15: last known alive 3 days before the reference date used to give AVAL -3 silently
    subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["A"], "first_dose_date": ["2014-01-10"],
                         "last_alive_date": ["2014-01-07"]})
    log: list = []
    with pytest.warns(DerivationWarning, match=r"'S1'.*2014-01-07 is before the reference date "
                                               r"2014-01-10"):
        adsl = derive_adsl(subj, log=log)
    assert log[-1]["DECISION"] == "last alive before reference"
    assert derive_param_os(adsl)["AVAL"].tolist() == [-2.0]
    assert derive_param_os(adsl, censor_at_reference=True)["AVAL"].tolist() == [1.0]


def test_conventions_7_last_alive_sources():
    # admiral ad_adsl.R: LSTALVDT = latest of AE start/end (highest_imputation "M", first),
    # LB and TRTEDT
    subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["A"], "first_dose_date": ["2014-01-10"],
                         "last_dose_date": ["2014-03-01"], "last_alive_date": ["2014-06-30"]})
    ae = pd.DataFrame({"subject_id": ["S1", "S1"], "start_date": ["2014-02-01", "2014-04"],
                       "end_date": [None, None]})
    a = derive_adsl(subj, adverse_events=ae, last_alive_sources=("ae", "last_dose"))
    assert str(a["LSTALVDT"].iloc[0].date()) == "2014-04-01"
    a = derive_adsl(subj, adverse_events=ae, last_alive_sources=("ae", "last_dose"),
                    date_rules={"ALIVE": ("last", "M")})
    assert str(a["LSTALVDT"].iloc[0].date()) == "2014-04-30"
    assert str(derive_adsl(subj)["LSTALVDT"].iloc[0].date()) == "2014-06-30"
    with pytest.raises(OncotrialValueError, match="`last_alive_sources` of `derive_adsl`"):
        derive_adsl(subj, last_alive_sources=("lb",))


def test_conventions_8_worst_response_per_date():
    # ad_adrs.R ANL01FL: order = exprs(worst_resp(AVALC), RSSEQ), mode = "last"
    o = pd.DataFrame({"USUBJID": "S1", "EVALUATOR": "INVESTIGATOR", "VISIT": "",
                      "ADT": pd.to_datetime(["2014-02-01", "2014-02-01", "2014-03-01"]),
                      "AVALC": ["NE", "SD", "PR"]})
    log: list = []
    assert worst_per_date(o, log)["AVALC"].tolist() == ["SD", "PR"]
    assert log[0]["DECISION"] == "response not used"


def test_conventions_9_pfs_when_nobody_has_a_post_baseline_assessment():
    # issue 15: PFS used to be missing from ADTTE without a word
    subj = pd.DataFrame({"subject_id": ["S1", "S2"], "cohort": "A",
                         "first_dose_date": ["2014-01-03", "2014-01-05"]})
    les = pd.DataFrame({"subject_id": ["S1", "S2"], "lesion_id": "T1", "lesion_class": "TARGET",
                        "assessment_date": ["2014-01-02", "2014-01-02"], "diameter": [40, 30]})
    with pytest.warns(DerivationWarning, match="no subject has a post-baseline tumour"):
        res = derive_study(SimpleNamespace(subjects=subj, lesions=les))
    pfs = res.adtte[res.adtte["PARAMCD"] == "PFS"]
    assert pfs[["USUBJID", "AVAL", "CNSR"]].values.tolist() == [["S1", 1.0, 1], ["S2", 1.0, 1]]
    assert (res.log["DECISION"] == "no post-baseline assessment").any()


def test_conventions_10_first_confirmed_response_no_pr_after_cr():
    # admiralonco crsp_y_pr: "PR followed by CR or PR at least 28 days later, at most one NE in
    # between, and no PR after CR"; crsp_y_cr: CR followed by CR >= 28 days later, only CR/NE
    # between. PR d42, CR d56, PR d63, CR d84: the PR start fails (PR d63 follows CR d56), the
    # CR d56 start fails (PR d63 before the confirming CR), PR d63 has nothing 28 days later
    # -> no confirmed response. Without the PR at d63, PR d42 is confirmed (CRSP d42).
    from oncotrial.derive._adrs_params import first_response_dates
    adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": [REF], "NACTDT": pd.NaT})

    def crsp(days, resp):
        o = pd.DataFrame({"USUBJID": "S1", "EVALUATOR": "INVESTIGATOR",
                          "ADT": [REF + pd.Timedelta(days=d) for d in days], "AVALC": resp})
        f = first_response_dates(o, adsl, confirm_days=28, max_nr_ne=1, sd_min_days=42)
        return f.loc[0, "CRSP"], f.loc[0, "RSP"]

    got, rsp = crsp((42, 56, 63, 84), ["PR", "CR", "PR", "CR"])
    assert got is pd.NaT and rsp == REF + pd.Timedelta(days=42)
    got, _ = crsp((42, 56, 84), ["PR", "CR", "CR"])
    assert got == REF + pd.Timedelta(days=42)
