"""Two-arm survival design: Schoenfeld and Freedman events, sample size with accrual/follow-up."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy.stats import norm

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import check_probability
from oncotrial.design._common import check_alpha_power, check_positive

__all__ = ["TwoArmSurvivalDesign", "event_probability", "two_arm_survival_design"]


def event_probability(hazard: float, accrual: float, followup: float) -> float:
    r"""Probability of an observed event by the final analysis, exponential survival.

    Uniform accrual over ``[0, a]`` and analysis at ``a + f``:
    ``P = 1 - (exp(-lambda f) - exp(-lambda (a + f))) / (lambda a)``.

    ``hazard`` and ``accrual`` must be finite and > 0, ``followup`` finite and >= 0 (house
    message otherwise). Computed as ``1 - exp(-lam f) * (-expm1(-lam a)) / (lam a)``, which
    keeps full precision for tiny ``lam a``.

    Examples
    --------
    >>> round(event_probability(math.log(2) / 12, 24, 12), 4)
    0.7295
    >>> event_probability(-1, 12, 12)
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `hazard` of `event_probability` must be > 0 and finite; got -1.
    """
    func = "event_probability"
    lam = check_positive(hazard, func, "hazard")
    a = check_positive(accrual, func, "accrual")
    f = check_positive(followup, func, "followup", allow_zero=True)
    x = lam * a
    if not math.isfinite(x):
        raise bad_value("hazard", func, "such that hazard * accrual is finite", hazard)
    return 1.0 - math.exp(-lam * f) * (-math.expm1(-x)) / x


@dataclass(frozen=True, slots=True, repr=False)
class TwoArmSurvivalDesign(Result):
    """Required events and patients for a two-arm log-rank comparison.

    Attributes
    ----------
    hr : float
        Hazard ratio experimental / control under H1.
    events : dict
        ``{'schoenfeld': d, 'freedman': d}`` required events (rounded up).
    n : dict
        Patients to enrol for each method (after dropout inflation), even-split rounded up to
        the allocation ratio.
    prob_event : float
        Average probability of an event by the analysis, over arms weighted by allocation.
    """

    hr: float
    median0: float
    alpha: float
    power: float
    sides: int
    ratio: float
    accrual: float
    followup: float
    dropout: float
    prob_event: float
    events: dict
    n: dict

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design."""
        return {"method": "survival-two-arm", "hr": self.hr, "median0": self.median0,
                "alpha": self.alpha, "power": self.power, "sides": self.sides,
                "ratio": self.ratio, "accrual": self.accrual, "followup": self.followup,
                "dropout": self.dropout, "prob_event": self.prob_event,
                "events": dict(self.events), "n": dict(self.n)}

    def summary(self) -> pd.DataFrame:
        """One row per method."""
        return pd.DataFrame({"events": self.events, "n": self.n}).rename_axis("method")


def two_arm_survival_design(hr: float, *, median0: float, accrual: float, followup: float,
                            alpha: float = 0.05, power: float = 0.8, sides: int = 2,
                            ratio: float = 1.0, dropout: float = 0.0) -> TwoArmSurvivalDesign:
    r"""Events (Schoenfeld 1981; Freedman 1982) and sample size for a two-arm survival trial.

    Parameters
    ----------
    hr : float
        Hazard ratio (experimental / control) under H1, ``> 0`` and ``!= 1``.
    median0 : float
        Control-arm median survival (exponential: ``lambda_0 = log 2 / median0``).
    accrual, followup : float
        Uniform accrual duration and minimum follow-up after the last entry.
    alpha : float, default=0.05
        Type I error in total (``z_{1-alpha/sides}``).
    power : float, default=0.8
    sides : {1, 2}, default=2
    ratio : float, default=1.0
        Allocation ``k = n_E / n_C``.
    dropout : float, default=0.0
        Proportion lost; enrol ``ceil(n / (1 - dropout))``.

    Returns
    -------
    TwoArmSurvivalDesign

    Notes
    -----
    With ``z = z_{1-alpha/sides} + z_{1-beta}`` and ``pi = k / (1 + k)``:

    * Schoenfeld [1]_: ``d = z^2 / (pi (1 - pi) log(HR)^2)``;
    * Freedman [2]_: ``d = z^2 (1 + k HR)^2 / (k (1 - HR)^2)``.

    Events are rounded up; patients ``n = d / P(event)`` with
    ``P(event) = (1 - pi) P_C + pi P_E`` from :func:`event_probability` (exponential survival,
    ``lambda_E = HR lambda_C``), rounded up and inflated by ``1 / (1 - dropout)``.

    References
    ----------
    .. [1] Schoenfeld DA. The asymptotic properties of nonparametric tests for comparing
       survival distributions. Biometrika 1981;68:316-319.
    .. [2] Freedman LS. Tables of the number of patients required in clinical trials using
       the logrank test. Stat Med 1982;1:121-129.

    Examples
    --------
    >>> d = two_arm_survival_design(0.7, median0=12, accrual=24, followup=12)
    >>> d.events
    {'schoenfeld': 247, 'freedman': 253}
    """
    func = "two_arm_survival_design"
    hr = check_positive(hr, func, "hr")
    if hr == 1.0:
        raise bad_value("hr", func, "different from 1", hr, "HR = 1 is the null hypothesis.")
    median0 = check_positive(median0, func, "median0")
    a = check_positive(accrual, func, "accrual")
    f = check_positive(followup, func, "followup", allow_zero=True)
    alpha, power = check_alpha_power(alpha, power, func)
    if sides not in (1, 2):
        raise bad_value("sides", func, "1 or 2", sides)
    k = check_positive(ratio, func, "ratio")
    dropout = check_probability(dropout, func, "dropout", open_interval=False)
    if dropout >= 1:
        raise bad_value("dropout", func, "in [0, 1)", dropout)
    z = norm.ppf(1 - alpha / sides) + norm.ppf(power)
    pi = k / (1 + k)
    d_s = z**2 / (pi * (1 - pi) * math.log(hr) ** 2)
    d_f = z**2 * (1 + k * hr) ** 2 / (k * (1 - hr) ** 2)
    lam0 = math.log(2) / median0
    pe = (1 - pi) * event_probability(lam0, a, f) + pi * event_probability(lam0 * hr, a, f)
    events = {"schoenfeld": math.ceil(d_s - 1e-9), "freedman": math.ceil(d_f - 1e-9)}
    n = {m: math.ceil(math.ceil(ev / pe - 1e-9) / (1 - dropout) - 1e-9) for m, ev in events.items()}
    return TwoArmSurvivalDesign(hr=hr, median0=median0, alpha=alpha, power=power,
                                sides=int(sides), ratio=k, accrual=a, followup=f,
                                dropout=dropout, prob_event=pe, events=events, n=n)
