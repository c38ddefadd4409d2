"""Operating-characteristics tables over a grid of true response rates, for every binary design.

A single-arm binary design is a look schedule ``n_1 < ... < n_K = N`` with, at each look,
a futility boundary ``f_k`` (stop if ``X <= f_k``; ``-1``: no stop possible) and an efficacy
boundary ``e_k`` (stop and reject H0 if ``X >= e_k``; ``n_k + 1``: not possible); at the last look
``X >= e_K`` rejects. Single stage, Simon two-stage, Thall-Simon, predictive-probability and
BOP2 designs all reduce to this form through their ``_bounds()`` method, so one exact forward
recursion (vectorised over the grid of rates) gives every table of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from oncotrial._validation import as_float_array
from oncotrial.design._dist import binom_pmf

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["default_grid", "oc_columns", "oc_table", "stagewise_oc"]


def default_grid(p0: float, p1: float) -> np.ndarray:
    """Rates ``p0 - 0.10 .. p1 + 0.15`` by 0.05 (clipped to (0, 1)), plus ``p0`` and ``p1``.

    Examples
    --------
    >>> default_grid(0.1, 0.25).tolist()
    [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
    """
    g = np.round(np.arange(0.05, 0.951, 0.05), 4)
    g = g[(g >= p0 - 0.1 - 1e-9) & (g <= p1 + 0.15 + 1e-9)]
    return np.unique(np.round(np.concatenate([g, [p0, p1]]), 6))


def stagewise_oc(looks: Sequence[int], fut: Sequence[int], eff: Sequence[int],
                 p: np.ndarray) -> dict[str, np.ndarray]:
    """Exact per-look stopping probabilities of one design over an array of rates ``p``.

    Returns ``stop`` and ``reject`` of shape ``(len(p), K)`` -- the probability of stopping for
    futility at look k and of rejecting H0 at look k (an efficacy stop, or success at the last
    look) -- and ``reject_total``, ``pet`` (stop before the last look, either reason) and
    ``en`` (expected sample size), each of shape ``(len(p),)``.

    Examples
    --------
    Single stage, n = 2, reject if both respond: P(reject) = p^2.

    >>> oc = stagewise_oc([2], [-1], [2], np.array([0.5]))
    >>> float(oc["reject_total"][0]), float(oc["en"][0])
    (0.25, 2.0)
    """
    lk = np.asarray(looks, dtype=int)
    f = np.asarray(fut, dtype=int)
    e = np.asarray(eff, dtype=int)
    p = np.asarray(p, dtype=float)
    nmax = int(lk[-1])
    x = np.arange(nmax + 1)
    state = np.zeros((p.size, nmax + 1))
    state[:, 0] = 1.0
    stop = np.zeros((p.size, lk.size))
    rej = np.zeros((p.size, lk.size))
    prev = 0
    for k, nk in enumerate(lk):
        m = int(nk) - prev
        if m > 0:
            inc = binom_pmf(np.arange(m + 1)[None, :], m, p[:, None])
            new = np.zeros_like(state)
            for j in range(m + 1):
                new[:, j:] += state[:, : nmax + 1 - j] * inc[:, j : j + 1]
            state = new
        e_mask = (x >= e[k]) & (x <= nk)
        rej[:, k] = state[:, e_mask].sum(axis=1)
        if k < lk.size - 1:
            f_mask = x <= f[k]
            stop[:, k] = state[:, f_mask].sum(axis=1)
            state = np.where(f_mask | e_mask, 0.0, state)
        prev = int(nk)
    pet = stop[:, :-1].sum(axis=1) + rej[:, :-1].sum(axis=1)
    stopped = stop[:, :-1] + rej[:, :-1]
    en = (stopped * lk[None, :-1]).sum(axis=1) + (1.0 - pet) * nmax
    return {"stop": stop, "reject": rej, "reject_total": rej.sum(axis=1), "pet": pet, "en": en}


def oc_table(design: Any, p: Any = None) -> pd.DataFrame:
    """Operating characteristics of a binary design over a grid of true response rates.

    Parameters
    ----------
    design : SingleStageDesign, SimonDesign, PosteriorMonitoring, PredictiveDesign or Bop2Design
        Any design with a ``_bounds()`` method and ``p0``/``p1`` attributes.
    p : array_like of float, optional
        True response rates in [0, 1]; default :func:`default_grid` around ``p0`` and ``p1``.

    Returns
    -------
    DataFrame
        One row per rate: ``p``; per look ``n``, ``stop n=<n>`` (futility stop at that look) and
        ``reject n=<n>`` (efficacy stop, or success at the last look; columns are omitted
        where a stop of that kind is impossible); then ``P(reject)``, ``PET`` (stop before
        the last look) and ``EN`` (expected sample size).

    Examples
    --------
    >>> from oncotrial.design import simon_design
    >>> t = oc_table(simon_design(0.1, 0.3).optimal, [0.1, 0.3])
    >>> print(t.round(4).to_string(index=False))
      p  stop n=10  reject n=29  P(reject)    PET      EN
    0.1     0.7361       0.0471     0.0471 0.7361 15.0141
    0.3     0.1493       0.8051     0.8051 0.1493 26.1631
    """
    import pandas as pd

    return pd.DataFrame(oc_columns(design, p))


def oc_columns(design: Any, p: Any = None) -> dict[str, np.ndarray]:
    """The columns of :func:`oc_table`, name -> array, without building a DataFrame.

    ``oc_table`` is ``pandas.DataFrame(oc_columns(design, p))``; the command line prints
    these columns directly, so ``oncotrial design ...`` never imports pandas (issue 21).

    Examples
    --------
    >>> from oncotrial.design import single_stage_design
    >>> list(oc_columns(single_stage_design(0.1, 0.3), [0.1]))
    ['p', 'reject n=33', 'P(reject)', 'PET', 'EN']
    """
    lk, f2, e2 = design._bounds()
    looks = [int(v) for v in np.asarray(lk).reshape(-1)]
    fut, eff = np.asarray(f2).reshape(-1), np.asarray(e2).reshape(-1)
    if p is None:
        grid = default_grid(design.p0, design.p1)
    else:
        grid = as_float_array(p, "oc_table", "p")
        if np.any((grid < 0) | (grid > 1)):
            from oncotrial._errors import bad_value

            raise bad_value("p", "oc_table", "rates in [0, 1]", p)
    oc = stagewise_oc(looks, fut, eff, grid)
    cols: dict[str, np.ndarray] = {"p": grid}
    last = len(looks) - 1
    for k, nk in enumerate(looks):
        if k < last and fut[k] >= 0:
            cols[f"stop n={nk}"] = oc["stop"][:, k]
        if k == last or eff[k] <= nk:
            cols[f"reject n={nk}"] = oc["reject"][:, k]
    cols["P(reject)"] = oc["reject_total"]
    cols["PET"] = oc["pet"]
    cols["EN"] = oc["en"]
    return cols
