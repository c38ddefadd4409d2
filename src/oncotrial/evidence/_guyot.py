"""Reconstruction of individual patient data from a published Kaplan-Meier curve (Guyot 2012).

Hand-written port of the algorithm of Guyot, Ades, Ouwens and Welton [1]_ (their published R code,
steps 1-6): no Python library implements it. Input: digitised (time, survival) points read off
the figure, the numbers at risk printed under it and, when reported, the total number of events.

Two safeguards follow R IPDfromKM 0.1.10 [2]_ (``preprocess`` + ``getIPD``), the reference
implementation the tests compare with (``tools/golden_guyot.R``):

* a risk-table interval that holds no digitised point is merged into the interval before it
  (IPDfromKM's ``preprocess`` builds its interval table from the points, so such an interval has
  no row); Guyot's published loop never ends there (oncotrial issue 20: one arm came back with
  50,005,119 patients);
* the censoring search of an interval is bounded: the number censored stays in
  ``[0, N_i - N_{i+1}]`` (IPDfromKM stops at ``N_i - N_{i+1} + 1``) and the search ends when
  the bound stops it from moving.

The result carries a check of the reconstructed patients, events and numbers at risk against
the given ones (``ReconstructionResult.checks``).

References
----------
.. [1] Guyot P, Ades AE, Ouwens MJNM, Welton NJ. BMC Med Res Methodol 2012;12:9.
.. [2] Liu N, Zhou Y, Lee JJ. IPDfromKM: reconstruct individual patient data from published
   Kaplan-Meier survival curves. BMC Med Res Methodol 2021;21:111. CRAN package IPDfromKM.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import as_float_array, check_same_length

__all__ = ["ReconstructionResult", "reconstruct_ipd"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ReconstructionResult(Result):
    """Reconstructed patient-level data and how well its KM curve matches the digitised one.

    Attributes
    ----------
    ipd : DataFrame
        Columns ``time`` and ``event`` (1 = event, 0 = censored), one row per patient.
    rmse, max_abs_diff : float
        Root-mean-square and maximum absolute difference between the digitised survival values
        and the KM curve of ``ipd`` evaluated at the digitised times.
    n_events, n_censored : int
    total_events : int or None
        The ``total_events`` constraint used, echoed.
    risk_table : DataFrame
        One row per given risk-table time: ``time``, ``n_risk`` (given), ``n_risk_ipd`` (the
        number at risk in ``ipd`` just before ``time``, R ``summary(survfit, times)``),
        ``used`` (bool) and ``note`` (why a row was not used: no digitised point in its
        interval, or after the last digitised time).
    checks : DataFrame
        ``quantity`` (``'patients'``, ``'events'`` when ``total_events`` is given), ``given``,
        ``reconstructed``, ``ok``. Patients always match (checked; an error otherwise); an
        events mismatch also warns (the reported total is not attainable on the digitised
        curve, e.g. events after its last point).

        .. versionadded:: 0.2 (issue 20) ``risk_table`` and ``checks``.
    """

    ipd: pd.DataFrame
    rmse: float
    max_abs_diff: float
    n_events: int
    n_censored: int
    total_events: int | None
    risk_table: pd.DataFrame
    checks: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One-row table: n, events, censored, RMSE, maximum absolute difference and the number
        of risk-table intervals merged for want of a digitised point."""
        return pd.DataFrame([{"n": len(self.ipd), "n_events": self.n_events,
                              "n_censored": self.n_censored, "total_events": self.total_events,
                              "rmse": self.rmse, "max_abs_diff": self.max_abs_diff,
                              "intervals_merged": int((~self.risk_table.used).sum()),
                              "checks_ok": bool(self.checks.ok.all())}])


def _spread_censoring(ts: np.ndarray, lo: int, hi_break: int, n_cen: int, cen: np.ndarray,
                      k_last: int) -> None:
    """Place ``n_cen`` censorings evenly on (t[lo], t[hi_break]) and count them per step.

    Counts go to ``cen[lo:k_last+1]`` using bins ``(t[j], t[j+1]]`` (R ``hist`` defaults:
    right-closed, lowest break included). An interval with a single point (the last one, when
    the curve's final point opens it) has no span to spread over: its censorings are left to the
    end of follow-up, where IPDfromKM also puts them.
    """
    cen[lo:k_last + 1] = 0
    if n_cen <= 0 or hi_break <= lo:
        return
    ct = ts[lo] + np.arange(1, n_cen + 1) * (ts[hi_break] - ts[lo]) / (n_cen + 1)
    breaks = ts[lo:hi_break + 1]
    idx = np.searchsorted(breaks, ct, side="left") - 1  # bin j holds (b[j], b[j+1]]
    idx = np.clip(idx, 0, len(breaks) - 2)
    np.add.at(cen, lo + idx, 1)


