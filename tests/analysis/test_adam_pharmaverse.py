"""ADaM input end to end: examples/pharmaverseadam.toml on the committed pharmaverseadam extract.

Every Kaplan-Meier median (CI), landmark rate (CI, n at risk), log-rank test and Cox hazard
ratio of the report equals R survival 3.5-3 on the same files
(``tests/analysis/golden/adam_pharmaverse.json``, written by ``tools/golden_adam.R``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncotrial.analysis import analyze_study, load_study_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "pharmaverseadam.toml"
GOLDEN = json.loads((Path(__file__).parent / "golden" / "adam_pharmaverse.json")
                    .read_text(encoding="utf-8"))
ARMS = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose", "All"]
TOL = 1e-9


@pytest.fixture(scope="module")
def analysis():
    return analyze_study(SPEC)


def _close(a, b):
    if b is None:
        return a is None
    return a is not None and a == pytest.approx(b, rel=TOL, abs=1e-12)


@pytest.mark.parametrize("endpoint", ["OS", "PFS"])
@pytest.mark.parametrize("arm", ARMS)
def test_km_median_and_landmarks_equal_r(analysis, endpoint, arm):
    got = analysis.results["survival"][endpoint][arm]
    ref = GOLDEN["km"][endpoint][arm]
    assert (got["n"], got["events"]) == (ref["n"], ref["events"])
    assert _close(got["median"], ref["median"])
    assert _close(got["ci"][0], ref["lower"]) and _close(got["ci"][1], ref["upper"])
    ref_lm = ref["landmarks"] or {}
    for t in ("3", "6"):
        lm = got["landmarks"][t]
        if t not in ref_lm:  # R summary(times=) gives no row after the last time
            assert lm is None
            continue
        r = ref_lm[t]
        assert lm["n_risk"] == r["n_risk"]
        assert _close(lm["surv"], r["surv"])
        assert _close(lm["ci"][0], r["lower"]) and _close(lm["ci"][1], r["upper"])


@pytest.mark.parametrize("endpoint", ["OS", "PFS"])
def test_logrank_equals_r_survdiff(analysis, endpoint):
    got = analysis.results["logrank"][endpoint]
    ref = GOLDEN["logrank"][endpoint]
    assert got["df"] == ref["df"]
    assert _close(got["chisq"], ref["chisq"]) and _close(got["p"], ref["p"])
    for g, o, e in zip(got["groups"], got["observed"], got["expected"], strict=True):
        assert o == ref["observed"][g] and _close(e, ref["expected"][g])


def test_cox_hazard_ratios_equal_r_coxph(analysis):
    rows = {r["term"]: r for r in analysis.results["cox"]["univariable"]}
    assert set(rows) == set(GOLDEN["cox"])
    for term, ref in GOLDEN["cox"].items():
        r = rows[term]
        assert _close(r["hr"], ref["hr"]) and _close(r["p"], ref["p"])
        assert _close(r["ci"][0], ref["lower"]) and _close(r["ci"][1], ref["upper"])
        assert _close(r["se"], ref["se"])


def test_dor_from_rsd_equals_r(analysis):
    for arm, ref in GOLDEN["dor"].items():
        got = analysis.results["response"][arm]["dor"]
        assert (got["n"], got["events"]) == (ref["n"], ref["events"])
        assert _close(got["median"], ref["median"])
        assert _close(got["ci"][0], ref["lower"]) and _close(got["ci"][1], ref["upper"])


def test_adam_input_is_not_derived_and_every_subject_is_counted(analysis):
    s = analysis.derived.settings
    assert s["source"] == "adam" and s["arm_variable"] == "TRT01A"
    assert s["parameters"]["DOR"] == "RSD" and s["parameters"]["OS"] == "OS"  # RSD read as DOR
    flow = analysis.results["flow"]
    assert flow["All"]["registered"] == 53
    # screen failures are no cohort (issue 12); the six are accounted for in the All column
    assert "Screen Failure" not in flow
    assert flow["All"]["not_enrolled"] == {"not enrolled": 6}
    assert sum(flow[a]["treated"] for a in ARMS[:3]) == flow["All"]["treated"] == 47
    # ORR of the efficacy set: the one confirmed PR (CBOR) of the extract, placebo arm
    assert analysis.results["response"]["Placebo"]["orr"]["x"] == 1
    assert analysis.results["response"]["All"]["orr"]["x"] == 1


def test_adtr_records_outside_anl01fl_are_logged(analysis):
    log = analysis.derived.log
    rows = log[log["DECISION"] == "record not analysed"]
    assert len(rows) and rows["REASON"].str.startswith("adtr_onco.csv row ").all()


def test_spec_parses_adam_section():
    spec = load_study_spec(SPEC)
    assert spec.adam.arm == "TRT01A" and spec.cox.covariates == ("cohort",)
