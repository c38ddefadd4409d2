"""Pointwise confidence bands and quantile look-up for survival curves (R survival conventions).

Two R internals are reproduced here line by line, vectorised with numpy:

* ``survival:::survfit_confint`` (survival 3.5) -- the five ``conf.type`` transforms;
* ``survival:::findq`` as called by ``quantile.survfit`` -- the flat-segment midpoint rule.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = ["CONF_TYPES", "R_QUANTILE_TOL", "ConfType", "findq", "survfit_confint"]

ConfType = Literal["log", "log-log", "plain", "logit", "arcsin"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain", "logit", "arcsin")

#: ``quantile.survfit(tolerance = sqrt(.Machine$double.eps))``.
R_QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))


def survfit_confint(surv: np.ndarray, se_log: np.ndarray, conf_type: str,
                    level: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Pointwise limits for S(t) from :math:`\sigma = \widehat{se}(\log S)` (R ``survfit_confint``).

    With :math:`z = \Phi^{-1}(1 - (1-\text{level})/2)`:

    * ``plain``: :math:`S \mp z\sigma S`, clipped to [0, 1];
    * ``log``: :math:`S e^{\mp z\sigma}`, upper clipped at 1; NaN where S = 0;
    * ``log-log``: :math:`\exp(-\exp(\log(-\log S) \mp z\sigma/\log S))`; NaN at S in {0, 1};
    * ``logit``: :math:`1 - 1/(1 + \exp(\text{logit}\,S \mp z\sigma/(1-S)))`; NaN at S = 0
      (and at S = 1, where R evaluates 0 x Inf);
    * ``arcsin``: :math:`\sin^2(\arcsin\sqrt S \mp \tfrac12 z\sigma\sqrt{S/(1-S)})` with the angle
      clipped to :math:`[0, \pi/2]`; NaN at S = 0 (and S = 1, as R).

    Examples
    --------
    >>> lo, hi = survfit_confint(np.array([0.5]), np.array([0.2]), "log", 0.95)
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.337854, 0.739964)
    """
    p = np.asarray(surv, dtype=float)
    se = np.asarray(se_log, dtype=float)
    z = float(sps.norm.ppf(1 - (1 - level) / 2))
    with np.errstate(all="ignore"):
        if conf_type == "plain":
            se2 = se * p * z
            return np.maximum(p - se2, 0.0), np.minimum(p + se2, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            se2 = z * se
            return np.exp(np.log(xx) - se2), np.minimum(np.exp(np.log(xx) + se2), 1.0)
        if conf_type == "log-log":
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            se2 = z * se / np.log(xx)
            lll = np.log(-np.log(xx))
            return np.exp(-np.exp(lll - se2)), np.exp(-np.exp(lll + se2))
        if conf_type == "logit":
            xx = np.where(p == 0, np.nan, p)
            se2 = z * se * (1 + xx / (1 - xx))
            lg = np.log(p / (1 - p))
            return 1 - 1 / (1 + np.exp(lg - se2)), 1 - 1 / (1 + np.exp(lg + se2))
        if conf_type == "arcsin":
            xx = np.where(p == 0, np.nan, p)
            se2 = 0.5 * z * se * np.sqrt(xx / (1 - xx))
            a = np.arcsin(np.sqrt(xx))
            return (np.sin(np.maximum(0.0, a - se2)) ** 2,
                    np.sin(np.minimum(np.pi / 2, a + se2)) ** 2)
    raise ValueError(f"unknown conf_type {conf_type!r}")  # pragma: no cover - checked upstream


def _approx_const_right(xv: np.ndarray, yv: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R ``approx(xv, yv, xout, method="constant", f=1)$y`` (rule 1: NA outside the range)."""
    ok = ~np.isnan(xv)
    xs, ys = xv[ok], yv[ok].astype(float)
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    out = np.full(xout.shape, np.nan)
    if xs.size == 0:
        return out
    j = np.searchsorted(xs, xout, side="left")
    inside = (xout >= xs[0]) & (xout <= xs[-1])
    out[inside] = ys[j[inside]]
    return out


def findq(x: np.ndarray, y: np.ndarray, probs: np.ndarray,
          tol: float = R_QUANTILE_TOL) -> np.ndarray:
    """Quantile look-up of ``survival:::findq``: first time where ``y`` (= 1 - S) reaches p.

    ``x`` are the times with the start time prepended, ``y`` the cumulative failure with 0
    prepended (NaN allowed, as in a confidence band). Where the curve sits exactly at ``p``
    (within ``tol``) over a flat segment, the midpoint of that segment is returned; when the
    flat segment is the last one, the midpoint between its start and the last time.

    Examples
    --------
    >>> x = np.array([0., 1., 2., 3., 4.])
    >>> y = np.array([0., .25, .5, .5, .75])
    >>> findq(x, y, np.array([0.25, 0.5, 0.9])).tolist()
    [1.5, 3.0, nan]
    """
    probs = np.asarray(probs, dtype=float)
    out = np.full(probs.shape, np.nan)
    if np.all(np.isnan(y)) or np.nanmax(y) < probs.min():
        return out
    xmax = x[-1]
    keep = ~pd.Series(y).duplicated().to_numpy()
    x, y = x[keep], y[keep]
    idx = np.arange(y.size, dtype=float)  # 0-based positions (R uses 1:n)
    i1 = _approx_const_right(y + tol, idx, probs)
    i2 = _approx_const_right(y - tol, idx, probs)

    def take(i: np.ndarray) -> np.ndarray:
        res = np.full(i.shape, np.nan)
        ok = ~np.isnan(i)
        res[ok] = x[i[ok].astype(np.intp)]
        return res

    x1 = take(i1)
    out = (x1 + take(i2)) / 2
    out[probs == 0] = x[0]
    if not np.isnan(y[-1]):
        last = np.abs(probs - y[-1]) < tol
        out[last] = (x1[last] + xmax) / 2
    return out
