"""Adverse events, exposure and prior therapy of a twin.

Adverse events: for each published row (term x grade band x number of subjects) exactly that
many distinct subjects of the safety population get the term with their *worst* grade in the
band; about a third of them also get an earlier, lower-grade record of the same term, so that
a table must take the worst grade per subject and term to reproduce the publication. When the
paper gives the number of subjects with any event in a band (e.g. 23 patients with grade >= 3),
band events are drawn from a pool of exactly that many subjects, and pool members left without
one get a record of ``OTHER_TERM`` (stated in docs/twins.md). Onsets fall inside the
treatment-emergent window [first dose, last dose + 30 days] and before death / last contact.
"""

from __future__ import annotations

import numpy as np

from oncotrial._errors import OncotrialValueError
from oncotrial.evidence.twins._spec import AEBand, Cohort, Drug

__all__ = ["OTHER_TERM", "adverse_event_rows", "exposure_rows", "prior_therapy_rows"]

OTHER_TERM = "Other adverse event (term not reported in the publication)"
TE_WINDOW_DAYS = 30


def _grade(rng: np.random.Generator, band: AEBand) -> int:
    hi = min(band.high, 4) if band.low <= 4 else 5
    grades = np.arange(band.low, hi + 1)
    w = 0.5 ** np.arange(grades.size)  # lower grades more frequent
    return int(rng.choice(grades, p=w / w.sum()))


def adverse_event_rows(rng: np.random.Generator, cohort: Cohort, safety: list[dict],
                       ctcae_version: str | None = None) -> list[dict]:
    """AE records for one cohort. ``safety``: dicts with subject_id, first_dose (datetime64),
    te_end_day (last dose + 30, capped at death / last contact), end_day (death / last contact),
    death_day (or None) and phase_of (day -> phase label)."""
    rows: list[dict] = []
    n = len(safety)
    seq: dict[str, int] = {}
    dead = [i for i, s in enumerate(safety) if s["death_day"] is not None]
    # grade-5 events go to subjects who die, preferably early (on treatment)
    dead_sorted = sorted(dead, key=lambda i: safety[i]["death_day"])
    n5 = sum(c for r in cohort.ae_rows for b, c in r.counts if b.low == 5)
    if n5 > len(dead_sorted):
        raise OncotrialValueError(
            f"{n5} grade-5 events need as many deaths; the twin has {len(dead_sorted)}.")
    g5 = dead_sorted[:n5]
    pools: dict[AEBand, set[int]] = {}
    for band, count, _src in cohort.ae_any:
        rest = [i for i in range(n) if i not in g5]
        extra = max(0, count - len(g5)) if band.high == 5 else count
        pools[band] = ({*g5} if band.high == 5 else set()) | set(
            rng.choice(np.array(rest), size=extra, replace=False).tolist())
    covered: dict[AEBand, set[int]] = {b: set() for b in pools}
    g5_iter = iter(g5)

    def add(i: int, term: str, soc: str, grade: int, day: int, end: int | None) -> None:
        s = safety[i]
        k = seq.get(s["subject_id"], 0) + 1
        seq[s["subject_id"]] = k
        fd = s["first_dose"]
        rows.append({"subject_id": s["subject_id"], "ae_id": f"AE{k:03d}", "term": term, "soc": soc or None,
                     "grade": grade, "ctcae_version": ctcae_version, "start_date": str(fd + np.timedelta64(day, "D")),
                     "end_date": None if end is None else str(fd + np.timedelta64(end, "D")),
                     "related": "Y", "serious": "Y" if grade >= 3 else "N", "phase": s["phase_of"](day),
                     "treatment_emergent": "Y"})

    for row in cohort.ae_rows:
        taken: set[int] = set()
        for band, count in row.counts:
            pool = None
            for pb in pools:
                if pb.low <= band.low and band.high <= pb.high:
                    pool = pools[pb]
                    pb_key = pb
            if band.low == 5:
                cand = [next(g5_iter) for _ in range(count)]
                count = len(cand)
            elif pool is not None:
                cand = [i for i in sorted(pool) if i not in taken]
            else:
                cand = [i for i in range(n) if i not in taken]
            if count > len(cand):
                raise OncotrialValueError(
                    f"AE {row.term!r} band {band}: {count} subjects needed, {len(cand)} available.")
            chosen = (cand if band.low == 5 else
                      rng.choice(np.array(cand, dtype=int), size=count, replace=False).tolist())
            for i in chosen:
                taken.add(i)
                if pool is not None:
                    covered[pb_key].add(i)
                s = safety[i]
                g = 5 if band.low == 5 else _grade(rng, band)
                last = max(1, s["te_end_day"])
                if g == 5:
                    day = max(0, s["death_day"] - int(rng.integers(1, 5)))
                    add(i, row.term, row.soc, g, day, s["death_day"])
                    continue
                day = int(rng.integers(1, last + 1))
                if g > 1 and rng.random() < 0.35 and day > 2:
                    d0 = int(rng.integers(1, day))
                    add(i, row.term, row.soc, int(rng.integers(1, g)), d0, d0)
                end = day + int(rng.integers(3, 45))
                cap = s["end_day"]
                add(i, row.term, row.soc, g, day, None if end > cap else end)
    for band, pool in pools.items():
        for i in sorted(pool - covered[band]):
            s = safety[i]
            day = int(rng.integers(1, max(1, s["te_end_day"]) + 1))
            add(i, OTHER_TERM, "", _grade(rng, AEBand(band.low, min(band.high, 4))), day, None)
    return rows


