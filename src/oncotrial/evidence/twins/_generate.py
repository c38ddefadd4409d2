"""The twin generator: a spec in, canonical template tables out (deterministic for a seed).

Steps per cohort (each documented in ``docs/twins.md``):

1. Populations: ``enrolled - safety`` subjects are never treated; ``safety - efficacy`` are
   treated but leave before the first post-baseline assessment; the rest are the efficacy
   population, split by the published best overall response (BOR) counts.
2. PFS times (:func:`~oncotrial.evidence.twins._plan_km.plan_times`): BOR = PD subjects progress
   at the first assessment, NE subjects die before it (or after a first, not evaluable one); the
   others get times whose Kaplan-Meier curve prints the published landmarks and median.
3. Responders are chosen among subjects with room for a (confirmed) response before their PFS
   time, so that the duration of response (first response to PD/death) meets the published
   median DoR (and range) as closely as the PFS plan allows.
4. OS times are planned the same way and paired with PFS times (PFS-censored subjects get
   censored OS >= their PFS time; progressing subjects die or are censored after progression).
5. Lesions per assessment (:mod:`._lesions`), baseline characteristics (:mod:`._baseline`),
   adverse events, exposure and prior therapy (:mod:`._safety`).
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial.evidence.twins._baseline import assign_baseline
from oncotrial.evidence.twins._followup import tune_followup
from oncotrial.evidence.twins._lesions import SubjectVisits, lesion_rows, scheduled_days, visit_dates
from oncotrial.evidence.twins._plan_km import Checkpoint, plan_times
from oncotrial.evidence.twins._responders import (
    _Ctx,
    choose_responders,
    dor_state,
    responder_move_ok,
    tune_dor,
    tune_pooled_dor,
)
from oncotrial.evidence.twins._safety import adverse_event_rows, exposure_rows, prior_therapy_rows
from oncotrial.evidence.twins._spec import DAYS_PER_MONTH, Cohort, Endpoint, TwinSpec, load_spec
from oncotrial.evidence.twins._subgroups import apply_subgroups
from oncotrial.evidence.twins._tune_ci import CurveGoals, tune_curves
from oncotrial.io._schema import TABLES

__all__ = ["TwinDataset", "generate_twin"]

_TE_DAYS = 30


@dataclass(frozen=True, slots=True)
class TwinDataset(Result):
    """A generated twin: the canonical tables plus the per-subject plan it was built from.

    ``plan`` has one row per subject: cohort, population flags, intended BOR, first response
    day, PFS/OS/DoR day and event flag (days from first dose). It documents intent; checks of
    a twin run the real engine (``oncotrial.derive``, ``oncotrial.stats``) on the tables.
    """

    spec: TwinSpec
    seed: int
    subjects: pd.DataFrame
    lesions: pd.DataFrame
    adverse_events: pd.DataFrame
    exposure: pd.DataFrame
    prior_therapy: pd.DataFrame
    plan: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The canonical tables by name (``responses`` is empty: responses come from lesions)."""
        return {"subjects": self.subjects, "lesions": self.lesions,
                "responses": pd.DataFrame(columns=TABLES["responses"].column_names),
                "adverse_events": self.adverse_events, "exposure": self.exposure,
                "prior_therapy": self.prior_therapy}

    def summary(self) -> pd.DataFrame:
        """Per cohort: population sizes and intended BOR counts."""
        p = self.plan
        rows = []
        for c in (co.name for co in self.spec.cohorts):
            g = p[p.cohort == c]
            eff = g[g.efficacy_fl == "Y"]
            row = {"cohort": c, "enrolled": len(g), "safety": int((g.safety_fl == "Y").sum()),
                   "efficacy": len(eff)}
            for code in ("CR", "PR", "SD", "PD", "NE"):
                row[code] = int((eff.bor == code).sum())
            rows.append(row)
        return pd.DataFrame(rows)


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    """Rows as a frame with the canonical columns and dtypes (int -> Int64, float -> float64)."""
    t = TABLES[table]
    df = pd.DataFrame(rows, columns=t.column_names)
    for col in t.columns:
        if col.kind == "int":
            df[col.name] = pd.array([None if v is None or v != v else int(v) for v in df[col.name]],
                                    dtype="Int64")
        elif col.kind == "float":
            df[col.name] = pd.to_numeric(df[col.name], errors="raise").astype("float64")
        else:
            df[col.name] = df[col.name].astype("string")
    return df


