"""Random twin specs: targets read off a simulated trial, so that the generator is exercised on
numbers it was never tuned to. Used by ``test_twin_random.py`` and by the sweep in docs/twins.md.
"""

from __future__ import annotations

import numpy as np

from oncotrial.evidence.twins._spec import TwinSpec, parse_spec
from oncotrial.stats import kaplan_meier

DPM = 30.4375
SRC = {"source": "simulated trial (random spec)"}


def _landmarks(t_days, event, months):
    km = kaplan_meier(np.asarray(t_days) / DPM, event)
    out = []
    for m in months:
        at = km.at([m])
        if len(at) == 0:
            continue
        s = float(at["surv"].iloc[0])
        if 0.08 < s < 0.97:
            out.append({"month": float(m), "percent": round(100 * s, 1), **SRC})
    med = km.median().estimate
    return out, (round(float(med), 1) if np.isfinite(med) else "NR")


def random_spec(seed: int) -> tuple[TwinSpec, dict]:
    """A random single- or two-cohort spec and the raw dict it was parsed from."""
    rng = np.random.default_rng(seed)
    first = int(rng.choice([42, 56]))
    every = int(rng.choice([56, 84]))
    confirmed = bool(rng.random() < 0.5)
    cohorts = []
    for k in range(int(rng.integers(1, 3))):
        n = int(rng.integers(25, 71))
        lo_c, hi_c = 12.0, 36.0
        pfs_med = rng.uniform(4, 14) * DPM
        pfs = rng.exponential(pfs_med / np.log(2), n) + 20
        cens = rng.uniform(lo_c * DPM, hi_c * DPM, n)
        os_ = pfs + rng.exponential(rng.uniform(6, 20) * DPM, n)
        pfs_t, pfs_e = np.minimum(pfs, cens), pfs <= cens
        os_t, os_e = np.minimum(os_, cens), os_ <= cens
        early = int(np.sum(pfs_e & (pfs_t < first + 8)))
        ne = min(early, int(rng.integers(0, 3)))
        pd_ = early - ne
        long_ = int(np.sum(pfs_t > first + every + 40))
        resp = int(rng.integers(0, max(1, int(0.7 * long_)) + 1))
        resp = min(resp, n - early)
        cr = int(rng.integers(0, min(2, resp) + 1))
        sd = n - early - resp
        n_extra = int(rng.integers(0, 4))
        pfs_lm, pfs_median = _landmarks(pfs_t, pfs_e, (6, 12))
        os_lm, os_median = _landmarks(os_t, os_e, (12, 24))
        males = int(rng.integers(0, n + 1))
        e12 = int(rng.integers(0, n // 2))
        e34 = int(rng.integers(0, (n + n_extra) - e12 + 1))
        cohorts.append({
            "name": f"C{k + 1}",
            "population": {"enrolled": {"value": n + n_extra, **SRC},
                           "safety": {"value": n + n_extra, **SRC},
                           "efficacy": {"value": n, **SRC}},
            "bor": {"CR": {"value": cr, **SRC}, "PR": {"value": resp - cr, **SRC},
                    "SD": {"value": sd, **SRC}, "PD": {"value": pd_, **SRC},
                    "NE": {"value": ne, **SRC},
                    "ne_kind": str(rng.choice(["death-before-assessment", "targets-not-evaluable"]))},
            "pfs": {"median": {"value": pfs_median, **SRC}, "landmarks": pfs_lm,
                    "censor_window": {"value": [lo_c, hi_c], **SRC}},
            "os": {"median": {"value": os_median, **SRC}, "landmarks": os_lm,
                   "censor_window": {"value": [lo_c, hi_c], **SRC}},
            "baseline": {"population": "efficacy",
                         "categorical": [{"variable": "sex", "counts": {"M": males, "F": n - males},
                                          **SRC}],
                         "continuous": [{"variable": "age", "median": 60, "min": 30, "max": 82,
                                         **SRC}]},
            "ae": [{"term": "Fatigue", "counts": {"1-2": e12, "3-4": e34}, **SRC}],
        })
    doc = {
        "trial": {"name": f"RANDOM{seed}", "accrual": {"value": ["2018-01-01", "2019-06-30"], **SRC},
                  "confirmed": {"value": confirmed, **SRC}, "confirm_days": {"value": 28, **SRC},
                  "sd_min_days": {"value": 42, **SRC}},
        "schedule": {"assessment_days": {"value": [first], **SRC},
                     "assessment_every_days": {"value": every, **SRC},
                     "visit_window_days": {"value": 7, **SRC}},
        "treatment": {"drug": [{"name": "DRUG", "dose": {"value": 100, **SRC}, "unit": "mg",
                                "every_days": 21}]},
        "cohort": cohorts,
    }
    return parse_spec(doc), doc
