"""Tests for Simon's two-stage designs: Simon (1989) Table 1 and brute-force enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from oncotrial import OncotrialValueError
from oncotrial.design import simon_design, simon_oc

# Simon R. Control Clin Trials 1989;10:1-10, Table 1 (alpha = 0.05), transcribed:
# (p0, p1, beta): (optimal r1, n1, r, n, EN(p0), PET(p0)), (minimax r1, n1, r, n, EN, PET)
SIMON_TABLE1 = [
    ((0.05, 0.25, 0.20), (0, 9, 2, 17, 12.0, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    ((0.10, 0.30, 0.20), (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    ((0.10, 0.30, 0.10), (2, 18, 6, 35, 22.5, 0.73), (2, 22, 6, 33, 26.2, 0.62)),
    ((0.20, 0.40, 0.20), (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
    ((0.20, 0.40, 0.10), (4, 19, 15, 54, 30.4, 0.67), (5, 24, 13, 45, 31.2, 0.66)),
    ((0.30, 0.50, 0.20), (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67)),
    ((0.40, 0.60, 0.20), (7, 16, 23, 46, 24.5, 0.72), (17, 34, 20, 39, 34.4, 0.91)),
    ((0.10, 0.25, 0.10), (2, 21, 10, 66, 36.8, 0.65), (3, 31, 9, 55, 40.0, 0.62)),
]


def _reject(r1, n1, r, n, p):
    x1 = np.arange(r1 + 1, n1 + 1)
    return float(np.sum(binom.pmf(x1, n1, p) * binom.sf(r - x1, n - n1, p)))


def _brute_by_n(p0, p1, alpha, power, nmax):
    """Independent enumeration of all (n, n1, r1, r) with scipy; clinfun's tie rules."""
    out = {}
    for n in range(2, nmax + 1):
        best = None
        for n1 in range(1, n):
            n2 = n - n1
            for r1 in range(n1 - 1, -1, -1):
                x1 = np.arange(r1 + 1, n1 + 1)
                rs = np.arange(r1, r1 + n2 + 1)
                a0 = (binom.pmf(x1, n1, p0)[None] * binom.sf(rs[:, None] - x1[None], n2, p0)).sum(1)
                a1 = (binom.pmf(x1, n1, p1)[None] * binom.sf(rs[:, None] - x1[None], n2, p1)).sum(1)
                ok = (a0 <= alpha) & (a1 >= power)
                if not ok.any():
                    continue
                en = n1 + (1 - binom.cdf(r1, n1, p0)) * n2
                if best is None or en < best[4] - 1e-12:
                    best = (n, n1, r1, int(rs[ok][-1]), en)
        if best is not None:
            out[n] = best
    return out


@pytest.mark.parametrize(("req", "opt", "mini"), SIMON_TABLE1)
def test_simon_1_reproduces_simon_1989_table1(req, opt, mini):
    p0, p1, beta = req
    s = simon_design(p0, p1, 0.05, 1 - beta, nmax=100)
    for got, want in ((s.optimal, opt), (s.minimax, mini)):
        assert (got.r1, got.n1, got.r, got.n) == want[:4]
        assert got.en0 == pytest.approx(want[4], abs=0.06)  # table prints one decimal
        assert got.pet0 == pytest.approx(want[5], abs=0.006)


def test_simon_2_exact_oc_recomputed():
    s = simon_design(0.10, 0.30, 0.05, 0.80)
    o = s.optimal
    assert o.alpha == pytest.approx(_reject(1, 10, 5, 29, 0.10), abs=1e-14)
    assert o.power == pytest.approx(_reject(1, 10, 5, 29, 0.30), abs=1e-14)
    assert o.pet0 == pytest.approx(binom.cdf(1, 10, 0.10), abs=1e-14)
    assert o.en0 == pytest.approx(10 + (1 - binom.cdf(1, 10, 0.1)) * 19, abs=1e-12)
    rej, _pet, _en = simon_oc(1, 10, 5, 29, [0.1, 0.3])
    assert rej[1] == pytest.approx(o.power, abs=1e-14)


def test_simon_3_hand_computable_oc():
    # r1/n1 = 0/1, r/n = 1/2: reject iff both respond -> p^2; PET = 1 - p; EN = 1 + p.
    rej, pet, en = simon_oc(0, 1, 1, 2, [0.3])
    assert rej[0] == pytest.approx(0.09, abs=1e-15)
    assert pet[0] == pytest.approx(0.7) and en[0] == pytest.approx(1.3)


