"""Kaplan-Meier estimator with R ``survfit`` conventions (survival 3.5).

The hot path sorts event times and censoring times separately (n values sorted in all), merges
their distinct values by binary search, then works on the distinct times only (cumulative
sums and products), so 10^6 rows cost about one sort. The ``table`` DataFrame is
built only when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import (
    as_event_array,
    as_float_array,
    check_choice,
    check_level,
    check_same_length,
)
from oncotrial.stats._survci import CONF_TYPES, ConfType, findq, survfit_confint
from oncotrial.stats._timefix import run_starts, timefix

__all__ = ["KMGroupedResult", "KMResult", "QuantileEstimate", "SurvivalQuantiles",
           "kaplan_meier"]

@dataclass(frozen=True, slots=True, repr=False, eq=False)
class QuantileEstimate(Result):
    """One survival quantile (e.g. the median) with its confidence interval.

    ``estimate`` (and either limit) is NaN when the curve (band) never reaches ``1 - prob``
    -- "not reached".
    """

    prob: float
    estimate: float
    ci: ConfidenceInterval

    def summary(self) -> pd.DataFrame:
        """One-row table: prob, estimate, lower, upper, level, method."""
        return pd.DataFrame({"prob": [self.prob], "estimate": [self.estimate],
                             "lower": [self.ci.low], "upper": [self.ci.high],
                             "level": [self.ci.level], "conf_type": [self.ci.method]})


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SurvivalQuantiles(Result):
    """Several survival quantiles with confidence limits (R ``quantile.survfit``)."""

    probs: np.ndarray
    quantile: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    conf_type: str

    def summary(self) -> pd.DataFrame:
        """Table with one row per probability."""
        return pd.DataFrame({"prob": self.probs, "quantile": self.quantile,
                             "lower": self.lower, "upper": self.upper})


def _runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their multiplicities of an already sorted array."""
    n = sorted_values.size
    if n == 0:
        return sorted_values, np.zeros(0, dtype=np.int64)
    brk = np.empty(n, dtype=bool)
    brk[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=brk[1:])
    starts = np.flatnonzero(brk)
    return sorted_values[starts], np.diff(np.append(starts, n))