def _cps(ep: Endpoint) -> tuple[list[Checkpoint], bool]:
    cps = [Checkpoint(lm.month * DAYS_PER_MONTH, "landmark", lm.percent, lm.decimals)
           for lm in ep.landmarks]
    nr = False
    if ep.median is not None:
        if math.isinf(ep.median.value):
            nr = True
        else:
            cps.append(Checkpoint(float(round(ep.median.value * DAYS_PER_MONTH)), "median"))
    return cps, nr


def _window(ep: Endpoint) -> tuple[float, float] | None:
    if ep.censor_window is None:
        return None
    lo, hi = ep.censor_window.value
    return lo * DAYS_PER_MONTH, hi * DAYS_PER_MONTH


class _Schedule:
    def __init__(self, spec: TwinSpec, horizon: int):
        self.w = int(spec.visit_window_days.value)
        self.sd_floor = int(spec.sd_min_days.value) + 3
        self.conf = int(spec.confirm_days.value)
        self.min_gap = self.conf + 3
        first = spec.assessment_days.value
        self.nominal = scheduled_days(list(first if isinstance(first, list) else [first]),
                                      int(spec.assessment_every_days.value), horizon)
        self.k0 = next((k for k, d in enumerate(self.nominal) if d >= spec.sd_min_days.value), 0)
        self.t_min = self.win(self.k0)[1] + 1
        self.windays = np.unique(np.concatenate(
            [np.arange(self.win(k)[0], self.win(k)[1] + 1) for k in range(len(self.nominal))]))

    def win(self, k: int) -> tuple[int, int]:
        d = self.nominal[k]
        lo, hi = d - self.w, d + self.w
        if d >= self.sd_floor - 3:
            lo = max(lo, self.sd_floor)
        return lo, hi

    def prefer(self, lo: int, hi: int) -> np.ndarray:
        return self.windays[(self.windays >= lo) & (self.windays <= hi)]

    def label(self, k: int | None) -> str:
        if k is None:
            return "UNSCHEDULED"
        d = self.nominal[k]
        return f"WEEK {d // 7}" if d % 7 == 0 else f"DAY {d}"

    def which(self, day: int) -> int | None:
        for k in range(len(self.nominal)):
            lo, hi = self.win(k)
            if lo <= day <= hi:
                return k
        return None

    def draw(self, rng: np.random.Generator) -> list[int]:
        """One subject's jittered scheduled visit days."""
        return visit_dates(rng, self.nominal, self.w, self.min_gap, self.sd_floor)

    def visits(self, dates: list[int], end_day: int) -> tuple[list[int], list[str]]:
        """Scheduled visits strictly before ``end_day`` plus the final one on ``end_day``."""
        days, labels = [], []
        kend = self.which(end_day)
        for k, d in enumerate(dates):
            if k == kend or d >= end_day:
                break
            days.append(d)
            labels.append(self.label(k))
        days.append(end_day)
        labels.append(self.label(kend))
        return days, labels


def _pair_os(rng, ids, pfs_t, pfs_e, pfs_slot, os_t, os_e, os_slot, what, slots_out=None):
    """Pair planned OS items with subjects, moving items only inside their slots.

    A PFS-censored subject needs a censored OS item at or after its PFS time (alive at the last
    assessment); a progressing subject needs an OS item at least one day (preferably a week)
    after progression. PFS and OS times move only inside their slots, so no Kaplan-Meier
    checkpoint changes. Subjects are served from the most constrained (latest slot start) down;
    each takes an item that needs no move when there is one, else the latest-ending one.
    """
    items = list(range(len(os_t)))
    out: dict[int, tuple[int, bool]] = {}
    order = sorted(ids, key=lambda i: -(int(pfs_slot[i][0]) + (1 if pfs_e[i] else 0)))
    for i in order:
        gap = 1 if pfs_e[i] else 0
        low = int(pfs_slot[i][0]) + gap
        pool = [k for k in items if (os_e[k] is np.False_ or not os_e[k]) or pfs_e[i]]
        elig = [k for k in pool if os_slot[k][1] >= low]
        if not elig:
            raise OncotrialValueError(
                f"{what}: the subject with PFS day {pfs_t[i]} needs an OS time on or after day {low}, "
                "but no planned OS time can move there; widen the OS censoring window or check "
                "that the OS and PFS targets are consistent.")
        want = int(pfs_t[i]) + (7 if pfs_e[i] else 0)
        fits = [k for k in elig if os_slot[k][1] >= want]
        if fits:  # prefer deaths for progressing subjects, then the earliest-ending slot
            k = min(fits, key=lambda k: (not (pfs_e[i] and os_e[k]), os_slot[k][1], os_t[k]))
        else:
            k = max(elig, key=lambda k: (os_slot[k][1], os_t[k]))
            pfs_t[i] = max(int(pfs_slot[i][0]), min(int(pfs_t[i]), int(os_slot[k][1]) - gap))
        items.remove(k)
        lo = int(pfs_t[i]) + gap
        t = int(os_t[k])
        if t < lo or (pfs_e[i] and t < int(pfs_t[i]) + 7 and os_slot[k][1] >= int(pfs_t[i]) + 7):
            lo = max(lo, min(int(pfs_t[i]) + 7, int(os_slot[k][1])))
            t = int(rng.integers(lo, min(int(os_slot[k][1]), lo + 14) + 1))
        out[i] = (t, bool(os_e[k]))
        if slots_out is not None:
            slots_out[i] = (int(os_slot[k][0]), int(os_slot[k][1]))
    return out


