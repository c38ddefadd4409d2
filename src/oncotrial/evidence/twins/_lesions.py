"""Assessment dates and lesion measurements that RECIST 1.1 derives back to a planned response.

Design margins (RECIST 1.1, Eisenhauer et al. 2009 [1]_, sections 4.3.1-4.3.3), so that no
measurement sits near a threshold:

* PR: target sum 22-62 % of baseline (threshold: -30 %) and <= 112 % of the nadir.
* SD: target sum >= 80 % of baseline and <= 112 % of the nadir (thresholds -30 % / +20 %).

Realistic trajectories (issue 20): the main random stream draws exactly what it always drew
(so every other table of a twin is unchanged for a seed); the sizes themselves come from a
second, per-subject stream (seeded from the subject id and its baseline sizes): a per-patient
depth of response (nadir 22-60 % of baseline for a PR) reached at a per-patient assessment (the
spread of nadir times), slow regrowth after it, a per-patient stable-disease level (82-108 %)
with drift, per-lesion random effects (lesions of one patient shrink unequally) and
measurement noise (2 % of the sum per assessment, 5 % per lesion). The target sum is set
first and the lesions are rescaled to it, so every margin above holds after rounding.
* PD by growth: sum >= 130 % of the nadir AND >= nadir + 10 mm (thresholds +20 % and +5 mm);
  otherwise PD by a new lesion (unequivocal, status PRESENT).
* CR: every non-nodal target 0 mm, every nodal target 5 mm short axis (< 10 mm), every
  non-target ABSENT.
* NE: every target NOT DONE.

References
----------
.. [1] Eisenhauer EA, et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

__all__ = ["SubjectVisits", "lesion_rows", "scheduled_days", "visit_dates"]

PR_RANGE = (0.40, 0.55)  # the main stream's draw (kept so the stream is unchanged)
PR_NADIR_RANGE = (0.22, 0.60)
PR_MAX = 0.62
SD_LEVEL_RANGE = (0.82, 1.08)
SD_MIN_OF_BASELINE = 0.80
SD_MAX_OF_NADIR = 1.12
PD_MIN_OF_NADIR = 1.30
PD_MIN_MM = 10.0
NODE_CR_SHORT_AXIS = 5.0
_ORGANS = ("LIVER", "LUNG", "LYMPH NODE", "PERITONEUM", "BONE", "PANCREAS", "ADRENAL GLAND")


def scheduled_days(first: list[int], every: int, horizon: int) -> list[int]:
    """Nominal assessment days: the listed ones, then every ``every`` days up to ``horizon``.

    Examples
    --------
    >>> scheduled_days([42, 84], 84, 400)
    [42, 84, 168, 252, 336]
    """
    days = list(first)
    while days[-1] + every <= horizon:
        days.append(days[-1] + every)
    return days


def visit_dates(rng: np.random.Generator, nominal: list[int], window: int, min_gap: int,
                sd_floor: int) -> list[int]:
    """Jittered visit days: nominal +/- ``window``, consecutive gaps >= ``min_gap``.

    Visits whose nominal day is at or after the SD minimum duration are never earlier than
    ``sd_floor`` (so an SD there always counts).
    """
    out: list[int] = []
    for d in nominal:
        lo, hi = d - window, d + window
        if d >= sd_floor - 3:
            lo = max(lo, sd_floor)
        if out:
            lo = max(lo, out[-1] + min_gap)
        out.append(int(rng.integers(lo, max(lo, hi) + 1)))
    return out


@dataclass(slots=True)
class SubjectVisits:
    """Planned post-baseline assessments of one subject: days, labels and time-point responses."""

    days: list[int]
    labels: list[str]
    responses: list[str]  # CR, PR, SD, PD, NE per assessment


def _targets(rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray, list[bool]]:
    k = int(rng.integers(1, 4))
    # the first target is never a node: with only nodal targets a PR (nodes < 10 mm) reads as CR
    organs = list(rng.choice(_ORGANS, size=k, replace=False))
    if organs[0] == "LYMPH NODE":
        organs[0], organs[-1] = organs[-1], organs[0]
        if organs[0] == "LYMPH NODE":
            organs[0] = "LIVER"
    sizes, nodes = [], []
    for o in organs:
        node = o == "LYMPH NODE"
        nodes.append(node)
        sizes.append(float(rng.integers(16, 35)) if node else float(rng.integers(15, 60)))
    ids = [f"T{i + 1:02d}" for i in range(k)]
    return ids, organs, np.array(sizes), nodes


def lesion_rows(rng: np.random.Generator, subject_id: str, baseline_day: int, first_dose: np.datetime64,
                visits: SubjectVisits, evaluator: str) -> list[dict]:
    """Lesion records (baseline + every planned assessment) for one subject."""
    ids, organs, base, nodes = _targets(rng)
    nodes_a = np.array(nodes)
    n_nt = int(rng.integers(0, 3))
    nt_sites = list(rng.choice([o for o in _ORGANS if o != "LYMPH NODE"], size=n_nt, replace=False))
    rows: list[dict] = []

    def add(day: int, label: str, diam: np.ndarray | None, nt_status: str, new: bool,
            target_status: str = "") -> None:
        date = str(first_dose + np.timedelta64(int(day), "D"))
        for i, lid in enumerate(ids):
            rows.append({"subject_id": subject_id, "assessment_date": date, "visit": label,
                         "lesion_id": lid, "lesion_class": "TARGET", "site": organs[i],
                         "is_node": "Y" if nodes[i] else "N",
                         "diameter": None if diam is None else round(float(diam[i]), 1),
                         "unit": "mm", "status": target_status or None, "evaluator": evaluator})
        for j, site in enumerate(nt_sites):
            rows.append({"subject_id": subject_id, "assessment_date": date, "visit": label,
                         "lesion_id": f"NT{j + 1:02d}", "lesion_class": "NON-TARGET", "site": site,
                         "is_node": "N", "diameter": None, "unit": None, "status": nt_status,
                         "evaluator": evaluator})
        if new:
            rows.append({"subject_id": subject_id, "assessment_date": date, "visit": label,
                         "lesion_id": "NEW01", "lesion_class": "NEW",
                         "site": str(rng.choice(_ORGANS[:2])), "is_node": "N", "diameter": None,
                         "unit": None, "status": "PRESENT", "evaluator": evaluator})

    add(baseline_day, "BASELINE", base, "PRESENT", False)
    b_sum = float(base.sum())
    aux = np.random.default_rng([zlib.crc32(subject_id.encode()), round(b_sum * 10),
                                 abs(int(baseline_day))])
    traj = _Trajectory(aux, len(base), visits.responses)
    nadir = b_sum
    f_prev = 1.0
    for day, label, resp in zip(visits.days, visits.labels, visits.responses, strict=True):
        if resp == "NE":
            add(day, label, None, "NOT DONE", False, target_status="NOT DONE")
            continue
        if resp == "CR":
            d = np.where(nodes_a, NODE_CR_SHORT_AXIS, 0.0)
            add(day, label, d, "ABSENT", False)
            nadir = min(nadir, float(d.sum()))
            f_prev = 0.0
            continue
        if resp == "PR":
            hi = min(PR_RANGE[1], (nadir * SD_MAX_OF_NADIR - 1.0) / b_sum)
            lo = min(PR_RANGE[0], hi)
            # main-stream draw kept (its value is superseded by the trajectory)
            _ = float(rng.uniform(lo, hi)) if f_prev > PR_RANGE[1] else float(
                np.clip(f_prev * rng.uniform(0.9, 1.05), lo, hi))
            f = traj.pr(min(PR_MAX, (nadir * SD_MAX_OF_NADIR - 1.0) / b_sum))
            nt = "PRESENT"
            new = False
        elif resp == "SD":
            # 0.2 mm above 80 % of baseline: rounding up to 3 lesions to 0.1 mm moves the sum
            # by at most 0.15 mm, so the rounded sum stays >= 80 % (a -20.1 % SD was seen)
            lo = SD_MIN_OF_BASELINE + 0.2 / b_sum
            hi = min(1.10, nadir * SD_MAX_OF_NADIR / b_sum)
            if hi > lo:
                _ = float(rng.uniform(lo, max(lo, hi)))
            f = traj.sd(lo, hi) if hi > lo else lo
            nt = "PRESENT"
            new = False
        else:  # PD
            grow = bool(rng.random() < 0.6) and nadir > 0
            if grow:
                f = max(nadir * PD_MIN_OF_NADIR, nadir + PD_MIN_MM) / b_sum * float(rng.uniform(1.0, 1.15))
                new = False
            else:
                f = f_prev if f_prev > 0 else 0.0
                new = True
            nt = "PRESENT"
        d = traj.spread(base, f)
        if resp != "PD" and f_prev == 0.0:
            d = np.where(nodes_a, NODE_CR_SHORT_AXIS, 0.0)
        d = np.round(d, 1)
        add(day, label, d, nt, new)
        if resp != "PD":
            nadir = min(nadir, float(d.sum()))
        f_prev = f
    return rows


class _Trajectory:
    """Per-patient shape of the target-sum trajectory (from the auxiliary stream ``aux``)."""

    def __init__(self, aux: np.random.Generator, k: int, responses: list[str]):
        self.aux = aux
        n_pr = sum(r == "PR" for r in responses)
        self.f_nadir = float(aux.uniform(*PR_NADIR_RANGE))
        self.f_first = float(aux.uniform(self.f_nadir, PR_MAX))
        self.j_nadir = int(aux.integers(0, max(n_pr, 1)))
        self.regrow = float(aux.uniform(0.0, 0.04))
        self.sd_level = float(aux.uniform(*SD_LEVEL_RANGE))
        self.sd_drift = float(aux.normal(0.0, 0.01))
        self.lesion_effect = aux.normal(0.0, 0.12, k)
        self.j_pr = 0
        self.j_sd = 0

    def pr(self, hi: float) -> float:
        j = self.j_pr
        self.j_pr += 1
        if j <= self.j_nadir:
            w = 1.0 if self.j_nadir == 0 else j / self.j_nadir
            f = self.f_first + (self.f_nadir - self.f_first) * w
        else:
            f = self.f_nadir * (1.0 + self.regrow * (j - self.j_nadir))
        f *= 1.0 + float(self.aux.normal(0.0, 0.02))
        return float(np.clip(f, 0.15, max(0.15, hi)))

    def sd(self, lo: float, hi: float) -> float:
        f = self.sd_level + self.sd_drift * self.j_sd + float(self.aux.normal(0.0, 0.02))
        self.j_sd += 1
        return float(np.clip(f, lo, hi))

    def spread(self, base: np.ndarray, f: float) -> np.ndarray:
        """Lesion sizes with sum ``f * sum(base)``: per-lesion effects and noise, rescaled."""
        if f <= 0:
            return base * 0.0
        w = base * np.exp(self.lesion_effect * (1.0 - min(f, 1.0))) \
            * (1.0 + self.aux.normal(0.0, 0.05, len(base)))
        w = np.maximum(w, 1e-6)
        return w * (f * float(base.sum()) / float(w.sum()))
