"""Inference after a completed Simon two-stage trial: UMVUE, p-value and exact CI."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_count, check_level, check_probability
from oncotrial.design._common import check_positive_int
from oncotrial.design._dist import binom_cdf, binom_pmf, binom_sf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SimonInference", "simon_inference"]


@dataclass(frozen=True, slots=True, repr=False)
class SimonInference(Result):
    """Estimate, p-value and CI after a two-stage trial ``r1/n1, r/n``.

    Attributes
    ----------
    x : int
        Total responses observed (among ``n1`` if the trial stopped after stage 1).
    stage : int
        1 if the trial stopped early (``x <= r1``), else 2.
    umvue : float
        Uniformly minimum-variance unbiased estimate (Jung & Kim 2004).
    mle : float
        Naive proportion ``x / n_treated`` (biased under early stopping).
    p_value : float or None
        One-sided p-value for H0: p <= p0 under the stage-wise ordering; ``None`` without p0.
    ci : ConfidenceInterval
        Exact two-sided interval by inverting the stage-wise ordering (method
        ``"stagewise-exact"``).
    """

    r1: int
    n1: int
    r: int
    n: int
    x: int
    stage: int
    umvue: float
    mle: float
    p0: float | None
    p_value: float | None
    ci: ConfidenceInterval

    def to_dict(self) -> dict[str, object]:
        """JSON-ready inference."""
        return {"r1": self.r1, "n1": self.n1, "r": self.r, "n": self.n, "x": self.x,
                "stage": self.stage, "umvue": self.umvue, "mle": self.mle, "p0": self.p0,
                "p_value": self.p_value, "ci_low": self.ci.low, "ci_high": self.ci.high,
                "level": self.ci.level, "ci_method": self.ci.method}

    def summary(self) -> pd.DataFrame:
        """One-row table."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        return Table.from_records([{
            "design": f"{self.r1}/{self.n1}, {self.r}/{self.n}", "stage": self.stage,
            "x": self.x, "UMVUE": self.umvue, "MLE": self.mle, "p-value": self.p_value,
            f"{self.ci.level:.0%} CI": f"[{self.ci.low:.4f}, {self.ci.high:.4f}]",
        }])


def _tail_ge(p: float, x: int, stage: int, r1: int, n1: int, n2: int) -> float:
    """P_p(T >= t) under the stage-wise ordering."""
    if stage == 1:
        return float(binom_sf(x - 1, n1, p))
    x1 = np.arange(r1 + 1, n1 + 1)
    return float(np.sum(binom_pmf(x1, n1, p) * binom_sf(x - x1 - 1, n2, p)))


def _tail_le(p: float, x: int, stage: int, r1: int, n1: int, n2: int) -> float:
    """P_p(T <= t) under the stage-wise ordering."""
    if stage == 1:
        return float(binom_cdf(x, n1, p))
    x1 = np.arange(r1 + 1, n1 + 1)
    return float(binom_cdf(r1, n1, p) + np.sum(binom_pmf(x1, n1, p) * binom_cdf(x - x1, n2, p)))