def _sid(spec: TwinSpec, c: Cohort, k: int) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]', '', spec.name).upper()}-{re.sub(r'[^A-Za-z0-9]', '', c.name).upper()}-{k:03d}"


def _efficacy_plan(rng, spec: TwinSpec, c: Cohort, sched: _Schedule) -> dict:
    """Roles, PFS/OS/DoR times and assessment responses of the efficacy population."""
    n = c.efficacy.value
    bor = {k: r.value for k, r in c.bor.items()}
    v1_lo, _ = sched.win(0)
    cw_pfs = _window(c.pfs) or _window(c.os)
    cw_os = _window(c.os) or cw_pfs
    if cw_pfs is None:
        raise OncotrialValueError(
            f"`cohort[{c.name}].pfs.censor_window` of `generate_twin` must be given (or os.censor_window); "
            "got None. State the follow-up window of censored subjects (months) as a source or assumption.")
    forced, roles, extra = [], [], {}
    for _ in range(bor["PD"]):
        forced.append((int(rng.choice(sched.prefer(v1_lo, sched.t_min - 1))), True))
        roles.append("PD")
    for _ in range(bor["NE"]):
        if c.ne_kind == "death-before-assessment":
            forced.append((int(rng.integers(15, v1_lo)), True))
        else:
            forced.append((int(rng.integers(v1_lo + 1, sched.t_min)), True))
            extra[len(roles)] = v1_lo
        roles.append("NE")
    cps, nr = _cps(c.pfs)
    ev = None if c.pfs.events is None else c.pfs.events.value
    pfs_t, pfs_e, slots = plan_times(n, cps, t_min=sched.t_min, censor_window=cw_pfs, rng=rng,
                                     forced=forced, events=ev, median_not_reached=nr,
                                     prefer=sched.prefer, what=f"{c.name} PFS")
    # OS
    ne_idx = [i for i in range(len(roles)) if roles[i] == "NE"]
    os_cps, os_nr = _cps(c.os)
    os_ev = None if c.os.events is None else c.os.events.value
    others = [i for i in range(n) if i >= len(roles) or roles[i] != "NE"]
    if os_cps or os_ev is not None:
        os_t, os_e, os_slot = plan_times(n, os_cps, t_min=sched.t_min, censor_window=cw_os, rng=rng,
                                forced=[(int(pfs_t[i]), True) for i in ne_idx], events=os_ev,
                                median_not_reached=os_nr, what=f"{c.name} OS",
                                min_censored=int(np.sum(~pfs_e)))
        k0 = len(ne_idx)
        paired = _pair_os(rng, others, pfs_t, pfs_e, slots, os_t[k0:], os_e[k0:], os_slot[k0:],
                          f"{c.name} OS", slots_out=(os_slots := {}))
        if c.os.followup_alive is not None:
            fa = c.os.followup_alive.value
            med, rng_d = (fa[0], (fa[1], fa[2])) if isinstance(fa, list | tuple) else (fa, None)
            tune_followup(paired, os_slots, pfs_t, pfs_e, med * DAYS_PER_MONTH,
                          None if rng_d is None else tuple(x * DAYS_PER_MONTH for x in rng_d))
    else:  # nothing reported: death 2-20 months after progression unless past the follow-up
        paired = {}
        for i in others:
            cut = int(rng.uniform(max(cw_os[0], pfs_t[i]), max(cw_os[1], pfs_t[i] + 1)))
            if pfs_e[i]:
                d = int(pfs_t[i] + rng.integers(60, 600))
                paired[i] = (d, True) if d <= cut else (max(cut, int(pfs_t[i]) + 7), False)
            else:
                paired[i] = (int(pfs_t[i] + rng.integers(0, 28)), False)
    os_day = {i: (int(pfs_t[i]), True) for i in ne_idx} | {i: (int(t), bool(e)) for i, (t, e) in paired.items()}
    nf = len(forced)
    free = list(range(nf, n))
    roles += ["SD"] * len(free)
    vis: dict[int, tuple[list[int], list[str]]] = {}
    drawn = {i: sched.draw(rng) for i in free}
    for i in free:
        vis[i] = sched.visits(drawn[i], int(pfs_t[i]))
    for i in range(bor["PD"]):
        vis[i] = ([int(pfs_t[i])], [sched.label(sched.which(int(pfs_t[i])))])
    for i, day in extra.items():
        vis[i] = ([day], [sched.label(0)])
    n_resp = bor["PR"] + bor["CR"]
    pick = choose_responders(rng, free, pfs_t, pfs_e, vis, n_resp, sched, spec, c)
    tune_dor(pick, free, pfs_t, pfs_e, slots, vis, drawn, sched, spec, c, os_day)
    _tune_pfs_ci(spec, c, sched, free, pick, pfs_t, pfs_e, slots, vis, drawn, os_day)
    if c.os.median_ci is not None and os_cps:
        _tune_os_ci(c, ne_idx, pfs_t, pfs_e, os_day, os_slots)
    resp_ids = list(pick)
    cr_ids = set(rng.choice(resp_ids, size=bor["CR"], replace=False).tolist()) if bor["CR"] else set()
    for i in resp_ids:
        roles[i] = "CR" if i in cr_ids else "PR"
    ctx = _Ctx(pick, pfs_t, pfs_e, slots, vis, drawn, sched, bool(spec.confirmed.value), os_day)
    return {"roles": roles, "pfs_t": pfs_t, "pfs_e": pfs_e, "vis": vis,
            "responses": _responses(roles, pick, pfs_e, vis, sched, c), "pick": pick, "os": os_day,
            "ctx": ctx}


