"""Pooling of published median survival times and Kaplan-Meier landmark rates.

No Python library implements these aggregate-data methods; they are ports of R:

* ``method='wald'`` -- McGrath et al. 2025 [1]_ (R ``metamedian::metamedian_survival``): each
  study's median with its CI is taken as a Wald interval, ``se = (ub - lb)/(2 z)``, or
  ``(est - lb)/z`` when the upper limit is not reached; then an inverse-variance random-effects
  model (metafor ``rma.uni``, REML or DL -- the same estimators as :func:`meta_proportion`).
* ``method='median-of-medians'`` -- McGrath et al. 2019 [2]_ (R ``metamedian::pool.med``,
  unweighted, ``norm.approx=TRUE``): the median of the study medians, CI from the sample
  quantiles at ``0.5 -+ z/(2 sqrt(k))`` (R ``quantile`` type 7). Needs no CI, so it also pools
  the medians papers print bare.
* landmark rates (``pool_landmark_rates``): ``log S`` with ``se = (log ub - log lb)/(2 z)``, the
  scale of R ``survfit``'s default ``conf.type='log'`` interval, pooled by the same random-effects
  model and back-transformed by ``exp``.

Every record handed in is listed with its status and reason, chosen like with like by
:mod:`._select`.

References
----------
.. [1] McGrath S, Kimmelman J, Ozturk O, Steele R, Benedetti A. Meta-analysis of median survival
   times with inverse-variance weighting. arXiv:2503.03065 (2025).
.. [2] McGrath S, Zhao X, Qin ZZ, Steele R, Benedetti A. One-sample aggregate data meta-analysis
   of medians. Stat Med 2019;38:969-984.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from oncotrial._errors import OncotrialValueError
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_choice, check_level
from oncotrial.evidence._meta import _tau2_dl, _tau2_reml, heterogeneity
from oncotrial.evidence._records import MEDIAN_ENDPOINTS, TrialRecord
from oncotrial.evidence._select import select_outcomes

__all__ = ["PooledSurvivalResult", "pool_landmark_rates", "pool_medians"]

#: months per unit (every month figure in oncotrial is days / 30.4375)
TO_MONTHS = {"months": 1.0, "weeks": 7 / 30.4375, "days": 1 / 30.4375}


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class PooledSurvivalResult(Result):
    """A pooled median survival time (months) or landmark rate (proportion).

    Attributes
    ----------
    endpoint, population, timepoint : str, str or None, str or None
    method : {'wald', 'median-of-medians', 'log-rate'}
    estimate : float
    ci : ConfidenceInterval
    pi : ConfidenceInterval or None
        Prediction interval (random-effects methods only).
    tau2, i2 : float
        Between-study variance (on the pooled scale) and I² (percent); ``nan`` for the median of
        medians.
    k : int
    studies : DataFrame
        id, population, estimate (months or proportion), ci_low, ci_high, se, weight (%).
    considered : DataFrame
        Every record: status (``pooled`` / ``reference`` / ``excluded``) and reason.
    """

    endpoint: str
    population: str | None
    timepoint: str | None
    method: str
    estimate: float
    ci: ConfidenceInterval
    pi: ConfidenceInterval | None
    tau2: float
    i2: float
    k: int
    studies: pd.DataFrame
    considered: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row: estimate, CI, PI, tau2, I², k."""
        return pd.DataFrame([{
            "endpoint": self.endpoint, "timepoint": self.timepoint, "population": self.population,
            "method": self.method, "k": self.k, "estimate": self.estimate,
            "ci_low": self.ci.low, "ci_high": self.ci.high,
            "pi_low": None if self.pi is None else self.pi.low,
            "pi_high": None if self.pi is None else self.pi.high,
            "tau2": self.tau2, "i2": self.i2}])


def _random_effects(yi: np.ndarray, vi: np.ndarray, tau2_method: str, z: float):
    tau2 = _tau2_reml(yi, vi) if tau2_method == "REML" else _tau2_dl(yi, vi)
    w = 1.0 / (vi + tau2)
    b = float(np.sum(w * yi) / w.sum())
    se = float(np.sqrt(1.0 / w.sum()))
    _, i2, _ = heterogeneity(yi, vi, tau2)
    return b, se, float(tau2), float(i2), 100 * w / w.sum()


def _demote(considered: pd.DataFrame, ids: list[str], reason: str) -> pd.DataFrame:
    out = considered.copy()
    mask = out.id.isin(ids)
    out.loc[mask, "status"] = "excluded"
    out.loc[mask, "reason"] = reason
    return out


