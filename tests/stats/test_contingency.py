"""Tests for fisher_exact and chi_square. Reference: R 4.2.2 ``fisher.test`` and
``chisq.test`` on 14 tables, 2 x 2 to 4 x 3 (tests/stats/golden/tests.json), and R
``fisher.test`` on 45 r x c tables (tools/golden_design.R -> tests/stats/golden/fisher_rxc.json:
the issue-18 tables 3 x 4 N = 71, 5 x 5 N = 28, 2 x 8 N = 119 and 38 random ones)."""

from __future__ import annotations

import itertools
from math import comb, factorial, prod

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial.stats import chi_square, fisher_exact

TABLES = load("tests.json")["tables"]
RXC = load("fisher_rxc.json")["tables"]


@pytest.mark.parametrize("t", TABLES, ids=[str(t["table"]) for t in TABLES])
def test_fisher_exact_1_matches_r(t):
    m = np.array(t["table"])
    r = fisher_exact(m)
    assert_r_equal(r.pvalue, t["fisher_p"], what="two-sided p")
    if m.shape == (2, 2):
        assert_r_equal(fisher_exact(m, "less").pvalue, t["fisher_p_less"])
        assert_r_equal(fisher_exact(m, "greater").pvalue, t["fisher_p_greater"])
        # R finds the conditional MLE and CI with uniroot (tol ~ 1e-4): agree to 1e-3
        assert_r_equal(r.odds_ratio, t["fisher_or"], rtol=1e-3)
        assert_r_equal([r.ci.low, r.ci.high], t["fisher_ci"], rtol=1e-2)
    else:
        assert r.n_nodes > 0 and r.odds_ratio is None and r.n_tables is None


@pytest.mark.parametrize("t", RXC, ids=[f"{len(t['table'])}x{len(t['table'][0])}-N{sum(map(sum, t['table']))}"
                                     for t in RXC])
def test_fisher_exact_4_network_matches_r_rxc(t):
    # issue 18: equal to R fisher.test (FEXACT) to 1e-10 on every golden r x c table
    r = fisher_exact(np.array(t["table"]))
    assert r.pvalue == pytest.approx(float(t["p"]), rel=1e-10, abs=0)


def _brute_force_p(m: np.ndarray) -> float:
    """Independent reference: enumerate every table with the margins (exact fractions)."""
    rows, cols = m.sum(axis=1), m.sum(axis=0)
    n = int(m.sum())
    const = prod(factorial(int(v)) for v in rows) * prod(factorial(int(v)) for v in cols)

    def tables(rem_rows, j):
        if j == len(cols) - 1:
            yield [list(rem_rows)]
            return
        for col in itertools.product(*(range(min(int(r), int(cols[j])) + 1) for r in rem_rows)):
            if sum(col) == cols[j]:
                for rest in tables([r - c for r, c in zip(rem_rows, col, strict=True)], j + 1):
                    yield [list(col), *rest]

    def prob(cs):
        return const / (factorial(n) * prod(factorial(v) for c in cs for v in c))

    p_obs = prob([list(m[:, j]) for j in range(m.shape[1])])
    return float(sum(p for p in map(prob, tables(list(rows), 0)) if p <= p_obs * (1 + 1e-7)))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 4), min_size=c, max_size=c), min_size=r, max_size=r))))
@example([[1, 2, 3], [2, 1, 4], [3, 0, 2]])
@example([[0, 0, 3], [2, 0, 0], [0, 4, 0]])
@example([[5, 0], [0, 5], [1, 1]])
def test_fisher_exact_5_network_equals_enumeration(tab):
    m = np.array(tab)
    m = m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]
    if m.shape[0] < 2 or m.shape[1] < 2 or m.shape == (2, 2):
        return
    assert fisher_exact(m).pvalue == pytest.approx(min(1.0, _brute_force_p(m)), rel=1e-11)
    # invariance: permuting rows/columns or transposing leaves the p-value unchanged
    assert fisher_exact(m[::-1, ::-1].T).pvalue == pytest.approx(fisher_exact(m).pvalue, rel=1e-12)


def test_fisher_exact_6_too_large_is_refused_cleanly(monkeypatch):
    import oncotrial.stats._fisher_network as fn

    monkeypatch.setattr(fn, "MAX_LIVE", 10)
    with pytest.raises(ValueError, match=r"`table` of `fisher_exact` needs more than 10 live paths.*chi_square"):
        fisher_exact([[8, 6, 4, 2], [5, 7, 6, 4], [3, 5, 9, 12]])


def test_fisher_exact_2_hand():
    # [[3, 1], [1, 3]]: P(a) = C(4,a) C(4,4-a) / C(8,4); two-sided sums a in {0,1,3,4}
    p = [comb(4, a) * comb(4, 4 - a) / comb(8, 4) for a in range(5)]
    assert fisher_exact([[3, 1], [1, 3]]).pvalue == pytest.approx(p[0] + p[1] + p[3] + p[4])
    # a 2 x 3 table gives the same p-value as its transpose
    m = np.array([[2, 4, 5], [3, 1, 2]])
    assert fisher_exact(m).pvalue == pytest.approx(fisher_exact(m.T).pvalue, rel=1e-12)


def test_fisher_exact_3_bad_input():
    with pytest.raises(ValueError, match=r"`table` of `fisher_exact` must hold non-negative .*"
                                         r"got -1.0 at flat index 2 \(row 1, column 0\)"):
        fisher_exact([[1, 2], [-1, 3]])
    with pytest.raises(ValueError, match=r"`alternative` of `fisher_exact` must be 'two-sided'"):
        fisher_exact([[1, 2, 3], [3, 2, 1]], alternative="less")
    with pytest.raises(ValueError, match=r"at least 2 rows and 2 columns"):
        fisher_exact([1, 2, 3])


@pytest.mark.parametrize("t", TABLES, ids=[str(t["table"]) for t in TABLES])
def test_chi_square_1_matches_r(t):
    m = np.array(t["table"])
    r = chi_square(m)
    assert_r_equal(r.statistic, t["chisq"], what="X-squared")
    assert r.df == t["chisq_df"]
    assert_r_equal(r.pvalue, t["chisq_p"], what="p")
    assert_r_equal(r.expected, np.array([arr(row) for row in t["expected"]]))
    r0 = chi_square(m, correct=False)
    assert_r_equal(r0.statistic, t["chisq_nocorr"])
    assert_r_equal(r0.pvalue, t["chisq_nocorr_p"])


def test_chi_square_2_hand():
    # [[10, 20], [20, 10]]: E = 15 everywhere, |O - E| = 5; Yates: 4 * 4.5^2 / 15 = 5.4
    assert chi_square([[10, 20], [20, 10]]).statistic == pytest.approx(5.4, rel=1e-14)
    assert chi_square([[10, 20], [20, 10]], correct=False).statistic == pytest.approx(
        100 / 15, rel=1e-14)
    assert chi_square([[10, 20], [20, 10]]).low_expected is False


def test_chi_square_3_bad_input():
    with pytest.raises(ValueError, match=r"must not have an all-zero column; column 1 sums to 0"):
        chi_square([[1, 0], [2, 0]])
