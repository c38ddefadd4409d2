"""Tests for beta_posterior. Reference: R 4.2.2 qbeta/pbeta, HPD by uniroot on f(L) = f(U)
(tools/golden_stats.R -> tests/stats/golden/proportion.json, key "beta")."""

from __future__ import annotations

import pytest
from _golden_io import assert_r_equal, load
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from oncotrial.stats import beta_posterior


def test_beta_posterior_1_matches_r():
    for row in load("proportion.json")["beta"]:
        r = beta_posterior(int(row["x"]), int(row["n"]), a=row["a"], b=row["b"], p0=row["p0"])
        what = f"x={row['x']} n={row['n']} a={row['a']} b={row['b']}"
        assert_r_equal(r.mean, row["mean"], what=what)
        assert_r_equal(r.median, row["median"], what=what)
        assert_r_equal([r.equal_tailed.low, r.equal_tailed.high], row["et"], what=what)
        assert_r_equal(r.prob_above_p0, row["prob_above"], what=what)
        # HPD: two independent root finders (R uniroot, scipy brentq) -> 1e-8
        assert_r_equal([r.hpd.low, r.hpd.high], row["hpd"], rtol=1e-8, what=what)


def test_beta_posterior_2_hand():
    # uniform prior, 0/0: the prior itself; mean 1/2, central 95% interval
    r = beta_posterior(0, 0)
    assert r.mean == 0.5 and (r.hpd.low, r.hpd.high) == pytest.approx((0.025, 0.975))
    # Beta(1, 11) (x = 0 of 10): decreasing density, HPD = [0, 1 - 0.05^(1/11)]
    r = beta_posterior(0, 10)
    assert r.hpd.low == 0.0 and r.hpd.high == pytest.approx(1 - 0.05 ** (1 / 11), rel=1e-12)
    assert r.prob_above_p0 is None


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), a=st.sampled_from([0.5, 1.0, 2.0]),
       b=st.sampled_from([0.5, 1.0, 3.0]))
def test_beta_posterior_3_hpd_properties(n, data, a, b):
    x = data.draw(st.integers(0, n))
    r = beta_posterior(x, n, a=a, b=b)
    d = sps.beta(r.shape1, r.shape2)
    assert d.cdf(r.hpd.high) - d.cdf(r.hpd.low) == pytest.approx(0.95, abs=1e-9)
    assert r.hpd.high - r.hpd.low <= r.equal_tailed.high - r.equal_tailed.low + 1e-12
    assert r.equal_tailed.low <= r.median <= r.equal_tailed.high


def test_beta_posterior_4_bad_input():
    with pytest.raises(ValueError, match=r"`x` of `beta_posterior` must be <= `n` \(5\); got 6"):
        beta_posterior(6, 5)
    with pytest.raises(ValueError, match=r"`a` of `beta_posterior` must be a positive finite"):
        beta_posterior(1, 5, a=0)
    with pytest.raises(ValueError, match=r"`p0` of `beta_posterior` must be in \(0, 1\)"):
        beta_posterior(1, 5, p0=1.0)
    with pytest.raises(ValueError, match="U-shaped"):
        beta_posterior(0, 0, a=0.5, b=0.5)
