"""Tests for the single-arm landmark survival design (Nagashima et al. 2021)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from oncotrial import OncotrialValueError
from oncotrial.design import TRANSFORMS, landmark_survival_design
from oncotrial.design._landmark import km_variance_integral

Z95, Z80, Z975 = 1.6448536269514722, 0.8416212335729143, 1.959963984540054


def test_landmark_1_samplesizesinglearmsurvival_example():
    # R SampleSizeSingleArmSurvival::calcSampleSizeArcsine(S0 = 0.90, S1 = 0.96) (defaults
    # alpha 0.05 one-sided, power 0.8, accrual 24, followup 24, timePoint 18) -> 107.
    d = landmark_survival_design(0.90, 0.96, 18, 24, 24, alpha=0.05, power=0.80)
    assert d.n["arcsine"] == 107
    # t <= f: binomial variance, closed form by hand
    n_hand = ((Z95 + Z80) / (2 * (math.asin(math.sqrt(0.96)) - math.asin(math.sqrt(0.9))))) ** 2
    assert d.n["arcsine"] == math.ceil(n_hand)
    assert set(d.n) == set(TRANSFORMS)


def test_landmark_2_identity_hand_computable():
    # identity, t <= f: n = (z_a sqrt(S0 Q0) + z_b sqrt(S1 Q1))^2 / (S1 - S0)^2
    d = landmark_survival_design(0.5, 0.72, 12, 18, 12, alpha=0.05, power=0.8, sides=2)
    n = (Z975 * math.sqrt(0.25) + Z80 * math.sqrt(0.72 * 0.28)) ** 2 / 0.22**2
    assert d.n["identity"] == math.ceil(n)
    # log-log: tau = sqrt((1-S)/S) / |log S|
    t0 = math.sqrt(0.5 / 0.5) / abs(math.log(0.5))
    t1 = math.sqrt(0.28 / 0.72) / abs(math.log(0.72))
    g = math.log(-math.log(0.72)) - math.log(-math.log(0.5))
    assert d.n["log-log"] == math.ceil(((Z975 * t0 + Z80 * t1) / g) ** 2)


def test_landmark_3_nice_nec_seed_002():
    # NICE-NEC (seed 002): 12-month OS H0 50%, H1 72%, two-sided alpha 5%, power 80%,
    # accrual 18, follow-up 12, 10% dropout -> the paper reports 38 patients.
    d = landmark_survival_design(0.5, 0.72, 12, 18, 12, alpha=0.05, power=0.8, sides=2,
                                 dropout=0.1, dropout_method="exponential")
    assert d.n["log-log"] == 38
    infl = landmark_survival_design(0.5, 0.72, 12, 18, 12, alpha=0.05, power=0.8, sides=2,
                                    dropout=0.1)
    assert infl.n_evaluable["log-log"] == 36 and infl.n["log-log"] == 40


def test_landmark_4_variance_integral_beyond_followup():
    lam, a, f, t = 0.05, 24.0, 6.0, 18.0
    direct = quad(lambda u: lam / (math.exp(-lam * u) * (1.0 if u <= f else (a + f - u) / a)),
                  0, t, points=[f], epsrel=1e-12)[0]
    assert km_variance_integral(lam, t, a, f) == pytest.approx(direct, rel=1e-9)
    # censoring only increases the variance
    assert km_variance_integral(lam, t, a, f) > math.expm1(lam * t)


def test_landmark_5_errors():
    with pytest.raises(OncotrialValueError, match="`s1` of `landmark_survival_design` must be greater"):
        landmark_survival_design(0.9, 0.8, 12, 12, 12)
    with pytest.raises(OncotrialValueError, match=r"`landmark` .* must be < accrual \+ followup"):
        landmark_survival_design(0.5, 0.7, 40, 12, 12)
    with pytest.raises(OncotrialValueError, match="`dropout_method`"):
        landmark_survival_design(0.5, 0.7, 12, 12, 12, dropout_method="hazard")


@settings(max_examples=20, deadline=None)
@given(s0=st.floats(0.2, 0.8), gap=st.floats(0.05, 0.15), f=st.floats(1, 30))
def test_landmark_6_property_more_censoring_more_patients(s0, gap, f):
    s1 = min(s0 + gap, 0.97)
    short = landmark_survival_design(s0, s1, 12, 12, f)
    long_ = landmark_survival_design(s0, s1, 12, 12, f + 12)
    for tr in TRANSFORMS:
        assert short.n[tr] >= long_.n[tr]
