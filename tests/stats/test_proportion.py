"""Tests for proportion_ci and binomial_test.

Reference values: R 4.2.2 ``binom.test`` / ``prop.test`` via ``tools/golden_stats.R``
(tests/stats/golden/proportion.json); Newcombe (1998) Table I; TALENT Table 2 (seed 004).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.stats import binomial_test, proportion_ci
from oncotrial.stats._proportion import PROPORTION_METHODS

GOLD = load("proportion.json")


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_proportion_ci_1_matches_r(method):
    """Every method against R (binom.test, prop.test, qbeta, closed forms, uniroot mid-p)."""
    for row in GOLD["proportion"]:
        r = proportion_ci(int(row["x"]), int(row["n"]), method=method, level=row["level"])
        # mid-p: R uniroot(tol = 1e-15) vs scipy brentq agree to ~1e-14 as well
        assert_r_equal([r.low, r.high], row[method], rtol=1e-10,
                       what=f"{method} x={row['x']} n={row['n']} level={row['level']}")
        assert r.estimate == row["x"] / row["n"]
        assert r.ci.method == method and r.method == method


# Newcombe RG. Stat Med 1998;17:857-872, Table I (4 decimals as printed).
NEWCOMBE = {
    (81, 263): {"wald": (0.2522, 0.3638), "wilson": (0.2553, 0.3662),
                "wilson-cc": (0.2535, 0.3682), "clopper-pearson": (0.2527, 0.3676),
                "mid-p": (0.2544, 0.3658)},
    (15, 148): {"wald": (0.0527, 0.1500), "wilson": (0.0624, 0.1605),
                "wilson-cc": (0.0598, 0.1644), "clopper-pearson": (0.0578, 0.1617),
                "mid-p": (0.0601, 0.1581)},
    (0, 20): {"wilson": (0.0, 0.1611), "wilson-cc": (0.0, 0.2005),
              "clopper-pearson": (0.0, 0.1684), "mid-p": (0.0, 0.1391)},
    (1, 29): {"wilson": (0.0061, 0.1718), "wilson-cc": (0.0018, 0.1963),
              "clopper-pearson": (0.0009, 0.1776), "mid-p": (0.0017, 0.1585)},
}


@pytest.mark.parametrize(("xn", "method"), [(k, m) for k, v in NEWCOMBE.items() for m in v])
def test_proportion_ci_2_newcombe_table1(xn, method):
    r = proportion_ci(*xn, method=method)
    assert (round(r.low, 4), round(r.high, 4)) == NEWCOMBE[xn][method]


def test_proportion_ci_3_talent_table2(seeds_dir):
    """Seed 004 (TALENT, Table 2): R prop.test intervals, printed to one decimal."""
    text = next(seeds_dir.glob("004_*.txt")).read_text()
    orr = re.search(r"Overall response rate \(95% CI\)\t(.*)", text).group(1)
    dcr = re.search(r"Disease control rate\t(.*)", text).group(1)
    printed = re.findall(r"([\d.]+)% \(([\d.]+) to ([\d.]+)\)", orr + "\t" + dcr)
    counts = [(23, 52), (9, 55), (32, 107), (50, 52), (51, 55), (101, 107)]
    assert len(printed) == 6
    for (x, n), (est, lo, hi) in zip(counts, printed, strict=True):
        r = proportion_ci(x, n, method="wilson-cc")
        got = tuple(f"{100 * v:.1f}" for v in (r.estimate, r.low, r.high))
        assert got == (est, lo, hi), (x, n)


def test_proportion_ci_4_wilson_cc_quirk_half():
    """R uses min(0.5, |x - n/2|): at x = n/2 there is no correction at all."""
    a = proportion_ci(5, 10, method="wilson-cc")
    b = proportion_ci(5, 10, method="wilson")
    assert (a.low, a.high) == (b.low, b.high)
    # hand: z = 1.959964, score interval at 0.5 with n = 10
    assert round(a.low, 6) == 0.236593 and round(a.high, 6) == 0.763407


def test_proportion_ci_5_hand_cases():
    # Clopper-Pearson x = 0: upper = 1 - (alpha/2)^(1/n)
    r = proportion_ci(0, 10)
    assert r.low == 0.0 and r.high == pytest.approx(1 - 0.025 ** 0.1, rel=1e-12)
    r = proportion_ci(10, 10)
    assert r.high == 1.0 and r.low == pytest.approx(0.025 ** 0.1, rel=1e-12)
    # Wald clipping at the edges
    assert (proportion_ci(0, 10, "wald").low, proportion_ci(0, 10, "wald").high) == (0.0, 0.0)
    # mid-p at x = 0: upper solves (1-p)^n / 2 = alpha / 2
    assert proportion_ci(0, 20, "mid-p").high == pytest.approx(1 - 0.05 ** (1 / 20), rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 300), data=st.data(), method=st.sampled_from(PROPORTION_METHODS),
       level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_proportion_ci_6_properties(n, data, method, level):
    x = data.draw(st.integers(0, n))
    r = proportion_ci(x, n, method=method, level=level)
    assert 0.0 <= r.low <= r.high <= 1.0
    if method != "wald" or 0 < x < n:
        assert r.low <= r.estimate <= r.high
    # symmetry: interval for n - x is the mirror image
    m = proportion_ci(n - x, n, method=method, level=level)
    assert m.low == pytest.approx(1 - r.high, abs=1e-9)
    assert m.high == pytest.approx(1 - r.low, abs=1e-9)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"x": 11, "n": 10}, r"`x` of `proportion_ci` must be <= `n` \(10\); got 11"),
    ({"x": -1, "n": 10}, r"`x` of `proportion_ci` must be a non-negative integer"),
    ({"x": 1.5, "n": 10}, r"`x` of `proportion_ci` must be a non-negative integer"),
    ({"x": 0, "n": 0}, r"`n` of `proportion_ci` must be a positive integer"),
    ({"x": 1, "n": 10, "method": "exact"}, r"`method` of `proportion_ci` must be one of"),
    ({"x": 1, "n": 10, "level": 95}, r"`level` of `proportion_ci` must be in \(0, 1\)"),
])
def test_proportion_ci_7_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        proportion_ci(**kwargs)


def test_binomial_test_1_matches_r():
    for row in GOLD["binomial"]:
        r = binomial_test(int(row["x"]), int(row["n"]), row["p0"], row["alternative"])
        what = f"x={row['x']} n={row['n']} p0={row['p0']} {row['alternative']}"
        assert_r_equal(r.pvalue, row["pvalue"], rtol=1e-10, what=what)
        assert_r_equal([r.ci.low, r.ci.high], row["ci"], rtol=1e-10, what=what)


def test_binomial_test_2_hand():
    # P(X >= 3 | n = 3, p = 0.5) = 1/8; two-sided at x = n p is 1
    assert binomial_test(3, 3, 0.5).pvalue == pytest.approx(0.125, rel=1e-14)
    assert binomial_test(5, 10, 0.5, alternative="two-sided").pvalue == 1.0
    assert binomial_test(0, 4, 0.5, alternative="less").pvalue == pytest.approx(1 / 16)


def test_binomial_test_3_bad_input():
    with pytest.raises(ValueError, match=r"`p0` of `binomial_test` must be in \(0, 1\); got 1.2"):
        binomial_test(1, 10, 1.2)
    with pytest.raises(ValueError, match=r"`alternative` of `binomial_test` must be one of"):
        binomial_test(1, 10, 0.2, alternative="two.sided")
    with pytest.raises(ValueError, match=r"`x` of `binomial_test` must be <= `n`"):
        binomial_test(11, 10, 0.2)


def test_results_have_summary_and_repr():
    r = proportion_ci(3, 10)
    s = r.summary()
    assert list(s.columns) == ["x", "n", "estimate", "lower", "upper", "level", "method"]
    assert "ProportionResult" in repr(r)
    b = binomial_test(3, 10, 0.1)
    assert b.summary().loc[0, "pvalue"] == b.pvalue
    assert np.isfinite(arr(b.pvalue)).all()
