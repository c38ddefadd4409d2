"""Median follow-up by the reverse Kaplan-Meier method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import as_event_array, as_float_array, check_same_length
from oncotrial.stats._km import KMResult, kaplan_meier
from oncotrial.stats._survci import ConfType

__all__ = ["FollowUpResult", "followup_median"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class FollowUpResult(Result):
    """Median potential follow-up (reverse Kaplan-Meier).

    Attributes
    ----------
    estimate : float
        Median follow-up; NaN when the reverse curve never reaches 1/2.
    ci : ConfidenceInterval
        Limits read off the reverse curve's bands (R ``quantile.survfit``).
    n : int
        Subjects.
    n_censored : int
        Subjects censored in the original data (the "events" of the reverse curve).
    fit : KMResult
        The reverse Kaplan-Meier curve.
    """

    estimate: float
    ci: ConfidenceInterval
    n: int
    n_censored: int
    fit: KMResult

    def summary(self) -> pd.DataFrame:
        """One-row table: n, censored, median follow-up, lower, upper."""
        return pd.DataFrame({"n": [self.n], "n_censored": [self.n_censored],
                             "median_followup": [self.estimate], "lower": [self.ci.low],
                             "upper": [self.ci.high], "level": [self.ci.level],
                             "conf_type": [self.ci.method]})


def followup_median(time: Any, event: Any, conf_type: ConfType = "log",
                    level: float = 0.95) -> FollowUpResult:
    r"""Median follow-up by reverse Kaplan-Meier (Schemper & Smith 1996).

    Parameters
    ----------
    time : array_like of float
        Follow-up times (>= 0), the same as for the survival endpoint (e.g. OS).
    event : array_like of {0, 1}
        1 = event of the endpoint, 0 = censored.
    conf_type : {'log', 'log-log', 'plain', 'logit', 'arcsin'}, default='log'
        Band transform of the reverse curve (R ``survfit`` default ``'log'``).
    level : float, default=0.95
        Confidence level.

    Returns
    -------
    FollowUpResult

    Notes
    -----
    The event indicator is swapped -- censoring becomes the "event" and the endpoint's events
    censor follow-up [1]_ -- and the median of that Kaplan-Meier curve is read with R
    ``quantile.survfit`` rules. R equivalent:
    ``quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)``. Ties between an event and a
    censoring are handled as in any Kaplan-Meier fit (censorings at risk at tied event times),
    exactly as the R call.

    References
    ----------
    .. [1] Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time.
       Control Clin Trials 1996;17:343-346.

    Examples
    --------
    >>> r = followup_median([2, 5, 7, 9, 12, 15], [1, 0, 1, 0, 0, 0])
    >>> r.estimate, r.n_censored
    (12.0, 4)
    """
    func = "followup_median"
    t = as_float_array(time, func, "time", nonnegative=True)
    e = as_event_array(event, func, "event")
    check_same_length(func, time=t, event=e)
    fit = cast(KMResult, kaplan_meier(t, ~e, conf_type=conf_type, level=level))  # no `by`
    m = fit.median()
    return FollowUpResult(estimate=m.estimate, ci=m.ci, n=int(t.size),
                          n_censored=int((~e).sum()), fit=fit)
