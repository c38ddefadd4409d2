"""The few distribution functions the designs need, without importing ``scipy.stats``.

``import scipy.stats`` costs more than half a second (it loads every distribution, test and
``scipy.optimize``/``scipy.integrate``/``scipy.interpolate``), several times what the rest of
an ``oncotrial design`` command costs (issue 21). The numbers, however, must stay exactly
those of ``scipy.stats``. Each function here therefore evaluates **the same** ``scipy.special``
kernel that the ``scipy.stats`` method calls (``binom.sf`` -> ``_binom_sf``, Boost's binomial;
``norm.ppf`` -> ``ndtri``; ``beta.sf`` -> ``betaincc``; ...) with the same argument checks,
support boundaries and clipping as the ``rv_discrete``/``rv_continuous`` wrapper, so the
results are bit-for-bit equal (``tests/design/test_dist.py`` compares them with
``scipy.stats`` to 0 ulp on a grid and under hypothesis, boundaries and invalid arguments
included).

The Boost kernels are private names of ``scipy.special._ufuncs``, where SciPy keeps them since
1.14 (and since 1.14 ``beta.cdf``/``beta.sf`` are ``betainc``/``betaincc``; the wrappers above
were read from SciPy 1.14-1.17). Where they are missing (SciPy < 1.14 has them in
``scipy.stats._boost``, or a rearranged future SciPy), the binomial and beta functions fall
back to the ``scipy.stats`` method itself: start-up is slower there, the numbers the same.
One degenerate case differs from SciPy 1.14-1.16 only: ``binom_isf(0, n_array, p)`` returns
``n`` per element, where those versions' ``np.place`` assigned the bounds out of order (fixed
in SciPy 1.17); the designs never ask for ``q = 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, ndtr, ndtri

try:  # the kernels scipy.stats.binom / beta call (private; see the module notes)
    from scipy.special import betainc, betaincc
    from scipy.special._ufuncs import (  # type: ignore[attr-defined]
        _beta_ppf,
        _binom_cdf,
        _binom_isf,
        _binom_pmf,
        _binom_sf,
    )
except ImportError:  # pragma: no cover - SciPy without the Boost ufuncs in scipy.special
    HAVE_KERNELS = False
else:
    HAVE_KERNELS = True

__all__ = ["beta_cdf", "beta_ppf", "beta_sf", "betabinom_sf", "binom_cdf", "binom_isf",
           "binom_pmf", "binom_sf", "norm_cdf", "norm_ppf"]


def _out(output: np.ndarray) -> Any:
    """``scipy.stats`` returns a NumPy scalar for scalar input, else the array."""
    return output[()] if output.ndim == 0 else output


def _binom_args(n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``binom._argcheck``: ``n`` a non-negative integer, ``p`` in [0, 1]."""
    return (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)


def binom_pmf(k: Any, n: Any, p: Any) -> Any:
    """``scipy.stats.binom.pmf(k, n, p)``, bit for bit.

    Examples
    --------
    >>> round(float(binom_pmf(1, 2, 0.5)), 12)
    0.5
    """
    if not HAVE_KERNELS:  # pragma: no cover
        from scipy.stats import binom

        return binom.pmf(k, n, p)
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p))
    valid = _binom_args(n, p)
    cond = valid & (k >= 0) & (k <= n) & (np.floor(k) == k)
    output = np.zeros(k.shape, "d")
    output[~valid | np.isnan(k)] = np.nan
    if cond.any():
        output[cond] = np.clip(_binom_pmf(k[cond], n[cond], p[cond]), 0, 1)
    return _out(output)


def binom_cdf(k: Any, n: Any, p: Any) -> Any:
    """``scipy.stats.binom.cdf(k, n, p)``, bit for bit.

    Examples
    --------
    >>> float(binom_cdf(0, 2, 0.5))
    0.25
    """
    if not HAVE_KERNELS:  # pragma: no cover
        from scipy.stats import binom

        return binom.cdf(k, n, p)
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p))
    valid = _binom_args(n, p)
    cond = valid & (k >= 0) & (k < n) & np.isfinite(k)
    output = np.zeros(k.shape, "d")
    output[k >= n] = 1.0
    output[np.isneginf(k)] = 0.0
    output[~valid | np.isnan(k)] = np.nan
    if cond.any():
        output[cond] = np.clip(_binom_cdf(np.floor(k[cond]), n[cond], p[cond]), 0, 1)
    return _out(output)


