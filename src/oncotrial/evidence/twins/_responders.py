"""Responders and duration of response: who responds, from which assessment, so that the
Kaplan-Meier median DoR (and the range ends) meet the publication.

DoR runs from the first CR/PR assessment to progression or death, censored at the last
assessment -- as ``oncotrial.derive.derive_param_dor`` derives it. Responders are drawn among
subjects with room for a (confirmed) response before their PFS time; PFS times then move only
inside their planning slots (see ``_plan_km``), so no PFS checkpoint changes.
"""

from __future__ import annotations

import math

import numpy as np

from oncotrial._errors import OncotrialValueError
from oncotrial.evidence.twins._plan_km import km_median
from oncotrial.evidence.twins._spec import DAYS_PER_MONTH
from oncotrial.evidence.twins._tune_ci import CurveGoals, _distances

__all__ = ["choose_responders", "response_starts", "tune_dor"]


def response_starts(days: list[int], event: bool, confirmed: bool, gap: int) -> list[int]:
    last = len(days) - 1 if event else len(days)
    out = []
    for r in range(last):
        if not confirmed or any(days[q] - days[r] >= gap for q in range(r + 1, last)):
            out.append(r)
    return out


def choose_responders(rng, free, pfs_t, pfs_e, vis, n_resp, sched, spec, c):
    confirmed = bool(spec.confirmed.value)
    starts = {i: response_starts(vis[i][0], bool(pfs_e[i]), confirmed, sched.min_gap) for i in free}
    elig = [i for i in free if starts[i]]
    if n_resp > len(elig):
        raise OncotrialValueError(
            f"{c.name}: {n_resp} responders need room for a response before progression, but only "
            f"{len(elig)} planned PFS times allow one; lengthen PFS or reduce responders.")
    if n_resp == 0:
        return {}
    target = None
    if c.dor.median is not None and not math.isinf(c.dor.median.value):
        target = c.dor.median.value * DAYS_PER_MONTH
    rng_lo = rng_hi = None
    if c.dor.range is not None:
        rng_lo, rng_hi = (x * DAYS_PER_MONTH for x in c.dor.range.value)
    rank = np.argsort(np.argsort([pfs_t[i] for i in elig])) + 1.0
    w = rank ** 1.5 / np.sum(rank ** 1.5)
    best, best_score = None, math.inf
    for _ in range(600 if (target or rng_lo) else 1):
        sub = rng.choice(len(elig), size=n_resp, replace=False, p=w)
        pick = {}
        for j in sub:
            i = elig[j]
            s = starts[i]
            pick[i] = s[0] if rng.random() < 0.5 or len(s) == 1 else int(rng.choice(s))
        score = _dor_score(pick, pfs_t, pfs_e, vis, target, rng_lo, rng_hi, c.dor.range_max_censored)
        if score < best_score:
            best, best_score = pick, score
    return best


def _needed(days: list[int], r: int, event: bool, confirmed: bool, gap: int) -> int:
    """Last assessment day a response starting at ``days[r]`` needs before progression."""
    if not confirmed:
        return days[r]
    last = len(days) - 1 if event else len(days)
    return next(days[q] for q in range(r + 1, last) if days[q] - days[r] >= gap)


