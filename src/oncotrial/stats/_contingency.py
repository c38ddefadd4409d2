"""Tests on contingency tables: Fisher's exact test (2 x 2 and r x c) and Pearson's chi-square."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_choice, check_level
from oncotrial.stats._proportion import ALTERNATIVES, R_REL_ERR, Alternative

__all__ = ["ChiSquareResult", "FisherResult", "chi_square", "fisher_exact"]

#: Largest number of r x c tables :func:`fisher_exact` will enumerate.
MAX_TABLES = 5_000_000


def _as_table(table: Any, func: str) -> np.ndarray:
    try:
        m = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise bad_value("table", func, "a 2-D array of counts", type(table).__name__) from None
    if m.ndim != 2 or m.shape[0] < 2 or m.shape[1] < 2:
        raise bad_value("table", func, "a 2-D array with at least 2 rows and 2 columns",
                        f"shape {m.shape}")
    flat = m.reshape(-1)
    bad = ~np.isfinite(flat) | (flat < 0) | (flat != np.round(flat))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OncotrialValueError(
            f"`table` of `{func}` must hold non-negative integer counts; got {float(flat[i])!r} at "
            f"flat index {i} (row {i // m.shape[1]}, column {i % m.shape[1]}).")
    return m.astype(np.int64)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class FisherResult(Result):
    """Fisher's exact test.

    Attributes
    ----------
    pvalue : float
        Exact p-value.
    alternative : str
        ``'two-sided'`` (always for r x c), ``'less'`` or ``'greater'``.
    odds_ratio : float or None
        2 x 2 only: conditional maximum-likelihood odds ratio (R ``fisher.test()$estimate``).
    ci : ConfidenceInterval or None
        2 x 2 only: exact conditional CI of the odds ratio (R ``$conf.int``).
    n_tables : int or None
        r x c only: number of tables enumerated.
    """

    pvalue: float
    alternative: str
    odds_ratio: float | None
    ci: ConfidenceInterval | None
    n_tables: int | None

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        return pd.DataFrame({
            "pvalue": [self.pvalue], "alternative": [self.alternative],
            "odds_ratio": [self.odds_ratio], "lower": [None if self.ci is None else self.ci.low],
            "upper": [None if self.ci is None else self.ci.high]})


@lru_cache(maxsize=4096)
def _compositions(total: int, bounds: tuple[int, ...]) -> np.ndarray:
    """All integer vectors a with sum(a) = total and 0 <= a_i <= bounds_i (rows of an array)."""
    if len(bounds) == 1:
        return np.array([[total]]) if total <= bounds[0] else np.empty((0, 1), dtype=np.int64)
    rest = sum(bounds[1:])
    parts = []
    for a0 in range(max(0, total - rest), min(bounds[0], total) + 1):
        sub = _compositions(total - a0, bounds[1:])
        if sub.size:
            parts.append(np.column_stack([np.full(len(sub), a0), sub]))
    if not parts:
        return np.empty((0, len(bounds)), dtype=np.int64)
    return np.vstack(parts)


def _fisher_rxc(m: np.ndarray) -> tuple[float, int]:
    """Sum of P(table) over tables with the observed margins and P <= P_obs (1 + 1e-7)."""
    if m.shape[0] > m.shape[1]:
        m = m.T
    rows = m.sum(axis=1)
    cols = m.sum(axis=0)
    lf = special.gammaln(np.arange(m.sum() + 1) + 1.0)  # log k!
    const = lf[rows].sum() + lf[cols].sum() - lf[m.sum()]
    log_obs = const - lf[m].sum()
    thresh = log_obs + np.log(R_REL_ERR)
    total = 0.0
    count = 0

    def walk(j: int, rem: np.ndarray, acc: float) -> None:
        nonlocal total, count
        if j == len(cols) - 2:  # vectorise the last two columns
            a = _compositions(int(cols[j]), tuple(int(v) for v in rem))
            last = rem[None, :] - a
            lp = acc - lf[a].sum(axis=1) - lf[last].sum(axis=1)
            count += len(a)
            if count > MAX_TABLES:
                raise OncotrialValueError(
                    f"`table` of `fisher_exact` has more than {MAX_TABLES:,} tables with its "
                    "margins; exact enumeration is too slow. Use `chi_square` or pool categories.")
            total += float(np.exp(lp[lp <= thresh]).sum())
            return
        for a in _compositions(int(cols[j]), tuple(int(v) for v in rem)):
            walk(j + 1, rem - a, acc - lf[a].sum())

    walk(0, rows.copy(), const)
    return min(total, 1.0), count


def fisher_exact(table: Any, alternative: Alternative = "two-sided",
                 level: float = 0.95) -> FisherResult:
    r"""Fisher's exact test on an r x c table of counts, R ``fisher.test`` conventions.

    Parameters
    ----------
    table : array_like of int, shape (r, c)
        Counts, r, c >= 2 (e.g. responders/non-responders by arm).
    alternative : {'two-sided', 'less', 'greater'}, default='two-sided'
        For 2 x 2 tables (odds ratio < 1 / > 1); r x c tables are always two-sided.
    level : float, default=0.95
        Level of the odds-ratio CI (2 x 2).

    Returns
    -------
    FisherResult

    Notes
    -----
    Conditional on both margins the table is multivariate hypergeometric,
    :math:`P(T) = \prod_i r_i! \prod_j c_j! / (N! \prod_{ij} t_{ij}!)` [1]_. The two-sided
    p-value sums :math:`P(T)` over every table with the observed margins and
    :math:`P(T) \le P(T_{obs})(1 + 10^{-7})` (R's relative tolerance). 2 x 2 tables use
    ``scipy.stats.fisher_exact`` (same rule); the odds ratio is the conditional MLE and its
    exact CI (``scipy.stats.contingency.odds_ratio(kind='conditional')``) [2]_ -- R solves the
    same equations with ``uniroot`` at tolerance ~1e-4, so the two agree to about 1e-4.
    r x c tables are enumerated exactly (column by column, the last two columns vectorised;
    at most ``MAX_TABLES`` tables) instead of R's network algorithm [3]_; the p-value is the
    same sum.

    References
    ----------
    .. [1] Fisher RA. Statistical Methods for Research Workers, 5th ed. 1934, section 21.02.
    .. [2] Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 3.5.
    .. [3] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
       contingency tables. JASA 1983;78:427-434.

    Examples
    --------
    >>> round(fisher_exact([[3, 1], [1, 3]]).pvalue, 6)
    0.485714
    >>> round(fisher_exact([[1, 2, 3], [2, 1, 4], [3, 0, 2]]).pvalue, 6)
    0.714109
    """
    func = "fisher_exact"
    m = _as_table(table, func)
    alternative = check_choice(alternative, ALTERNATIVES, func, "alternative")
    level = check_level(level, func)
    if m.shape == (2, 2):
        p = float(sps.fisher_exact(m, alternative=alternative).pvalue)
        o = odds_ratio(m, kind="conditional")
        c = o.confidence_interval(confidence_level=level, alternative=alternative)
        ci = ConfidenceInterval(float(c.low), float(c.high), level, "conditional-exact")
        return FisherResult(p, alternative, float(o.statistic), ci, None)
    if alternative != "two-sided":
        raise bad_value("alternative", func, "'two-sided' for tables larger than 2 x 2",
                        alternative)
    p, count = _fisher_rxc(m)
    return FisherResult(p, "two-sided", None, None, count)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ChiSquareResult(Result):
    """Pearson's chi-square test of independence.

    Attributes
    ----------
    statistic, df, pvalue : float, int, float
        X-squared, degrees of freedom, upper-tail p-value.
    expected : ndarray
        Expected counts under independence.
    correction : bool
        Whether Yates' continuity correction was applied (2 x 2 with ``correct=True``).
    low_expected : bool
        Some expected count < 5 (R warns "Chi-squared approximation may be incorrect").
    """

    statistic: float
    df: int
    pvalue: float
    expected: np.ndarray
    correction: bool
    low_expected: bool

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df],
                             "pvalue": [self.pvalue], "correction": [self.correction],
                             "low_expected": [self.low_expected]})


def chi_square(table: Any, correct: bool = True) -> ChiSquareResult:
    r"""Pearson's chi-square test on an r x c table, R ``chisq.test(table)`` conventions.

    Parameters
    ----------
    table : array_like of int, shape (r, c)
        Counts; no all-zero row or column.
    correct : bool, default=True
        Yates' continuity correction on 2 x 2 tables (R's default ``correct = TRUE``).

    Returns
    -------
    ChiSquareResult

    Notes
    -----
    :math:`E_{ij} = r_i c_j / N`, :math:`X^2 = \sum (|O - E| - Y)^2 / E` with
    df = (r - 1)(c - 1) [1]_. :math:`Y = \min(0.5, \min_{ij} |O_{ij} - E_{ij}|)` for a 2 x 2 table
    with ``correct=True`` (exactly R's rule, so the correction never overshoots), else 0 [2]_.

    References
    ----------
    .. [1] Pearson K. On the criterion that a given system of deviations... Phil Mag
       1900;50:157-175.
    .. [2] Yates F. Contingency tables involving small numbers and the chi-square test.
       J R Stat Soc Suppl 1934;1:217-235.

    Examples
    --------
    >>> r = chi_square([[23, 9], [29, 46]])
    >>> round(r.statistic, 4), r.df, r.correction
    (8.6172, 1, True)
    """
    func = "chi_square"
    m = _as_table(table, func).astype(float)
    rows, cols = m.sum(axis=1), m.sum(axis=0)
    for name, sums in (("row", rows), ("column", cols)):
        if np.any(sums == 0):
            i = int(np.flatnonzero(sums == 0)[0])
            raise OncotrialValueError(
                f"`table` of `{func}` must not have an all-zero {name}; {name} {i} sums to 0. "
                "Drop empty categories first.")
    e = np.outer(rows, cols) / m.sum()
    use_yates = bool(correct) and m.shape == (2, 2)
    y = min(0.5, float(np.abs(m - e).min())) if use_yates else 0.0
    stat = float(np.sum((np.abs(m - e) - y) ** 2 / e))
    df = (m.shape[0] - 1) * (m.shape[1] - 1)
    return ChiSquareResult(stat, df, float(sps.chi2.sf(stat, df)), e, use_yates and y > 0,
                           bool(np.any(e < 5)))
