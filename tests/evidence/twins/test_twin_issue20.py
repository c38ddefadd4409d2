"""Twins, issue 20: published subgroup response rates, realistic lesion trajectories, and
everything reproduced before left exactly as it was.

Expected subgroup counts are typed in from seed 002 (NICE-NEC, Results): colorectal 16.7 %
(colon 4 + rectum 2 = 6, so 1/6), Ki-67 > 55 % 64 % (16/25), NEC 60 % (15/25).
"""

from __future__ import annotations

import copy
import hashlib
import tomllib

import numpy as np
import pandas as pd
import pytest

from oncotrial._errors import OncotrialValueError
from oncotrial.derive import derive_study
from oncotrial.evidence.twins import bundled_spec_path, generate_twin, write_twin
from oncotrial.evidence.twins._spec import parse_spec
from oncotrial.io import read_template


def _raw(name: str) -> dict:
    return tomllib.loads(bundled_spec_path(name).read_text())


def _subgroup_counts(subjects: pd.DataFrame, responders: pd.Series) -> dict[str, tuple[int, int]]:
    s = subjects.set_index("subject_id").loc[responders.index]
    groups = {"colorectal": s.primary_site.isin(["COLON", "RECTUM"]),
              "Ki-67 > 55%": s.ki67.astype(float) > 55,
              "NEC": s.differentiation == "POORLY"}
    return {k: (int(responders[g].sum()), int(g.sum())) for k, g in groups.items()}


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_twin_issue20_1_nicenec_subgroup_orr(seed: int) -> None:
    tw = generate_twin("nice-nec", seed=seed)
    p = tw.plan.set_index("subject_id")
    resp = p.loc[p.efficacy_fl == "Y", "bor"].isin(["CR", "PR"])
    assert _subgroup_counts(tw.subjects, resp) == {
        "colorectal": (1, 6), "Ki-67 > 55%": (16, 25), "NEC": (15, 25)}


def test_twin_issue20_2_subgroups_through_the_engine(tmp_path) -> None:
    """Written, read back and derived: the BOR of ``derive_study`` gives the same subgroups."""
    tw = generate_twin("nice-nec", seed=0)
    study = read_template(write_twin(tw, tmp_path / "nn"))
    sp = tw.spec
    res = derive_study(study, confirm_days=sp.confirm_days.value,
                       sd_min_days=sp.sd_min_days.value)
    adrs = res.adrs
    bor = adrs[adrs.PARAMCD == "BOR"].set_index("USUBJID").AVALC
    eff = study.subjects.loc[study.subjects.efficacy_fl == "Y", "subject_id"]
    resp = bor.reindex(eff).isin(["CR", "PR"])
    resp.index = eff
    assert _subgroup_counts(study.subjects, resp) == {
        "colorectal": (1, 6), "Ki-67 > 55%": (16, 25), "NEC": (15, 25)}


