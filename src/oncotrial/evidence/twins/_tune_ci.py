"""Median confidence intervals of a twin (issues 12 and 20): event days moved inside their slots.

The planner (:mod:`._plan_km`) meets landmarks and medians; the 95 % CI of a median (R
``quantile.survfit`` on the log-scale Greenwood band: the lower limit is the first time the
*lower* band reaches 0.5, the upper limit the first time the *upper* band does) depends on where
the events between the checkpoints sit. This module moves single event days, each inside the
range its caller allows (its planning slot, so no landmark or median count changes, and the
subject's other constraints: progression before death, assessment dates), until the interval
prints as published.

Search: greedy best improvement over single moves (candidate days: around each target, the
ends of the item's range), deterministic, no random draw. Every goal of every curve is a
*distance* (0 when it prints as published, in months = (day + 1) / 30.4375, the ADaM AVAL);
a goal met before tuning must stay met after every move, the others may only get closer.
Hand-written (not scipy.optimize): the problem is a small integer assignment with hard
print constraints; a coordinate search over candidate days is exact for it and cheap.
The result is checked once more with :func:`oncotrial.stats.kaplan_meier`; if that check
disagrees with the fast internal estimate, every move is undone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from oncotrial.evidence.twins._spec import DAYS_PER_MONTH
from oncotrial.stats import followup_median, kaplan_meier

__all__ = ["CurveGoals", "tune_curves"]

_Z = 1.959963984540054
_TOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(slots=True)
class CurveGoals:
    """Published numbers of one Kaplan-Meier curve over ``idx`` (positions in the day arrays).

    ``median`` / ``ci`` in months (``math.inf`` = not reached), ``landmarks`` as
    ``(month, percent, decimals)``; ``None`` = not reported.
    """

    idx: np.ndarray
    median: float | None = None
    ci: tuple[float, float] | None = None
    landmarks: Sequence[tuple[float, float, int]] = field(default_factory=tuple)
    followup: float | None = None  # median follow-up, reverse Kaplan-Meier (months)


def _dec(x: float) -> int:
    """Decimals a median or CI limit is met to: 1, as the report prints months (a paper's
    "26.47" is met as 26.5 -- whole days cannot print 26.47: AVAL 805 / 806 give 26.45 / 26.48 --
    and "8" as 8.0)."""
    return 1


def _first_below(ut: np.ndarray, c: np.ndarray) -> float:
    """R ``findq`` for p = 0.5 on one curve (flat segment at exactly 0.5 -> midpoint)."""
    ok = np.flatnonzero(c <= 0.5 + _TOL)
    if ok.size == 0:
        return math.nan
    i = int(ok[0])
    if abs(c[i] - 0.5) < _TOL:
        nxt = np.flatnonzero(c[i:] < 0.5 - _TOL)
        return 0.5 * (ut[i] + (ut[i + int(nxt[0])] if nxt.size else ut[-1]))
    return float(ut[i])


def _curve(months: np.ndarray, event: np.ndarray):
    """Distinct times, S, lower and upper log-scale band (R ``survfit`` defaults)."""
    order = np.argsort(months, kind="stable")
    t, e = months[order], event[order]
    n = t.size
    first = np.flatnonzero(np.concatenate(([True], t[1:] != t[:-1])))
    ut = t[first]
    n_risk = n - first
    d = np.add.reduceat(e.astype(int), first)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1.0 - d / n_risk)
        inc = np.where(d > 0, d / (n_risk * (n_risk - d).astype(float)), 0.0)
        se = np.sqrt(np.cumsum(inc))
        lo = np.where(s > 0, s * np.exp(-_Z * se), np.nan)
        hi = np.where(s > 0, np.minimum(s * np.exp(_Z * se), 1.0), np.nan)
    return ut, s, np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=0.0)


def _miss(value: float, target: float, ut: np.ndarray | None = None,
          c: np.ndarray | None = None) -> float:
    """0 when ``value`` (months; NaN = not reached) prints as ``target``, else how far off.

    With the curve (``ut``, ``c``) the distance also says how far ``c`` is from crossing 0.5
    inside the printing interval [a, b) of ``target``: ``0.5 - c(a-)`` when it crossed before
    ``a``, ``c(b-) - 0.5`` when it has not crossed by ``b`` -- so moves that bring a crossing
    closer count although the crossing time itself has not moved yet."""
    if math.isinf(target):
        if math.isnan(value):
            return 0.0
        return 20.0 + (0.0 if c is None else 10.0 * (0.5 + _TOL - float(np.min(c))))
    dec = _dec(target)
    if not math.isnan(value) and round(value, dec) == round(target, dec):
        return 0.0
    out = 20.0 + target if math.isnan(value) else abs(value - target)
    if c is not None:
        a, b = target - 0.5 * 10.0 ** -dec, target + 0.5 * 10.0 ** -dec
        ka = np.searchsorted(ut, a, side="left") - 1
        kb = np.searchsorted(ut, b, side="left") - 1
        ca = c[ka] if ka >= 0 else 1.0
        cb = c[kb] if kb >= 0 else 1.0
        out += 10.0 * (max(0.0, 0.5 + _TOL - ca) + max(0.0, cb - 0.5))
    return out


def _distances(g: CurveGoals, months: np.ndarray, event: np.ndarray) -> list[float]:
    ut, s, lo, hi = _curve(months[g.idx], event[g.idx])
    out = []
    for m, pct, dec in g.landmarks:
        k = np.searchsorted(ut, m, side="right") - 1
        v = 100.0 * (s[k] if k >= 0 else 1.0)
        out.append(0.0 if round(v, dec) == pct else 10.0 * abs(v - pct))
    if g.median is not None:
        out.append(10.0 * _miss(_first_below(ut, s), g.median, ut, s))
    if g.ci is not None:
        out.append(_miss(_first_below(ut, lo), g.ci[0], ut, lo))
        out.append(_miss(_first_below(ut, hi), g.ci[1], ut, hi))
    if g.followup is not None:
        ur, sr, _lo, _hi = _curve(months[g.idx], ~event[g.idx])
        out.append(_miss(_first_below(ur, sr), g.followup, ur, sr))
    return out


def _real_distances(g: CurveGoals, months: np.ndarray, event: np.ndarray) -> list[float]:
    """The same goals through :func:`oncotrial.stats.kaplan_meier` (the final check)."""
    fit = kaplan_meier(months[g.idx], event[g.idx], conf_type="log")
    out = []
    if g.landmarks:
        at = fit.at([m for m, _p, _d in g.landmarks], extend=True).surv.to_numpy()
        for (_m, pct, dec), v in zip(g.landmarks, at, strict=True):
            out.append(0.0 if round(100.0 * v, dec) == pct else 10.0 * abs(100.0 * v - pct))
    med = fit.median()
    if g.median is not None:
        out.append(10.0 * _miss(med.estimate, g.median))
    if g.ci is not None:
        out.append(_miss(med.ci.low, g.ci[0]))
        out.append(_miss(med.ci.high, g.ci[1]))
    if g.followup is not None:
        out.append(_miss(followup_median(months[g.idx], event[g.idx]).estimate, g.followup))
    return out


def tune_curves(day: np.ndarray, event: np.ndarray, goals: Sequence[CurveGoals],
                movable: dict[int, tuple[int, int]],
                allowed: Callable[[int, int], bool] | None = None,
                max_rounds: int = 60, first_improvement: bool = False) -> dict[int, int]:
    """Move event days (in place) so the curves' median CIs print as published.

    Parameters
    ----------
    day, event : arrays
        Plan days (AVAL = day + 1) and event flags of every item the goals refer to.
    goals : sequence of CurveGoals
        One per curve (e.g. a cohort, or two cohorts and their pooled curve).
    movable : dict
        Position -> (lowest, highest) day the item may take (its slot and its subject's other
        constraints). Only events should be listed.
    allowed : callable, optional
        ``allowed(position, day)`` -- a further check of one move (e.g. the assessment schedule).
    max_rounds : int, default=60
        Moves at most.
    first_improvement : bool, default=False
        Take the first improving move (items from the latest day down) instead of the best one
        of each round: linear instead of quadratic in the number of items (follow-up tuning).

    Returns
    -------
    dict
        Position -> new day, for every item moved (empty when nothing improved).

    Examples
    --------
    Seven events and three censorings: median 5.5 months (2.99-NR); the published lower
    limit 2.5 is met by moving the third event from day 90 to day 74; the median stays.

    >>> d = np.array([30, 60, 90, 120, 150, 180, 210, 400, 400, 400]); e = d < 400
    >>> g = CurveGoals(np.arange(10), median=5.5, ci=(2.5, math.inf))
    >>> tune_curves(d, e, [g], {i: (int(d[i]) - 40, int(d[i]) + 40) for i in range(7)})
    {2: 74}
    >>> m = kaplan_meier((d + 1) / DAYS_PER_MONTH, e).median()
    >>> round(m.estimate, 1), round(m.ci.low, 1), m.ci.high
    (5.5, 2.5, nan)
    """
    start = day.copy()
    months = (day + 1.0) / DAYS_PER_MONTH
    cur = [_distances(g, months, event) for g in goals]
    locked = [[x == 0.0 for x in c] for c in cur]
    total = sum(map(sum, cur))
    wanted = set()
    for g in goals:
        for v in (*(g.ci or ()), *(() if g.median is None else (g.median,)),
                  *(() if g.followup is None else (g.followup,))):
            if math.isfinite(v):
                c = round(v * DAYS_PER_MONTH) - 1
                wanted.update(range(c - 2, c + 3))
    member = {i: [k for k, g in enumerate(goals) if i in set(g.idx.tolist())] for i in movable}
    order = sorted(movable, key=lambda i: (-int(day[i]), i)) if first_improvement else list(movable)
    moved: dict[int, int] = {}
    for _ in range(max_rounds):
        if total == 0.0:
            break
        best = (total, None, None, None)
        for i in order:
            lo, hi = movable[i]
            old = int(day[i])
            cands = {lo, hi, *(w for w in wanted if lo <= w <= hi)} - {old}
            for d in sorted(cands):
                if allowed is not None and not allowed(i, d):
                    continue
                months[i] = (d + 1.0) / DAYS_PER_MONTH
                dist = [_distances(g, months, event) if k in member[i] else cur[k]
                        for k, g in enumerate(goals)]
                months[i] = (old + 1.0) / DAYS_PER_MONTH
                if any(lk and x != 0.0 for lc, dc in zip(locked, dist, strict=True)
                       for lk, x in zip(lc, dc, strict=True)):
                    continue
                if any(x > y + 1e-12 for dc, cc in zip(dist, cur, strict=True)
                       for x, y in zip(dc, cc, strict=True)):
                    continue  # no goal may get further from its target
                s = sum(map(sum, dist))
                if s < best[0] - 1e-9:
                    best = (s, i, d, dist)
            if first_improvement and best[1] is not None:
                break
        if best[1] is None:
            break
        total, i, d, cur = best
        day[i] = d
        months[i] = (d + 1.0) / DAYS_PER_MONTH
        moved[i] = d
    if moved:
        before = [_real_distances(g, (start + 1.0) / DAYS_PER_MONTH, event) for g in goals]
        after = [_real_distances(g, months, event) for g in goals]
        worse = any(x > y + 1e-12 for a, b in zip(after, before, strict=True)
                    for x, y in zip(a, b, strict=True))
        if worse or sum(map(sum, after)) >= sum(map(sum, before)):
            day[:] = start
            return {}
    return moved
