"""Exact operating characteristics of single-arm binary designs with interim futility looks.

Shared by the Bayesian designs (posterior, predictive, BOP2): each is a set of looks
``n_1 < ... < n_K = N`` with a futility boundary ``f_k`` (stop if ``X_{n_k} <= f_k``) and,
optionally, an efficacy boundary ``e_k`` (stop and declare promising if ``X_{n_k} >= e_k``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=256)
def _increment_pmf(m: int, p: float) -> np.ndarray:
    """Binomial(m, p) pmf over 0..m (cached: a blocked search asks for the same few many times)."""
    from oncotrial.design._dist import binom_pmf  # = scipy.stats.binom.pmf, bit for bit

    out = binom_pmf(np.arange(m + 1), m, p)
    out.setflags(write=False)
    return out


def forward_oc(looks: np.ndarray, fut: np.ndarray, eff: np.ndarray, p: float) -> dict[str, object]:
    """Exact OCs by forward recursion over looks for a stack of designs.

    Parameters
    ----------
    looks : (K,) int array of cumulative sample sizes, the last being ``N``.
    fut : (D, K) int array; stop for futility at look k if ``X <= fut[d, k]`` (-1: never).
    eff : (D, K) int array; stop and declare promising at look k if ``X >= eff[d, k]``
        (``n_k + 1``: never). At the final look ``X >= eff`` is the success region; outcomes
        between the boundaries at the final look are "not promising".
    p : true response rate.

    Returns a dict of (D,) arrays: ``reject`` (P(declare promising)), ``pet`` (P(stop before
    the last look)), ``en`` (expected sample size), ``stop_fut`` (P(stop for futility at an
    interim)), and ``by_look`` (D, K) probabilities of stopping at each look (either reason).

    Examples
    --------
    One look at n = 2 with success iff both respond: P(reject) = p^2.

    >>> oc = forward_oc(np.array([2]), np.array([[1]]), np.array([[2]]), 0.3)
    >>> round(float(oc["reject"][0]), 12)
    0.09
    """
    looks = np.asarray(looks, dtype=int)
    d = fut.shape[0]
    nmax = int(looks[-1])
    state = np.zeros((d, nmax + 1))
    state[:, 0] = 1.0
    prev = 0
    reject = np.zeros(d)
    stop_fut = np.zeros(d)
    by_look = np.zeros((d, len(looks)))
    en = np.zeros(d)
    x_all = np.arange(nmax + 1)
    for k, nk in enumerate(looks):
        m = nk - prev
        if m > 0:
            inc = _increment_pmf(int(m), float(p))
            new = np.zeros_like(state)
            for j in range(m + 1):  # convolution with the increment (m + 1 terms)
                new[:, j:] += state[:, : nmax + 1 - j] * inc[j]
            state = new
        last = k == len(looks) - 1
        f_mask = x_all[None, :] <= fut[:, k : k + 1]
        e_mask = (x_all[None, :] >= eff[:, k : k + 1]) & (x_all[None, :] <= nk)
        pf = (state * f_mask).sum(axis=1)
        pe = (state * e_mask).sum(axis=1)
        reject += pe
        if last:
            by_look[:, k] = 1.0 - by_look[:, :k].sum(axis=1)
            en += nk * by_look[:, k]
        else:
            stop_fut += pf
            by_look[:, k] = pf + pe
            en += nk * (pf + pe)
            state = np.where(f_mask | e_mask, 0.0, state)
        prev = nk
    pet = by_look[:, :-1].sum(axis=1)
    return {"reject": reject, "pet": pet, "en": en, "stop_fut": stop_fut, "by_look": by_look}


def check_looks(looks: object, nmax: int, func: str) -> np.ndarray:
    """Validate a look schedule: increasing positive integers ending at ``nmax``."""
    from oncotrial._errors import bad_value

    arr = np.asarray(looks, dtype=float).reshape(-1)
    if arr.size == 0 or np.any(arr != np.round(arr)) or np.any(arr < 1) or np.any(np.diff(arr) <= 0):
        raise bad_value("looks", func, "strictly increasing positive integers", looks,
                        "Give the cumulative sample sizes at each analysis, e.g. [10, 20, 30, 40].")
    out = arr.astype(int)
    if out[-1] != nmax:
        if out[-1] > nmax:
            raise bad_value("looks", func, f"<= nmax ({nmax})", looks)
        out = np.append(out, nmax)
    return out