def _goals(ep: Endpoint, idx: np.ndarray) -> CurveGoals:
    med = None if ep.median is None else float(ep.median.value)
    ci = None if ep.median_ci is None else tuple(float(x) for x in ep.median_ci.value)
    return CurveGoals(idx, med, ci, tuple((lm.month, lm.percent, lm.decimals) for lm in ep.landmarks))


def pfs_movable(sched: _Schedule, free, pick, pfs_t, pfs_e, slots, drawn, os_day):
    """Non-responders' PFS events that may move (position -> day range) and the schedule check.

    A move stays inside the PFS slot (no checkpoint changes), at least a day before death or
    the last contact (the pairing prefers a week), and leaves an SD assessment after the SD
    minimum duration before progression. Responders are added by the callers that check their
    duration-of-response goals (:func:`._responders.responder_move_ok`)."""
    movable = {}
    for i in free:
        if i in pick or not pfs_e[i]:
            continue
        lo, hi = int(slots[i][0]), int(slots[i][1])
        hi = min(hi, int(os_day[i][0]) - 1)
        cur = int(pfs_t[i])
        lo, hi = min(lo, cur), max(hi, cur)
        if hi > lo:
            movable[i] = (lo, hi)

    def allowed(i: int, d: int) -> bool:
        days, _ = sched.visits(drawn[i], int(d))
        return any(x >= sched.sd_floor for x in days[:-1])
    return movable, allowed


