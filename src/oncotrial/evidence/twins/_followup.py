"""Median follow-up "in alive patients" of a twin (``[cohort.os] followup_alive``, issue 20).

Some papers state follow-up as the median (range) of the OS times of patients alive at the
cut-off (NICE-NEC: "29.8 months (range: 22.2-37.5+) in alive patients"); others by reverse
Kaplan-Meier (Schemper & Smith 1996; see :func:`oncotrial.stats.followup_median`). After OS is
planned, the censored OS times are mapped monotonically (piecewise linearly) so that their
minimum, median and maximum go to the published ones; each time stays inside its planning slot
(so no OS checkpoint -- landmark, median -- changes), never before its PFS time (alive at the
last assessment; a week after progression), and the mapping draws no random number. Times are
plan days; the ADaM AVAL that ``oncotrial.derive`` computes is one day more (ADT - STARTDT + 1),
which the targets account for.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tune_followup"]


def tune_followup(os_day: dict[int, tuple[int, bool]], os_slot: dict[int, tuple[int, int]],
                  pfs_t, pfs_e, median_day: float, range_days: tuple[float, float] | None) -> None:
    """Move censored OS days (in place) towards the published alive-patient follow-up."""
    alive = [i for i, (_t, e) in os_day.items() if not e and i in os_slot]
    if len(alive) < 2:
        return
    t = np.array([os_day[i][0] for i in alive], float) + 1  # AVAL = day + 1
    lo = np.array([max(os_slot[i][0], int(pfs_t[i]) + (7 if pfs_e[i] else 0)) for i in alive],
                  float) + 1
    lo = np.minimum(lo, t)
    hi = np.array([os_slot[i][1] for i in alive], float) + 1
    hi = np.maximum(hi, t)
    med = float(np.median(t))
    src = [t.min(), med, t.max()]
    dst = [range_days[0] if range_days else t.min(), median_day,
           range_days[1] if range_days else t.max()]
    if not (src[0] < src[1] < src[2]) or not (dst[0] <= dst[1] <= dst[2]):
        return
    new = np.clip(np.round(np.interp(t, src, dst)), lo, hi)
    for _ in range(4 * len(new)):  # fix the median when the clipping moved it
        cur = float(np.median(new))
        gap = median_day - cur
        if abs(gap) < 0.5:
            break
        # move the subject nearest the median on the wrong side that can reach the target
        if gap < 0:
            cand = [j for j in np.argsort(new) if new[j] >= cur and lo[j] <= median_day]
        else:
            cand = [j for j in np.argsort(-new) if new[j] <= cur and hi[j] >= median_day]
        if not cand:
            break
        new[cand[0]] = float(np.clip(median_day, lo[cand[0]], hi[cand[0]]))
    for i, v in zip(alive, new, strict=True):
        os_day[i] = (int(v) - 1, False)
