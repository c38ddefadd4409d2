"""Tests of derive_param_bor (unconfirmed / confirmed) against RECIST 1.1 sections 4.4.3,
4.6.1 and Table 3 (Eisenhauer 2009), with admiralonco's MISSING/NE codes. Hand-written
expectations; reference date 2014-01-01, assessments at the given study days."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.derive import (
    derive_param_bor,
    derive_param_mdis,
    derive_param_pd_lsta,
    derive_param_response,
)

REF = pd.Timestamp("2014-01-01")
ADSL = pd.DataFrame({"USUBJID": ["S1", "S2"], "REFDT": [REF, REF], "NACTDT": [pd.NaT, pd.NaT]})


def ovr(seq):
    """seq: list of (study day, response) for S1."""
    return pd.DataFrame({"USUBJID": "S1", "EVALUATOR": "INVESTIGATOR", "PARAMCD": "OVR",
                         "ADT": [REF + pd.Timedelta(days=d) for d, _ in seq],
                         "AVALC": [r for _, r in seq]})


def bor(seq, confirm, adsl=ADSL, **kw):
    out = derive_param_bor(ovr(seq), adsl=adsl, confirm=confirm, **kw)
    return out.set_index("USUBJID")["AVALC"].to_dict()["S1"]


CASES = [
    # (sequence, BOR, CBOR, RECIST text)
    ([(42, "CR"), (84, "CR")], "CR", "CR", "Table 3: CR, CR -> CR"),
    ([(42, "CR"), (56, "CR")], "CR", "SD", "4.6.1: confirmation >= 4 weeks; 14 days is not"),
    ([(42, "CR"), (84, "SD")], "CR", "SD", "Table 3: CR, SD -> SD provided SD duration met"),
    ([(28, "CR"), (84, "SD")], "CR", "SD", "SD from the second assessment (day 84 >= 42)"),
    ([(28, "CR"), (56, "PD")], "CR", "PD", "Table 3: CR, PD -> otherwise PD"),
    ([(42, "CR"), (84, "PD")], "CR", "SD", "Table 3: CR, PD -> SD provided SD duration met"),
    ([(28, "CR"), (56, "NE")], "CR", "NE", "Table 3: CR, NE -> otherwise NE"),
    ([(42, "CR"), (84, "NE")], "CR", "SD", "Table 3: CR, NE -> SD provided SD duration met"),
    ([(42, "PR"), (84, "CR")], "CR", "PR", "Table 3: PR, CR -> PR"),
    ([(42, "PR"), (84, "PR")], "PR", "PR", "Table 3: PR, PR -> PR"),
    ([(42, "PR"), (84, "SD")], "PR", "SD", "Table 3: PR, SD -> SD"),
    ([(28, "PR"), (56, "PD")], "PR", "PD", "Table 3: PR, PD -> otherwise PD"),
    ([(42, "PR"), (84, "PD")], "PR", "SD", "Table 3: PR, PD -> SD provided SD duration met"),
    ([(28, "PR"), (56, "NE")], "PR", "NE", "Table 3: PR, NE -> otherwise NE"),
    ([(42, "NE"), (84, "NE")], "NE", "NE", "Table 3: NE, NE -> NE"),
    ([(42, "PR"), (63, "NE"), (84, "PR")], "PR", "PR", "at most one NE between (admiralonco)"),
    ([(42, "PR"), (56, "NE"), (70, "NE"), (84, "PR")], "PR", "SD", "two NE between: no"),
    ([(42, "PR"), (63, "SD"), (84, "PR")], "PR", "SD", "SD between breaks the confirmation"),
    ([(28, "SD"), (35, "PD")], "PD", "PD", "4.6.1: SD before the minimum duration -> PD"),
    ([(28, "SD")], "NE", "NE", "SD too early and nothing else -> NE"),
    ([(42, "SD")], "SD", "SD", "SD at day 42 >= sd_min_days"),
    ([(42, "NON-CR/NON-PD")], "NON-CR/NON-PD", "NON-CR/NON-PD", "Table 2 disease"),
    ([(42, "SD"), (84, "PD"), (126, "PR"), (168, "PR")], "SD", "SD",
     "assessments after PD are ignored (ignore_after_pd=True)"),
    ([], "MISSING", "MISSING", "no assessment -> MISSING (admiralonco)"),
]


@pytest.mark.parametrize(("seq", "exp_bor", "exp_cbor", "rule"), CASES)
def test_derive_param_bor_1_recist_table3(seq, exp_bor, exp_cbor, rule):
    assert bor(seq, confirm=False) == exp_bor, rule
    assert bor(seq, confirm=True) == exp_cbor, rule


def test_derive_param_bor_2_cr_then_pr_options():
    # Table 3 note (a): CR then PR -> "SD, PD or PR": a true CR followed by disease is PD at
    # that point (BOR SD when the CR met the SD duration); or the first CR is re-read as PR.
    seq = [(42, "CR"), (84, "PR")]
    assert bor(seq, confirm=True, cr_then_pr="pd") == "SD"
    assert bor(seq, confirm=True, cr_then_pr="pr") == "PR"
    assert bor([(28, "CR"), (56, "PR")], confirm=True, cr_then_pr="pd") == "PD"
    assert bor(seq, confirm=False) == "CR"


def test_derive_param_bor_3_new_therapy_and_options():
    adsl = ADSL.assign(NACTDT=[REF + pd.Timedelta(days=60), pd.NaT])
    seq = [(42, "SD"), (84, "PR"), (126, "PR")]
    assert bor(seq, confirm=True, adsl=adsl) == "SD"  # PRs after new therapy ignored
    assert bor(seq, confirm=True, adsl=adsl, ignore_after_new_therapy=False) == "PR"
    assert bor([(42, "SD"), (84, "PD"), (126, "PR")], confirm=False,
               ignore_after_pd=False) == "PR"
    assert bor([(30, "SD")], confirm=False, sd_min_days=28) == "SD"
    assert bor([(42, "PR"), (63, "PR")], confirm=True, confirm_days=21) == "PR"


def test_derive_param_bor_4_every_adsl_subject_gets_a_row():
    out = derive_param_bor(ovr([(42, "PR")]), adsl=ADSL)
    assert out[["USUBJID", "AVALC", "AVAL"]].values.tolist() == [["S1", "PR", 2.0],
                                                                 ["S2", "MISSING", 7.0]]
    assert out["PARAMCD"].unique().tolist() == ["BOR"]


def test_derive_param_bor_5_reasons_and_dates():
    out = derive_param_bor(ovr([(42, "PR"), (84, "PR")]), adsl=ADSL, confirm=True)
    r = out.iloc[0]
    assert r["ADT"] == REF + pd.Timedelta(days=42)
    assert r["REASON"] == ("PR on 2014-02-12 confirmed by PR on 2014-03-26 (42 days >= 28, "
                           "0 NE between) -> PR")


def test_derive_param_bor_6_bad_arguments():
    with pytest.raises(OncotrialValueError, match="`cr_then_pr` of `derive_param_bor`"):
        bor([(42, "PR")], confirm=True, cr_then_pr="sd")
    with pytest.raises(OncotrialValueError, match="`confirm_days` of `derive_param_bor`"):
        bor([(42, "PR")], confirm=True, confirm_days=-1)
    with pytest.raises(OncotrialValueError, match="missing \\['REFDT'\\]"):
        derive_param_bor(ovr([(42, "PR")]), adsl=ADSL.drop(columns="REFDT"))


def test_derive_param_response_7_rsp_cb_pd_lsta_mdis():
    b = pd.concat([derive_param_bor(ovr([(42, "SD"), (84, "PD")]), adsl=ADSL),
                   derive_param_bor(ovr([(42, "SD"), (84, "PD")]), adsl=ADSL, confirm=True)])
    r = derive_param_response(b)
    got = r[r["USUBJID"] == "S1"].set_index("PARAMCD")["AVALC"].to_dict()
    assert got == {"RSP": "N", "CB": "Y", "CRSP": "N", "CCB": "Y"}
    p = derive_param_pd_lsta(ovr([(42, "SD"), (84, "PD"), (126, "SD")]), adsl=ADSL)
    # S2 (in ADSL, no assessment): PD = N (admiralonco false_value = "N"), no LSTA
    assert p[["USUBJID", "PARAMCD", "AVALC"]].values.tolist() == [
        ["S1", "PD", "Y"], ["S2", "PD", "N"], ["S1", "LSTA", "PD"]]
    assert p["ADT"].iloc[0] == REF + pd.Timedelta(days=84)
    # lsta_after_pd (admiralonco): LSTA is the last assessment, after PD included
    p = derive_param_pd_lsta(ovr([(42, "SD"), (84, "PD"), (126, "SD")]), adsl=ADSL,
                             lsta_after_pd=True)
    lsta = p[p["PARAMCD"] == "LSTA"]
    assert lsta[["AVALC", "ADT"]].values.tolist() == [["SD", REF + pd.Timedelta(days=126)]]
    tp = pd.DataFrame({"USUBJID": ["S1", "S2"], "EVALUATOR": "INVESTIGATOR", "ABLFL": "Y",
                       "NTRGBL": [0, 3], "ADT": [REF, REF]})
    assert derive_param_mdis(tp)["AVALC"].tolist() == ["N", "Y"]