def pool_medians(records: Iterable[TrialRecord], *, endpoint: str = "median_pfs",
                 population: str | None = None, subgroup: str | None = None,
                 method: Literal["wald", "median-of-medians"] = "wald",
                 tau2_method: Literal["REML", "DL"] = "REML", level: float = 0.95,
                 new_id: str | None = None, **filters) -> PooledSurvivalResult:
    """Pool the published median PFS / OS / DoR of like-with-like records.

    Parameters
    ----------
    records : iterable of TrialRecord
    endpoint : {'median_pfs', 'median_os', 'median_dor'}, default='median_pfs'
    population, subgroup, new_id, **filters
        As in :func:`compare_proportion` (NEC-only trials plus NEC subgroups of mixed trials...).
    method : {'wald', 'median-of-medians'}, default='wald'
        See the module notes. ``'wald'`` needs each median's CI (lower limit at least);
        ``'median-of-medians'`` uses bare medians.
    tau2_method : {'REML', 'DL'}, default='REML'
    level : float, default=0.95

    Returns
    -------
    PooledSurvivalResult
        Estimate in months (weeks and days converted with 30.4375 days per month).

    Examples
    --------
    >>> from oncotrial.evidence import load_records
    >>> res = pool_medians(load_records(), endpoint="median_pfs", line=2, drug_class="ICI",
    ...                    tumor_type="NEC", method="median-of-medians")
    >>> res.k, round(res.estimate, 4), round(res.ci.low, 4), round(res.ci.high, 4)
    (7, 1.9055, 1.8, 3.9533)
    """
    func = "pool_medians"
    check_choice(endpoint, MEDIAN_ENDPOINTS, func, "endpoint")
    check_choice(method, ("wald", "median-of-medians"), func, "method")
    check_choice(tau2_method, ("REML", "DL"), func, "tau2_method")
    level = check_level(level, func)
    z = float(stats.norm.isf((1 - level) / 2))
    sel = select_outcomes(records, endpoint=endpoint, population=population, subgroup=subgroup,
                          new_id=new_id, needs_count=False, func=func, **filters)
    considered = sel.considered
    rows = []
    for r, o in sel.pooled:
        f = TO_MONTHS[o.unit]
        lo = None if o.ci_low is None else o.ci_low * f
        hi = None if o.ci_high is None else o.ci_high * f
        se = None
        if lo is not None:
            se = (hi - lo) / (2 * z) if hi is not None else (o.value * f - lo) / z
        rows.append({"id": r.id, "population": o.population, "estimate": o.value * f,
                     "ci_low": lo, "ci_high": hi, "se": se})
    studies = pd.DataFrame(rows, columns=["id", "population", "estimate", "ci_low", "ci_high",
                                          "se"])
    if method == "wald":
        no_ci = [r["id"] for r in rows if r["se"] is None or not r["se"] > 0]
        considered = _demote(considered, no_ci, "median printed without a confidence interval: "
                             "no standard error for the Wald method (method='median-of-medians' "
                             "pools it)")
        studies = studies[~studies.id.isin(no_ci)].reset_index(drop=True)
    k = len(studies)
    if k < 2:
        raise OncotrialValueError(
            f"`records` of `{func}` must give at least 2 medians usable by method={method!r} for "
            f"endpoint {endpoint!r}, population {sel.population!r}; got {k}. Widen the filters or "
            "use method='median-of-medians'.")
    y = studies.estimate.to_numpy(float)
    if method == "wald":
        vi = studies.se.to_numpy(float) ** 2
        b, se, tau2, i2, w = _random_effects(y, vi, tau2_method, z)
        studies["weight"] = w
        pi_sd = np.sqrt(se**2 + tau2)
        return PooledSurvivalResult(
            endpoint=endpoint, population=sel.population, timepoint=None, method="wald",
            estimate=b, ci=ConfidenceInterval(b - z * se, b + z * se, level, "wald"),
            pi=ConfidenceInterval(b - z * pi_sd, b + z * pi_sd, level, "prediction"),
            tau2=tau2, i2=i2, k=k, studies=studies, considered=considered)
    prob = min(0.5, z / (2 * np.sqrt(k)))
    q = np.quantile(y, [0.5 - prob, 0.5, 0.5 + prob])  # R quantile type 7
    studies["weight"] = 100.0 / k
    return PooledSurvivalResult(
        endpoint=endpoint, population=sel.population, timepoint=None,
        method="median-of-medians", estimate=float(q[1]),
        ci=ConfidenceInterval(float(q[0]), float(q[2]), level, "sign-test (normal approx.)"),
        pi=None, tau2=float("nan"), i2=float("nan"), k=k, studies=studies,
        considered=considered)


