"""Validation against pharmaversesdtm (data written outside this project; skipped if absent).

Lesions and responses are read with ``oncotrial.io.read_sdtm`` (month-level partial TRDTC/RSDTC
imputed to the first of the month, flagged ``date_imputation = D``).

* tu/tr_onco_recist: the derived per-visit OVR equals rs_onco_recist OVRLRESP for every
  subject, evaluator and visit (66/66).
* tu/tr_onco vs rs_onco: agreement and disagreement classes documented in
  docs/derivations.md ("Validation").
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.derive import compare_with_rs, derive_param_ovr, derive_vars_recist, ovr_from_responses
from oncotrial.io import read_sdtm

pytestmark = pytest.mark.shared

RECIST_SET = {"tu": "tu_onco_recist.csv", "tr": "tr_onco_recist.csv", "rs": "rs_onco_recist.csv"}


def _read(folder: Path, domains: dict[str, str] | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_sdtm(folder, domains=domains, _raise=False)


def _compare(lesions, responses):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp = derive_vars_recist(lesions, check_type="warning")
    return compare_with_rs(derive_param_ovr(tp), ovr_from_responses(responses))


def test_pharmaverse_1_recist_set_every_visit_agrees(pharmaverse_dir):
    s = _read(pharmaverse_dir, RECIST_SET)
    # one visit dated 2014-02 (WEEK 6 of 01-701-1015): 2 target lesions x 3 evaluators imputed to 2014-02-01
    assert int(s.lesions["date_imputation"].eq("D").sum()) == 6
    c = _compare(s.lesions, s.responses)
    assert len(c) == 66
    assert c["AGREE"].eq("Y").all(), c[c["AGREE"] == "N"]


def test_pharmaverse_3_tr_onco_agreement_and_classes(pharmaverse_dir):
    s = _read(pharmaverse_dir)
    c = _compare(s.lesions, s.responses)
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