def _tune_pfs_ci(spec: TwinSpec, c: Cohort, sched, free, pick, pfs_t, pfs_e, slots, vis, drawn,
                 os_day) -> None:
    """PFS median CI (``[cohort.pfs] median.ci``): progression / censoring days move inside
    their slots (responders' only when every DoR goal stays as it is)."""
    if c.pfs.median_ci is None:
        return
    movable, allowed = pfs_movable(sched, free, pick, pfs_t, pfs_e, slots, drawn, os_day)
    # responders too, when their duration of response goals stay as they are
    ctx = _Ctx(pick, pfs_t, pfs_e, slots, vis, drawn, sched, bool(spec.confirmed.value), os_day)
    keep = dor_state(ctx, c)
    for j in pick:
        lo, hi = int(slots[j][0]), min(int(slots[j][1]), int(os_day[j][0]) - (1 if pfs_e[j] else 0))
        cur = int(pfs_t[j])
        if max(hi, cur) > min(lo, cur):
            movable[j] = (min(lo, cur), max(hi, cur))

    def allowed2(i: int, d: int) -> bool:
        if i in pick:
            return responder_move_ok(ctx, c, i, d, keep)
        return allowed(i, d)
    moved = tune_curves(pfs_t, np.asarray(pfs_e, bool), [_goals(c.pfs, np.arange(len(pfs_t)))],
                        movable, allowed2)
    for i in moved:
        vis[i] = sched.visits(drawn[i], int(pfs_t[i]))


def _tune_os_ci(c: Cohort, ne_idx, pfs_t, pfs_e, os_day, os_slots) -> None:
    """OS median CI (``[cohort.os] median.ci``): death days move inside their OS slots, at least
    a day after progression (NE deaths, fixed by the BOR, never move)."""
    n = len(pfs_t)
    day = np.array([os_day[i][0] for i in range(n)], dtype=int)
    ev = np.array([os_day[i][1] for i in range(n)], dtype=bool)
    movable = {}
    for i in range(n):
        if not ev[i] or i in ne_idx or i not in os_slots:
            continue
        lo = max(int(os_slots[i][0]), int(pfs_t[i]) + 1)
        lo, hi = min(lo, int(day[i])), max(int(os_slots[i][1]), int(day[i]))
        if hi > lo:
            movable[i] = (lo, hi)
    for i, d in tune_curves(day, ev, [_goals(c.os, np.arange(n))], movable).items():
        os_day[i] = (int(d), True)


def _tune_pooled_pfs(sp: TwinSpec, built: list) -> set[int]:
    """``[pooled.pfs]`` median and CI: non-responders' progression days of every cohort move
    inside their slots; each cohort's own PFS goals (landmarks, median, CI) stay as they are
    or get closer. Returns the indices of changed cohorts."""
    pooled = sp.pooled
    if pooled is None or pooled.pfs.median is None or len(built) < 2:
        return set()
    days, evs, goals, movable, where = [], [], [], {}, {}
    off = 0
    for k, (c, sched, eff, _st, _p) in enumerate(built):
        x = eff["ctx"]
        n = len(x.pfs_t)
        free = [i for i in range(n) if eff["roles"][i] not in ("PD", "NE")]
        mv, _ok = pfs_movable(sched, free, x.pick, x.pfs_t, x.pfs_e, x.slots, x.drawn, x.os_day)
        for i, b in mv.items():
            movable[off + i] = b
            where[off + i] = (k, i)
        days.append(np.asarray(x.pfs_t, dtype=int))
        evs.append(np.asarray(x.pfs_e, dtype=bool))
        goals.append(_goals(c.pfs, np.arange(off, off + n)))
        off += n
    day, ev = np.concatenate(days), np.concatenate(evs)
    goals.append(_goals(pooled.pfs, np.arange(off)))

    def allowed(g: int, d: int) -> bool:
        k, i = where[g]
        sched, x = built[k][1], built[k][2]["ctx"]
        v, _ = sched.visits(x.drawn[i], int(d))
        return any(y >= sched.sd_floor for y in v[:-1])

    moved = tune_curves(day, ev, goals, movable, allowed)
    out = set()
    for g, d in moved.items():
        k, i = where[g]
        sched, x = built[k][1], built[k][2]["ctx"]
        x.pfs_t[i] = d
        x.vis[i] = sched.visits(x.drawn[i], int(d))
        out.add(k)
    return out