def pool_landmark_rates(records: Iterable[TrialRecord], *, endpoint: str = "os_rate",
                        timepoint: str, population: str | None = None,
                        subgroup: str | None = None, tau2_method: Literal["REML", "DL"] = "REML",
                        level: float = 0.95, new_id: str | None = None,
                        **filters) -> PooledSurvivalResult:
    """Pool published Kaplan-Meier landmark rates (e.g. 12-month OS) on the log scale.

    Each rate needs its CI (taken as R ``survfit``'s log-scale interval): ``y = log S``,
    ``se = (log ub - log lb)/(2 z)``. Rates without a CI are listed as references.

    Examples
    --------
    Three 12-month OS rates with their CIs (R: ``rma.uni(yi=log(s), vi=((log(ub)-log(lb))/
    (2*qnorm(0.975)))^2)``, ``predict(transf=exp)`` -> 0.5259327, 0.4114269-0.6723071):

    >>> from oncotrial.evidence import Outcome, TrialRecord
    >>> def rec(i, s, lo, hi):
    ...     o = Outcome("os_rate", "percent", "p", "q", value=s, ci_low=lo, ci_high=hi,
    ...                 timepoint="12 months")
    ...     return TrialRecord(id=i, name=i, agents=("x",), primary_source="p",
    ...                        sources=({"key": "p", "citation": "c"},), outcomes=(o,),
    ...                        file="-", tumor_type="NEC")
    >>> res = pool_landmark_rates([rec("A", 54.1, 40.2, 72.8), rec("B", 40, 28.5, 56.1),
    ...                            rec("C", 62, 50.1, 76.7)], timepoint="12 months")
    >>> round(res.estimate, 6), round(res.ci.low, 6), round(res.ci.high, 6)
    (0.525933, 0.411427, 0.672307)
    """
    func = "pool_landmark_rates"
    check_choice(endpoint, ("pfs_rate", "os_rate"), func, "endpoint")
    check_choice(tau2_method, ("REML", "DL"), func, "tau2_method")
    level = check_level(level, func)
    z = float(stats.norm.isf((1 - level) / 2))
    sel = select_outcomes(records, endpoint=endpoint, population=population, subgroup=subgroup,
                          timepoint=timepoint, new_id=new_id, needs_count=False, func=func,
                          **filters)
    considered = sel.considered
    rows, no_ci = [], []
    for r, o in sel.pooled:
        if o.ci_low is None or o.ci_high is None or not 0 < o.ci_low < o.ci_high <= 100:
            no_ci.append(r.id)
            continue
        rows.append({"id": r.id, "population": o.population, "estimate": o.value / 100,
                     "ci_low": o.ci_low / 100, "ci_high": o.ci_high / 100,
                     "se": (np.log(o.ci_high) - np.log(o.ci_low)) / (2 * z)})
    considered = _demote(considered, no_ci, "rate printed without a confidence interval: no "
                         "standard error; shown as a reference")
    considered.loc[considered.id.isin(no_ci), "status"] = "reference"
    studies = pd.DataFrame(rows, columns=["id", "population", "estimate", "ci_low", "ci_high",
                                          "se"])
    k = len(studies)
    if k < 2:
        raise OncotrialValueError(
            f"`records` of `{func}` must give at least 2 rates with a CI for endpoint "
            f"{endpoint!r} at {timepoint}, population {sel.population!r}; got {k}. Widen the "
            "filters.")
    y = np.log(studies.estimate.to_numpy(float))
    b, se, tau2, i2, w = _random_effects(y, studies.se.to_numpy(float) ** 2, tau2_method, z)
    studies["weight"] = w
    pi_sd = np.sqrt(se**2 + tau2)
    return PooledSurvivalResult(
        endpoint=endpoint, population=sel.population, timepoint=timepoint, method="log-rate",
        estimate=float(np.exp(b)),
        ci=ConfidenceInterval(float(np.exp(b - z * se)), float(np.exp(b + z * se)), level, "log"),
        pi=ConfidenceInterval(float(np.exp(b - z * pi_sd)), float(min(np.exp(b + z * pi_sd), 1)),
                              level, "prediction"),
        tau2=tau2, i2=i2, k=k, studies=studies, considered=considered)