def exposure_rows(drugs: tuple[Drug, ...], subject_id: str, first_dose: np.datetime64,
                  end_day: int) -> list[dict]:
    """Administration records of every drug from day 0 up to ``end_day`` (inclusive)."""
    rows = []
    for d in drugs:
        k = 0
        day = d.start_day
        while day <= end_day and (d.max_records is None or k < d.max_records) and (
                d.max_day is None or day <= d.max_day):
            stop = min(day + d.duration_days - 1, end_day)
            rows.append({"subject_id": subject_id, "drug": d.name,
                         "start_date": str(first_dose + np.timedelta64(day, "D")),
                         "end_date": str(first_dose + np.timedelta64(stop, "D")),
                         "dose": float(d.dose.value), "unit": d.unit, "phase": d.phase or None})
            k += 1
            day += d.every_days
    return rows


def prior_therapy_rows(rng: np.random.Generator, cohort: Cohort, subjects: list[str],
                       enrol: list[np.datetime64]) -> tuple[list[dict], dict[str, int]]:
    """Prior lines: each regimen given to exactly its published number of subjects; regimens of
    one ``group`` go to disjoint subjects. Lines are ordered as listed in the spec and end (with
    progression) 1-4 months before enrolment."""
    n = len(subjects)
    given: dict[int, list[str]] = {i: [] for i in range(n)}
    groups: dict[str, list[int]] = {}
    for regimen, count, group, _src in cohort.prior_therapy:
        if group:
            free = groups.setdefault(group, list(rng.permutation(n)))
            chosen, groups[group] = free[:count], free[count:]
        else:
            chosen = rng.choice(n, size=count, replace=False).tolist()
        for i in chosen:
            given[int(i)].append(regimen)
    order = [p[0] for p in cohort.prior_therapy]
    rows, lines = [], {}
    for i, sid in enumerate(subjects):
        regs = sorted(given[i], key=order.index)
        lines[sid] = len(regs)
        end = enrol[i] - np.timedelta64(int(rng.integers(30, 120)), "D")
        spans = []
        for _ in regs[::-1]:
            start = end - np.timedelta64(int(rng.integers(90, 700)), "D")
            spans.append((start, end))
            end = start - np.timedelta64(int(rng.integers(7, 60)), "D")
        for line, (reg, (st, en)) in enumerate(zip(regs, spans[::-1], strict=True), start=1):
            rows.append({"subject_id": sid, "line": line, "regimen": reg, "start_date": str(st),
                         "end_date": str(en), "progression_date": str(en)})
    return rows, lines
