"""Tests for two-arm survival events and sample size (Schoenfeld 1981; Freedman 1982).

References: hand formulas, and R rpact 3.3.4 on 128 settings x 2 methods (issue 18)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from oncotrial import OncotrialValueError
from oncotrial.design import event_probability, two_arm_survival_design


def test_two_arm_1_classic_event_counts():
    # HR 0.7, two-sided 5%, 80%, 1:1: Schoenfeld 4 (1.96 + 0.8416)^2 / log(0.7)^2 = 246.9 -> 247
    d = two_arm_survival_design(0.7, median0=12, accrual=24, followup=12)
    z2 = (1.959963984540054 + 0.8416212335729143) ** 2
    assert d.events["schoenfeld"] == math.ceil(4 * z2 / math.log(0.7) ** 2) == 247
    assert d.events["freedman"] == math.ceil(z2 * 1.7**2 / 0.3**2) == 253


def test_two_arm_2_sample_size_from_event_probability():
    d = two_arm_survival_design(0.7, median0=12, accrual=24, followup=12, dropout=0.05)
    lam = math.log(2) / 12
    p_c = 1 - (math.exp(-lam * 12) - math.exp(-lam * 36)) / (lam * 24)
    assert p_c == pytest.approx(1 - 0.375 / (24 * lam))
    assert event_probability(lam, 24, 12) == pytest.approx(p_c)
    pe = 0.5 * p_c + 0.5 * event_probability(0.7 * lam, 24, 12)
    assert d.n["schoenfeld"] == math.ceil(math.ceil(247 / pe) / 0.95)


def test_two_arm_3_unequal_allocation():
    d = two_arm_survival_design(0.75, median0=10, accrual=20, followup=10, ratio=2)
    z2 = (1.959963984540054 + 0.8416212335729143) ** 2
    assert d.events["schoenfeld"] == math.ceil(z2 / ((2 / 3) * (1 / 3) * math.log(0.75) ** 2))
    assert d.events["freedman"] == math.ceil(z2 * (1 + 2 * 0.75) ** 2 / (2 * 0.25**2))


def test_two_arm_4_errors():
    with pytest.raises(OncotrialValueError, match="`hr` of `two_arm_survival_design` must be different from 1"):
        two_arm_survival_design(1.0, median0=12, accrual=12, followup=12)
    with pytest.raises(OncotrialValueError, match="`sides`"):
        two_arm_survival_design(0.7, median0=12, accrual=12, followup=12, sides=3)


# --- R rpact goldens (tools/golden_design.R -> tests/design/golden/two_arm.json): rpact 3.3.4
# getSampleSizeSurvival(alpha, sided, beta, hazardRatio, median2, accrualTime = c(0, a),
# followUpTime, allocationRatioPlanned, typeOfComputation = "Schoenfeld" / "Freedman")

RPACT = json.loads((Path(__file__).parent / "golden" / "two_arm.json").read_text())["designs"]


@pytest.mark.parametrize("g", RPACT, ids=[f"{g['method']}-hr{g['hr']}-m{g['median0']}-a{g['accrual']}-f{g['followup']}"
                                          f"-s{g['sides']}-pw{g['power']}-k{g['ratio']}" for g in RPACT])
def test_two_arm_5_matches_rpact(g):
    kw = dict(median0=g["median0"], accrual=g["accrual"], followup=g["followup"], alpha=g["alpha"],
              power=g["power"], sides=g["sides"], ratio=g["ratio"])
    d = two_arm_survival_design(g["hr"], **kw)
    m = g["method"]
    assert d.events_exact[m] == pytest.approx(g["events"], rel=1e-10)
    assert d.n_exact[m] == pytest.approx(g["n"], rel=1e-10)
    # rpact's per-arm numbers are n pi and n (1 - pi) of its unrounded total
    pi = g["ratio"] / (1 + g["ratio"])
    assert d.n_exact[m] * pi == pytest.approx(g["n_experimental"], rel=1e-10)
    assert d.n_exact[m] * (1 - pi) == pytest.approx(g["n_control"], rel=1e-10)
    # the two rounding conventions
    rp = two_arm_survival_design(g["hr"], rounding="rpact", **kw)
    assert rp.n[m] == math.ceil(g["n"] - 1e-9)
    assert d.events[m] == math.ceil(g["events"] - 1e-9)
    assert d.n[m] == math.ceil(math.ceil(g["events"] - 1e-9) * g["n"] / g["events"] - 1e-9)
    assert rp.n[m] <= d.n[m]
    for res in (d, rp):
        c, e = res.n_arms[m]
        assert c + e == res.n[m] and e == round(res.n[m] * pi)


def test_two_arm_6_issue_example_both_roundings():
    # issue 18: HR 0.75, median 24, accrual 12, follow-up 6, one-sided 0.025, 90 %, 2:1
    kw = dict(median0=24, accrual=12, followup=6, alpha=0.025, power=0.9, sides=1, ratio=2)
    ev = two_arm_survival_design(0.75, **kw)
    rp = two_arm_survival_design(0.75, rounding="rpact", **kw)
    assert (ev.events["schoenfeld"], ev.n["schoenfeld"], rp.n["schoenfeld"]) == (572, 2311, 2308)
    assert rp.n_arms["schoenfeld"] == (769, 1539)
    with pytest.raises(OncotrialValueError, match=r"`rounding` of `two_arm_survival_design` must be one of"):
        two_arm_survival_design(0.75, rounding="arm", **kw)