def tune_dor(pick, free, pfs_t, pfs_e, slots, vis, drawn, sched, spec, c, os_day) -> None:
    """Move responders' PFS times inside their slots (no checkpoint changes) so the DoR median
    (and the range ends) land on the published values."""
    if not pick:
        return
    confirmed = bool(spec.confirmed.value)
    goals = []
    if c.dor.median is not None and not math.isinf(c.dor.median.value):
        goals.append(("median", round(c.dor.median.value * DAYS_PER_MONTH)))
        printed = {"median": c.dor.median.value}
    else:
        printed = {}
    if c.dor.range is not None:
        lo, hi = c.dor.range.value
        goals += [("min", round(lo * DAYS_PER_MONTH)), ("max", round(hi * DAYS_PER_MONTH))]
        printed |= {"min": lo, "max": hi}

    def current(kind):
        t, e = _dor(pick, pfs_t, pfs_e, vis)
        ids = list(pick)
        if kind == "median":
            m = km_median(t, e)
            if not math.isfinite(m):
                return None, m
            j = next(ids[k] for k in np.argsort(t, kind="stable") if e[k] and t[k] == m)
            return j, m
        k = int(np.argmin(t) if kind == "min" else np.argmax(t))
        return ids[k], float(t[k])

    ctx = _Ctx(pick, pfs_t, pfs_e, slots, vis, drawn, sched, confirmed, os_day)

    def try_move(j: int, want: int, check) -> bool:
        return _move(ctx, j, want, check)

    def _swap(j: int, want: int, check) -> bool:
        """Replace responder ``j`` by a non-responder whose response can last ``want`` days."""
        r_j = pick.pop(j)
        for i in sorted((i for i in free if i not in pick and i != j), key=lambda i: -pfs_t[i]):
            starts = response_starts(vis[i][0], bool(pfs_e[i]), confirmed, sched.min_gap)
            if not starts:
                continue
            pick[i] = starts[0]
            if try_move(i, want, check):
                return True
            del pick[i]
        pick[j] = r_j
        return False

    for kind, want in goals:
        for _ in range(3):
            j, val = current(kind)
            # met: within a day of the target AND printed as published (AVAL = day + 1, in
            # months with the paper's decimals; REGOMUNE's 16.6 needs day 505, not 506)
            if j is None or (abs(val - want) <= 1 and prints_months(val + 1, printed[kind])):
                break
            before = abs(val - want) if math.isfinite(val) else math.inf

            def check(kind=kind, want=want, before=before):
                _, v = current(kind)
                ok_other = all(abs(current(k)[1] - w) <= 1 for k, w in goals[:goals.index((kind, want))]
                               if current(k)[0] is not None)
                return math.isfinite(v) and abs(v - want) < before and ok_other
            # the median is set by its crossing subject; a range end by any responder
            # the median is set by its crossing subject, but moving another responder onto
            # the target (or swapping one in) can also make it the crossing one
            if kind == "median":
                cands = [j, *sorted((i for i in pick if i != j),
                                    key=lambda i: abs(pfs_t[i] - vis[i][0][pick[i]] - want))]
            else:
                cands = [j, *sorted((i for i in pick if i != j),
                                    key=lambda i: -pfs_t[i] if kind == "max" else pfs_t[i])]
            if any(try_move(i, want, check) for i in cands):
                continue
            if not _swap(j, want, check):
                break


    if c.dor.range is not None and not c.dor.range_max_censored:
        _longest_an_event(ctx, goals, printed, c)


