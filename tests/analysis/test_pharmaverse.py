"""examples/pharmaverse.toml: a randomised trial (placebo vs two xanomeline arms) analysed with
comparisons, checked against R (tools/golden_analysis.R); skipped without ../shared."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from oncotrial.analysis import analyze_study, parse_study_spec
from oncotrial.report._methods import methods_paragraphs
from oncotrial.report._tables import build_tables

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((Path(__file__).parent / "golden" / "analysis_goldens.json").read_text())
ARMS = ("Xanomeline Low Dose", "Xanomeline High Dose")


@pytest.fixture(scope="module")
def pv(pharmaverse_dir):
    raw = tomllib.loads((ROOT / "examples" / "pharmaverse.toml").read_text(encoding="utf-8"))
    raw["study"]["data"] = str(pharmaverse_dir)
    return analyze_study(parse_study_spec(raw, ROOT / "examples"))


def test_pharmaverse_1_cohorts_and_flow(pv):
    r = pv.results
    assert r["study"]["cohorts"] == ["Placebo", *ARMS]        # no screen-failure cohort, no All
    fl = r["flow"]["All"]
    assert (fl["registered"], fl["sets"]["enrolled"]["n"]) == (306, 254)
    assert fl["sets"]["enrolled"]["excluded"] == {"screen failure": 52}
    assert {c: r["flow"][c]["sets"]["fas"]["n"] for c in r["study"]["cohorts"]} == {
        "Placebo": 86, ARMS[0]: 84, ARMS[1]: 84}
    pp = fl["sets"]["per_protocol"]
    assert pp["n"] + sum(pp["excluded"].values()) == fl["sets"]["fas"]["n"]


def test_pharmaverse_2_comparisons_equal_r(pv):
    pairs = {p["arm"]: p for p in pv.results["comparisons"]["pairs"]}
    for arm in ARMS:
        g, p = GOLDEN["pharmaverse"][arm], pairs[arm]
        for ep in ("OS", "PFS"):
            assert p[ep]["logrank"]["chisq"] == pytest.approx(g[ep]["chisq"], rel=1e-9)
            assert p[ep]["logrank"]["p"] == pytest.approx(g[ep]["p"], rel=1e-9)
            assert p[ep]["logrank"]["stratified"]
        assert p["PFS"]["hr"] == pytest.approx(g["PFS"]["hr"], rel=1e-6)
        assert p["PFS"]["ci"] == pytest.approx([g["PFS"]["lower"], g["PFS"]["upper"]], rel=1e-6)
        o = p["ORR"]
        assert (o["x"], o["n"]) == (g["ORR"]["x"], g["ORR"]["n"])
        assert o["ci"] == pytest.approx(g["ORR"]["ci"], abs=1e-12)
        assert o["test"]["p"] == pytest.approx(g["ORR"]["cmh_p"], rel=1e-9)
    # the infinite HR of an arm without deaths is shown as not estimable
    assert pairs[ARMS[1]]["OS"]["ci"][1] is None and pairs[ARMS[1]]["OS"]["warnings"]


def test_pharmaverse_3_layout_safety_by_actual_arm_and_grade_from_severity(pv):
    t = build_tables(pv.results)
    assert ("Xanomeline High Dose vs Placebo", "ORR") in t["comparisons"].index
    # 0 deaths vs 2: the diverging Cox HR is printed as not estimable, not "0.00 (0.00 to NR)"
    os_high = t["comparisons"].loc[("Xanomeline High Dose vs Placebo", "OS")]
    assert os_high["Arm / reference"] == "0/84 vs 2/86 events"
    assert os_high["Effect (CI)"] == "HR not estimable (no events in the arm)"
    assert t["comparisons"].loc[("Xanomeline Low Dose vs Placebo", "OS"), "Effect (CI)"].startswith(
        "HR 0.62 (0.06 to 6.93)")
    ae = pv.results["safety"]["all"]
    # ICH E9: safety by treatment received -- 12 randomised to high dose received low dose
    assert ae["n_safety"] == {"Placebo": 86, ARMS[0]: 96, ARMS[1]: 72}
    assert "table3_adverse_events_related" in t and "table3_adverse_events_serious" in t
    txt = " ".join(methods_paragraphs(pv.results))
    assert "no CTCAE grade in the data; mapped from severity (AESEV)" in txt
    assert "stratified by sex" in txt and "Newcombe" in txt
