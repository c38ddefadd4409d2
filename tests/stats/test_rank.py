"""Tests for wilcoxon_rank_sum. Reference: R 4.2.2 ``wilcox.test(x, y, alternative)``, exact
and normal paths, with and without ties (tests/stats/golden/tests.json)."""

from __future__ import annotations

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.stats import wilcoxon_rank_sum

CASES = load("tests.json")["wilcoxon"]


@pytest.mark.parametrize("c", CASES, ids=[f"{i}-{c['alternative']}" for i, c in enumerate(CASES)])
def test_wilcoxon_rank_sum_1_matches_r(c):
    r = wilcoxon_rank_sum(arr(c["x"]), arr(c["y"]), alternative=c["alternative"])
    assert r.statistic == c["statistic"]
    assert_r_equal(r.pvalue, c["pvalue"], what=c["method"])
    assert r.method == ("exact" if "exact" in c["method"] else "normal")


def test_wilcoxon_rank_sum_2_hand():
    # x all below y (3 vs 4): W = 0, exact P(W <= 0) = 1 / C(7, 3) = 1/35
    r = wilcoxon_rank_sum([1, 2, 3], [4, 5, 6, 7], alternative="less")
    assert r.statistic == 0.0 and r.pvalue == pytest.approx(1 / 35, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.integers(0, 20), min_size=1, max_size=15),
       y=st.lists(st.integers(0, 20), min_size=1, max_size=15))
def test_wilcoxon_rank_sum_3_symmetry(x, y):
    a = wilcoxon_rank_sum(x, y)
    b = wilcoxon_rank_sum(y, x)
    assert a.statistic + b.statistic == len(x) * len(y)
    assert a.pvalue == pytest.approx(b.pvalue, rel=1e-9)
    assert 0.0 <= a.pvalue <= 1.0
    g = wilcoxon_rank_sum(x, y, alternative="greater").pvalue
    assert np.isfinite(g)


def test_wilcoxon_rank_sum_4_bad_input():
    with pytest.raises(ValueError, match=r"`y` of `wilcoxon_rank_sum` must be finite; got nan"):
        wilcoxon_rank_sum([1, 2], [1, np.nan])
    with pytest.raises(ValueError, match=r"`x` of `wilcoxon_rank_sum` must not be empty"):
        wilcoxon_rank_sum([], [1])
