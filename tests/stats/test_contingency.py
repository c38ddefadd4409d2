"""Tests for fisher_exact and chi_square. Reference: R 4.2.2 ``fisher.test`` and
``chisq.test`` on 14 tables, 2 x 2 to 4 x 3 (tests/stats/golden/tests.json)."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load

from oncotrial.stats import chi_square, fisher_exact

TABLES = load("tests.json")["tables"]


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
        assert r.n_tables > 0 and r.odds_ratio is None


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
