"""``oncotrial.design._dist`` equals ``scipy.stats`` bit for bit (issue 21).

The designs evaluate their binomial, normal, beta and beta-binomial functions through
``_dist`` so that ``oncotrial design ...`` does not import ``scipy.stats``; no number may move.
Each function is compared with the ``scipy.stats`` method it stands in for at 0 ulp (the
IEEE bit patterns, NaN positions and the sign of zero included): on fixed grids that cover
the support boundaries, degenerate rates and invalid arguments, and under hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial.design import _dist


def _same(got: object, want: object) -> None:
    g, w = np.asarray(got), np.asarray(want)
    assert type(got) is type(want) or (np.ndim(got) == 0 and np.ndim(want) == 0)
    assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
    assert np.array_equal(np.isnan(g), np.isnan(w))
    ok = ~np.isnan(w)
    # 0 ulp: identical bit patterns (so also the sign of zero)
    assert np.array_equal(g[ok].view(np.int64), w[ok].view(np.int64)), (g[ok], w[ok])


def _both(new, old, *args) -> None:
    """The same value, or the same exception (Boost raises OverflowError for p ~ 1e-307)."""
    try:
        want = old(*args)
    except ArithmeticError as exc:
        with pytest.raises(type(exc)):
            new(*args)
        return
    _same(new(*args), want)


K = np.arange(-2, 44).astype(float)[:, None, None]
N = np.array([0, 1, 2, 5, 10, 29, 40])[None, :, None]
P = np.array([0.0, 1e-12, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.9, 1 - 1e-12, 1.0])[None, None, :]


@pytest.mark.parametrize("name", ["pmf", "cdf", "sf"])
def test_dist_1_binom_grid(name):
    new, old = getattr(_dist, f"binom_{name}"), getattr(ss.binom, name)
    _same(new(K, N, P), old(K, N, P))
    _same(new(K + 0.5, N, P), old(K + 0.5, N, P))          # non-integer k
    _same(new(3, 10, 0.3), old(3, 10, 0.3))                # scalars -> NumPy scalar
    _same(new(K.astype(int), N, P), old(K.astype(int), N, P))
    bad = (np.array([1.0, 1, 1, np.nan, -np.inf, np.inf]), np.array([-1, 2.5, 5, 5, 5, 5]),
           np.array([0.5, 0.5, 1.5, 0.5, 0.5, 0.5]))
    _same(new(*bad), old(*bad))


def test_dist_2_binom_isf_grid():
    q = np.array([0.0, 1e-300, 1e-10, 0.01, 0.025, 0.05, 0.1, 0.5, 0.9, 1 - 1e-16, 1.0, -0.1,
                  1.1, np.nan])[:, None, None]
    _same(_dist.binom_isf(q, N, P), ss.binom.isf(q, N, P))
    n = np.arange(1, 1001)
    _same(_dist.binom_isf(0.05, n, 0.1), ss.binom.isf(0.05, n, 0.1))
    _same(_dist.binom_isf(0.05, 55, 0.1), ss.binom.isf(0.05, 55, 0.1))


def test_dist_3_norm_grid():
    x = np.concatenate([np.linspace(-40, 40, 2001), [-np.inf, np.inf, np.nan, -0.0, 0.0]])
    _same(_dist.norm_cdf(x), ss.norm.cdf(x))
    _same(_dist.norm_cdf(1.96), ss.norm.cdf(1.96))
    _same(_dist.norm_cdf(np.arange(-3, 4)), ss.norm.cdf(np.arange(-3, 4)))
    q = np.concatenate([np.linspace(0, 1, 2001), [1e-300, 1e-20, 1 - 1e-16, -0.1, 1.1, np.nan]])
    _same(_dist.norm_ppf(q), ss.norm.ppf(q))
    _same(_dist.norm_ppf(0.975), ss.norm.ppf(0.975))
    _same(_dist.norm_ppf(0.5), ss.norm.ppf(0.5))


def test_dist_4_beta_grid():
    x = np.concatenate([np.linspace(-0.1, 1.1, 121), [np.nan]])[:, None, None]
    a = np.array([0.2, 1, 2.5, 20, 0, -1])[None, :, None]
    b = np.array([0.5, 1, 7, 80])[None, None, :]
    _same(_dist.beta_cdf(x, a, b), ss.beta.cdf(x, a, b))
    _same(_dist.beta_sf(x, a, b), ss.beta.sf(x, a, b))
    q = np.concatenate([np.linspace(0, 1, 101), [-0.1, 1.1, np.nan]])[:, None, None]
    _same(_dist.beta_ppf(q, a, b), ss.beta.ppf(q, a, b))
    _same(_dist.beta_sf(0.2, 3, 9), ss.beta.sf(0.2, 3, 9))
    _same(_dist.beta_ppf(0.3, 3, 9), ss.beta.ppf(0.3, 3, 9))


def test_dist_5_betabinom_grid():
    k = np.arange(-2, 33).astype(float)[:, None, None]
    n = np.array([0, 1, 5, 30])[None, :, None]
    a = np.array([0.2, 1, 2.5, 21.0, 0])[None, None, :]
    b = 1.3
    _same(_dist.betabinom_sf(k, n, a, b), ss.betabinom.sf(k, n, a, b))
    _same(_dist.betabinom_sf(k + 0.5, n, a, b), ss.betabinom.sf(k + 0.5, n, a, b))
    _same(_dist.betabinom_sf(4, 20, 1.2, 3.8), ss.betabinom.sf(4, 20, 1.2, 3.8))


rates = st.floats(0, 1)
sizes = st.integers(0, 400)


@settings(max_examples=300, deadline=None)
@given(k=st.floats(-5, 405), n=sizes, p=rates, q=st.floats(0, 1))
@example(k=9.0, n=55, p=0.1, q=0.05)  # TALENT: A'Hern n = 55, r = 10
@example(k=0.0, n=1, p=1.0, q=1.0)
@example(k=1.0, n=67, p=1.3068795581698802e-307, q=0.0)  # Boost overflows in both
def test_dist_6_binom_hypothesis(k, n, p, q):
    for name in ("pmf", "cdf", "sf"):
        new, old = getattr(_dist, f"binom_{name}"), getattr(ss.binom, name)
        _both(new, old, k, n, p)
        _both(new, old, np.floor(k), n, p)
    _both(_dist.binom_isf, ss.binom.isf, q, n, p)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-50, 50), q=st.floats(0, 1), a=st.floats(1e-3, 200), b=st.floats(1e-3, 200),
       u=st.floats(0, 1))
@example(x=1.96, q=0.975, a=0.2, b=0.8, u=0.2)
def test_dist_7_continuous_hypothesis(x, q, a, b, u):
    _both(_dist.norm_cdf, ss.norm.cdf, x)
    _both(_dist.norm_ppf, ss.norm.ppf, q)
    _both(_dist.beta_cdf, ss.beta.cdf, u, a, b)
    _both(_dist.beta_sf, ss.beta.sf, u, a, b)
    _both(_dist.beta_ppf, ss.beta.ppf, q, a, b)


@settings(max_examples=200, deadline=None)
@given(k=st.floats(-3, 63), n=st.integers(0, 60), a=st.floats(1e-2, 100),
       b=st.floats(1e-2, 100))
@example(k=4.0, n=20, a=1.2, b=3.8)
def test_dist_8_betabinom_hypothesis(k, n, a, b):
    _both(_dist.betabinom_sf, ss.betabinom.sf, k, n, a, b)
    _both(_dist.betabinom_sf, ss.betabinom.sf, np.arange(-1, n + 2), n, a, b)


def test_dist_9_kernels_present():
    # on the SciPy versions that keep Boost's kernels in scipy.special (>= 1.14), the fast
    # path is the one under test above; elsewhere _dist falls back to scipy.stats itself
    import scipy

    major, minor = (int(v) for v in scipy.__version__.split(".")[:2])
    assert _dist.HAVE_KERNELS == ((major, minor) >= (1, 14))
