"""Tests for the Bayesian designs: predictive probability (Lee & Liu 2008), posterior
monitoring (Thall & Simon 1994) and BOP2 (Zhou, Lee & Yuan 2017)."""

from __future__ import annotations

from math import comb, exp, lgamma

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta as beta_dist

from oncotrial import OncotrialValueError
from oncotrial.design import (
    bop2_design,
    posterior_monitoring,
    predictive_design,
    predictive_probability,
)


def _oc_by_patient(looks, fut, eff, p):
    """Independent exact OC: walk patient by patient, stopping at the looks."""
    looks = list(looks)
    dist = {0: 1.0}
    reject = en = 0.0
    for n in range(1, looks[-1] + 1):
        new: dict[int, float] = {}
        for x, pr in dist.items():
            new[x + 1] = new.get(x + 1, 0.0) + pr * p
            new[x] = new.get(x, 0.0) + pr * (1 - p)
        dist = new
        if n in looks:
            k = looks.index(n)
            last = n == looks[-1]
            for x in list(dist):
                if x >= eff[k]:
                    reject += dist[x]
                    en += n * dist.pop(x)
                elif x <= fut[k] and not last:
                    en += n * dist.pop(x)
    en += looks[-1] * sum(dist.values())
    return reject, en


def _lbeta(a, b):
    return lgamma(a) + lgamma(b) - lgamma(a + b)


def test_predictive_1_lee_liu_worked_example():
    # Lee & Liu (2008) Section 2: x = 16 of n = 23, Nmax = 40, p0 = 0.6, Beta(0.6, 0.4),
    # theta_T = 0.9 -> PP = 0.5656.
    assert predictive_probability(16, 23, 40, 0.6, 0.9, a=0.6, b=0.4) == pytest.approx(0.5656, abs=5e-5)


def test_predictive_2_pp_by_explicit_sum():
    x, n, nmax, p0, tt, a, b = 16, 23, 40, 0.6, 0.9, 0.6, 0.4
    m = nmax - n
    pp = 0.0
    for y in range(m + 1):
        py = comb(m, y) * exp(_lbeta(a + x + y, b + n - x + m - y) - _lbeta(a + x, b + n - x))
        if beta_dist.sf(p0, a + x + y, b + nmax - x - y) > tt:
            pp += py
    assert predictive_probability(x, n, nmax, p0, tt, a=a, b=b) == pytest.approx(pp, abs=1e-12)


def test_predictive_3_design_oc_recomputed():
    d = predictive_design(0.2, 0.4, 0.1, 0.9, nmin=20, nmax=50)
    looks, fut, eff = d._bounds()
    a0, en0 = _oc_by_patient(looks, fut[0], eff[0], 0.2)
    a1, _ = _oc_by_patient(looks, fut[0], eff[0], 0.4)
    assert d.alpha == pytest.approx(a0, abs=1e-12) and d.power == pytest.approx(a1, abs=1e-12)
    assert d.en0 == pytest.approx(en0, abs=1e-10)
    assert d.alpha <= 0.1 and d.power >= 0.9
    # boundaries follow the definition PP < theta_L
    for n, f in d.boundary:
        if f >= 0:
            assert predictive_probability(f, n, d.n, 0.2, d.theta_t, a=d.a, b=d.b) < d.theta_l
        assert predictive_probability(f + 1, n, d.n, 0.2, d.theta_t, a=d.a, b=d.b) >= d.theta_l
    # no smaller Nmax works on the same grids
    with pytest.raises(OncotrialValueError, match="no Nmax"):
        predictive_design(0.2, 0.4, 0.1, 0.9, nmin=20, nmax=d.n - 1)


def test_posterior_1_boundaries_known_standard():
    m = posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40])
    a, b = 0.4, 1.6  # Beta(2 p0, 2 (1 - p0))
    for n, f, e in zip(m.looks, m.futility, m.efficacy, strict=True):
        assert beta_dist.sf(0.4, a + f, b + n - f) < 0.05 <= beta_dist.sf(0.4, a + f + 1, b + n - f - 1)
        if n < 40:
            assert beta_dist.sf(0.2, a + e, b + n - e) > 0.95 >= beta_dist.sf(0.2, a + e - 1, b + n - e + 1)
    r0, en0 = _oc_by_patient(m.looks, m.futility, m.efficacy, 0.2)
    assert m.alpha == pytest.approx(r0, abs=1e-12) and m.en0 == pytest.approx(en0, abs=1e-10)


def test_posterior_2_uncertain_standard_prior_is_more_cautious():
    known = posterior_monitoring(0.2, 0.4, nmax=40)
    vague = posterior_monitoring(0.2, 0.4, nmax=40, prior_s=(20, 80))
    # uncertainty about theta_S makes the efficacy boundary no lower anywhere
    assert all(v >= k for v, k in zip(vague.efficacy, known.efficacy, strict=True))
    assert vague.alpha <= known.alpha


def test_bop2_1_boundaries_and_oc():
    d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    a, b = 0.2, 0.8
    for n, f in d.boundary:
        thr = d.lam * (n / 40) ** d.gamma
        assert beta_dist.sf(0.2, a + f, b + n - f) < thr <= beta_dist.sf(0.2, a + f + 1, b + n - f - 1)
    assert beta_dist.sf(0.2, a + d.r_final, b + 40 - d.r_final) >= d.lam
    assert beta_dist.sf(0.2, a + d.r_final - 1, b + 41 - d.r_final) < d.lam
    looks = [10, 20, 30, 40]
    fut = [f for _, f in d.boundary] + [-1]
    eff = [11, 21, 31, d.r_final]
    a0, en0 = _oc_by_patient(looks, fut, eff, 0.2)
    a1, _ = _oc_by_patient(looks, fut, eff, 0.4)
    assert d.alpha == pytest.approx(a0, abs=1e-12) and d.power == pytest.approx(a1, abs=1e-12)
    assert d.en0 == pytest.approx(en0, abs=1e-10)


@settings(max_examples=6, deadline=None)
@given(p0=st.floats(0.1, 0.5), gap=st.floats(0.15, 0.3), alpha=st.sampled_from([0.05, 0.1]))
def test_bop2_2_property_best_on_grid(p0, gap, alpha):
    p1 = p0 + gap
    lam = np.round(np.arange(0.6, 0.99, 0.02), 2)
    gam = np.array([0.5, 1.0, 2.0])
    try:
        d = bop2_design(p0, p1, alpha, nmax=30, looks=[10, 20], lam_grid=lam, gamma_grid=gam)
    except OncotrialValueError:
        return
    assert d.alpha <= alpha
    for lv in lam:
        for gv in gam:
            other = bop2_design(p0, p1, 0.999, nmax=30, looks=[10, 20], lam_grid=[lv], gamma_grid=[gv])
            if other.alpha <= alpha:
                assert other.power <= d.power + 1e-12


def test_bayes_errors():
    with pytest.raises(OncotrialValueError, match="`looks` of `bop2_design`"):
        bop2_design(0.2, 0.4, looks=[20, 10])
    with pytest.raises(OncotrialValueError, match="`p1` of `posterior_monitoring` must be greater"):
        posterior_monitoring(0.4, 0.2)
