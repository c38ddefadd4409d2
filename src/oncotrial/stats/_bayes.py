"""Conjugate beta-binomial posterior for a response rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_count, check_level, check_probability

__all__ = ["BetaPosteriorResult", "beta_posterior"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class BetaPosteriorResult(Result):
    """Posterior Beta(a + x, b + n - x) of a binomial proportion.

    Attributes
    ----------
    shape1, shape2 : float
        Posterior parameters ``a + x`` and ``b + n - x``.
    mean, median : float
        Posterior mean and median.
    equal_tailed : ConfidenceInterval
        Central credible interval (``method='equal-tailed'``).
    hpd : ConfidenceInterval
        Highest-posterior-density interval (``method='hpd'``).
    p0 : float or None
        Threshold given by the caller.
    prob_above_p0 : float or None
        Posterior probability P(p > p0); ``None`` when ``p0`` is not given.
    x, n : int
        Data.
    a, b : float
        Prior parameters.
    """

    shape1: float
    shape2: float
    mean: float
    median: float
    equal_tailed: ConfidenceInterval
    hpd: ConfidenceInterval
    p0: float | None
    prob_above_p0: float | None
    x: int
    n: int
    a: float
    b: float

    def summary(self) -> pd.DataFrame:
        """One-row table of the posterior summaries."""
        return pd.DataFrame({
            "x": [self.x], "n": [self.n], "a": [self.a], "b": [self.b], "mean": [self.mean],
            "median": [self.median], "et_lower": [self.equal_tailed.low],
            "et_upper": [self.equal_tailed.high], "hpd_lower": [self.hpd.low],
            "hpd_upper": [self.hpd.high], "level": [self.hpd.level], "p0": [self.p0],
            "prob_above_p0": [self.prob_above_p0],
        })


def _hpd(s1: float, s2: float, level: float) -> tuple[float, float]:
    """HPD interval of Beta(s1, s2); see :func:`beta_posterior` Notes for the cases."""
    dist = sps.beta(s1, s2)
    if s1 == 1.0 and s2 == 1.0:  # uniform: every interval of length `level` qualifies
        return (1 - level) / 2, (1 + level) / 2
    if s1 <= 1.0 and s2 > 1.0:  # non-increasing density
        return 0.0, float(dist.ppf(level))
    if s2 <= 1.0 and s1 > 1.0:  # non-decreasing density
        return float(dist.ppf(1 - level)), 1.0
    if s1 < 1.0 and s2 < 1.0:
        raise OncotrialValueError(
            f"The Beta({s1}, {s2}) posterior of `beta_posterior` is U-shaped; its highest-density "
            "region is not an interval. Use the equal-tailed interval or a prior with a, b >= 1."
        )

    def gap(t: float) -> float:  # density at lower minus density at upper limit
        return float(dist.pdf(dist.ppf(t)) - dist.pdf(dist.ppf(t + level)))

    t = optimize.brentq(gap, 0.0, 1.0 - level, xtol=1e-15, rtol=1e-15)
    return float(dist.ppf(t)), float(dist.ppf(t + level))


def beta_posterior(x: int, n: int, a: float = 1.0, b: float = 1.0, level: float = 0.95,
                   p0: float | None = None) -> BetaPosteriorResult:
    r"""Posterior of a response rate under a Beta(a, b) prior and x responders out of n.

    Parameters
    ----------
    x : int
        Responders, ``0 <= x <= n``.
    n : int
        Evaluable patients, ``n >= 0`` (``n = 0`` returns the prior).
    a, b : float, default=1
        Prior Beta parameters, both > 0 (``a = b = 1`` uniform; ``0.5`` Jeffreys).
    level : float, default=0.95
        Credible level.
    p0 : float, optional
        A threshold response rate in (0, 1); gives ``prob_above_p0`` = P(p > p0 | data).

    Returns
    -------
    BetaPosteriorResult

    Notes
    -----
    Conjugacy [1]_: the posterior is Beta(:math:`a + x`, :math:`b + n - x`) with mean
    :math:`(a + x)/(a + b + n)`; the median and the equal-tailed limits are the 0.5,
    :math:`(1-\text{level})/2` and :math:`(1+\text{level})/2` quantiles (R ``qbeta``).
    The HPD interval [2]_ is the shortest interval of posterior mass ``level``; for a unimodal
    posterior (both shapes > 1) it is found by solving :math:`f(L) = f(U)` with
    :math:`F(U) - F(L) = \text{level}` (Brent root finding in the lower tail probability).
    Edge rules: a non-increasing density (shape1 <= 1 < shape2, e.g. x = 0) gives
    :math:`[0, F^{-1}(\text{level})]`; a non-decreasing one gives :math:`[F^{-1}(1-\text{level}), 1]`;
    the uniform gives the central interval; a U-shaped posterior (both shapes < 1) raises.
    ``prob_above_p0`` is :math:`1 - F(p_0)` (R ``pbeta(p0, a + x, b + n - x, lower.tail = FALSE)``).

    References
    ----------
    .. [1] Gelman A, et al. Bayesian Data Analysis, 3rd ed. CRC Press 2013, section 2.4.
    .. [2] Chen MH, Shao QM. Monte Carlo estimation of Bayesian credible and HPD intervals.
       J Comput Graph Stat 1999;8:69-92.

    Examples
    --------
    >>> r = beta_posterior(7, 20, p0=0.2)
    >>> round(r.mean, 4), round(r.prob_above_p0, 4)
    (0.3636, 0.9569)
    >>> round(r.hpd.low, 4), round(r.hpd.high, 4)
    (0.1734, 0.5606)
    """
    func = "beta_posterior"
    n = check_count(n, func, "n")
    x = check_count(x, func, "x", upper=n)
    for name, v in (("a", a), ("b", b)):
        if not isinstance(v, int | float | np.floating | np.integer) or not (
                np.isfinite(v) and v > 0):
            raise bad_value(name, func, "a positive finite number", v,
                            "Use a = b = 1 for a uniform prior.")
    level = check_level(level, func)
    if p0 is not None:
        p0 = check_probability(p0, func, "p0")
    s1, s2 = float(a) + x, float(b) + n - x
    dist = sps.beta(s1, s2)
    lo_t, hi_t = (1 - level) / 2, (1 + level) / 2
    et = ConfidenceInterval(float(dist.ppf(lo_t)), float(dist.ppf(hi_t)), level, "equal-tailed")
    h = _hpd(s1, s2, level)
    hpd = ConfidenceInterval(h[0], h[1], level, "hpd")
    prob = None if p0 is None else float(dist.sf(p0))
    return BetaPosteriorResult(
        shape1=s1, shape2=s2, mean=s1 / (s1 + s2), median=float(dist.ppf(0.5)), equal_tailed=et,
        hpd=hpd, p0=p0, prob_above_p0=prob, x=x, n=n, a=float(a), b=float(b))