def _tune_pooled_followup(sp: TwinSpec, built: list) -> set[int]:
    """``[pooled] followup`` (reverse Kaplan-Meier median over all cohorts): censored OS
    times move earlier, never before the subject's last assessment (PFS time; a day after
    progression), while every cohort's OS goals (landmarks, median, CI) stay as they are or
    get closer. Returns the indices of changed cohorts."""
    pooled = sp.pooled
    if pooled is None or pooled.os_followup is None:
        return set()
    days, evs, goals, movable, where = [], [], [], {}, {}
    off = 0
    for k, (c, _sched, eff, _st, _p) in enumerate(built):
        x = eff["ctx"]
        n = len(x.pfs_t)
        d = np.array([x.os_day[i][0] for i in range(n)], dtype=int)
        e = np.array([x.os_day[i][1] for i in range(n)], dtype=bool)
        for i in np.flatnonzero(~e):
            lo = int(x.pfs_t[i]) + (1 if x.pfs_e[i] else 0)
            if lo < d[i]:
                movable[off + int(i)] = (lo, int(d[i]))
                where[off + int(i)] = (k, int(i))
        days.append(d)
        evs.append(e)
        goals.append(_goals(c.os, np.arange(off, off + n)))
        off += n
    day, ev = np.concatenate(days), np.concatenate(evs)
    goals.append(CurveGoals(np.arange(off), followup=float(pooled.os_followup.value)))
    # first to the last assessment only (the cut-off soon after it; no pile-up of censorings
    # on one day), then anywhere in range for the last days of the crossing
    moved = tune_curves(day, ev, goals, {g: (lo, lo) for g, (lo, _h) in movable.items()},
                        max_rounds=len(movable), first_improvement=True)
    moved |= tune_curves(day, ev, goals, movable, max_rounds=len(movable))
    out = set()
    for g, d in moved.items():
        k, i = where[g]
        built[k][2]["ctx"].os_day[i] = (int(d), False)
        out.add(k)
    return out


def _responses(roles, pick, pfs_e, vis, sched: _Schedule, c: Cohort) -> dict[int, list[str]]:
    """Overall response per assessment of each efficacy subject (from roles and response starts)."""
    responses: dict[int, list[str]] = {}
    for i, (days, _) in vis.items():
        role = roles[i]
        if role == "PD":
            responses[i] = ["PD"]
        elif role == "NE":
            responses[i] = ["NE"]
        else:
            r = pick.get(i, len(days))
            seq = ["SD" if k < r else role for k in range(len(days))]
            if pfs_e[i]:
                seq[-1] = "PD"
            if role == "SD" and not any(d >= sched.sd_floor and s == "SD"
                                        for d, s in zip(days, seq, strict=True)):
                raise OncotrialValueError(f"{c.name}: an SD subject has no assessment after the SD "
                                          "minimum duration; widen the visit schedule.")
            responses[i] = seq
    return responses


def _phase_of(spec: TwinSpec):
    starts = sorted({(d.start_day, d.phase) for d in spec.drugs if d.phase})

    def f(day: int) -> str | None:
        ph = None
        for s, p in starts:
            if day >= s:
                ph = p
        return ph
    return f


def _cohort_plan(rng, spec: TwinSpec, c: Cohort) -> tuple[_Schedule, dict]:
    horizon = int(max((_window(c.os) or (0, 0))[1], (_window(c.pfs) or (0, 0))[1])) + 400
    sched = _Schedule(spec, horizon)
    return sched, _efficacy_plan(rng, spec, c, sched)


