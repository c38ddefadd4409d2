"""Log-rank test, R ``survdiff`` (rho = 0) conventions, optionally stratified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import as_event_array, as_float_array, check_same_length
from oncotrial.stats._timefix import timefix

__all__ = ["LogRankResult", "logrank_test"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class LogRankResult(Result):
    """Log-rank test of equal survival across groups.

    Attributes
    ----------
    chisq : float
        Test statistic.
    df : int
        Degrees of freedom: groups with expected > 0, minus 1.
    pvalue : float
        Upper tail of chi-square(df).
    groups : list
        Group labels (sorted, as R factor levels).
    n : ndarray
        Subjects per group.
    observed, expected : ndarray
        Events per group, observed and expected under H0 (summed over strata).
    var : ndarray
        Variance-covariance matrix of observed - expected (summed over strata).
    stratified : bool
        Whether ``strata`` was given.
    """

    chisq: float
    df: int
    pvalue: float
    groups: list[Any]
    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    var: np.ndarray
    stratified: bool

    def summary(self) -> pd.DataFrame:
        """Per-group table as R ``print(survdiff(...))``; chisq, df, p as columns."""
        with np.errstate(divide="ignore", invalid="ignore"):
            oe2e = (self.observed - self.expected) ** 2 / self.expected
            oe2v = (self.observed - self.expected) ** 2 / np.diag(self.var)
        return pd.DataFrame({
            "group": self.groups, "n": self.n, "observed": self.observed,
            "expected": self.expected, "(O-E)^2/E": oe2e, "(O-E)^2/V": oe2v,
            "chisq": self.chisq, "df": self.df, "pvalue": self.pvalue})


def _one_stratum(t: np.ndarray, e: np.ndarray, g: np.ndarray,
                 k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ut, ti = np.unique(t, return_inverse=True)
    m = ut.size
    at = np.bincount(ti * k + g, minlength=m * k).reshape(m, k).astype(float)
    dk = np.bincount(ti * k + g, weights=e.astype(float), minlength=m * k).reshape(m, k)
    risk = np.cumsum(at[::-1], axis=0)[::-1]  # n_k(t): time >= t in group k
    n = risk.sum(axis=1)
    d = dk.sum(axis=1)
    keep = d > 0
    risk, n, d, dk = risk[keep], n[keep], d[keep], dk[keep]
    obs = dk.sum(axis=0)
    exp = (risk * (d / n)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
    var = np.diag((risk * (c * n)[:, None]).sum(axis=0)) - (risk * c[:, None]).T @ risk
    return obs, exp, var


def logrank_test(time: Any, event: Any, group: Any, strata: Any = None) -> LogRankResult:
    r"""Log-rank test (Mantel-Haenszel), identical to R ``survdiff(Surv(time, event) ~ group)``.

    Parameters
    ----------
    time : array_like of float
        Times >= 0.
    event : array_like of {0, 1}
        1 = event, 0 = censored.
    group : array_like
        Group labels (at least two distinct values); order of output = sorted labels.
    strata : array_like, optional
        Stratum labels; observed, expected and variance are summed over strata
        (R ``survdiff(... ~ group + strata(s))``).

    Returns
    -------
    LogRankResult

    Notes
    -----
    Within each stratum, at each distinct event time with :math:`d` events among :math:`n`
    at risk (:math:`d_k`, :math:`n_k` in group k) [1]_ [2]_:
    :math:`E_k = \sum d\,n_k/n`, :math:`V_{jk} = \sum \frac{d(n-d)}{n^2(n-1)}
    n_j(\delta_{jk} n - n_k)` (terms with n = 1 contribute 0). Sums run over strata. With
    :math:`U = O - E`, the statistic is :math:`U^T V^{-} U` computed as R: groups with
    :math:`E_k = 0` are dropped, then the first remaining group, and the rest solved exactly;
    df = (number of groups with :math:`E_k > 0`) - 1; with fewer than two such groups the
    statistic is 0. Times equal up to :math:`\sqrt{\epsilon}` are merged (R ``timefix``).

    References
    ----------
    .. [1] Mantel N. Evaluation of survival data and two new rank order statistics arising in
       its consideration. Cancer Chemother Rep 1966;50:163-170.
    .. [2] Therneau T. survival 3.5, ``survdiff`` / ``survdiff2.c`` (rho = 0).

    Examples
    --------
    >>> r = logrank_test([9, 13, 13, 18, 23, 5, 5, 8, 8, 12], [1, 1, 0, 1, 1, 1, 1, 1, 1, 1],
    ...                  ["M"] * 5 + ["N"] * 5)
    >>> r.df, round(r.chisq, 4), r.observed.tolist()
    (1, 7.26, [4.0, 5.0])
    """
    func = "logrank_test"
    t = as_float_array(time, func, "time", nonnegative=True)
    e = as_event_array(event, func, "event")
    g_raw = np.asarray(group).reshape(-1)
    check_same_length(func, time=t, event=e, group=g_raw)
    codes, labels = pd.factorize(g_raw, sort=True)
    if np.any(codes < 0):
        i = int(np.flatnonzero(codes < 0)[0])
        raise OncotrialValueError(
            f"`group` of `{func}` must not be missing; got {g_raw[i]!r} at index {i}.")
    k = len(labels)
    if k < 2:
        raise OncotrialValueError(
            f"`group` of `{func}` must have at least 2 distinct values; got {k}. "
            "A single group has nothing to compare (R: 'There is only 1 group').")
    if strata is None:
        s_codes = np.zeros(t.size, dtype=np.intp)
    else:
        s_raw = np.asarray(strata).reshape(-1)
        check_same_length(func, time=t, strata=s_raw)
        s_codes, _ = pd.factorize(s_raw, sort=True)
        if np.any(s_codes < 0):
            i = int(np.flatnonzero(s_codes < 0)[0])
            raise OncotrialValueError(
                f"`strata` of `{func}` must not be missing; got {s_raw[i]!r} at index {i}.")
    t = timefix(t)
    obs = np.zeros(k)
    exp = np.zeros(k)
    var = np.zeros((k, k))
    for s in np.unique(s_codes):
        m = s_codes == s
        o, ex, v = _one_stratum(t[m], e[m], codes[m], k)
        obs += o
        exp += ex
        var += v
    ok = exp > 0
    if ok.sum() < 2:
        chisq = 0.0
    else:
        u = (obs - exp)[ok][1:]
        vv = var[np.ix_(ok, ok)][1:, 1:]
        chisq = float(np.sum(np.linalg.solve(vv, u) * u))
    df = int(ok.sum()) - 1
    pvalue = float(sps.chi2.sf(chisq, df)) if df > 0 else 1.0
    groups = [lab.item() if hasattr(lab, "item") else lab for lab in labels]
    return LogRankResult(chisq=chisq, df=df, pvalue=pvalue, groups=groups,
                         n=np.bincount(codes, minlength=k), observed=obs, expected=exp,
                         var=var, stratified=strata is not None)