def _longest_an_event(ctx: _Ctx, goals, printed, c) -> None:
    """The paper prints the longest response without '+': make it an event. A responder with
    progression moves (inside its PFS slot) to the longest duration; censored responses as long
    or longer are shortened (inside their slots) below it. Every other DoR goal that printed as
    published still does, or nothing is changed."""
    pick, pfs_t, pfs_e, vis = ctx.pick, ctx.pfs_t, ctx.pfs_e, ctx.vis
    t, e = _dor(pick, pfs_t, pfs_e, vis)
    if not t.size or e[int(np.argmax(t))]:
        return
    want = dict(goals)["max"]

    def values():
        t, e = _dor(pick, pfs_t, pfs_e, vis)
        out = {"min": float(t.min()), "max": float(t.max())}
        if "median" in printed:
            out["median"] = km_median(t, e)
        return out

    met = {k for k, v in values().items() if k != "max" and k in printed
           and math.isfinite(v) and prints_months(v + 1, printed[k])}

    # the PFS curve's published numbers (median CI 'NR' in panNET) must not move either
    pfs_goal = CurveGoals(np.arange(len(pfs_t)), None, None if c.pfs.median_ci is None else
                          tuple(float(x) for x in c.pfs.median_ci.value))
    pfs_before = _distances(pfs_goal, (pfs_t + 1.0) / DAYS_PER_MONTH, np.asarray(pfs_e, bool))

    def others_ok() -> bool:
        v = values()
        pfs_now = _distances(pfs_goal, (pfs_t + 1.0) / DAYS_PER_MONTH, np.asarray(pfs_e, bool))
        return all(prints_months(v[k] + 1, printed[k]) for k in met) and all(
            a <= b + 1e-12 for a, b in zip(pfs_now, pfs_before, strict=True))

    saved = (pfs_t.copy(), dict(vis), dict(pick))

    def restore() -> None:
        pfs_t[:] = saved[0]
        vis.clear()
        vis.update(saved[1])
        pick.clear()
        pick.update(saved[2])

    dur = {i: pfs_t[i] - vis[i][0][pick[i]] for i in pick}
    if not any(_move(ctx, j, want, others_ok)
               for j in sorted((i for i in pick if pfs_e[i]), key=lambda i: -dur[i])):
        restore()
        return
    for i in [i for i in pick if not pfs_e[i] and pfs_t[i] - vis[i][0][pick[i]] >= want]:
        if not any(_move(ctx, i, want - k, others_ok) for k in (2, 7, 14, 30, 61)):
            restore()
            return
    t, e = _dor(pick, pfs_t, pfs_e, vis)
    k = int(np.argmax(t))
    if not (e[k] and prints_months(t[k] + 1, printed["max"]) and others_ok()):
        restore()


def dor_state(ctx: _Ctx, c) -> tuple:
    """What a PFS move of a responder must keep: each DoR goal printed or not, the median,
    shortest and longest duration and whether the longest is an event."""
    t, e = _dor(ctx.pick, ctx.pfs_t, ctx.pfs_e, ctx.vis)
    if not t.size:
        return ()
    k = int(np.argmax(t))
    out = [bool(e[k])]
    if c.dor.median is not None and not math.isinf(c.dor.median.value):
        m = km_median(t, e)
        out.append(math.isfinite(m) and prints_months(m + 1, c.dor.median.value))
    if c.dor.range is not None:
        lo, hi = c.dor.range.value
        out += [prints_months(t.min() + 1, lo), prints_months(t.max() + 1, hi)]
    return tuple(out)


def responder_move_ok(ctx: _Ctx, c, j: int, new: int, keep: tuple) -> bool:
    """Responder ``j`` may progress / be censored on day ``new``: its response start and
    confirmation stay, and :func:`dor_state` is ``keep``. Leaves the state unchanged."""
    days = ctx.vis[j][0]
    r = ctx.pick[j]
    nv = ctx.sched.visits(ctx.drawn[j], int(new))
    if r >= len(nv[0]) - (1 if ctx.pfs_e[j] else 0) or nv[0][r] != days[r]:
        return False
    try:
        need = _needed(nv[0], r, bool(ctx.pfs_e[j]), ctx.confirmed, ctx.sched.min_gap)
    except StopIteration:
        return False
    if need >= new and ctx.pfs_e[j]:
        return False
    old = (ctx.pfs_t[j], ctx.vis[j])
    ctx.pfs_t[j], ctx.vis[j] = new, nv
    ok = dor_state(ctx, c) == keep
    ctx.pfs_t[j], ctx.vis[j] = old
    return ok


class _Ctx:
    """One cohort's responder state that :func:`_move` changes in place."""

    def __init__(self, pick, pfs_t, pfs_e, slots, vis, drawn, sched, confirmed, os_day):
        self.pick, self.pfs_t, self.pfs_e, self.slots = pick, pfs_t, pfs_e, slots
        self.vis, self.drawn, self.sched, self.confirmed, self.os_day = vis, drawn, sched, confirmed, os_day