def _cohort_twin(rng, spec: TwinSpec, c: Cohort, eff: dict) -> dict[str, list[dict]]:
    n_enr, n_saf, n_eff = c.enrolled.value, c.safety.value, c.efficacy.value
    ids = [_sid(spec, c, k + 1) for k in range(n_enr)]
    order = rng.permutation(n_enr)  # subject k of the plan gets ids[order[k]]
    a0, a1 = (np.datetime64(x) for x in spec.accrual.value)
    span = int((a1 - a0).astype(int))
    enrol = [a0 + np.timedelta64(int(rng.integers(0, span + 1)), "D") for _ in range(n_enr)]
    phase_of = _phase_of(spec)
    subjects, lesions, exposure, plan, safety = [], [], [], [], []
    for k in range(n_enr):
        sid = ids[order[k]]
        treated = k >= n_enr - n_saf
        is_eff = k >= n_enr - n_eff
        e = k - (n_enr - n_eff)
        fd = enrol[k] + np.timedelta64(int(rng.integers(1, 8)), "D") if treated else None
        ref = fd if treated else enrol[k]
        base_day = -int(rng.integers(3, 21))
        first_contact = min(enrol[k], ref + np.timedelta64(base_day, "D"))
        consent = first_contact - np.timedelta64(int(rng.integers(1, 8)), "D")
        row = {"subject_id": sid, "cohort": c.name, "consent_date": str(consent),
               "enrol_date": str(enrol[k]), "first_dose_date": None if fd is None else str(fd),
               "enrolled_fl": "Y", "safety_fl": "Y" if treated else "N",
               "efficacy_fl": "Y" if is_eff else "N", "primary_site": c.primary_site or None}
        p = {"subject_id": sid, "cohort": c.name, "enrolled_fl": "Y", "safety_fl": row["safety_fl"],
             "efficacy_fl": row["efficacy_fl"], "bor": None, "first_response_day": None,
             "pfs_day": None, "pfs_event": None, "os_day": None, "os_event": None,
             "dor_day": None, "dor_event": None}
        if is_eff:
            role = eff["roles"][e]
            pfs_d, pfs_ev = int(eff["pfs_t"][e]), bool(eff["pfs_e"][e])
            os_d, os_ev = eff["os"][e]
            days, labels = eff["vis"].get(e, ([], []))
            resp = eff["responses"].get(e, [])
            lesions += lesion_rows(rng, sid, base_day, fd, SubjectVisits(days, labels, resp), spec.evaluator)
            end_treat = os_d - 1 if role == "NE" else pfs_d
            p.update(bor=role, pfs_day=pfs_d, pfs_event=pfs_ev, os_day=os_d, os_event=os_ev)
            if e in eff["pick"]:
                r0 = days[eff["pick"][e]]
                p.update(first_response_day=r0, dor_day=pfs_d - r0, dor_event=pfs_ev)
            if os_ev:
                row.update(death_date=str(fd + np.timedelta64(os_d, "D")))
            else:
                row.update(last_alive_date=str(fd + np.timedelta64(os_d, "D")))
            row["eos_reason"] = ("DEATH" if role == "NE" else "PROGRESSIVE DISEASE" if pfs_ev
                                 else "ONGOING AT DATA CUTOFF")
            end_contact = os_d
        else:
            lesions += lesion_rows(rng, sid, base_day, ref, SubjectVisits([], [], []), spec.evaluator)
            end_treat = int(rng.integers(7, 29)) if treated else None
            end_contact = (end_treat + int(rng.integers(1, 8))) if treated else int(rng.integers(1, 21))
            row["last_alive_date"] = str(ref + np.timedelta64(end_contact, "D"))
            row["eos_reason"] = c.not_evaluable_reason if treated else c.not_treated_reason
        if treated:
            ex = exposure_rows(spec.drugs, sid, fd, max(0, end_treat))
            exposure += ex
            last = max(np.datetime64(x["end_date"]) for x in ex)
            row["last_dose_date"] = str(last)
            ld = int((last - fd).astype(int))
            safety.append({"subject_id": sid, "first_dose": fd, "phase_of": phase_of,
                           "te_end_day": min(ld + _TE_DAYS, end_contact), "end_day": end_contact,
                           "death_day": end_contact if row.get("death_date") else None})
        subjects.append(row)
        plan.append(p)
    _baseline(rng, c, subjects, n_enr - n_eff)
    apply_subgroups(c.subgroups, c.categorical, subjects, plan)  # no random draw: issue 20
    prior, lines = prior_therapy_rows(rng, c, [s["subject_id"] for s in subjects],
                                      [np.datetime64(s["enrol_date"]) for s in subjects]) \
        if c.prior_therapy else ([], {})
    for s in subjects:
        if c.prior_therapy:
            s["prior_lines"] = lines[s["subject_id"]]
    safety.sort(key=lambda s: s["subject_id"])
    aes = adverse_event_rows(rng, c, safety, spec.ctcae_version or None)
    return {"subjects": subjects, "lesions": lesions, "exposure": exposure, "adverse_events": aes,
            "prior_therapy": prior, "plan": plan}