def simon_inference(x: int, r1: int, n1: int, r: int, n: int, *, p0: float | None = None,
                    level: float = 0.95) -> SimonInference:
    r"""UMVUE, stage-wise p-value and exact CI after a completed Simon two-stage trial.

    Parameters
    ----------
    x : int
        Total number of responses: among the ``n1`` stage-1 patients if ``x <= r1`` (the
        trial stopped), otherwise among all ``n``.
    r1, n1, r, n : int
        The design (stop after stage 1 if ``X1 <= r1``; reject H0 if ``X > r``).
    p0 : float, optional
        Null response rate for the p-value.
    level : float, default=0.95
        Two-sided confidence level.

    Returns
    -------
    SimonInference

    Notes
    -----
    *Stage-wise ordering* [2]_: every stage-1 outcome ``(1, x1)`` ranks below every stage-2
    outcome ``(2, x)``; within a stage outcomes rank by the response count. With
    ``n2 = n - n1`` and ``b`` the binomial pmf,

    * ``P_p(T >= (1, x1)) = P(Bin(n1, p) >= x1)``;
    * ``P_p(T >= (2, x)) = sum_{x1 = r1+1}^{n1} b(x1; n1, p) P(Bin(n2, p) >= x - x1)``.

    The p-value is ``P_{p0}(T >= t)`` (as R clinfun ``twostage.inference``). The CI is exact:
    the lower limit solves ``P_p(T >= t) = (1 - level)/2`` (0 at the smallest outcome) and the
    upper limit solves ``P_p(T <= t) = (1 - level)/2`` (1 at the largest), found by Brent's
    method to 1e-12. After an early stop this is the Clopper-Pearson interval for ``x1/n1``.
    (clinfun's grid search instead stops at ``P_p(T >= t) = 1 - (1-level)/2``, i.e. it
    excludes ``t`` itself from the upper tail; the two agree on the lower limit.)

    UMVUE [1]_: ``x / n1`` after an early stop; otherwise

    .. math:: \hat p = \frac{\sum_{x_1} \binom{n_1 - 1}{x_1 - 1}\binom{n_2}{x - x_1}}
                            {\sum_{x_1} \binom{n_1}{x_1}\binom{n_2}{x - x_1}},
              \quad x_1 = \max(r_1 + 1, x - n_2), \dots, \min(x, n_1),

    evaluated in exact integer arithmetic.

    References
    ----------
    .. [1] Jung SH, Kim KM. On the estimation of the binomial probability in multistage
       clinical trials. Stat Med 2004;23:881-896.
    .. [2] Koyama T, Chen H. Proper inference from Simon's two-stage designs.
       Stat Med 2008;27:3145-3154.

    Examples
    --------
    Simon's optimal design 1/10, 5/29 for p0 = 0.10; 7 responses in 29 patients:

    >>> res = simon_inference(7, 1, 10, 5, 29, p0=0.10)
    >>> round(res.umvue, 4), round(res.p_value, 4), res.stage
    (0.2822, 0.0177, 2)
    """
    func = "simon_inference"
    n = check_positive_int(n, func, "n", minimum=2)
    n1 = check_positive_int(n1, func, "n1", minimum=1, maximum=n - 1)
    r1 = check_count(r1, func, "r1", upper=n1 - 1, upper_name="n1 - 1")
    r = check_count(r, func, "r", upper=n - 1, upper_name="n - 1")
    if r < r1:
        raise bad_value("r", func, f">= `r1` ({r1})", r)
    x = check_count(x, func, "x", upper=n, upper_name="n")
    level = check_level(level, func)
    if p0 is not None:
        p0 = check_probability(p0, func, "p0")
    n2 = n - n1
    stage = 1 if x <= r1 else 2
    if stage == 1:
        umvue = x / n1
        mle = x / n1
    else:
        lo, hi = max(r1 + 1, x - n2), min(x, n1)
        if lo > hi:
            raise bad_value("x", func, f"reachable after stage 2 (<= n1 + n2 = {n})", x)
        num = sum(math.comb(n1 - 1, k - 1) * math.comb(n2, x - k) for k in range(lo, hi + 1))
        den = sum(math.comb(n1, k) * math.comb(n2, x - k) for k in range(lo, hi + 1))
        umvue = num / den
        mle = x / n
    from scipy.optimize import brentq  # lazy: ~0.3 s of imports, needed only here

    a2 = (1.0 - level) / 2.0
    args = (x, stage, r1, n1, n2)
    smallest = stage == 1 and x == 0
    largest = stage == 2 and x == n
    lcl = 0.0 if smallest else brentq(lambda p: _tail_ge(p, *args) - a2, 1e-15, 1 - 1e-15,
                                       xtol=1e-12)
    ucl = 1.0 if largest else brentq(lambda p: _tail_le(p, *args) - a2, 1e-15, 1 - 1e-15,
                                      xtol=1e-12)
    pval = None if p0 is None else _tail_ge(p0, *args)
    return SimonInference(r1=r1, n1=n1, r=r, n=n, x=x, stage=stage, umvue=umvue, mle=mle,
                          p0=p0, p_value=pval,
                          ci=ConfidenceInterval(float(lcl), float(ucl), level, "stagewise-exact"))