def _km_pass(s: np.ndarray, lo: int, hi: int, n_hat: np.ndarray, d: np.ndarray,
             cen: np.ndarray, km: np.ndarray, last: int, first: bool, clamp: bool) -> int:
    for k in range(lo, hi + 1):
        if first and k == lo:
            d[k], km[k] = 0, 1.0
        elif km[last] != 0 and n_hat[k] > 0:
            d[k] = int(np.round(n_hat[k] * (1 - s[k] / km[last])))
            km[k] = km[last] * (1 - d[k] / n_hat[k])
        else:
            d[k], km[k] = 0, km[last]
        n_hat[k + 1] = n_hat[k] - d[k] - cen[k]
        if clamp and n_hat[k + 1] < 0:
            n_hat[k + 1] = 0
            cen[k] = n_hat[k] - d[k]
        if d[k] != 0:
            last = k
    return last


def reconstruct_ipd(t, s, risk_times, n_risk, total_events: int | None = None
                    ) -> ReconstructionResult:
    """Reconstruct patient-level time-to-event data from a digitised KM curve (Guyot 2012).

    Parameters
    ----------
    t, s : array-like of float
        Digitised curve: strictly increasing times and survival probabilities in [0, 1],
        non-increasing. A point (0, 1) is prepended when the first time is > 0. Digitise the
        corners of every step for best results.
    risk_times, n_risk : array-like
        The risk table printed under the figure: times (the first must be 0) and numbers at
        risk (non-increasing integers). Times after the last digitised time are ignored.
    total_events : int, optional
        Total number of events when the paper reports it; used to adjust the censoring in the
        last risk-table interval (step 6 of [1]_).

    Returns
    -------
    ReconstructionResult

    Notes
    -----
    For each interval ``[T_i, T_{i+1})`` of the risk table [1]_: (1) guess the number censored
    ``c_i = round(N_i S(T_{i+1})/S(T_i) - N_{i+1})``; (2) spread them evenly over the interval;
    (3) step through the digitised points: events ``d_k = round(n_k (1 - S_k/S^_last))``,
    ``S^_k = S^_last (1 - d_k/n_k)``, ``n_{k+1} = n_k - d_k - c_k``; (4) change ``c_i`` by
    ``n^(T_{i+1}) - N_{i+1}`` and repeat until the reconstructed number at risk equals the
    published one. The last interval's censoring is extrapolated from the earlier censoring
    rate (or fixed by ``total_events``). Events are placed at the digitised times, censorings at
    midpoints between digitised times, and patients left at the end are censored at the last
    digitised time.

    Edge rules: a risk-table row whose interval holds no digitised point is merged into the
    interval before it (IPDfromKM's rule; listed in ``risk_table.note``); the number censored
    in an interval is kept in ``[0, N_i - N_{i+1}]`` and in the last interval in
    ``[0, N_last]``, so the search always ends and never creates patients.

    References
    ----------
    .. [1] Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival
       data: reconstructing the data from published Kaplan-Meier survival curves. BMC Med Res
       Methodol 2012;12:9.

    Examples
    --------
    Ten patients, one event at each of t = 1, 2, 3, 4, six still event-free at t = 4:

    >>> r = reconstruct_ipd([0, 1, 2, 3, 4], [1, 0.9, 0.8, 0.7, 0.6], [0, 2], [10, 9])
    >>> r.ipd.time[r.ipd.event == 1].tolist(), r.n_censored, round(r.max_abs_diff, 12)
    ([1.0, 2.0, 3.0, 4.0], 6, 0.0)

    A risk-table time (2) whose interval [2, 3) holds no digitised point is merged:

    >>> r = reconstruct_ipd([0, 1, 3, 4], [1, 0.9, 0.8, 0.7], [0, 2, 3], [20, 15, 14])
    >>> len(r.ipd), r.risk_table.used.tolist()
    (20, [True, False, True])
    """
    func = "reconstruct_ipd"
    ts = as_float_array(t, func, "t", nonnegative=True)
    ss = as_float_array(s, func, "s")
    check_same_length(func, t=ts, s=ss)
    tr = as_float_array(risk_times, func, "risk_times", nonnegative=True)
    nr = as_float_array(n_risk, func, "n_risk", nonnegative=True)
    check_same_length(func, risk_times=tr, n_risk=nr)
    _validate(ts, ss, tr, nr, total_events, func)
    if ts[0] > 0:
        ts, ss = np.concatenate(([0.0], ts)), np.concatenate(([1.0], ss))
    tr_all, nr_all = tr.copy(), nr.astype(int)
    used, notes = _usable_intervals(ts, tr_all)
    tr, nr = tr_all[used], nr_all[used].copy()
    nint = len(tr)
    lower = np.array([int(np.searchsorted(ts, x, side="left")) for x in tr])
    upper = np.append(lower[1:] - 1, len(ts) - 1)
    m = len(ts)
    n_hat = np.zeros(m + 1)
    d = np.zeros(m, dtype=int)
    cen = np.zeros(m, dtype=int)
    km = np.ones(m)
    n_cen = np.zeros(nint, dtype=int)
    last_i = np.zeros(nint, dtype=int)
    n_hat[0] = nr[0]
    last = 0
    for i in range(nint - 1):
        lo, hi, nxt = lower[i], upper[i], lower[i + 1]
        cap = max(int(nr[i] - nr[i + 1]), 0)  # no more censored than leave the risk set
        n_cen[i] = int(np.round(nr[i] * ss[nxt] / ss[lo] - nr[i + 1])) if ss[lo] > 0 else 0
        n_cen[i] = min(max(n_cen[i], 0), cap)
        for _ in range(10_000):
            _spread_censoring(ts, lo, nxt, n_cen[i], cen, hi)
            n_hat[lo] = nr[i]
            last = _km_pass(ss, lo, hi, n_hat, d, cen, km, last_i[i], i == 0, clamp=False)
            gap = int(n_hat[nxt] - nr[i + 1])
            new_cen = min(max(n_cen[i] + gap, 0), cap)
            if not (gap > 0 or (gap < 0 and n_cen[i] > 0)) or new_cen == n_cen[i]:
                break
            n_cen[i] = new_cen
        if n_hat[nxt] < 0:  # more events than patients: censor no one who is not there
            n_hat[lo] = nr[i]
            last = _km_pass(ss, lo, hi, n_hat, d, cen, km, last_i[i], i == 0, clamp=True)
        if n_hat[nxt] < nr[i + 1]:
            nr[i + 1] = int(n_hat[nxt])
        last_i[i + 1] = last
    lo, hi = lower[-1], upper[-1]
    if nint > 1 and ts[upper[-2]] > ts[lower[0]]:
        n_cen[-1] = min(int(np.round(n_cen[:-1].sum() * (ts[hi] - ts[lo])
                                     / (ts[upper[-2]] - ts[lower[0]]))), int(nr[-1]))
    else:
        n_cen[-1] = 0

    def last_interval() -> None:
        n_cen[-1] = min(max(n_cen[-1], 0), int(nr[-1]))
        _spread_censoring(ts, lo, hi, n_cen[-1], cen, hi - 1)
        n_hat[lo] = nr[-1]
        _km_pass(ss, lo, hi, n_hat, d, cen, km, last_i[-1], nint == 1, clamp=True)

    last_interval()
    if total_events is not None:
        sum_before = int(d[:lower[-1]].sum()) if nint > 1 else 0
        if nint > 1 and sum_before >= total_events:
            d[lo:hi + 1] = 0
            cen[lo:hi] = 0
        else:
            for _ in range(10_000):
                sumd = int(d.sum())
                if not (sumd > total_events or (sumd < total_events and n_cen[-1] > 0)):
                    break
                before = n_cen[-1]
                n_cen[-1] += sumd - total_events
                last_interval()
                if n_cen[-1] == before:
                    break
    return _assemble(ts, ss, d, cen, int(nr[0]), total_events, tr_all, nr_all, used, notes)


