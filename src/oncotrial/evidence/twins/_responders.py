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
    if c.dor.range is not None:
        lo, hi = c.dor.range.value
        goals += [("min", round(lo * DAYS_PER_MONTH)), ("max", round(hi * DAYS_PER_MONTH))]

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

    def try_move(j: int, want: int, check) -> bool:
        days = vis[j][0]
        for r in sorted(set(response_starts(days, bool(pfs_e[j]), confirmed, sched.min_gap)),
                        key=lambda r: r != pick[j]):
            new = days[r] + want
            lo, hi = slots[j]
            hi = min(hi, os_day[j][0] - (7 if pfs_e[j] else 0))
            if not lo <= new <= hi:
                continue
            nv = sched.visits(drawn[j], int(new))
            if r >= len(nv[0]) - (1 if pfs_e[j] else 0) or nv[0][r] != days[r]:
                continue
            try:
                need = _needed(nv[0], r, bool(pfs_e[j]), confirmed, sched.min_gap)
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
            if j is None or abs(val - want) <= 1:
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