@pytest.mark.parametrize(("p0", "p1", "power", "nmax"),
                         [(0.05, 0.25, 0.8, 22), (0.1, 0.3, 0.8, 30), (0.3, 0.6, 0.8, 25)])
def test_simon_4_full_table_equals_brute_force(p0, p1, power, nmax):
    s = simon_design(p0, p1, 0.05, power, nmax=nmax, full_table=True)
    brute = _brute_by_n(p0, p1, 0.05, power, nmax)
    got = {d.n: (d.n, d.n1, d.r1, d.r) for d in s.by_n}
    assert got == {n: b[:4] for n, b in brute.items()}
    opt = min(brute.values(), key=lambda b: b[4])
    assert (s.optimal.n, s.optimal.n1, s.optimal.r1, s.optimal.r) == opt[:4]
    mini = brute[min(brute)]
    assert (s.minimax.n, s.minimax.n1, s.minimax.r1, s.minimax.r) == mini[:4]


def test_simon_5_admissible_minimise_weighted_loss():
    s = simon_design(0.10, 0.30, 0.05, 0.80, nmax=60, full_table=True)
    pts = [(d.n, d.en0) for d in s.by_n]
    assert (s.admissible[0].n, s.admissible[-1].n) == (s.minimax.n, s.optimal.n)
    for d in s.admissible:
        q = (d.q_low + d.q_high) / 2
        loss = min(q * n + (1 - q) * e for n, e in pts)
        assert q * d.n + (1 - q) * d.en0 == pytest.approx(loss, abs=1e-12)
    # the q intervals tile [0, 1]
    qs = sorted((d.q_low, d.q_high) for d in s.admissible)
    assert qs[0][0] == 0.0 and qs[-1][1] == 1.0
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(qs))


def test_simon_6_pruned_equals_full():
    a = simon_design(0.10, 0.25, 0.05, 0.90, nmax=120)
    b = simon_design(0.10, 0.25, 0.05, 0.90, nmax=120, full_table=True)
    for x, y in ((a.optimal, b.optimal), (a.minimax, b.minimax)):
        assert (x.r1, x.n1, x.r, x.n) == (y.r1, y.n1, y.r, y.n)
    assert [d.n for d in a.admissible] == [d.n for d in b.admissible]


def test_simon_7_errors():
    with pytest.raises(OncotrialValueError, match="`p1` of `simon_design` must be greater"):
        simon_design(0.3, 0.3)
    with pytest.raises(OncotrialValueError, match=r"found no feasible design.*n = 55"):
        simon_design(0.10, 0.25, 0.05, 0.90, nmax=40)
    with pytest.raises(OncotrialValueError, match="`nmax`"):
        simon_design(0.1, 0.3, nmax=5000)


def test_simon_8_json_keys():
    d = simon_design(0.10, 0.30, 0.05, 0.80).to_dict()
    for key in ("r1", "n1", "r", "n", "en0", "pet0", "alpha", "power"):
        assert key in d["optimal"] and key in d["minimax"]


@settings(max_examples=8, deadline=None)
@given(p0=st.floats(0.05, 0.5), gap=st.floats(0.25, 0.4), power=st.sampled_from([0.7, 0.8]))
def test_simon_9_property_designs_feasible_and_minimal(p0, gap, power):
    p1 = min(p0 + gap, 0.95)
    try:
        s = simon_design(p0, p1, 0.1, power, nmax=24, full_table=True)
    except OncotrialValueError:
        assert _brute_by_n(p0, p1, 0.1, power, 24) == {}
        return
    brute = _brute_by_n(p0, p1, 0.1, power, 24)
    for d in s.by_n:
        assert _reject(d.r1, d.n1, d.r, d.n, p0) == pytest.approx(d.alpha, abs=1e-13)
        assert _reject(d.r1, d.n1, d.r, d.n, p1) == pytest.approx(d.power, abs=1e-13)
        assert d.alpha <= 0.1 and d.power >= power
        assert d.en0 == pytest.approx(brute[d.n][4], abs=1e-12)  # no smaller EN at this n
    assert s.minimax.n == min(brute)
