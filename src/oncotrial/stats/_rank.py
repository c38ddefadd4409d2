"""Wilcoxon rank-sum (Mann-Whitney) test, R ``wilcox.test(x, y)`` conventions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from oncotrial._result import Result
from oncotrial._validation import as_float_array, check_choice
from oncotrial.stats._proportion import ALTERNATIVES, Alternative

__all__ = ["WilcoxonResult", "wilcoxon_rank_sum"]

#: R ``wilcox.test``: exact when both samples have fewer than this many values (and no ties).
EXACT_MAX_N = 50


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class WilcoxonResult(Result):
    """Wilcoxon rank-sum test.

    Attributes
    ----------
    statistic : float
        R's W: rank sum of ``x`` minus ``n_x (n_x + 1) / 2`` (the Mann-Whitney U of ``x``).
    pvalue : float
        P-value.
    alternative : str
        Echoed.
    method : str
        ``'exact'`` or ``'normal'`` (with ``correct`` continuity correction).
    n_x, n_y : int
        Sample sizes.
    """

    statistic: float
    pvalue: float
    alternative: str
    method: str
    n_x: int
    n_y: int

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        return pd.DataFrame({"W": [self.statistic], "pvalue": [self.pvalue],
                             "alternative": [self.alternative], "method": [self.method],
                             "n_x": [self.n_x], "n_y": [self.n_y]})


def wilcoxon_rank_sum(x: Any, y: Any, alternative: Alternative = "two-sided",
                      exact: bool | None = None, correct: bool = True) -> WilcoxonResult:
    r"""Wilcoxon rank-sum test of a location shift between ``x`` and ``y`` (R ``wilcox.test``).

    Parameters
    ----------
    x, y : array_like of float
        The two samples (e.g. tumour shrinkage by arm), finite values.
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        ``'greater'``: ``x`` tends to be larger than ``y``.
    exact : bool, optional
        Exact null distribution. Default (R): exact when both samples have fewer than 50
        values; ignored (normal approximation) when there are ties, as R.
    correct : bool, default=True
        Continuity correction of the normal approximation (R default).

    Returns
    -------
    WilcoxonResult

    Notes
    -----
    :math:`W = \sum_{i} R(x_i) - n_x(n_x+1)/2` with mid-ranks for ties [1]_. Exact: the
    Mann-Whitney distribution (``scipy.stats.mannwhitneyu(method='exact')``, which equals R
    ``pwilcox``); two-sided :math:`p = \min(1, 2\min(P(W \le w), P(W \ge w)))`. Normal:
    :math:`z = (W - n_x n_y/2 - c)/\sigma`,
    :math:`\sigma^2 = \frac{n_x n_y}{12}\left(n_x + n_y + 1 - \frac{\sum (t^3 - t)}
    {(n_x+n_y)(n_x+n_y-1)}\right)` over tie groups t; :math:`c = 0.5\,\text{sign}(W - n_x n_y/2)`
    two-sided, +0.5 ``greater``, -0.5 ``less`` (0 without ``correct``) [2]_. When every
    observation is tied (:math:`\sigma = 0`) the p-value is 1 (R returns NA).

    References
    ----------
    .. [1] Mann HB, Whitney DR. On a test of whether one of two random variables is
       stochastically larger than the other. Ann Math Stat 1947;18:50-60.
    .. [2] Hollander M, Wolfe DA. Nonparametric Statistical Methods, 2nd ed. Wiley 1999,
       section 4.1 (R ``wilcox.test`` source).

    Examples
    --------
    >>> r = wilcoxon_rank_sum([1.83, 0.50, 1.62, 2.48, 1.68], [0.88, 0.65, 0.60, 2.05, 1.06])
    >>> r.statistic, round(r.pvalue, 6), r.method
    (17.0, 0.420635, 'exact')
    """
    func = "wilcoxon_rank_sum"
    xv = as_float_array(x, func, "x")
    yv = as_float_array(y, func, "y")
    alternative = check_choice(alternative, ALTERNATIVES, func, "alternative")
    nx, ny = xv.size, yv.size
    r = sps.rankdata(np.concatenate([xv, yv]))
    w = float(r[:nx].sum() - nx * (nx + 1) / 2)
    _, tie_counts = np.unique(r, return_counts=True)
    ties = bool(np.any(tie_counts > 1))
    use_exact = (nx < EXACT_MAX_N and ny < EXACT_MAX_N) if exact is None else bool(exact)
    if use_exact and not ties:
        p = float(sps.mannwhitneyu(xv, yv, alternative=alternative, method="exact").pvalue)
        return WilcoxonResult(w, p, alternative, "exact", nx, ny)
    z = w - nx * ny / 2
    t = tie_counts.astype(float)
    sigma = np.sqrt((nx * ny / 12) * ((nx + ny + 1) - np.sum(t ** 3 - t) / ((nx + ny) * (
        nx + ny - 1))))
    if sigma == 0:  # every observation tied: no information (R returns NA here)
        return WilcoxonResult(w, 1.0, alternative, "normal", nx, ny)
    corr = 0.0
    if correct:
        corr = {"two-sided": float(np.sign(z)) * 0.5, "greater": 0.5, "less": -0.5}[alternative]
    z = (z - corr) / sigma
    if alternative == "less":
        p = float(sps.norm.cdf(z))
    elif alternative == "greater":
        p = float(sps.norm.sf(z))
    else:
        p = float(2 * min(sps.norm.cdf(z), sps.norm.sf(z)))
    return WilcoxonResult(w, p, alternative, "normal", nx, ny)