def binom_sf(k: Any, n: Any, p: Any) -> Any:
    """``scipy.stats.binom.sf(k, n, p)`` = ``P(X > k)``, bit for bit.

    Examples
    --------
    >>> float(binom_sf(0, 2, 0.5))
    0.75
    """
    if not HAVE_KERNELS:  # pragma: no cover
        from scipy.stats import binom

        return binom.sf(k, n, p)
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p))
    valid = _binom_args(n, p)
    cond = valid & (k >= 0) & (k < n) & np.isfinite(k)
    output = np.zeros(k.shape, "d")
    output[~valid | np.isnan(k)] = np.nan
    output[((k < 0) | np.isneginf(k)) & valid] = 1.0
    if cond.any():
        output[cond] = np.clip(_binom_sf(np.floor(k[cond]), n[cond], p[cond]), 0, 1)
    return _out(output)


def binom_isf(q: Any, n: Any, p: Any) -> Any:
    """``scipy.stats.binom.isf(q, n, p)``, bit for bit.

    Examples
    --------
    >>> float(binom_isf(0.05, 20, 0.1))  # P(X > 4) <= 0.05 < P(X > 3)
    4.0
    """
    if not HAVE_KERNELS:  # pragma: no cover
        from scipy.stats import binom

        return binom.isf(q, n, p)
    q, n, p = np.broadcast_arrays(np.asarray(q), np.asarray(n), np.asarray(p))
    valid = _binom_args(n, p)
    cond = valid & (q > 0) & (q < 1)
    output = np.full(q.shape, np.nan, dtype="d")
    lower = (q == 1) & valid
    output[lower] = -1
    upper = (q == 0) & valid
    output[upper] = n[upper]
    if cond.any():
        output[cond] = _binom_isf(q[cond], n[cond], p[cond]) + 0
    return _out(output)


def norm_cdf(x: Any) -> Any:
    """``scipy.stats.norm.cdf(x)`` (standard normal), bit for bit.

    Examples
    --------
    >>> float(norm_cdf(0.0))
    0.5
    """
    x = np.asarray(x)
    x = np.asarray(x - 0, dtype=np.promote_types(x.dtype, np.float64))
    output = np.zeros(x.shape, x.dtype)
    output[np.isnan(x)] = np.nan
    output[x >= np.inf] = 1.0
    cond = np.isfinite(x)
    if cond.any():
        output[cond] = ndtr(x[cond])
    return _out(output)


def norm_ppf(q: Any) -> Any:
    """``scipy.stats.norm.ppf(q)`` (standard normal quantile), bit for bit.

    Examples
    --------
    >>> round(float(norm_ppf(0.975)), 6)
    1.959964
    """
    q = np.asarray(q)
    output = np.full(q.shape, np.nan)
    output[q == 0] = -np.inf
    output[q == 1] = np.inf
    cond = (q > 0) & (q < 1)
    if cond.any():
        output[cond] = ndtri(q[cond]) * 1 + 0
    return _out(output)


def _beta_args(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a > 0) & (b > 0)


def beta_cdf(x: Any, a: Any, b: Any) -> Any:
    """``scipy.stats.beta.cdf(x, a, b)``, bit for bit.

    Examples
    --------
    >>> float(beta_cdf(0.5, 1, 1))
    0.5
    """
    if not HAVE_KERNELS:  # pragma: no cover - SciPy < 1.14 evaluates beta with Boost's kernels
        from scipy.stats import beta

        return beta.cdf(x, a, b)
    x, a, b = np.broadcast_arrays(np.asarray(x), np.asarray(a), np.asarray(b))
    x = np.asarray(x - 0, dtype=np.promote_types(x.dtype, np.float64))
    valid = _beta_args(a, b)
    cond = valid & (x > 0) & (x < 1)
    output = np.zeros(x.shape, x.dtype)
    output[~valid | np.isnan(x)] = np.nan
    output[valid & (x >= 1)] = 1.0
    if cond.any():
        output[cond] = betainc(a[cond], b[cond], x[cond])
    return _out(output)


