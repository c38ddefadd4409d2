"""A new trial's Kaplan-Meier curve against curves reconstructed from publications (Guyot).

For each historical curve (reconstructed with :func:`reconstruct_ipd`, or any patient-level
``time``/``event`` frame) and, with several, for all of them merged: numbers, medians, the
log-rank test (R ``survdiff``) and the Cox hazard ratio new vs historical (R ``coxph``, Efron
ties), through :mod:`oncotrial.stats`. The merged row treats the historical curves as one
population; it is only meaningful when they are alike (check the per-study rows, and choose
the curves like with like, as :func:`compare_proportion` chooses rates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import as_event_array, as_float_array, check_same_length
from oncotrial.evidence._guyot import ReconstructionResult
from oncotrial.stats import cox_ph, kaplan_meier, logrank_test

__all__ = ["KMComparisonResult", "compare_km"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class KMComparisonResult(Result):
    """The new trial against each reconstructed historical curve and against all of them.

    Attributes
    ----------
    table : DataFrame
        One row per historical curve plus, with several, ``'all (merged)'``: ``historical``, ``n_new``,
        ``events_new``, ``median_new``, ``n_hist``, ``events_hist``, ``median_hist``,
        ``logrank_chisq``, ``logrank_p``, ``hr`` (new vs historical), ``hr_low``, ``hr_high``.
    landmarks : DataFrame
        Survival of the new trial and of each historical curve at ``landmarks``.
    new_label : str
    """

    table: pd.DataFrame
    landmarks: pd.DataFrame
    new_label: str

    def summary(self) -> pd.DataFrame:
        """The comparison table."""
        return self.table


def _as_ipd(name: str, h) -> pd.DataFrame:
    if isinstance(h, ReconstructionResult):
        return h.ipd[["time", "event"]]
    if isinstance(h, pd.DataFrame) and {"time", "event"} <= set(h.columns):
        return h[["time", "event"]]
    raise OncotrialValueError(
        f"`historical` of `compare_km` must map names to ReconstructionResult or DataFrames with "
        f"columns time and event; got {type(h).__name__} for {name!r}.")


def compare_km(time, event, historical: Mapping[str, object], *, landmarks=(6, 12),
               new_label: str = "New trial", level: float = 0.95) -> KMComparisonResult:
    """Compare a new trial's time-to-event data with reconstructed historical curves.

    Parameters
    ----------
    time, event : array-like
        The new trial's follow-up times (same unit as the historical curves) and event flags.
    historical : mapping of str to ReconstructionResult or DataFrame
        E.g. ``{"NICE-NEC": reconstruct_ipd(...)}``.
    landmarks : sequence of float, default=(6, 12)
    new_label : str
    level : float, default=0.95
        Of the hazard-ratio CI.

    Returns
    -------
    KMComparisonResult

    Notes
    -----
    Reconstructed data carry the reconstruction error (see ``ReconstructionResult.rmse``) and no
    covariates: the comparison is unadjusted and the historical trial's population may differ.

    Examples
    --------
    >>> from oncotrial.evidence import reconstruct_ipd
    >>> hist = reconstruct_ipd([0, 1, 2, 3, 4], [1, 0.9, 0.8, 0.7, 0.6], [0, 2], [10, 9])
    >>> res = compare_km([0.5, 1.5, 2.5, 3.5, 5, 5], [1, 1, 1, 1, 0, 0], {"H": hist})
    >>> float(round(res.table.logrank_chisq.iloc[0], 6)), float(round(res.table.logrank_p.iloc[0], 6))
    (1.31894, 0.250782)
    """
    func = "compare_km"
    t = as_float_array(time, func, "time", nonnegative=True)
    e = as_event_array(event, func)
    check_same_length(func, time=t, event=e)
    if not historical:
        raise OncotrialValueError(f"`historical` of `{func}` must hold at least one curve; got "
                                  "an empty mapping.")
    lm = as_float_array(landmarks, func, "landmarks", nonnegative=True)
    new = pd.DataFrame({"time": t, "event": e.astype(int)})
    fit_new = kaplan_meier(new.time, new.event)
    parts = {str(k): _as_ipd(str(k), v) for k, v in historical.items()}
    rows, lms = [], {new_label: fit_new.at(lm, extend=True).surv.to_numpy()}

    def one(label: str, hist: pd.DataFrame) -> dict:
        data = pd.concat([new.assign(arm="new"), hist[["time", "event"]].assign(arm="historical")],
                         ignore_index=True)
        data["is_new"] = (data.arm == "new").astype(int)
        lr = logrank_test(data.time, data.event, data.arm)
        cox = cox_ph(data, "time", "event", ["is_new"], level=level)
        row = cox.table.iloc[0]
        fit_h = kaplan_meier(hist.time, hist.event)
        return {"historical": label, "n_new": len(new), "events_new": int(new.event.sum()),
                "median_new": fit_new.median().estimate, "n_hist": len(hist),
                "events_hist": int(hist.event.sum()), "median_hist": fit_h.median().estimate,
                "logrank_chisq": lr.chisq, "logrank_p": lr.pvalue, "hr": float(row.hr),
                "hr_low": float(row.hr_lower), "hr_high": float(row.hr_upper)}

    for label, hist in parts.items():
        rows.append(one(label, hist))
        lms[label] = kaplan_meier(hist.time, hist.event).at(lm, extend=True).surv.to_numpy()
    if len(parts) > 1:
        rows.append(one("all (merged)", pd.concat(parts.values(), ignore_index=True)))
    landmarks_df = pd.DataFrame(lms, index=pd.Index(lm, name="time")).reset_index()
    return KMComparisonResult(table=pd.DataFrame(rows), landmarks=landmarks_df,
                              new_label=new_label)
