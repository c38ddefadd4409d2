"""Tests on contingency tables: Fisher's exact test (2 x 2 and r x c) and Pearson's chi-square."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_choice, check_level
from oncotrial.stats._fisher_network import FEXACT_TOL, fisher_rxc_network
from oncotrial.stats._proportion import ALTERNATIVES, Alternative

__all__ = ["ChiSquareResult", "FisherResult", "chi_square", "fisher_exact"]

def _as_table(table: Any, func: str) -> np.ndarray:
    try:  # fast path: a valid table of integers (the checks below cost ~40 us, as much as a test)
        raw = np.asarray(table)
    except (TypeError, ValueError):
        raw = None
    if (raw is not None and raw.ndim == 2 and raw.shape[0] >= 2 and raw.shape[1] >= 2
            and (raw.dtype.kind == "i" or (raw.dtype.kind == "u" and raw.dtype.itemsize < 8))
            and raw.min() >= 0):
        return raw.astype(np.int64, copy=False)
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
        Always ``None`` since the network algorithm replaced enumeration (kept so that
        callers reading it keep working).
    n_nodes : int or None
        r x c only: number of nodes of the network (distinct partial row-total states).

        .. versionadded:: 0.2
    """

    pvalue: float
    alternative: str
    odds_ratio: float | None
    ci: ConfidenceInterval | None
    n_tables: int | None
    n_nodes: int | None = None

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        return pd.DataFrame({
            "pvalue": [self.pvalue], "alternative": [self.alternative],
            "odds_ratio": [self.odds_ratio], "lower": [None if self.ci is None else self.ci.low],
            "upper": [None if self.ci is None else self.ci.high]})


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
    :math:`P(T) \le P(T_{obs})(1 + tol)`. 2 x 2 tables use ``scipy.stats.fisher_exact``
    (R's ``relErr = 1 + 1e-7``); the odds ratio is the conditional MLE and its exact CI
    (``scipy.stats.contingency.odds_ratio(kind='conditional')``) [2]_ -- R solves the same
    equations with ``uniroot`` at tolerance ~1e-4, so the two agree to about 1e-4.
    r x c tables use the network algorithm of Mehta & Patel [3]_ [4]_, as R's FEXACT:
    columns are stages, nodes the sorted remaining row totals, and exact longest/shortest
    path bounds settle or discard whole sub-networks at once
    (:mod:`oncotrial.stats._fisher_network`); the tolerance is FEXACT's
    ``log P(T) <= log P(T_obs) + 3.45254e-7``. The p-value equals R ``fisher.test`` to about
    1e-13 on the golden tables (``tools/golden_design.R``).

    References
    ----------
    .. [1] Fisher RA. Statistical Methods for Research Workers, 5th ed. 1934, section 21.02.
    .. [2] Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 3.5.
    .. [3] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
       contingency tables. JASA 1983;78:427-434.
    .. [4] Mehta CR, Patel NR. Algorithm 643: FEXACT. ACM TOMS 1986;12:154-161.

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
        return FisherResult(p, alternative, float(o.statistic), ci, None, None)
    if alternative != "two-sided":
        raise bad_value("alternative", func, "'two-sided' for tables larger than 2 x 2",
                        alternative)
    p, n_nodes = fisher_rxc_network(m, FEXACT_TOL)
    return FisherResult(p, "two-sided", None, None, None, n_nodes)


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