def beta_sf(x: Any, a: Any, b: Any) -> Any:
    """``scipy.stats.beta.sf(x, a, b)`` = ``P(X > x)``, bit for bit.

    Examples
    --------
    >>> float(beta_sf(0.25, 1, 1))
    0.75
    """
    if not HAVE_KERNELS:  # pragma: no cover - SciPy < 1.14 evaluates beta with Boost's kernels
        from scipy.stats import beta

        return beta.sf(x, a, b)
    x, a, b = np.broadcast_arrays(np.asarray(x), np.asarray(a), np.asarray(b))
    x = np.asarray(x - 0, dtype=np.promote_types(x.dtype, np.float64))
    valid = _beta_args(a, b)
    cond = valid & (x > 0) & (x < 1)
    output = np.zeros(x.shape, x.dtype)
    output[~valid | np.isnan(x)] = np.nan
    output[valid & (x <= 0)] = 1.0
    if cond.any():
        output[cond] = betaincc(a[cond], b[cond], x[cond])
    return _out(output)


def beta_ppf(q: Any, a: Any, b: Any) -> Any:
    """``scipy.stats.beta.ppf(q, a, b)``, bit for bit.

    Examples
    --------
    >>> float(beta_ppf(0.5, 1, 1))
    0.5
    """
    if not HAVE_KERNELS:  # pragma: no cover
        from scipy.stats import beta

        return beta.ppf(q, a, b)
    q, a, b = np.broadcast_arrays(np.asarray(q), np.asarray(a), np.asarray(b))
    valid = _beta_args(a, b)
    cond = valid & (q > 0) & (q < 1)
    output = np.full(q.shape, np.nan)
    output[valid & (q == 0)] = 0.0
    output[valid & (q == 1)] = 1.0
    if cond.any():
        output[cond] = _beta_ppf(q[cond], a[cond], b[cond]) * 1 + 0
    return _out(output)


def _betabinom_cdf_single(k: float, n: float, a: float, b: float) -> float:
    # rv_discrete._cdf_single: the pmf summed over the support up to k (np.sum, pairwise)
    m = np.arange(0, k + 1)
    j = np.floor(m)
    combiln = -np.log(n + 1) - betaln(n - j + 1, j + 1)
    return np.sum(np.exp(combiln + betaln(j + a, n - j + b) - betaln(a, b)), axis=0)


_betabinom_cdf = np.vectorize(_betabinom_cdf_single, otypes="d")


def betabinom_sf(k: Any, n: Any, a: Any, b: Any) -> Any:
    """``scipy.stats.betabinom.sf(k, n, a, b)`` = ``P(X > k)``, bit for bit.

    SciPy has no closed form here: ``1 - cdf``, the cdf being the pmf summed over
    ``0..floor(k)`` (``rv_discrete``'s generic method), which is what this repeats.

    Examples
    --------
    >>> float(betabinom_sf(0, 1, 1, 1))
    0.5
    """
    k, n, a, b = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(a),
                                     np.asarray(b))
    valid = (n >= 0) & (n == np.round(n)) & (a > 0) & (b > 0)
    cond = valid & (k >= 0) & (k < n) & np.isfinite(k)
    output = np.zeros(k.shape, "d")
    output[~valid | np.isnan(k)] = np.nan
    output[((k < 0) | np.isneginf(k)) & valid] = 1.0
    if cond.any():
        kk = np.floor(k[cond]).astype(np.float64)
        output[cond] = np.clip(1.0 - _betabinom_cdf(kk, n[cond], a[cond], b[cond]), 0, 1)
    return _out(output)
