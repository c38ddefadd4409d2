"""Event-time planning: times whose Kaplan-Meier curve hits published landmarks and medians.

The planner works on the product-limit identity. With ``N`` subjects at risk, ``e`` events at
distinct times (no censoring in between) multiply the survival by ``(N - e) / N``
(the factors ``(1 - 1/N)(1 - 1/(N-1))...`` telescope). Between consecutive checkpoints
(landmark times and the median) the planner places ``ea`` events, then ``c`` censorings, then
``eb`` events, so that

    S(t_k) = S(t_{k-1}) * (N - ea) / N * (N - ea - c - eb) / (N - ea - c)

and searches (depth first, preferring censoring counts proportional to the follow-up window)
for counts that print as the published percentage. The median is a checkpoint whose last event
sits exactly on the reported median day and takes S from above 0.5 to below 0.5 (strictly,
so R's flat-segment midpoint rule never applies). Event times keep a margin from every landmark so
that the +1 day ADaM convention (AVAL = ADT - STARTDT + 1) cannot move an event across it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from oncotrial._errors import OncotrialValueError

__all__ = ["Checkpoint", "km_at", "km_median", "plan_times"]

#: Events before a landmark L sit on days <= floor(L) - 1 and after it on days >= floor(L) + 1,
#: so both AVAL = ADT - STARTDT and the ADaM AVAL = ADT - STARTDT + 1 put them on the same side.
_MARGIN = 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A landmark (``kind='landmark'``: ``percent`` printed with ``decimals``) or the median."""

    day: float
    kind: str  # 'landmark' | 'median'
    percent: float = 0.0
    decimals: int = 1


def km_at(time: np.ndarray, event: np.ndarray, t: float) -> float:
    """Product-limit S(t) of a plan (private check of the planner, not an estimator API).

    Examples
    --------
    >>> km_at(np.array([1, 2, 3]), np.array([True, False, True]), 2.5)
    0.6666666666666667
    """
    s = 1.0
    for u in np.unique(time[event & (time <= t)]):
        s *= 1.0 - np.sum((time == u) & event) / np.sum(time >= u)
    return float(s)


def km_median(time: np.ndarray, event: np.ndarray) -> float:
    """First event time where the plan's S drops to <= 0.5 (inf when never); private check.

    Examples
    --------
    >>> km_median(np.array([1, 2, 3, 4]), np.ones(4, bool))
    2.0
    """
    s = 1.0
    for u in np.unique(time[event]):
        s *= 1.0 - np.sum((time == u) & event) / np.sum(time >= u)
        if s <= 0.5 + 1e-12:
            return float(u)
    return math.inf


def _prints_as(s: float, cp: Checkpoint) -> bool:
    """S prints as the published percentage: safely inside the rounding interval, or exactly
    on its edge and rounded there by Python's round-half-even (27/48 = 56.25 % -> 56.2)."""
    return _inside(s, cp) or _on_edge(s, cp)


def _inside(s: float, cp: Checkpoint) -> bool:
    return abs(100.0 * s - cp.percent) < 0.5 * 10.0 ** (-cp.decimals) - 1e-9


def _on_edge(s: float, cp: Checkpoint) -> bool:
    # an exact half (e.g. 68.75 %) prints either way depending on float error: last resort only
    return not _inside(s, cp) and round(100.0 * s, cp.decimals) == cp.percent


def _days(rng: np.random.Generator, lo: int, hi: int, k: int,
          prefer: Callable[[int, int], np.ndarray] | None) -> list[int]:
    """``k`` sorted integer days in [lo, hi], from preferred days when there are enough."""
    if k == 0:
        return []
    if prefer is not None:
        pool = prefer(lo, hi)
        if pool.size >= k:
            return sorted(int(x) for x in rng.choice(pool, size=k, replace=False))
    span = np.arange(lo, hi + 1)
    return sorted(int(x) for x in rng.choice(span, size=k, replace=span.size < k))


