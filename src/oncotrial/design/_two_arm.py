"""Two-arm survival design: Schoenfeld and Freedman events, sample size with accrual/follow-up."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import check_choice, check_probability
from oncotrial.design._common import check_alpha_power, check_positive
from oncotrial.design._dist import norm_cdf, norm_ppf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TwoArmSurvivalDesign", "event_probability", "two_arm_survival_design"]

Rounding = Literal["events", "rpact"]
ROUNDINGS: tuple[str, ...] = ("events", "rpact")


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
        ``{'schoenfeld': d, 'freedman': d}`` required events, rounded up (the number that
        triggers the analysis).
    n : dict
        Patients to enrol for each method, by the ``rounding`` convention and after dropout
        inflation ``ceil(n / (1 - dropout))``.
    n_arms : dict
        Method -> ``(control, experimental)`` integers summing to ``n``: experimental
        ``round(n k / (1 + k))``, control the rest (so the split is as close to ``k`` as whole
        patients allow; it is not rounded up arm by arm).
    events_exact, n_exact : dict
        Unrounded events and patients ``d / P(event)`` before dropout (rpact's
        ``eventsFixed`` and ``nFixed``).
    prob_event : float
        Average probability of an event by the analysis, over arms weighted by allocation.
    rounding : {'events', 'rpact'}
        The rounding convention of ``n`` (see :func:`two_arm_survival_design`).
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
    n_arms: dict
    events_exact: dict
    n_exact: dict
    rounding: str

    def power_table(self, hr: object = None) -> pd.DataFrame:
        """Approximate log-rank power at the planned events over true hazard ratios.

        Schoenfeld: ``Phi(sqrt(d pi (1 - pi)) |log HR| - z_{1-alpha/sides})``; Freedman:
        ``Phi(sqrt(d k) |1 - HR| / (1 + k HR) - z)``, each at its own rounded ``d``. Default
        grid: HR from 0.5 to 1 by 0.05 plus the design HR.

        Examples
        --------
        >>> d = two_arm_survival_design(0.7, median0=12, accrual=24, followup=12)
        >>> d.power_table([0.7]).round(3).to_dict("records")
        [{'hr': 0.7, 'power schoenfeld': 0.8, 'power freedman': 0.801}]
        """
        return self._power_table(hr).to_frame()

    def _power_table(self, hr: object = None) -> Table:
        from oncotrial._validation import as_float_array

        if hr is None:
            grid = np.unique(np.round(np.concatenate([np.arange(0.5, 1.001, 0.05), [self.hr]]), 6))
        else:
            grid = as_float_array(hr, "TwoArmSurvivalDesign.power_table", "hr")
            if np.any(grid <= 0):
                raise bad_value("hr", "TwoArmSurvivalDesign.power_table", "> 0", hr)
        za = norm_ppf(1 - self.alpha / self.sides)
        k = self.ratio
        pi = k / (1 + k)
        out = {"hr": grid}
        out["power schoenfeld"] = norm_cdf(np.sqrt(self.events["schoenfeld"] * pi * (1 - pi))
                                           * np.abs(np.log(grid)) - za)
        out["power freedman"] = norm_cdf(np.sqrt(self.events["freedman"] * k) * np.abs(1 - grid)
                                         / (1 + k * grid) - za)
        return Table(out)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design."""
        return {"method": "survival-two-arm", "hr": self.hr, "median0": self.median0,
                "alpha": self.alpha, "power": self.power, "sides": self.sides,
                "ratio": self.ratio, "accrual": self.accrual, "followup": self.followup,
                "dropout": self.dropout, "prob_event": self.prob_event,
                "rounding": self.rounding, "events": dict(self.events), "n": dict(self.n),
                "n_arms": {m: {"control": c, "experimental": e} for m, (c, e) in self.n_arms.items()},
                "events_exact": dict(self.events_exact), "n_exact": dict(self.n_exact)}

    def summary(self) -> pd.DataFrame:
        """One row per method: events, patients in total and per arm, unrounded values."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        methods = list(self.events)
        return Table({
            "events": [self.events[m] for m in methods], "n": [self.n[m] for m in methods],
            "n control": [self.n_arms[m][0] for m in methods],
            "n experimental": [self.n_arms[m][1] for m in methods],
            "events (exact)": [self.events_exact[m] for m in methods],
            "n (exact)": [self.n_exact[m] for m in methods]}, index=methods, index_name="method")


def two_arm_survival_design(hr: float, *, median0: float, accrual: float, followup: float,
                            alpha: float = 0.05, power: float = 0.8, sides: int = 2,
                            ratio: float = 1.0, dropout: float = 0.0,
                            rounding: Rounding = "events") -> TwoArmSurvivalDesign:
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
    rounding : {'events', 'rpact'}, default='events'
        ``'events'``: the total comes from the rounded events, ``n = ceil(ceil(d) / P)``.
        ``'rpact'``: as R rpact ``getSampleSizeSurvival``, which keeps the events unrounded,
        ``n = ceil(d / P)`` (rpact's ``nFixed`` rounded up). The second is never larger and is
        1-3 patients smaller when ``ceil(d) - d`` is sizeable.

        .. versionadded:: 0.2

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
    ``lambda_E = HR lambda_C``), from the rounded (``rounding='events'``) or the exact
    (``'rpact'``) events, rounded up and then inflated by ``1 / (1 - dropout)`` (rounded up
    again). The split by arm gives the experimental arm ``round(n pi)`` and the control arm the
    rest. Events and unrounded ``n`` equal rpact ``getSampleSizeSurvival`` (``typeOfComputation
    = "Schoenfeld"`` / ``"Freedman"``, ``accrualTime = c(0, a)``) to 1e-10 on 128 settings
    (``tools/golden_design.R``).

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

    The issue-18 example (HR 0.75, control median 24, accrual 12, follow-up 6, one-sided
    0.025, 90 %, 2:1): 2311 patients from the rounded events, 2308 as rpact.

    >>> kw = dict(median0=24, accrual=12, followup=6, alpha=0.025, power=0.9, sides=1, ratio=2)
    >>> two_arm_survival_design(0.75, **kw).n["schoenfeld"]
    2311
    >>> two_arm_survival_design(0.75, rounding="rpact", **kw).n["schoenfeld"]
    2308
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
    check_choice(rounding, ROUNDINGS, func, "rounding")
    z = norm_ppf(1 - alpha / sides) + norm_ppf(power)
    pi = k / (1 + k)
    d_s = z**2 / (pi * (1 - pi) * math.log(hr) ** 2)
    d_f = z**2 * (1 + k * hr) ** 2 / (k * (1 - hr) ** 2)
    lam0 = math.log(2) / median0
    pe = (1 - pi) * event_probability(lam0, a, f) + pi * event_probability(lam0 * hr, a, f)
    exact = {"schoenfeld": d_s, "freedman": d_f}
    events = {m: math.ceil(v - 1e-9) for m, v in exact.items()}
    basis = events if rounding == "events" else exact
    n = {m: math.ceil(math.ceil(ev / pe - 1e-9) / (1 - dropout) - 1e-9) for m, ev in basis.items()}
    n_arms = {m: (v - round(v * pi), round(v * pi)) for m, v in n.items()}
    return TwoArmSurvivalDesign(hr=hr, median0=median0, alpha=alpha, power=power,
                                sides=int(sides), ratio=k, accrual=a, followup=f,
                                dropout=dropout, prob_event=pe, events=events, n=n,
                                n_arms=n_arms, events_exact=exact,
                                n_exact={m: v / pe for m, v in exact.items()}, rounding=rounding)