def _usable_intervals(ts: np.ndarray, tr: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Which risk-table rows open an interval holding a digitised point (IPDfromKM's rule).

    The row at 0 always does (a point (0, 1) is prepended). A later row whose interval
    ``[T_i, T_{i+1})`` holds no digitised point is merged into the interval before it, and rows
    after the last digitised time are not used.
    """
    used = np.zeros(len(tr), dtype=bool)
    notes = [""] * len(tr)
    lower = np.searchsorted(ts, tr, side="left")
    for i in range(len(tr)):
        if tr[i] > ts[-1]:
            notes[i] = "after the last digitised time"
            continue
        nxt = tr[i + 1] if i + 1 < len(tr) else np.inf
        if i == 0 or (lower[i] < len(ts) and ts[lower[i]] < nxt):
            used[i] = True
        else:
            notes[i] = (f"no digitised point in [{tr[i]:g}, {nxt:g}): merged into the interval "
                        "before it (as IPDfromKM's preprocess does)")
    return used, notes


def _validate(ts, ss, tr, nr, total_events, func: str) -> None:
    if np.any(np.diff(ts) <= 0):
        i = int(np.flatnonzero(np.diff(ts) <= 0)[0]) + 1
        raise OncotrialValueError(
            f"`t` of `{func}` must be strictly increasing; got {ts[i]!r} at index {i}. "
            "Drop duplicated digitised points (keep the lower survival at a vertical step).")
    if np.any((ss < 0) | (ss > 1)):
        i = int(np.flatnonzero((ss < 0) | (ss > 1))[0])
        raise OncotrialValueError(f"`s` of `{func}` must be in [0, 1]; got {ss[i]!r} at index "
                                  f"{i}. Give survival as a proportion, not a percentage.")
    if np.any(np.diff(ss) > 0):
        i = int(np.flatnonzero(np.diff(ss) > 0)[0]) + 1
        raise OncotrialValueError(
            f"`s` of `{func}` must be non-increasing; got {ss[i]!r} at index {i}. Replace "
            "digitisation noise by the running minimum (np.minimum.accumulate).")
    if tr.size == 0 or tr[0] != 0:
        raise OncotrialValueError(f"`risk_times` of `{func}` must start at 0; got "
                                  f"{tr[:1].tolist()!r}.")
    if np.any(np.diff(tr) <= 0):
        raise OncotrialValueError(f"`risk_times` of `{func}` must be strictly increasing.")
    if np.any(nr != np.round(nr)) or np.any(np.diff(nr) > 0) or nr[0] < 1:
        raise OncotrialValueError(
            f"`n_risk` of `{func}` must be non-increasing integers with n_risk[0] >= 1; got "
            f"{nr.tolist()!r}.")
    if total_events is not None and not (0 <= int(total_events) <= nr[0]):
        raise OncotrialValueError(f"`total_events` of `{func}` must be in [0, n_risk[0]]; got "
                                  f"{total_events!r}.")


def _assemble(ts, ss, d, cen, n0: int, total_events, tr_all, nr_all, used, notes
              ) -> ReconstructionResult:
    from oncotrial.stats import kaplan_meier

    ev_t = np.repeat(ts, d)
    mid = (ts[:-1] + ts[1:]) / 2
    ce_t = np.repeat(mid, cen[:-1])
    n_rest = max(n0 - len(ev_t) - len(ce_t), 0)
    time = np.concatenate((ev_t, ce_t, np.full(n_rest, ts[-1])))
    event = np.concatenate((np.ones(len(ev_t), int), np.zeros(len(ce_t) + n_rest, int)))
    ipd = pd.DataFrame({"time": time, "event": event})
    if event.sum() > 0:
        fit = kaplan_meier(time, event)
        idx = np.searchsorted(fit.time, ts, side="right") - 1
        s_hat = np.where(idx >= 0, fit.surv[np.maximum(idx, 0)], 1.0)
    else:
        s_hat = np.ones_like(ts)
    diff = s_hat - ss
    if len(ipd) != n0:  # pragma: no cover - guaranteed by the bounded search above
        raise OncotrialValueError(
            f"`n_risk` of `reconstruct_ipd` gave {n0} patients at time 0 but {len(ipd)} were "
            "reconstructed. Check that the risk table belongs to the digitised curve.")
    at_risk = np.array([int((time >= x).sum()) for x in tr_all])
    risk_table = pd.DataFrame({"time": tr_all, "n_risk": nr_all, "n_risk_ipd": at_risk,
                               "used": used, "note": notes})
    n_ev = int(event.sum())
    rows = [{"quantity": "patients", "given": n0, "reconstructed": len(ipd), "ok": True}]
    if total_events is not None:
        rows.append({"quantity": "events", "given": int(total_events), "reconstructed": n_ev,
                     "ok": n_ev == int(total_events)})
        if n_ev != int(total_events):
            warnings.warn(
                f"reconstruct_ipd: {n_ev} events reconstructed but `total_events` is "
                f"{int(total_events)}; the curve as digitised cannot carry that many (or that "
                "few) events. Check the digitisation of the curve's tail and the reported total.",
                UserWarning, stacklevel=3)
    return ReconstructionResult(
        ipd=ipd, rmse=float(np.sqrt(np.mean(diff**2))), max_abs_diff=float(np.max(np.abs(diff))),
        n_events=n_ev, n_censored=int(len(event) - n_ev),
        total_events=None if total_events is None else int(total_events),
        risk_table=risk_table, checks=pd.DataFrame(rows))
