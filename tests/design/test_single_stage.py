"""Tests for the exact single-stage design (A'Hern 2001)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from oncotrial import OncotrialValueError
from oncotrial.design import single_stage_design


def _brute(p0, p1, alpha, power, nmax=400):
    """Independent enumeration: first n with any cutoff meeting both constraints."""
    for n in range(1, nmax + 1):
        for r in range(0, n + 1):
            a = binom.sf(r - 1, n, p0)
            if a <= alpha:
                if binom.sf(r - 1, n, p1) >= power:
                    return n, r
                break  # larger r only lowers power
    return None


def test_single_stage_1_talent_seed_004():
    # TALENT (seed 004): p0 10%, p1 25%, alpha 5%, power 90% -> 55 per cohort; A'Hern r = 10.
    d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    assert (d.n, d.r) == (55, 10)
    assert d.alpha == pytest.approx(binom.sf(9, 55, 0.10), abs=1e-15)
    assert d.power == pytest.approx(binom.sf(9, 55, 0.25), abs=1e-15)
    assert d.alpha == pytest.approx(0.04441671, abs=1e-8)
    assert d.power == pytest.approx(0.91118737, abs=1e-8)


def test_single_stage_2_hand_computable():
    # p0 0.5, p1 0.9, alpha 0.2, power 0.7: n=1 fails (P(X>=1|.5)=.5); n=2, r=2: alpha .25;
    # n=3, r=3: alpha .125, power .729 -> (3, 3) by hand.
    d = single_stage_design(0.5, 0.9, 0.2, 0.7)
    assert (d.n, d.r) == (3, 3)
    assert d.alpha == 0.125
    assert d.power == pytest.approx(0.729, abs=1e-12)


def test_single_stage_3_non_monotone_feasibility():
    # Feasibility is not monotone in n: 55 works but n_all_feasible is larger.
    d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    assert d.n_all_feasible is not None and d.n_all_feasible > d.n
    n = d.n_all_feasible - 1  # the last infeasible size
    ok = [binom.sf(r - 1, n, 0.25) >= 0.9 for r in range(n + 2) if binom.sf(r - 1, n, 0.1) <= 0.05]
    assert not any(ok)


def test_single_stage_4_approximations():
    d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    za, zb = 1.6448536269514722, 1.2815515655446004
    n_norm = (za * math.sqrt(0.09) + zb * math.sqrt(0.1875)) ** 2 / 0.15**2
    n_arc = (za + zb) ** 2 / (4 * (math.asin(math.sqrt(0.25)) - math.asin(math.sqrt(0.1))) ** 2)
    assert d.n_normal == math.ceil(n_norm) == 49
    assert d.n_arcsine == math.ceil(n_arc) == 53
    s = d.summary()
    assert list(s["n"]) == [55, 49, 53]


def test_single_stage_5_errors_say_what_is_feasible():
    with pytest.raises(OncotrialValueError, match=r"`p1` of `single_stage_design` must be greater"):
        single_stage_design(0.3, 0.2)
    with pytest.raises(OncotrialValueError, match=r"`p0` .* must be in \(0, 1\)"):
        single_stage_design(0.0, 0.2)
    with pytest.raises(OncotrialValueError, match=r"no feasible design.*Increase nmax"):
        single_stage_design(0.1, 0.25, 0.05, 0.9, nmax=50)


def test_single_stage_6_to_dict_keys():
    d = single_stage_design(0.10, 0.25, 0.05, 0.90).to_dict()
    for key in ("n", "r", "alpha", "power", "en0", "pet0"):
        assert key in d
    assert d["en0"] == 55.0 and d["pet0"] == 0.0


@settings(max_examples=25, deadline=None)
@given(p0=st.floats(0.05, 0.6), gap=st.floats(0.1, 0.3), alpha=st.sampled_from([0.05, 0.1]),
       power=st.sampled_from([0.8, 0.9]))
def test_single_stage_7_property_matches_brute_force(p0, gap, alpha, power):
    p1 = min(p0 + gap, 0.95)
    d = single_stage_design(p0, p1, alpha, power)
    assert (d.n, d.r) == _brute(p0, p1, alpha, power)
    assert d.alpha == pytest.approx(binom.sf(d.r - 1, d.n, p0), rel=1e-12, abs=1e-15)
    assert d.alpha <= alpha and d.power >= power