def _baseline(rng, c: Cohort, subjects: list[dict], first_eff: int) -> None:
    pop = list(range(first_eff, len(subjects))) if c.baseline_population == "efficacy" \
        else list(range(len(subjects)))
    out = assign_baseline(rng, len(pop), [(v, cnt, opt) for v, cnt, _s, opt in c.categorical],
                          [(v, opts) for v, opts, _s in c.continuous])
    rest = [k for k in range(len(subjects)) if k not in set(pop)]
    for var, vals in out.items():
        col = var
        for j, k in enumerate(pop):
            subjects[k][col] = vals[j]
        for k in rest:  # outside the published table: drawn from the published distribution
            subjects[k][col] = vals[int(rng.integers(0, len(vals)))]


def generate_twin(spec: TwinSpec | str | Path, *, seed: int = 0) -> TwinDataset:
    """Generate a synthetic patient-level trial that reproduces a publication's results.

    Parameters
    ----------
    spec : TwinSpec, path or str
        A parsed spec, a TOML path, or a bundled name (``'regomune'``, ``'nice-nec'``,
        ``'talent'``).
    seed : int, default=0
        Seed of the ``numpy.random.Generator`` (PCG64); the same seed gives identical tables.

    Returns
    -------
    TwinDataset
        Canonical tables (``oncotrial.io._schema``) and the per-subject plan.

    Notes
    -----
    Every step and margin is described in ``docs/twins.md``; what each number reproduces is
    checked through ``oncotrial.derive`` and ``oncotrial.stats`` in ``tests/evidence/twins``.
    Lesions follow RECIST 1.1 [1]_ with margins away from each threshold; event times are
    planned with the product-limit identity [2]_ (see ``_plan_km.plan_times``).

    References
    ----------
    .. [1] Eisenhauer EA, et al. New response evaluation criteria in solid tumours: revised
       RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.
    .. [2] Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-481.

    Examples
    --------
    >>> tw = generate_twin("talent", seed=1)
    >>> tw.summary()[["cohort", "enrolled", "efficacy", "PR", "SD", "PD", "NE"]]
       cohort  enrolled  efficacy  PR  SD  PD  NE
    0  panNET        55        52  23  27   2   0
    1  GI-NET        56        55   9  42   1   3
    """
    sp = spec if isinstance(spec, TwinSpec) else load_spec(spec)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OncotrialValueError(f"`seed` of `generate_twin` must be a non-negative integer; got {seed!r}.")
    rng = np.random.default_rng(int(seed))
    built = []
    for c in sp.cohorts:
        sched, eff = _cohort_plan(rng, sp, c)
        state = copy.deepcopy(rng.bit_generator.state)  # to rebuild the rows after pooled tuning
        built.append([c, sched, eff, state, _cohort_twin(rng, sp, c, eff)])
    changed = tune_pooled_dor(sp, [(c, eff["ctx"]) for c, _s, eff, _st, _p in built],
                              [(eff["pfs_t"], eff["pfs_e"]) for _c, _s, eff, _st, _p in built])
    changed = set(changed) | _tune_pooled_pfs(sp, built) | _tune_pooled_followup(sp, built)
    for k in sorted(changed):  # same random stream as before: only the moved subjects differ
        c, sched, eff, state, _ = built[k]
        eff["responses"] = _responses(eff["roles"], eff["pick"], eff["pfs_e"], eff["vis"], sched, c)
        again = np.random.default_rng()
        again.bit_generator.state = state
        built[k][4] = _cohort_twin(again, sp, c, eff)
    acc: dict[str, list[dict]] = {}
    for *_, part in built:
        for k, v in part.items():
            acc.setdefault(k, []).extend(v)
    subj = _frame(acc["subjects"], "subjects").sort_values("subject_id", kind="stable")
    les = _frame(acc["lesions"], "lesions")
    les = les.sort_values(["subject_id", "assessment_date", "lesion_id"], kind="stable")
    ae = _frame(acc["adverse_events"], "adverse_events").sort_values(["subject_id", "ae_id"], kind="stable")
    ex = _frame(acc["exposure"], "exposure").sort_values(["subject_id", "drug", "start_date"], kind="stable")
    pt = _frame(acc["prior_therapy"], "prior_therapy")
    if not pt.empty:
        pt = pt.sort_values(["subject_id", "line"], kind="stable")
    plan = pd.DataFrame(acc["plan"]).sort_values("subject_id", kind="stable").reset_index(drop=True)
    return TwinDataset(sp, int(seed), subj.reset_index(drop=True), les.reset_index(drop=True),
                       ae.reset_index(drop=True), ex.reset_index(drop=True), pt.reset_index(drop=True),
                       plan)
