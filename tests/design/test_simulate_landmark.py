"""Simulated single-arm landmark-survival trials (issue 17)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, norm

from oncotrial import OncotrialValueError
from oncotrial.design import (
    TRANSFORMS,
    Accrual,
    CureFraction,
    Dropout,
    Exponential,
    LandmarkTrial,
    PiecewiseExponential,
    Weibull,
    landmark_survival_design,
    simulate,
)
from oncotrial.design._simulate_engine import rng_for
from oncotrial.stats import kaplan_meier


def _binomial_size(n: int, s0: float, transform: str, z: float, sides: int) -> float:
    """Exact size when nobody is censored before the landmark.

    Then the KM estimate is ``X / n`` (X survivors ~ Bin(n, s0)) and Greenwood's variance is
    ``S (1 - S) / n`` (the telescoping sum ``sum_{i < D} 1/((n-i)(n-i-1)) = D/(n(n-D))``), so the
    size is a finite sum over x. Written from the formulas, independently of the simulator.
    """
    total = 0.0
    for x in range(n + 1):
        s = x / n
        if s in (0.0, 1.0):
            stat = math.inf if s == 1.0 else -math.inf
        else:
            se = math.sqrt(s * (1 - s) / n)
            g = {"identity": (s - s0, se),
                 "log": (math.log(s) - math.log(s0), se / s),
                 "log-log": (math.log(-math.log(s0)) - math.log(-math.log(s)), se / (s * -math.log(s))),
                 "logit": (math.log(s / (1 - s)) - math.log(s0 / (1 - s0)), se / (s * (1 - s))),
                 "arcsine": (math.asin(math.sqrt(s)) - math.asin(math.sqrt(s0)),
                             se / (2 * math.sqrt(s * (1 - s))))}[transform]
            stat = g[0] / g[1]
        if (abs(stat) > z) if sides == 2 else (stat > z):
            total += binom.pmf(x, n, s0)
    return total


@pytest.mark.parametrize("case", ["nice-nec", "s0-0.9"])
def test_simulate_landmark_1_type_i_error_per_transform_beside_nominal(case):
    # NICE-NEC (seed 002): S0 50 % vs 72 % at 12 months, two-sided 5 %, accrual 18, follow-up 12;
    # the SampleSizeSingleArmSurvival example S0 90 % vs 96 % at 18, one-sided 5 %, 24 + 24.
    # Landmark <= follow-up and no dropout: exact size by binomial enumeration (above).
    args = dict(nice_nec=(0.5, 0.72, 12, 18, 12, 2), s0=(0.9, 0.96, 18, 24, 24, 1))
    s0, s1, t, a, f, sides = args["nice_nec" if case == "nice-nec" else "s0"]
    d = landmark_survival_design(s0, s1, t, a, f, alpha=0.05, power=0.8, sides=sides)
    z = norm.ppf(1 - 0.05 / sides)
    for tr in TRANSFORMS:
        trial = LandmarkTrial.from_design(d, transform=tr, transforms=(tr,))
        res = simulate(trial, {"H0": s0}, n_sim=20_000, seed=17)
        est, se = res.estimate("H0", f"reject[{tr}]")
        exact = _binomial_size(d.n[tr], s0, tr, z, sides)
        assert abs(est - exact) <= 3 * se, (tr, est, exact, se)
        row = res.table.query(f"metric == 'reject[{tr}]'").iloc[0]
        assert (row["reference"], row["reference_source"]) == (0.05, "nominal alpha")


def test_simulate_landmark_2_where_transforms_differ_from_nominal():
    # Recorded with seed 17, 20,000 trials: S0 = 0.9, n = design n per transform (one-sided 5 %).
    # identity / log / arcsine exceed 5 % (log: about 11 %), log-log and logit stay below.
    d = landmark_survival_design(0.9, 0.96, 18, 24, 24, alpha=0.05, power=0.8)
    size = {}
    for tr in TRANSFORMS:
        res = simulate(LandmarkTrial.from_design(d, transform=tr, transforms=(tr,)), {"H0": 0.9},
                       n_sim=20_000, seed=17)
        size[tr] = res.estimate("H0", f"reject[{tr}]")
    for tr in ("identity", "log", "arcsine"):
        assert size[tr][0] > 0.05 + 3 * size[tr][1], size
    for tr in ("log-log", "logit"):
        assert size[tr][0] < 0.05 - 3 * size[tr][1], size


def test_simulate_landmark_3_one_chunk_is_the_library_analysis_of_its_trials():
    # Rebuild the first chunk's trials from the same stream (entry, event, dropout, in that order)
    # and analyse each with oncotrial.stats.kaplan_meier: the counts must be identical.
    trial = LandmarkTrial(n=30, s0=0.5, landmark=12, accrual=Accrual(18, ramp=4), followup=6,
                          dropout=Dropout(0.02), sides=2, chunk_size=300)
    law = Weibull.from_median(1.3, 12.0)
    res = simulate(trial, {"w": law}, n_sim=300, seed=9)
    rng = rng_for(9, 0, 0)
    entry = Accrual(18, ramp=4).sample(rng, (300, 30))
    tev = law.sample(rng, (300, 30))
    tdr = Dropout(0.02).sample(rng, (300, 30))
    cens = np.minimum(tdr, 24 - entry)
    time, event = np.minimum(tev, cens), tev <= cens
    z = norm.ppf(0.975)
    rej = {tr: 0 for tr in TRANSFORMS}
    for i in range(300):
        at = kaplan_meier(time[i], event[i].astype(int)).at([12.0], extend=True)
        s, se = float(at["surv"].iloc[0]), float(at["std_err"].iloc[0])
        if s in (0.0, 1.0):
            stats = dict.fromkeys(TRANSFORMS, math.inf if s == 1 else -math.inf)
        else:
            stats = {"identity": (s - 0.5) / se, "log": math.log(s / 0.5) / (se / s),
                     "log-log": (math.log(-math.log(0.5)) - math.log(-math.log(s))) / (se / (s * -math.log(s))),
                     "logit": math.log(s / (1 - s)) / (se / (s * (1 - s))),
                     "arcsine": (math.asin(math.sqrt(s)) - math.asin(math.sqrt(0.5)))
                     / (se / (2 * math.sqrt(s * (1 - s))))}
        for tr in TRANSFORMS:
            rej[tr] += abs(stats[tr]) > z
    for tr in TRANSFORMS:
        assert res.estimate("w", f"reject[{tr}]")[0] == rej[tr] / 300


def test_simulate_landmark_4_non_exponential_laws_km_unbiased_and_monotone():
    trial = LandmarkTrial(n=60, s0=0.5, landmark=12, accrual=Accrual(24, ramp=6), followup=3,
                          dropout=Dropout.from_proportion(0.1, by=12))
    laws = {"weibull": Weibull.from_median(0.8, 14.0),
            "piecewise": PiecewiseExponential((6.0,), (0.03, 0.08)),
            "cure": CureFraction(0.4, Exponential.from_median(6.0)),
            "null": 0.5}
    res = simulate(trial, laws, n_sim=8_000, seed=2)
    for lab, law in laws.items():
        true_s = 0.5 if lab == "null" else float(law.survival(12.0))
        est, se = res.estimate(lab, "km_estimate")
        assert abs(est - true_s) < 4 * se + 0.005, (lab, est, true_s)
    x = res.table.drop_duplicates("scenario").set_index("scenario")["x"]
    assert x["cure"] == pytest.approx(0.4 + 0.6 * 0.25)
    p = {lab: res.estimate(lab, "reject[log-log]")[0] for lab in laws}
    order = sorted(laws, key=lambda k: x[k])
    assert [p[k] for k in order] == sorted(p.values())


def test_simulate_landmark_5_errors():
    with pytest.raises(OncotrialValueError, match="`landmark` of `LandmarkTrial` must be < accrual"):
        LandmarkTrial(n=30, s0=0.5, landmark=40, accrual=Accrual(18), followup=12)
    with pytest.raises(OncotrialValueError, match="`transforms` of `LandmarkTrial` must be"):
        LandmarkTrial(n=30, s0=0.5, landmark=12, accrual=Accrual(18), followup=12, transforms=("sqrt",))
    with pytest.raises(OncotrialValueError, match="`ramp` of `Accrual` must be <= duration"):
        Accrual(10, ramp=12)
    trial = LandmarkTrial(n=30, s0=0.5, landmark=12, accrual=Accrual(18), followup=12)
    with pytest.raises(OncotrialValueError, match="`scenarios` of `simulate` must be event-time laws"):
        simulate(trial, ["weibull"])
