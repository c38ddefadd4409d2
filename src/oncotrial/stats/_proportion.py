"""Confidence intervals for one binomial proportion and the exact binomial test.

Every interval method is a named convention (STYLE.md #4) tied to a numbered reference; the
``wilson-cc`` method reproduces R ``prop.test(x, n)$conf.int`` bit for bit, including its
quirks, and ``clopper-pearson`` reproduces R ``binom.test(x, n)$conf.int``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as sps

from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_choice, check_count, check_level, check_probability

__all__ = ["BinomialTestResult", "ProportionResult", "binomial_test", "proportion_ci"]

ProportionMethod = Literal[
    "clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull", "mid-p", "wald"
]
PROPORTION_METHODS: tuple[str, ...] = (
    "clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull", "mid-p", "wald",
)
Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")

#: R's tolerance for "as or less likely" in the two-sided exact tests (binom.test, fisher.test).
R_REL_ERR = 1 + 1e-7


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ProportionResult(Result):
    """A binomial proportion with its confidence interval.

    Attributes
    ----------
    estimate : float
        ``x / n``.
    ci : ConfidenceInterval
        The interval; ``ci.method`` echoes the method.
    x, n : int
        Successes and trials.
    method : str
        The interval method.
    """

    estimate: float
    ci: ConfidenceInterval
    x: int
    n: int
    method: str

    @property
    def low(self) -> float:
        """Lower confidence limit (``ci.low``)."""
        return self.ci.low

    @property
    def high(self) -> float:
        """Upper confidence limit (``ci.high``)."""
        return self.ci.high

    def summary(self) -> pd.DataFrame:
        """One-row table: x, n, estimate, lower, upper, level, method."""
        return pd.DataFrame({
            "x": [self.x], "n": [self.n], "estimate": [self.estimate], "lower": [self.ci.low],
            "upper": [self.ci.high], "level": [self.ci.level], "method": [self.method],
        })


def _score_interval(x: int, n: int, z: float, yates: float) -> tuple[float, float]:
    """Wilson score interval with continuity correction ``yates`` -- R ``prop.test``, k = 1."""
    est = x / n
    z22n = z * z / (2 * n)
    pc = est + yates / n
    hi = 1.0 if pc >= 1 else (pc + z22n + z * np.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (
        1 + 2 * z22n)
    pc = est - yates / n
    lo = 0.0 if pc <= 0 else (pc + z22n - z * np.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (
        1 + 2 * z22n)
    return max(float(lo), 0.0), min(float(hi), 1.0)


def _clopper_pearson(x: int, n: int, alpha_low: float, alpha_high: float) -> tuple[float, float]:
    lo = 0.0 if x == 0 else float(special.betaincinv(x, n - x + 1, alpha_low))
    hi = 1.0 if x == n else float(special.betaincinv(x + 1, n - x, 1 - alpha_high))
    return lo, hi


def _mid_p(x: int, n: int, alpha: float) -> tuple[float, float]:
    """Mid-p limits: roots of P(X > x) + P(X = x)/2 = alpha/2 and P(X < x) + P(X = x)/2 = alpha/2."""
    def upper_tail(p: float) -> float:
        return float(sps.binom.sf(x, n, p) + 0.5 * sps.binom.pmf(x, n, p)) - alpha / 2

    def lower_tail(p: float) -> float:
        return float(sps.binom.cdf(x - 1, n, p) + 0.5 * sps.binom.pmf(x, n, p)) - alpha / 2

    lo = 0.0 if x == 0 else optimize.brentq(upper_tail, 0.0, 1.0, xtol=1e-15, rtol=1e-15)
    hi = 1.0 if x == n else optimize.brentq(lower_tail, 0.0, 1.0, xtol=1e-15, rtol=1e-15)
    return float(lo), float(hi)


def proportion_ci(x: int, n: int, method: ProportionMethod = "clopper-pearson",
                  level: float = 0.95) -> ProportionResult:
    r"""Two-sided confidence interval for a binomial proportion ``x / n``.

    Parameters
    ----------
    x : int
        Number of successes (e.g. responders), ``0 <= x <= n``.
    n : int
        Number of trials (evaluable patients), ``n >= 1``.
    method : {'clopper-pearson', 'wilson', 'wilson-cc', 'jeffreys', 'agresti-coull', 'mid-p', \
'wald'}, default='clopper-pearson'
        Interval method; the default is the exact interval of R ``binom.test``.
    level : float, default=0.95
        Confidence level in (0, 1).

    Returns
    -------
    ProportionResult
        ``estimate``, ``ci`` (with ``.low``/``.high``), ``x``, ``n``, ``method``.

    Notes
    -----
    With :math:`\hat p = x/n`, :math:`\alpha = 1 - \text{level}`, :math:`z = \Phi^{-1}(1-\alpha/2)`:

    * ``clopper-pearson`` [1]_: :math:`[B^{-1}(\alpha/2; x, n-x+1),\ B^{-1}(1-\alpha/2; x+1, n-x)]`,
      lower = 0 when x = 0, upper = 1 when x = n. Equals R ``binom.test(x, n)$conf.int``.
    * ``wilson`` [2]_: score interval
      :math:`(\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}) / (1 + z^2/n)`.
      Equals R ``prop.test(x, n, correct = FALSE)$conf.int``.
    * ``wilson-cc`` [3]_: the score interval computed at :math:`\hat p \pm c/n`, exactly as R
      ``prop.test(x, n)$conf.int`` (R >= 3.x source). R's quirks are kept: the correction is
      :math:`c = \min(0.5, |x - n/2|)` (R measures it against its default null ``p = 0.5``, so
      ``x = n/2`` gets *no* correction); a limit is set to 0 (1) when
      :math:`\hat p - c/n \le 0` (:math:`\hat p + c/n \ge 1`); limits are clipped to [0, 1].
    * ``jeffreys`` [4]_: quantiles of Beta(x + 1/2, n - x + 1/2); lower = 0 when x = 0 and
      upper = 1 when x = n (Brown, Cai & DasGupta's modification).
    * ``agresti-coull`` [5]_: :math:`\tilde n = n + z^2`, :math:`\tilde p = (x + z^2/2)/\tilde n`,
      :math:`\tilde p \pm z\sqrt{\tilde p(1-\tilde p)/\tilde n}`, clipped to [0, 1].
    * ``mid-p`` [3]_: lower limit solves :math:`P(X > x) + P(X = x)/2 = \alpha/2`, upper solves
      :math:`P(X < x) + P(X = x)/2 = \alpha/2` (Brent root finding to 1e-15); 0 when x = 0,
      1 when x = n.
    * ``wald`` [3]_: :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}`, clipped to [0, 1] (so the
      interval is [0, 0] at x = 0 and [1, 1] at x = n -- the reason not to use it).

    References
    ----------
    .. [1] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the
       case of the binomial. Biometrika 1934;26:404-413.
    .. [2] Wilson EB. Probable inference, the law of succession, and statistical inference.
       JASA 1927;22:209-212.
    .. [3] Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
       seven methods. Stat Med 1998;17:857-872 (methods 1, 3, 4, 6).
    .. [4] Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion.
       Stat Sci 2001;16:101-133.
    .. [5] Agresti A, Coull BA. Approximate is better than "exact" for interval estimation of
       binomial proportions. Am Stat 1998;52:119-126.

    Examples
    --------
    Overall response in the panNET cohort of TALENT (23 of 52), as printed (30.7 to 58.6):

    >>> r = proportion_ci(23, 52, method="wilson-cc")
    >>> round(100 * r.estimate, 1), round(100 * r.low, 1), round(100 * r.high, 1)
    (44.2, 30.7, 58.6)
    >>> r = proportion_ci(81, 263)
    >>> round(r.low, 4), round(r.high, 4)
    (0.2527, 0.3676)
    """
    func = "proportion_ci"
    n = check_count(n, func, "n")
    if n < 1:
        from oncotrial._errors import bad_value
        raise bad_value("n", func, "a positive integer", n, "A proportion needs at least one trial.")
    x = check_count(x, func, "x", upper=n)
    method = check_choice(method, PROPORTION_METHODS, func, "method")
    level = check_level(level, func)
    alpha = 1 - level
    z = float(sps.norm.ppf(1 - alpha / 2))
    est = x / n
    if method == "clopper-pearson":
        lo, hi = _clopper_pearson(x, n, alpha / 2, alpha / 2)
    elif method == "wilson":
        lo, hi = _score_interval(x, n, z, 0.0)
    elif method == "wilson-cc":
        lo, hi = _score_interval(x, n, z, min(0.5, abs(x - n * 0.5)))
    elif method == "jeffreys":
        lo = 0.0 if x == 0 else float(special.betaincinv(x + 0.5, n - x + 0.5, alpha / 2))
        hi = 1.0 if x == n else float(special.betaincinv(x + 0.5, n - x + 0.5, 1 - alpha / 2))
    elif method == "agresti-coull":
        nt = n + z * z
        pt = (x + z * z / 2) / nt
        half = z * np.sqrt(pt * (1 - pt) / nt)
        lo, hi = max(pt - half, 0.0), min(pt + half, 1.0)
    elif method == "mid-p":
        lo, hi = _mid_p(x, n, alpha)
    else:  # wald
        half = z * np.sqrt(est * (1 - est) / n)
        lo, hi = max(est - half, 0.0), min(est + half, 1.0)
    ci = ConfidenceInterval(float(lo), float(hi), level, method)
    return ProportionResult(estimate=est, ci=ci, x=x, n=n, method=method)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class BinomialTestResult(Result):
    """Exact binomial test of ``H0: p = p0``.

    Attributes
    ----------
    x, n : int
        Successes and trials.
    p0 : float
        Null proportion.
    alternative : str
        ``'two-sided'``, ``'greater'`` or ``'less'``.
    pvalue : float
        Exact p-value.
    estimate : float
        ``x / n``.
    ci : ConfidenceInterval
        Clopper-Pearson interval matching the alternative (one-sided for one-sided tests),
        as R ``binom.test``.
    """

    x: int
    n: int
    p0: float
    alternative: str
    pvalue: float
    estimate: float
    ci: ConfidenceInterval

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        return pd.DataFrame({
            "x": [self.x], "n": [self.n], "p0": [self.p0], "alternative": [self.alternative],
            "pvalue": [self.pvalue], "estimate": [self.estimate], "lower": [self.ci.low],
            "upper": [self.ci.high], "level": [self.ci.level],
        })


def binomial_test(x: int, n: int, p0: float, alternative: Alternative = "greater",
                  level: float = 0.95) -> BinomialTestResult:
    r"""Exact binomial test, R ``binom.test`` conventions.

    Parameters
    ----------
    x : int
        Successes, ``0 <= x <= n``.
    n : int
        Trials, ``n >= 1``.
    p0 : float
        Null proportion in (0, 1) (e.g. the uninteresting response rate of a phase II design).
    alternative : {'greater', 'less', 'two-sided'}, default='greater'
        ``'greater'`` is the usual single-arm phase II question (is the rate above ``p0``?).
        R's default is ``'two.sided'``.
    level : float, default=0.95
        Level of the Clopper-Pearson interval reported with the test.

    Returns
    -------
    BinomialTestResult

    Notes
    -----
    With :math:`X \sim \text{Bin}(n, p_0)`: ``greater``: :math:`P(X \ge x)`; ``less``:
    :math:`P(X \le x)`; ``two-sided`` [1]_: the sum of :math:`P(X = k)` over all k with
    :math:`P(X = k) \le P(X = x)(1 + 10^{-7})` (the relative tolerance of R's ``binom.test``),
    and 1 when :math:`x = n p_0`. The interval is Clopper-Pearson [2]_: two-sided at ``level``
    for ``two-sided``, ``[L, 1]`` for ``greater`` and ``[0, U]`` for ``less`` with the
    one-sided limits at ``level``, as R.

    References
    ----------
    .. [1] R Core Team. ``binom.test`` in package stats (R 4.2.2 source).
    .. [2] Clopper CJ, Pearson ES. Biometrika 1934;26:404-413.

    Examples
    --------
    >>> r = binomial_test(7, 20, 0.15)
    >>> round(r.pvalue, 6)
    0.021935
    >>> round(binomial_test(682, 925, 0.75, alternative="two-sided").pvalue, 6)
    0.382492
    """
    func = "binomial_test"
    n = check_count(n, func, "n")
    if n < 1:
        from oncotrial._errors import bad_value
        raise bad_value("n", func, "a positive integer", n)
    x = check_count(x, func, "x", upper=n)
    p0 = check_probability(p0, func, "p0")
    alternative = check_choice(alternative, ALTERNATIVES, func, "alternative")
    level = check_level(level, func)
    dist = sps.binom(n, p0)
    if alternative == "less":
        pval = float(dist.cdf(x))
        lo, hi = 0.0, _clopper_pearson(x, n, 1 - level, 1 - level)[1]
    elif alternative == "greater":
        pval = float(dist.sf(x - 1))
        lo, hi = _clopper_pearson(x, n, 1 - level, 1 - level)[0], 1.0
    else:
        d = dist.pmf(x)
        m = n * p0
        if x == m:
            pval = 1.0
        elif x < m:
            i = np.arange(int(np.ceil(m)), n + 1)
            y = int(np.sum(dist.pmf(i) <= d * R_REL_ERR))
            pval = float(dist.cdf(x) + dist.sf(n - y))
        else:
            i = np.arange(0, int(np.floor(m)) + 1)
            y = int(np.sum(dist.pmf(i) <= d * R_REL_ERR))
            pval = float(dist.cdf(y - 1) + dist.sf(x - 1))
        pval = min(pval, 1.0)
        a = (1 - level) / 2
        lo, hi = _clopper_pearson(x, n, a, a)
    ci = ConfidenceInterval(float(lo), float(hi), level, "clopper-pearson")
    return BinomialTestResult(x=x, n=n, p0=p0, alternative=alternative, pvalue=pval,
                              estimate=x / n, ci=ci)
