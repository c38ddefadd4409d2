"""Tests for logrank_test. Reference: R 4.2.2, survival 3.5-3 ``survdiff`` (rho = 0) on 17
datasets incl. aml, lung and stratified random sets (tests/stats/golden/logrank.json)."""

from __future__ import annotations

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.stats import logrank_test

DATASETS = load("logrank.json")["datasets"]


@pytest.mark.parametrize("ds", DATASETS, ids=[d["name"] for d in DATASETS])
def test_logrank_test_1_matches_r(ds):
    r = logrank_test(arr(ds["time"]), arr(ds["event"]), ds["group"], ds.get("strata"))
    assert r.groups == ds["levels"]
    assert r.df == ds["df"]
    assert_r_equal(r.observed, ds["observed"], what="observed")
    assert_r_equal(r.expected, ds["expected"], what="expected")
    # R stores var column-major; off-diagonals are sums of products (atol for exact zeros)
    np.testing.assert_allclose(r.var.ravel(order="F"), arr(ds["var"]), rtol=1e-10, atol=1e-12)
    assert_r_equal(r.chisq, ds["chisq"], what="chisq")
    assert_r_equal(r.pvalue, ds["pvalue"], rtol=1e-9, what="pvalue")
    assert r.stratified == (ds.get("strata") is not None)


def test_logrank_test_2_hand_two_groups():
    # group A: events at 1, 2; group B: events at 3, 4 (no censoring).
    # t=1: n=4, nA=2 -> E_A=1/2, V=1*3/(16*3)*2*2=1/4; t=2: n=3, nA=1 -> 1/3, V=2/9;
    # t=3, 4: nA=0 -> E_A=0, V=0.  O_A=2, E_A=5/6, V=17/36 -> chisq=(7/6)^2/(17/36)=49/17
    r = logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    assert r.expected[0] == pytest.approx(5 / 6, rel=1e-14)
    assert r.var[0, 0] == pytest.approx(17 / 36, rel=1e-14)
    assert r.chisq == pytest.approx(49 / 17, rel=1e-14)
    assert r.df == 1


def test_logrank_test_3_no_events_gives_zero():
    r = logrank_test([1, 2, 3], [0, 0, 0], ["a", "b", "a"])
    assert r.chisq == 0.0 and r.df == -1 and r.pvalue == 1.0


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(4, 40))
def test_logrank_test_4_invariances(data, n):
    t = np.array(data.draw(st.lists(st.integers(1, 15), min_size=n, max_size=n)), float)
    e = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    g = np.array(data.draw(st.lists(st.sampled_from("xy"), min_size=n, max_size=n)))
    if len(set(g)) < 2:
        return
    r = logrank_test(t, e, g)
    perm = data.draw(st.permutations(range(n)))
    r2 = logrank_test(t[perm], e[perm], g[perm])
    assert r.chisq == pytest.approx(r2.chisq, rel=1e-12, abs=1e-12)
    swapped = logrank_test(t, e, np.where(g == "x", "y", "x"))
    assert r.chisq == pytest.approx(swapped.chisq, rel=1e-10, abs=1e-12)
    assert r.observed.sum() == pytest.approx(r.expected.sum(), rel=1e-12)
    assert r.chisq >= -1e-12 and 0.0 <= r.pvalue <= 1.0


def test_logrank_test_5_bad_input():
    with pytest.raises(ValueError, match=r"`group` of `logrank_test` must have at least 2"):
        logrank_test([1, 2], [1, 1], ["a", "a"])
    with pytest.raises(ValueError, match=r"`event` of `logrank_test` must be 0/1 .* index 0"):
        logrank_test([1, 2], [3, 1], ["a", "b"])
    with pytest.raises(ValueError, match=r"same length; `time` has 2, .* `group` has 3"):
        logrank_test([1, 2], [1, 1], ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"`strata` of `logrank_test` must not be missing"):
        logrank_test([1, 2], [1, 1], ["a", "b"], strata=["s", None])
