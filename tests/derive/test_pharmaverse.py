"""Validation against pharmaversesdtm (data written outside this project; skipped if absent).

* tu/tr_onco_recist: the derived per-visit OVR equals rs_onco_recist OVRLRESP for every
  subject, evaluator and visit (66/66 with the test-local mapping, which keeps the one
  partial-dated visit; oncotrial.io.read_sdtm drops records with partial dates, so with it
  the 63 remaining visits all agree and the 3 missing ones are exactly that visit).
* tu/tr_onco vs rs_onco: agreement and disagreement classes documented in
  docs/derivations.md ("Validation").
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.derive import compare_with_rs, derive_param_ovr, derive_vars_recist, ovr_from_responses

pytestmark = pytest.mark.shared

# --- test-local SDTM mapping (independent of oncotrial.io; keeps partial-dated records) ---

def _evaluator(df: pd.DataFrame, prefix: str) -> pd.Series:
    eid = df[f"{prefix}EVALID"].replace({"NA": ""}).fillna("")
    return eid.where(eid != "", df[f"{prefix}EVAL"])


def lesions_from_sdtm(folder: Path, suffix: str) -> pd.DataFrame:
    tu = pd.read_csv(folder / f"tu_{suffix}.csv", dtype=str, keep_default_na=False)
    tr = pd.read_csv(folder / f"tr_{suffix}.csv", dtype=str, keep_default_na=False)
    tu["evaluator"] = _evaluator(tu, "TU")
    tr["evaluator"] = _evaluator(tr, "TR")
    tu = tu[["USUBJID", "evaluator", "TULNKID", "TUORRES", "TULOC"]].drop_duplicates(
        ["USUBJID", "evaluator", "TULNKID"])
    tr = tr[tr["TRTESTCD"].isin(["DIAMETER", "LDIAM", "LPERP", "TUMSTATE"])].copy()
    tr = tr.merge(tu, left_on=["USUBJID", "evaluator", "TRLNKID"],
                  right_on=["USUBJID", "evaluator", "TULNKID"], how="left")
    tr["node"] = tr["TULOC"].str.contains("LYMPH NODE", na=False)
    has_diam = tr.groupby(["USUBJID", "evaluator", "VISIT", "TRLNKID"])["TRTESTCD"].transform(
        lambda s: (s == "DIAMETER").any())
    want = np.where(tr["TRTESTCD"] == "TUMSTATE", True,
                    np.where(has_diam, tr["TRTESTCD"] == "DIAMETER",
                             np.where(tr["node"], tr["TRTESTCD"] == "LPERP",
                                      tr["TRTESTCD"] == "LDIAM")))
    tr = tr[want.astype(bool)]
    status = np.where(tr["TRSTAT"].eq("NOT DONE") if "TRSTAT" in tr else False, "NOT DONE",
                      np.where(tr["TRTESTCD"] == "TUMSTATE",
                               tr["TRSTRESC"].replace({"UNEQUIVOCAL": "UNEQUIVOCAL PROGRESSION"}),
                               ""))
    return pd.DataFrame({
        "subject_id": tr["USUBJID"], "assessment_date": tr["TRDTC"], "visit": tr["VISIT"],
        "lesion_id": tr["TRLNKID"], "lesion_class": tr["TRGRPID"], "site": tr["TULOC"],
        "diameter": pd.to_numeric(tr["TRSTRESN"].replace({"NA": ""}), errors="coerce"),
        "status": status, "evaluator": tr["evaluator"],
        "source_row": tr.index + 1}).reset_index(drop=True)


def responses_from_sdtm(folder: Path, name: str) -> pd.DataFrame:
    rs = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    rs = rs[rs["RSTESTCD"] == "OVRLRESP"]
    # 3 rs_onco records carry 'CHECK', not a RECIST code: left out (oncotrial.io does the same)
    rs = rs[rs["RSSTRESC"].isin(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"])]
    return pd.DataFrame({"subject_id": rs["USUBJID"], "assessment_date": rs["RSDTC"],
                         "visit": rs["VISIT"], "response": rs["RSSTRESC"],
                         "evaluator": _evaluator(rs, "RS")}).reset_index(drop=True)


def _compare(lesions, responses):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp = derive_vars_recist(lesions, check_type="warning")
    return compare_with_rs(derive_param_ovr(tp), ovr_from_responses(responses))


def test_pharmaverse_1_recist_set_every_visit_agrees(pharmaverse_dir):
    c = _compare(lesions_from_sdtm(pharmaverse_dir, "onco_recist"),
                 responses_from_sdtm(pharmaverse_dir, "rs_onco_recist"))
    assert len(c) == 66
    assert c["AGREE"].eq("Y").all(), c[c["AGREE"] == "N"]


def test_pharmaverse_2_recist_set_via_read_sdtm(pharmaverse_dir):
    io = pytest.importorskip("oncotrial.io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = io.read_sdtm(pharmaverse_dir, domains={"tu": "tu_onco_recist.csv",
                                                   "tr": "tr_onco_recist.csv",
                                                   "rs": "rs_onco_recist.csv"}, _raise=False)
    c = _compare(s.lesions, s.responses)
    derived = c[c["DERIVED"].notna() & c["REPORTED"].notna()]
    assert len(derived) == 63 and derived["AGREE"].eq("Y").all()


def test_pharmaverse_3_tr_onco_agreement_and_classes(pharmaverse_dir):
    c = _compare(lesions_from_sdtm(pharmaverse_dir, "onco"),
                 responses_from_sdtm(pharmaverse_dir, "rs_onco"))
    both = c[c["DERIVED"].notna() & c["REPORTED"].notna()]
    n_agree = int(both["AGREE"].eq("Y").sum())
    assert (len(both), n_agree) == (1896, 1788)
    dis = both[both["AGREE"] == "N"]
    classes = pd.crosstab(dis["DERIVED"], dis["REPORTED"])
    # PD by the nadir rule (RECIST 1.1 4.3.1) where RS reports PR/SD:
    assert classes.loc["PD", "PR"] + classes.loc["PD", "SD"] == 83
    # NE because a target lesion was not measured (4.4.2) where RS reports a response:
    assert int(classes.loc["NE"].sum()) == 23
    pd_dis = dis[dis["DERIVED"] == "PD"]
    assert pd_dis["REASON"].str.contains("over nadir").all()
    # the remaining 2: subject 01-711-1143's visit UNSCHEDULED 9.2 is recorded twice in TR
    # (exact duplicates, de-duplicated) and twice in RS with different responses
    rest = dis[~dis["DERIVED"].isin(["PD", "NE"])]
    assert rest["USUBJID"].unique().tolist() == ["01-711-1143"]
    ne_dis = dis[dis["DERIVED"] == "NE"]
    assert ne_dis["REASON"].str.contains("target lesions measured").all()