def _move(ctx: _Ctx, j: int, want: int, check) -> bool:
    """Move responder ``j``'s PFS time inside its slot so its DoR lasts ``want`` days, trying
    each response start (the current one first); keep the first move ``check()`` accepts."""
    pick, pfs_t, pfs_e, vis, sched = ctx.pick, ctx.pfs_t, ctx.pfs_e, ctx.vis, ctx.sched
    days = vis[j][0]
    for r in sorted(set(response_starts(days, bool(pfs_e[j]), ctx.confirmed, sched.min_gap)),
                    key=lambda r: r != pick[j]):
        new = days[r] + want
        lo, hi = ctx.slots[j]
        hi = min(hi, ctx.os_day[j][0] - (7 if pfs_e[j] else 0))
        if not lo <= new <= hi:
            continue
        nv = sched.visits(ctx.drawn[j], int(new))
        if r >= len(nv[0]) - (1 if pfs_e[j] else 0) or nv[0][r] != days[r]:
            continue
        try:
            need = _needed(nv[0], r, bool(pfs_e[j]), ctx.confirmed, sched.min_gap)
        except StopIteration:
            continue
        if need >= new and pfs_e[j]:
            continue
        old = (pfs_t[j], vis[j], pick[j])
        pfs_t[j], vis[j], pick[j] = new, nv, r
        if check():
            return True
        pfs_t[j], vis[j], pick[j] = old
    return False


def prints_months(aval_days: float, value: float) -> bool:
    """``aval_days / 30.4375`` printed with the decimals of ``value`` (at least 1) is ``value``.

    Examples
    --------
    >>> prints_months(506, 16.6), prints_months(507, 16.6)
    (True, False)
    """
    txt = repr(float(value))
    dec = max(1, len(txt.split(".")[1].rstrip("0"))) if "." in txt else 1
    return round(aval_days / DAYS_PER_MONTH, dec) == round(float(value), dec)


def _dor(pick, pfs_t, pfs_e, vis):
    ids = list(pick)
    t = np.array([pfs_t[i] - vis[i][0][pick[i]] for i in ids])
    e = np.array([bool(pfs_e[i]) for i in ids])
    return t, e


def _dor_score(pick, pfs_t, pfs_e, vis, target, lo, hi, hi_censored) -> float:
    t, e = _dor(pick, pfs_t, pfs_e, vis)
    score = 0.0
    if target is not None:
        m = km_median(t, e)
        score += abs(m - target) if math.isfinite(m) else 1e6
    if lo is not None:
        score += 0.2 * abs(t.min() - lo)
        score += 0.2 * abs(t.max() - hi) + (5.0 if hi_censored and e[np.argmax(t)] else 0.0)
    return float(score)


def _goal_values(ctx: _Ctx, c) -> dict[str, tuple[float, int]]:
    """Per-cohort DoR goals: kind -> (current value, wanted day)."""
    out: dict[str, tuple[float, int]] = {}
    if not ctx.pick:
        return out
    t, e = _dor(ctx.pick, ctx.pfs_t, ctx.pfs_e, ctx.vis)
    if c.dor.median is not None and not math.isinf(c.dor.median.value):
        out["median"] = (km_median(t, e), round(c.dor.median.value * DAYS_PER_MONTH))
    if c.dor.range is not None:
        lo, hi = c.dor.range.value
        out["min"] = (float(t.min()), round(lo * DAYS_PER_MONTH))
        out["max"] = (float(t.max()), round(hi * DAYS_PER_MONTH))
    return out