def test_twin_issue20_3_subgroup_spec_errors() -> None:
    raw = _raw("nice-nec")
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["subgroup"][0]["responders"]["value"] = 7
    with pytest.raises(OncotrialValueError, match=r"`cohort\[0\]\.subgroup\[0\]\.responders` of "
                                                  r"`load_spec` must be between 0 and 6"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["subgroup"][0]["values"] = ["COLON", "CAECUM"]
    with pytest.raises(OncotrialValueError, match=r"`cohort\[0\]\.subgroup\[0\]\.values` .* keys "
                                                  r"of the baseline counts"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["subgroup"][0]["n"] = 7
    with pytest.raises(OncotrialValueError, match=r"subgroup\[0\]\.n` .* baseline count"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["subgroup"][0]["variable"] = "cga"
    with pytest.raises(OncotrialValueError, match=r"a categorical baseline variable"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["subgroup"][1]["variable"] = "primary_site"
    bad["cohort"][0]["subgroup"][1]["values"] = ["PANCREAS"]
    bad["cohort"][0]["subgroup"][1]["n"] = 15
    with pytest.raises(OncotrialValueError, match=r"used by one subgroup only"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    del bad["cohort"][0]["subgroup"][0]["responders"]["source"]
    with pytest.raises(OncotrialValueError, match=r"responders` .* value, source"):
        parse_spec(bad)


def _target_sums(tw) -> pd.DataFrame:
    les = tw.lesions[tw.lesions.lesion_class == "TARGET"]
    s = (les.groupby(["subject_id", "assessment_date", "visit"], sort=False).diameter
         .sum(min_count=1).reset_index())
    base = s[s.visit == "BASELINE"].set_index("subject_id").diameter
    post = s[s.visit != "BASELINE"].dropna().copy()
    post["pct"] = 100 * (post.diameter / post.subject_id.map(base) - 1)
    return post


@pytest.mark.parametrize("name", ["talent", "nice-nec", "regomune"])
def test_twin_issue20_4_lesion_trajectories_realistic(name: str) -> None:
    """Before issue 20 every PR sat at -45..-60 % (TALENT: sd of the best change 3.1 points),
    every SD near -15 %. Now: per-patient depth (best change of PRs spread over >= 25 points,
    sd >= 7), nadir reached at different assessments, SD levels spread, lesions of one patient
    shrinking unequally. RECIST margins hold: PR <= -38 %, SD >= -20 %."""
    tw = generate_twin(name, seed=0)
    post = _target_sums(tw)
    bor = tw.plan.set_index("subject_id").bor
    tp = tw.plan.set_index("subject_id")
    best = post.groupby("subject_id").pct.min()
    pr = best[bor.reindex(best.index).isin(["PR"])]
    assert pr.max() - pr.min() >= 25 and pr.std() >= 7 and pr.max() <= -38 + 1e-9
    # nadir at different assessments (index of the minimum among post-baseline assessments)
    nadir_at = post.groupby("subject_id").pct.apply(lambda x: int(np.argmin(x.to_numpy())))
    assert nadir_at[pr.index].nunique() >= 3
    sd = best[bor.reindex(best.index).isin(["SD"])]
    assert sd.std() >= 4 and sd.min() >= -20 - 1e-9
    # per-lesion heterogeneity: ratios to baseline differ between lesions of one PR patient
    les = tw.lesions[(tw.lesions.lesion_class == "TARGET") & tw.lesions.subject_id.isin(pr.index)]
    base = les[les.visit == "BASELINE"].set_index(["subject_id", "lesion_id"]).diameter
    last = (les[les.visit != "BASELINE"].dropna(subset=["diameter"])
            .groupby(["subject_id", "lesion_id"]).diameter.last())
    ratio = (last / base.reindex(last.index)).groupby(level=0)
    multi = ratio.count() > 1
    spread = (ratio.max() - ratio.min())[multi]
    assert (spread > 0.02).mean() >= 0.8
    assert set(tp.bor.dropna()) <= {"CR", "PR", "SD", "PD", "NE"}


def _digest(df: pd.DataFrame) -> str:
    """md5 of the table's values as text (NaN/None -> '', floats by repr): independent of the
    pandas version's dtypes."""
    h = hashlib.md5()
    for row in df.itertuples(index=False):
        h.update("|".join("" if pd.isna(v) else (repr(float(v)) if isinstance(v, float) else str(v))
                          for v in row).encode())
    return h.hexdigest()[:12]


# Digests of seed 0, lesion sizes left out, and for NICE-NEC the three subgroup columns and
# last_alive_date (the alive-patient follow-up is targeted): everything else must not change
# unless on purpose.
# Changed on purpose by the remaining issue-12/20 twin items (median CIs, TALENT follow-up 23
# months, TALENT panNET longest response an event, REGOMUNE DoR 16.6): progression, death and
# last-contact days move inside their planning slots, so visits, exposure and treatment-emergent
# windows move with them, and -- the main random stream draws per visit -- the later draws of
# a changed cohort (AE grades and dates, prior-therapy dates) differ. Every published count is
# pinned by test_twin_bundled.py and tests/analysis/test_twin_reports.py, unchanged.
# Before (main at f98a77f / issue 20): talent subjects 49a8fc1e718d, adverse_events 92e06946b846,
# exposure 3029febfb8d0, prior_therapy 8819dcd2ccae, lesions 197c1bdcdafe; regomune subjects
# c741f66a7e4d, exposure 2aef1b2dd59b, lesions 450a898c8d96; nice-nec subjects 02bde3797da8,
# adverse_events 8c33b9085799, exposure f459ccfd9f47, lesions 3b3b1c79b368.
BEFORE = {
    "talent": {"subjects": "283d585f6a43", "adverse_events": "fecfa9c55f17",
               "exposure": "e6f3be142c39", "prior_therapy": "a4747285cc19",
               "lesions": "14c3a8e6c88e"},
    "regomune": {"subjects": "dc1ed338c559", "exposure": "5a50149dd418",
                 "lesions": "611cdb09edfa"},
    "nice-nec": {"subjects": "e0d7e4474f57", "adverse_events": "645a8cb9a9f8",
                 "exposure": "3bf38382691a", "lesions": "b2960be335e5"},
}


@pytest.mark.parametrize("name", ["talent", "regomune", "nice-nec"])
def test_twin_issue20_5_nothing_else_changed(name: str) -> None:
    tw = generate_twin(name, seed=0)
    tables = {"subjects": tw.subjects, "adverse_events": tw.adverse_events,
              "exposure": tw.exposure, "prior_therapy": tw.prior_therapy,
              # lesion_link: a template column added by issue 15 (split/coalesced lesions), empty
              # in the twins, so it is not part of the issue-20 digests
              "lesions": tw.lesions.drop(columns=["diameter", "lesion_link"])}
    assert tw.lesions["lesion_link"].isna().all()
    if name == "nice-nec":
        tables["subjects"] = tw.subjects.drop(columns=["primary_site", "differentiation", "ki67",
                                                       "last_alive_date"])
    assert {k: _digest(tables[k]) for k in BEFORE[name]} == BEFORE[name]


def test_twin_issue20_6_followup_in_alive_patients(tmp_path) -> None:
    """NICE-NEC: 'a median follow-up of 29.8 months (range: 22.2-37.5+) in alive patients'.
    The median is met; the range ends are limited by the OS planning slots (22.83 and 37.49
    measured) -- see docs/twins.md."""
    from oncotrial.stats import kaplan_meier

    tw = generate_twin("nice-nec", seed=0)
    study = read_template(write_twin(tw, tmp_path / "nn"))
    sp = tw.spec
    res = derive_study(study, confirm_days=sp.confirm_days.value,
                       sd_min_days=sp.sd_min_days.value)
    eff = study.subjects.loc[study.subjects.efficacy_fl == "Y", "subject_id"]
    os_ = res.adtte[(res.adtte.PARAMCD == "OS") & res.adtte.USUBJID.isin(eff)]
    alive = os_[os_.CNSR != 0].AVAL.to_numpy(float) / 30.4375
    assert round(float(np.median(alive)), 1) == 29.8
    assert 22.2 <= alive.min() <= 23.0 and 37.0 <= alive.max() <= 37.5
    # OS checkpoints untouched: 6/12/24-month rates and the median as published
    km = kaplan_meier(os_.AVAL / 30.4375, os_.CNSR == 0)
    assert [round(100 * x, 1) for x in km.at([6, 12, 24]).surv] == [78.4, 54.1, 37.6]
    assert round(km.median().estimate, 1) == 13.9
