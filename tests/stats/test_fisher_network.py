"""Property tests of the r x c Fisher network algorithm (oncotrial.stats._fisher_network).

References, independent of the network: ``scipy.stats.fisher_exact`` on 2 x 2 tables, and a
plain enumeration of every table with the observed margins in exact rational arithmetic.
The R goldens (45 tables, to 1e-10) are in test_contingency.py.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import factorial, prod

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

import oncotrial.stats._fisher_network as fn
from oncotrial.stats._fisher_network import (
    SORTING_NETWORKS,
    argsort_keys,
    fisher_rxc_network,
    sort_coordinates,
)


def _tables(rows: list[int], cols: list[int]):
    """Every table (list of columns) with row totals ``rows`` and column totals ``cols``."""
    if len(cols) == 1:
        yield [tuple(rows)]
        return
    ranges = [range(min(r, cols[0]) + 1) for r in rows]
    for col in itertools.product(*ranges):
        if sum(col) == cols[0]:
            rest_rows = [r - c for r, c in zip(rows, col, strict=True)]
            for rest in _tables(rest_rows, cols[1:]):
                yield [col, *rest]


def enumerated_p(m: np.ndarray) -> float:
    """Two-sided p by enumeration, exact fractions: sum of P(T) <= P_obs (ties included)."""
    rows, cols = [int(v) for v in m.sum(axis=1)], [int(v) for v in m.sum(axis=0)]
    const = Fraction(prod(map(factorial, rows)) * prod(map(factorial, cols)), factorial(sum(rows)))

    def prob(columns) -> Fraction:
        return const / prod(factorial(v) for c in columns for v in c)

    p_obs = prob([tuple(int(v) for v in m[:, j]) for j in range(m.shape[1])])
    return float(sum(p for p in map(prob, _tables(rows, cols)) if p <= p_obs))


def _table(max_r: int, max_c: int, max_cell: int):
    return st.integers(2, max_r).flatmap(lambda r: st.integers(2, max_c).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, max_cell), min_size=c, max_size=c),
                           min_size=r, max_size=r))).map(np.array)


def _nonempty(m: np.ndarray) -> np.ndarray:
    return m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4))
@example([0, 0, 0, 5])
@example([7, 0, 0, 9])
@example([30, 30, 30, 30])
def test_fisher_network_1_equals_scipy_2x2(cells):
    # the network on a 2 x 2 table (fisher_exact itself routes 2 x 2 to scipy)
    m = np.array(cells).reshape(2, 2)
    p, _ = fisher_rxc_network(m)
    assert p == pytest.approx(float(sps.fisher_exact(m).pvalue), rel=1e-10, abs=1e-300)


@settings(max_examples=80, deadline=None)
@given(_table(4, 5, 3).filter(lambda m: m.sum() <= 16))
@example(np.array([[1, 2, 3], [2, 1, 4], [3, 0, 2]]))
@example(np.array([[0, 0, 3], [2, 0, 0], [0, 4, 0]]))
@example(np.array([[3, 0, 0, 0, 0], [0, 3, 0, 0, 0], [0, 0, 3, 0, 0], [0, 0, 0, 3, 3]]))
@example(np.array([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]))
@example(np.array([[2, 0, 1, 0, 1], [0, 2, 0, 1, 0]]))
def test_fisher_network_2_equals_enumeration(m):
    m2 = _nonempty(m)
    if min(m2.shape) < 2:
        assert fisher_rxc_network(m)[0] == 1.0
        return
    assert fisher_rxc_network(m)[0] == pytest.approx(min(1.0, enumerated_p(m2)), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(_table(5, 6, 4).filter(lambda m: m.sum() <= 24), st.randoms(use_true_random=False))
def test_fisher_network_3_invariant_to_permutation_and_transpose(m, rnd):
    rp = list(range(m.shape[0]))
    cp = list(range(m.shape[1]))
    rnd.shuffle(rp)
    rnd.shuffle(cp)
    p = fisher_rxc_network(m)[0]
    assert fisher_rxc_network(m[rp][:, cp])[0] == pytest.approx(p, rel=1e-11)
    assert fisher_rxc_network(m.T)[0] == pytest.approx(p, rel=1e-11)
    assert 0.0 < p <= 1.0


@settings(max_examples=30, deadline=None)
@given(_table(4, 6, 5).filter(lambda m: m.sum() <= 30))
def test_fisher_network_4_bounds_and_merging_only_save_work(m):
    # the shortest/longest-path bounds and the merging of equal past paths change the work,
    # never the sum: always on (_SMALL = 0), never on (huge) and the default agree
    default = fisher_rxc_network(m)[0]
    old = fn._SMALL
    try:
        for small in (0, 10**9):
            fn._SMALL = small
            assert fisher_rxc_network(m)[0] == pytest.approx(default, rel=1e-11)
    finally:
        fn._SMALL = old


def test_fisher_network_5_more_rows_than_sorting_networks():
    # 7 x 7: np.sort fallback for the node coordinates; checked against enumeration
    m = np.eye(7, dtype=np.int64)
    m[0, 1] = m[3, 5] = 1
    assert max(SORTING_NETWORKS) < 7
    assert fisher_rxc_network(m)[0] == pytest.approx(enumerated_p(m), rel=1e-10)


@pytest.mark.parametrize("r", sorted(SORTING_NETWORKS))
def test_fisher_network_6_sorting_networks_sort_every_01_input(r):
    # 0-1 principle (Knuth TAOCP 5.3.4): a network that sorts every 0/1 vector sorts everything
    inputs = np.array(list(itertools.product([0, 1], repeat=r)), dtype=np.int64).T
    out = np.stack(sort_coordinates(list(inputs)))
    assert np.array_equal(out, np.sort(inputs, axis=0))
    rng = np.random.default_rng(r)
    x = rng.integers(0, 50, size=(r, 200))
    assert np.array_equal(np.stack(sort_coordinates(list(x))), np.sort(x, axis=0))


def test_fisher_network_7_argsort_keys():
    rng = np.random.default_rng(7)
    for keys in (rng.integers(0, 1000, 5000), rng.integers(0, 2**61, 300), np.array([3]),
                 np.zeros(4, dtype=np.int64)):
        o = argsort_keys(keys)
        assert sorted(o.tolist()) == list(range(keys.size))
        assert np.array_equal(keys[o], np.sort(keys))


def test_fisher_network_8_dense_and_sorted_node_ids_agree():
    rng = np.random.default_rng(8)
    keys = rng.integers(0, 300, 1000)
    u1, i1 = fn._node_ids(keys, 300)            # dense look-up table
    u2, i2 = fn._node_ids(keys, 10**9)          # np.unique path
    assert np.array_equal(u1, u2) and np.array_equal(i1, i2)
    assert np.array_equal(u1[i1], keys)


def test_fisher_network_9_log_factorials_grow():
    lf = fn._log_factorials(5000)
    assert lf.size > 5000
    assert lf[4000] == pytest.approx(sum(np.log(np.arange(1, 4001))), rel=1e-12)



@pytest.mark.parametrize("tab", [[[1, 2, 3], [2, 1, 4], [3, 0, 2]],
                                 [[2, 0, 5, 1, 3], [0, 4, 1, 6, 2], [3, 2, 0, 1, 5]],
                                 [[0, 0, 4, 2, 1], [9, 1, 1, 0, 3], [0, 3, 0, 0, 1], [2, 0, 7, 4, 2]]])
def test_fisher_network_10_path_by_path_fallback_agrees(tab, monkeypatch):
    # the fallback used when value ranges are too wide for integer keys gives the same sum
    m = np.array(tab)
    fast = fisher_rxc_network(m)[0]
    monkeypatch.setattr(fn, "_last_two_columns", fn._last_two_columns_slow)
    assert fisher_rxc_network(m)[0] == pytest.approx(fast, rel=1e-12)