def _km_core(time: np.ndarray, event: np.ndarray,
             timefix: bool = True) -> tuple[np.ndarray, ...]:
    """Distinct times, n at risk, events, censored, S and se(log S) (Greenwood).

    Event and censoring times are sorted separately (n elements sorted in all, the only
    O(n log n) step) and their distinct values merged by binary search. ``timefix=False``
    when the caller already merged near-ties (on the pooled times of all groups, as R).
    """
    n = time.size
    ue, de = _runs(np.sort(time[event]))
    uc, cc = _runs(np.sort(time[~event]))
    j = np.searchsorted(ue, uc, side="left")
    dup = j < ue.size
    dup[dup] = ue[j[dup]] == uc[dup]
    cn = uc[~dup]  # censoring-only times
    pos_e = np.arange(ue.size) + np.searchsorted(cn, ue, side="left")
    pos_c = np.searchsorted(ue, cn, side="left") + np.arange(cn.size)
    m = ue.size + cn.size
    ut = np.empty(m)
    ut[pos_e] = ue
    ut[pos_c] = cn
    d = np.zeros(m, dtype=np.int64)
    d[pos_e] = de
    n_censor = np.zeros(m, dtype=np.int64)
    n_censor[pos_e[j[dup]]] = cc[dup]
    n_censor[pos_c] = cc[~dup]
    counts = d + n_censor
    # survival::aeqSurv (timefix = TRUE): merge times equal up to rounding
    grp = run_starts(ut) if timefix else None
    if grp is not None:
        ut = ut[grp]
        counts = np.add.reduceat(counts, grp)
        d = np.add.reduceat(d, grp)
        n_censor = np.add.reduceat(n_censor, grp)
    n_risk = n - (np.cumsum(counts) - counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod((n_risk - d) / n_risk)
        # Greenwood: var(log S) = sum d / (n (n - d)); infinite once S reaches 0, as R.
        inc = np.where(d > 0, d / (n_risk * (n_risk - d).astype(float)), 0.0)
    se_log = np.sqrt(np.cumsum(inc))
    return ut, n_risk, d, n_censor, surv, se_log


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class KMResult(Result):
    r"""A Kaplan-Meier curve, one row per distinct observed time (R ``survfit`` object).

    Attributes
    ----------
    time, n_risk, n_event, n_censor, surv : ndarray
        As R ``fit$time``, ``fit$n.risk``, ``fit$n.event``, ``fit$n.censor``, ``fit$surv``.
    std_err : ndarray
        Standard error of S(t), :math:`S\,\widehat{se}(\log S)` -- what R ``summary.survfit``
        prints as ``std.err`` (NaN where S = 0, as R).
    std_err_log : ndarray
        Greenwood standard error of log S(t) -- R ``fit$std.err``.
    lower, upper : ndarray
        Pointwise limits for ``conf_type`` (NaN where R gives NA).
    n : int
        Number of subjects.
    conf_type : str
        The band transform, echoed.
    level : float
        Confidence level.
    """

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    surv: np.ndarray
    std_err: np.ndarray
    std_err_log: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n: int
    conf_type: str
    level: float

    @property
    def n_events_total(self) -> int:
        """Total number of events."""
        return int(self.n_event.sum())

    @property
    def table(self) -> pd.DataFrame:
        """All distinct times: time, n_risk, n_event, n_censor, surv, std_err, lower, upper.

        R: ``summary(fit, censored = TRUE)``.
        """
        return pd.DataFrame({
            "time": self.time, "n_risk": self.n_risk, "n_event": self.n_event,
            "n_censor": self.n_censor, "surv": self.surv, "std_err": self.std_err,
            "lower": self.lower, "upper": self.upper})

    def quantile(self, probs: float | Sequence[float] = (0.25, 0.5, 0.75)) -> SurvivalQuantiles:
        """Survival quantiles with CI, exactly R ``quantile(fit, probs)``.

        The p-quantile is the first time where :math:`1 - S(t) \\ge p`; when the curve is
        within ``sqrt(.Machine$double.eps)`` of ``1 - p`` over a flat segment, the midpoint of
        that segment is taken (of its start and the last time when it is the final segment).
        The limits are the same look-up applied to the ``lower`` and ``upper`` bands, so the
        lower limit of the quantile comes from the lower band. NaN = not reached.

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1])
        >>> fit.quantile([0.25, 0.5]).quantile.tolist()
        [2.0, 3.0]
        """
        p = np.atleast_1d(np.asarray(probs, dtype=float))
        if p.size == 0 or np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
            raise OncotrialValueError(
                f"`probs` of `KMResult.quantile` must be numbers in [0, 1]; got {probs!r}.")
        # R quantile.survfit: firstx = 0 (start.time is NULL for right-censored fits)
        x = np.concatenate(([0.0], self.time))
        est = findq(x, np.concatenate(([0.0], 1 - self.surv)), p)
        lo = findq(x, np.concatenate(([0.0], 1 - self.lower)), p)
        hi = findq(x, np.concatenate(([0.0], 1 - self.upper)), p)
        return SurvivalQuantiles(p, est, lo, hi, self.level, self.conf_type)

    def median(self) -> QuantileEstimate:
        """Median survival with CI (R ``quantile(fit, 0.5)``); NaN = not reached.

        Examples
        --------
        >>> kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1]).median().estimate
        3.0
        """
        q = self.quantile([0.5])
        ci = ConfidenceInterval(float(q.lower[0]), float(q.upper[0]), self.level,
                                self.conf_type)
        return QuantileEstimate(0.5, float(q.quantile[0]), ci)

    def at(self, times: float | Sequence[float], *, extend: bool = False) -> pd.DataFrame:
        """Landmark estimates: R ``summary(fit, times = times, extend = extend)``.

        Rows are the sorted ``times``; ``surv``, ``std_err``, ``lower``, ``upper`` are those
        of the curve at (just after) each time -- 1, 0, 1, 1 before the first observed time;
        ``n_risk`` is the number still under observation at the time (time >= t);
        ``n_event``/``n_censor`` count events/censorings since the previous requested time.
        Times after the last observed time are dropped unless ``extend=True`` (R's rule).

        Examples
        --------
        >>> fit = kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1])
        >>> fit.at([0.5, 2]).surv.round(4).tolist()
        [1.0, 0.6667]
        """
        t = np.sort(as_float_array(times, "KMResult.at", "times", nonnegative=True))
        if not extend:
            t = t[t <= self.time[-1]]
        k = np.searchsorted(self.time, t, side="right")  # rows with time <= t
        first0 = self.time[0] == 0.0  # R survfit0 inserts a (0, S = 1) row otherwise
        if first0:
            k = np.maximum(k, 1)
        row = k - 1

        def pick(a: np.ndarray, start: float) -> np.ndarray:
            out = np.full(t.shape, start, dtype=float)
            ok = row >= 0
            out[ok] = a[row[ok]]
            return out

        cum_e = np.concatenate(([0], np.cumsum(self.n_event)))[np.maximum(row + 1, 0)]
        cum_c = np.concatenate(([0], np.cumsum(self.n_censor)))[np.maximum(row + 1, 0)]
        j = np.searchsorted(self.time, t, side="left")  # first row with time >= t
        n_risk = np.append(self.n_risk, 0)[j]
        return pd.DataFrame({
            "time": t, "n_risk": n_risk, "n_event": np.diff(cum_e, prepend=0),
            "n_censor": np.diff(cum_c, prepend=0), "surv": pick(self.surv, 1.0),
            "std_err": pick(self.std_err, 0.0), "lower": pick(self.lower, 1.0),
            "upper": pick(self.upper, 1.0)})

    def risk_table(self, times: float | Sequence[float]) -> pd.DataFrame:
        """Numbers at risk (time >= t) and cumulative events/censorings (time <= t).

        Examples
        --------
        >>> kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1]).risk_table([0, 2, 5])
           time  n_risk  cum_event  cum_censor
        0   0.0       6          0           0
        1   2.0       5          2           1
        2   5.0       0          5           1
        """
        t = as_float_array(times, "KMResult.risk_table", "times", nonnegative=True)
        j = np.searchsorted(self.time, t, side="left")
        k = np.searchsorted(self.time, t, side="right")
        return pd.DataFrame({
            "time": t, "n_risk": np.append(self.n_risk, 0)[j],
            "cum_event": np.concatenate(([0], np.cumsum(self.n_event)))[k],
            "cum_censor": np.concatenate(([0], np.cumsum(self.n_censor)))[k]})

    def summary(self) -> pd.DataFrame:
        """One row as R ``print(fit)``: n, events, median and its CI."""
        m = self.median()
        return pd.DataFrame({"n": [self.n], "events": [self.n_events_total],
                             "median": [m.estimate], "lower": [m.ci.low],
                             "upper": [m.ci.high], "level": [self.level],
                             "conf_type": [self.conf_type]})


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class KMGroupedResult(Result):
    """Kaplan-Meier curves by group (R ``survfit(Surv(time, event) ~ group)``).

    ``fits`` maps each group label (sorted, as R factor levels) to its :class:`KMResult`.
    """

    fits: Mapping[Any, KMResult]
    conf_type: str
    level: float

    def __getitem__(self, group: Any) -> KMResult:
        return self.fits[group]

    @property
    def groups(self) -> list[Any]:
        """Group labels in order."""
        return list(self.fits)

    @property
    def table(self) -> pd.DataFrame:
        """All groups' tables stacked, with a leading ``group`` column."""
        out = pd.concat([f.table for f in self.fits.values()], ignore_index=True)
        out.insert(0, "group", np.repeat(list(self.fits), [f.time.size for f in self.fits.values()]))
        return out

    def median(self) -> dict[Any, QuantileEstimate]:
        """Median with CI per group."""
        return {g: f.median() for g, f in self.fits.items()}

    def risk_table(self, times: float | Sequence[float]) -> pd.DataFrame:
        """Per-group risk tables stacked, with a leading ``group`` column."""
        return pd.concat([f.risk_table(times).assign(group=g) for g, f in self.fits.items()],
                         ignore_index=True)[["group", "time", "n_risk", "cum_event",
                                             "cum_censor"]]

    def summary(self) -> pd.DataFrame:
        """One row per group as R ``print(fit)``."""
        out = pd.concat([f.summary() for f in self.fits.values()], ignore_index=True)
        out.insert(0, "group", list(self.fits))
        return out


def _fit_one(time: np.ndarray, event: np.ndarray, conf_type: str, level: float,
             timefix: bool = True) -> KMResult:
    ut, n_risk, d, n_censor, surv, se_log = _km_core(time, event, timefix)
    lower, upper = survfit_confint(surv, se_log, conf_type, level)
    with np.errstate(invalid="ignore"):
        std_err = se_log * surv
    return KMResult(ut, n_risk, d, n_censor, surv, std_err, se_log, lower, upper,
                    int(time.size), conf_type, level)


def kaplan_meier(time: Any, event: Any, conf_type: ConfType = "log", level: float = 0.95,
                 by: Any = None) -> KMResult | KMGroupedResult:
    r"""Kaplan-Meier survival curve with pointwise CIs, as R ``survfit(Surv(time, event) ~ 1)``.

    Parameters
    ----------
    time : array_like of float
        Follow-up times, finite and >= 0 (e.g. PFS in months).
    event : array_like of {0, 1} or bool
        1 = event (progression/death), 0 = censored. Convert ADaM ``CNSR`` first
        (event = 1 - CNSR).
    conf_type : {'log', 'log-log', 'plain', 'logit', 'arcsin'}, default='log'
        Band transform; ``'log'`` is R ``survfit``'s default ``conf.type``.
    level : float, default=0.95
        Confidence level (R ``conf.int``).
    by : array_like, optional
        Group labels; one curve per group (sorted labels), as ``survfit(... ~ by)``.

    Returns
    -------
    KMResult or KMGroupedResult
        ``.table``, ``.median()``, ``.quantile(p)``, ``.at(times)``, ``.risk_table(times)``.

    Notes
    -----
    At each distinct time :math:`t_j` with :math:`n_j` at risk (time >= t_j) and :math:`d_j`
    events [1]_: :math:`\hat S(t) = \prod_{t_j \le t} (1 - d_j/n_j)`; censorings tied with
    events count as at risk. Greenwood [2]_:
    :math:`\widehat{se}(\log \hat S)^2 = \sum_{t_j \le t} d_j / (n_j (n_j - d_j))`, infinite
    once :math:`\hat S = 0`. Pointwise bands follow R ``survfit_confint`` (see
    :func:`oncotrial.stats._survci.survfit_confint`; ``log`` = Klein & Moeschberger eq.
    4.3.2 [3]_). Distinct times closer than :math:`\sqrt{\epsilon}` (absolutely or relative
    to the mean |time|) are merged to the smaller, as R ``aeqSurv`` (``timefix = TRUE``);
    with ``by`` the merging is done once on the pooled times of all groups, as R
    ``survfit(Surv(time, event) ~ by)`` does.
    Quantiles follow R ``quantile.survfit`` (:meth:`KMResult.quantile`).

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       JASA 1958;53:457-481.
    .. [2] Greenwood M. The natural duration of cancer. Rep Public Health Med Subj 1926;33.
    .. [3] Klein JP, Moeschberger ML. Survival Analysis, 2nd ed. Springer 2003, section 4.3.
    .. [4] Therneau T. A package for survival analysis in R (survival 3.5), survfitKM,
       survfit_confint, quantile.survfit, summary.survfit.

    Examples
    --------
    >>> fit = kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1])
    >>> fit.table[["time", "n_risk", "n_event", "surv"]].round(4)
       time  n_risk  n_event    surv
    0   1.0       6        1  0.8333
    1   2.0       5        1  0.6667
    2   3.0       3        1  0.4444
    3   4.0       2        2  0.0000
    >>> m = fit.median()
    >>> m.estimate, m.ci.low, m.ci.high
    (3.0, 2.0, nan)
    """
    func = "kaplan_meier"
    t = as_float_array(time, func, "time", nonnegative=True)
    e = as_event_array(event, func, "event")
    check_same_length(func, time=t, event=e)
    conf_type = check_choice(conf_type, CONF_TYPES, func, "conf_type")
    level = check_level(level, func)
    if by is None:
        return _fit_one(t, e, conf_type, level)
    g = np.asarray(by).reshape(-1)
    check_same_length(func, time=t, by=g)
    codes, labels = pd.factorize(g, sort=True, use_na_sentinel=True)
    if np.any(codes < 0):
        i = int(np.flatnonzero(codes < 0)[0])
        raise OncotrialValueError(
            f"`by` of `{func}` must not be missing; got {g[i]!r} at index {i}. "
            "Drop or label the missing groups first.")
    # R survfit.formula applies aeqSurv to the whole Surv object before splitting by strata,
    # so near-ties are merged on the pooled times, never within a group (issue 18)
    t = timefix(t)
    fits = {labels[k].item() if hasattr(labels[k], "item") else labels[k]:
            _fit_one(t[codes == k], e[codes == k], conf_type, level, timefix=False)
            for k in range(len(labels))}
    return KMGroupedResult(fits, conf_type, level)