def plan_times(n: int, checkpoints: Sequence[Checkpoint], *, t_min: int,
               censor_window: tuple[float, float], rng: np.random.Generator,
               forced: Sequence[tuple[int, bool]] = (), events: int | None = None,
               median_not_reached: bool = False, horizon: int | None = None,
               prefer: Callable[[int, int], np.ndarray] | None = None,
               min_censored: int = 0, what: str = "endpoint") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plan ``n`` (time, event) pairs whose KM curve meets every checkpoint.

    Parameters
    ----------
    n : int
        Subjects in the Kaplan-Meier population.
    checkpoints : sequence of Checkpoint
        Landmarks and the median, in days.
    t_min : int
        Free events and censorings fall on or after this day; ``forced`` items fall before it.
    censor_window : (float, float)
        Days where censored times may fall.
    forced : sequence of (day, event)
        Fixed items (e.g. progression at the first assessment for BOR = PD).
    events : int, optional
        Total number of events required (reported number of deaths, say).
    median_not_reached : bool
        Keep S above 0.5 at all times.
    min_censored : int
        At least this many censored items (e.g. OS must censor everyone censored for PFS).

    Returns
    -------
    (time, event, slot) : arrays of length ``n`` (days; bool; ``(n, 2)`` day ranges): the
        ``forced`` items first, in the order given, then the free items. ``slot[i]`` is the range
        item ``i`` may move within without changing the curve at any checkpoint.

    Raises
    ------
    OncotrialValueError
        When no arrangement meets the checkpoints (the message names what failed).

    Notes
    -----
    Product-limit estimate [1]_: S(t) = prod_{t_i <= t} (1 - d_i / n_i). With no censoring
    between them, e events at distinct times among N at risk give the factor (N - e) / N.
    The median follows R ``quantile.survfit`` [2]_: the first time S <= 0.5, the midpoint of
    a flat segment when S equals 0.5 exactly -- avoided here by crossing 0.5 strictly.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-481.
    .. [2] Therneau T. A Package for Survival Analysis in R (survival), ``quantile.survfit``.

    Examples
    --------
    >>> t, e, _ = plan_times(20, [Checkpoint(180, "landmark", 60.0, 1)], t_min=30,
    ...                   censor_window=(300, 400), rng=np.random.default_rng(1))
    >>> round(100 * km_at(t, e, 180), 1)
    60.0
    """
    cps = sorted(checkpoints, key=lambda c: c.day)
    wlo, whi = math.ceil(censor_window[0]), math.floor(censor_window[1])
    horizon = int(horizon if horizon is not None else max(whi, *(c.day for c in cps), t_min) + 30)
    f_t = np.array([t for t, _ in forced], dtype=int)
    f_e = np.array([e for _, e in forced], dtype=bool)
    if len(forced) > n:
        raise OncotrialValueError(f"{what}: {len(forced)} fixed items exceed the population ({n}).")
    if f_t.size and f_t.max() >= t_min:
        raise OncotrialValueError(f"{what}: fixed items must fall before day {t_min}.")
    s0 = 1.0
    at_risk = n
    for u in np.unique(f_t):
        d = int(np.sum((f_t == u) & f_e))
        s0 *= 1.0 - d / at_risk
        at_risk -= int(np.sum(f_t == u))
    early = [c for c in cps if c.day < t_min]
    for c in early:
        s = km_at(np.concatenate([f_t, np.full(at_risk, 10**6)]),
                  np.concatenate([f_e, np.zeros(at_risk, bool)]), c.day)
        ok = _prints_as(s, c) if c.kind == "landmark" else False
        if not ok:
            raise OncotrialValueError(
                f"{what}: checkpoint at day {c.day:.1f} falls before the first free event day "
                f"({t_min}) and the fixed events give S = {s:.4f}; the spec is not feasible.")
    late = [c for c in cps if c.day >= t_min]
    n_free = at_risk
    ev_done = int(f_e.sum())
    c_total = (n - events) if events is not None else max(1, round(n * 0.35))
    wlen = max(1, whi - wlo)

    def seg_bounds(k: int) -> tuple[int, int]:
        lo = t_min if k == 0 else _next_lo(late[k - 1])
        c = late[k]
        hi = round(c.day) if c.kind == "median" else math.floor(c.day) - _MARGIN
        return lo, hi

    def candidates(k: int, s: float, r: int) -> list[tuple[int, int, int]]:
        c = late[k]
        lo, hi = seg_bounds(k)
        if hi < lo:  # no room for events (checkpoints 1-4 days apart): S must already print
            return [(0, 0, 0, 0)] if c.kind == "landmark" and _prints_as(s, c) else []
        olo, ohi = max(lo, wlo), min(hi - 1, whi)
        can_c = ohi - olo >= 2
        pref_c = c_total * max(0, ohi - olo) / wlen if can_c else 0.0
        out = []
        for ea in range(r + 1):
            for cc in range(r - ea + 1 if can_c else 1):
                ebs = range(r - ea - cc + 1) if cc > 0 else [0]
                for eb in ebs:
                    if cc == 0 and eb > 0:
                        continue
                    n1 = r - ea
                    f = (n1 / r) if r else 1.0
                    if cc > 0 and eb > 0:
                        f *= (n1 - cc - eb) / (n1 - cc)
                    s_new = s * f
                    tie = 0
                    if c.kind == "landmark":
                        if not _prints_as(s_new, c):
                            continue
                    else:
                        # the last `tie` events sit on the median day; tie = 2 jumps over an
                        # exact S = 0.5 (R would take the midpoint of a flat segment there)
                        n_last = eb if cc > 0 else ea
                        for k_tie in (1, 2):
                            if n_last < k_tie:
                                break
                            if cc > 0:
                                lb = s * (n1 / r) * (n1 - cc - eb + k_tie) / (n1 - cc)
                            else:
                                lb = s * (r - ea + k_tie) / r
                            if lb > 0.5 + 1e-12 and s_new < 0.5 - 1e-12:
                                tie = k_tie
                                break
                        if not tie:
                            continue
                    # every group of items needs days to sit on (see the placement below)
                    b_ = olo + 2 * (ohi - olo) // 3
                    med = c.kind == "median"
                    if cc == 0 and med and ea - tie > 0 and hi - 1 < lo:
                        continue
                    if cc > 0 and eb - (tie if med else 0) > 0 and b_ + 1 > hi - (1 if med else 0):
                        continue
                    e_tot = ea + eb
                    # shape preference: events spread over the segment in proportion to time
                    a_frac = (olo + (ohi - olo) // 3 - lo) / max(1, hi - lo) if cc else 1.0
                    score = abs(cc - pref_c) + 0.5 * abs(ea - e_tot * a_frac) + 0.01 * e_tot
                    if c.kind == "landmark" and _on_edge(s_new, c):
                        score += 1000.0
                    out.append((score, ea, cc, eb, tie))
        out.sort()
        # one candidate per resulting state (S, at risk, events): the best-scoring one
        seen, uniq = set(), []
        for _, a, b, d, t in out:
            n1 = r - a
            f = (n1 / r) if r else 1.0
            if b > 0 and d > 0:
                f *= (n1 - b - d) / (n1 - b)
            key = (round(s * f, 12), r - a - b - d, a + d)
            if key not in seen:
                seen.add(key)
                uniq.append((a, b, d, t))
        return uniq[:300]

    def tail_ok(s: float, r: int, ev: int) -> tuple[int, int] | None:
        lo = _next_lo(late[-1]) if late else t_min
        e_tail = (events - ev) if events is not None else None
        room = max(0, whi - max(lo, wlo + ((whi - wlo) // 3 if median_not_reached else 0)))
        if e_tail is None:
            # censor everyone left when the window allows, else they are events
            e_tail = 0 if room >= 1 else r
        if not 0 <= e_tail <= r:
            return None
        c_tail = r - e_tail
        if c_tail > 0 and room < 1:
            return None
        if median_not_reached and r and e_tail:
            # tail events come before the tail censorings: S ends at s * (r - e) / r
            if s * (r - e_tail) / r <= 0.5 + 1e-12:
                return None
        return e_tail, c_tail

    best: list | None = None
    failed: set = set()

    def dfs(k: int, s: float, r: int, ev: int, chosen: list) -> bool:
        nonlocal best
        key = (k, round(s, 12), r, ev, sum(x[1] for x in chosen))
        if key in failed:
            return False
        if k == len(late):
            if median_not_reached and s <= 0.5 + 1e-12:
                return False
            t = tail_ok(s, r, ev)
            if t is None or sum(x[1] for x in chosen) + t[1] < min_censored:
                failed.add(key)
                return False
            best = [*chosen, t]
            return True
        for ea, cc, eb, tie in candidates(k, s, r):
            n1 = r - ea
            f = (n1 / r) if r else 1.0
            if cc > 0 and eb > 0:
                f *= (n1 - cc - eb) / (n1 - cc)
            if median_not_reached and s * f <= 0.5 + 1e-12:
                continue
            if dfs(k + 1, s * f, r - ea - cc - eb, ev + ea + eb, [*chosen, (ea, cc, eb, tie)]):
                return True
        failed.add(key)
        return False

    if not dfs(0, s0, n_free, ev_done, []):
        raise OncotrialValueError(
            f"{what}: no arrangement of {n} subjects meets the checkpoints "
            f"{[(round(c.day), c.kind, c.percent) for c in cps]} with events={events} and censoring "
            f"window {censor_window}; check the spec (counts, landmark rates, follow-up window).")
    times, evs = list(f_t.tolist()), list(f_e.tolist())
    slots = [(t, t) for t in times]
    for k, (ea, cc, eb, tie) in enumerate(best[:-1]):
        lo, hi = seg_bounds(k)
        c = late[k]
        if cc == 0:
            if c.kind == "median":
                ts = [*_days(rng, lo, hi - 1, ea - tie, prefer), *[hi] * tie]
                slots += [(lo, hi - 1)] * (ea - tie) + [(hi, hi)] * tie
            else:
                ts = _days(rng, lo, hi, ea, prefer)
                slots += [(lo, hi)] * ea
            times += ts
            evs += [True] * len(ts)
            continue
        olo, ohi = max(lo, wlo), min(hi - 1, whi)
        a = olo + (ohi - olo) // 3
        b = olo + 2 * (ohi - olo) // 3
        ta = _days(rng, lo, max(lo, a), ea, prefer)
        tc = _days(rng, max(a + 1, olo), max(a + 1, b), cc, prefer)
        slots += [(lo, max(lo, a))] * ea + [(max(a + 1, olo), max(a + 1, b))] * cc
        if c.kind == "median":
            tb = [*_days(rng, b + 1, hi - 1, eb - tie, prefer), *[hi] * tie]
            slots += [(b + 1, hi - 1)] * (eb - tie) + [(hi, hi)] * tie
        else:
            tb = _days(rng, b + 1, hi, eb, prefer)
            slots += [(b + 1, hi)] * eb
        times += ta + tc + tb
        evs += [True] * ea + [False] * cc + [True] * eb
    e_tail, c_tail = best[-1]
    lo = _next_lo(late[-1]) if late else t_min
    if median_not_reached:
        # tail: events first, then censorings (S at the end is exactly S * (r - e) / r)
        split = max(lo, wlo + (whi - wlo) // 3) if c_tail else horizon
        e_slot, c_slot = (lo, max(lo, split - 1)), (split, max(split, whi))
    else:
        e_slot = (lo, max(lo, whi if c_tail else horizon))
        c_slot = (max(lo, wlo), max(max(lo, wlo), whi))
    te = _days(rng, *e_slot, e_tail, prefer)
    tc = _days(rng, *c_slot, c_tail, prefer)
    times += te + tc
    evs += [True] * e_tail + [False] * c_tail
    slots += [e_slot] * e_tail + [c_slot] * c_tail
    return (np.asarray(times, dtype=int), np.asarray(evs, dtype=bool),
            np.asarray(slots, dtype=int).reshape(-1, 2))


def _next_lo(c: Checkpoint) -> int:
    return round(c.day) + 1 if c.kind == "median" else math.floor(c.day) + _MARGIN
