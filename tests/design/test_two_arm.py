"""Tests for two-arm survival events and sample size (Schoenfeld 1981; Freedman 1982)."""

from __future__ import annotations

import math

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