def _pooled_score(ctxs: list[_Ctx], want: int) -> float:
    """0 when the pooled DoR Kaplan-Meier curve crosses 0.5 at ``want`` (+-1 day, never exactly
    at 0.5, where R averages two times); otherwise how far S is from crossing there, plus a tiny
    pull of the nearest event above ``want`` towards it (to leave plateaus)."""
    parts = [_dor(x.pick, x.pfs_t, x.pfs_e, x.vis) for x in ctxs if x.pick]
    t = np.concatenate([p[0] for p in parts]).astype(float)
    e = np.concatenate([p[1] for p in parts])
    s_lo = s_hi = 1.0
    for u in np.unique(t[e]):
        f = 1.0 - np.sum((t == u) & e) / np.sum(t >= u)
        if u <= want - 2:
            s_lo *= f
        if u <= want + 1:
            s_hi *= f
    score = max(0.0, s_hi - 0.5 + 1e-9) + max(0.0, 0.5 + 1e-9 - s_lo)
    if abs(s_hi - 0.5) <= 1e-9:
        score += 0.01
    if score > 0:
        above = t[e & (t > want + 1)]
        score += 1e-6 * (float(above.min() - want) if above.size else 1e3)
    return float(score)


def tune_pooled_dor(spec, cohorts: list[tuple[object, _Ctx]], pfs: list[tuple[np.ndarray, np.ndarray]],
                    ) -> set[int]:
    """Move responders of any cohort inside their PFS slots so the pooled DoR median meets
    ``spec.pooled.dor.median``, never moving a cohort's own DoR goal (median, range ends) or
    the pooled PFS median further from its target. Returns the indices of changed cohorts."""
    pooled = spec.pooled
    if pooled is None or pooled.dor.median is None:
        return set()
    want = round(pooled.dor.median.value * DAYS_PER_MONTH)
    ctxs = [x for _, x in cohorts]
    tol = [{k: max(1.0, abs(v - w)) for k, (v, w) in _goal_values(x, c).items()} for c, x in cohorts]
    pfs_want = pfs_tol = None
    if pooled.pfs.median is not None and not math.isinf(pooled.pfs.median.value):
        pfs_want = round(pooled.pfs.median.value * DAYS_PER_MONTH)

    def pfs_dev() -> float:
        t = np.concatenate([np.asarray(p[0], float) for p in pfs])
        e = np.concatenate([np.asarray(p[1], bool) for p in pfs])
        return abs(km_median(t, e) - pfs_want)

    if pfs_want is not None:
        pfs_tol = max(1.0, pfs_dev())

    def pfs_goals(k: int) -> list[float]:
        # the cohort's published PFS numbers (median CI included: panNET's 'NR' upper limit)
        c, x = cohorts[k]
        g = CurveGoals(np.arange(len(x.pfs_t)), None, None if c.pfs.median_ci is None else
                       tuple(float(v) for v in c.pfs.median_ci.value))
        return _distances(g, (np.asarray(x.pfs_t, float) + 1.0) / DAYS_PER_MONTH,
                          np.asarray(x.pfs_e, bool))

    pfs_start = [pfs_goals(k) for k in range(len(cohorts))]

    def ok(k: int) -> bool:
        c, x = cohorts[k]
        vals = _goal_values(x, c)
        if any(abs(v - w) > tol[k][kind] for kind, (v, w) in vals.items()):
            return False
        if any(a > b + 1e-12 for a, b in zip(pfs_goals(k), pfs_start[k], strict=True)):
            return False
        return pfs_want is None or pfs_dev() <= pfs_tol

    wants = sorted({want - 1, want, want + 1, *range(want - 360, want + 361, 24)})
    changed: set[int] = set()
    score = _pooled_score(ctxs, want)
    for _ in range(40):
        if score <= 0:
            break
        best = (score, None)
        for k, x in enumerate(ctxs):
            for j in list(x.pick):
                for w in wants:
                    def probe(k=k, j=j, w=w):
                        nonlocal best
                        s = _pooled_score(ctxs, want)
                        if s < best[0] - 1e-12 and ok(k):
                            best = (s, (k, j, w))
                        return False
                    _move(x, j, w, probe)
        if best[1] is None:
            break
        k, j, w = best[1]
        target = best[0]
        if not _move(ctxs[k], j, w, lambda k=k, target=target: ok(k)
                     and _pooled_score(ctxs, want) <= target + 1e-12):
            break
        changed.add(k)
        score = target
    return changed
