"""The vectorised estimators of the simulator equal oncotrial.stats row by row (issue 17)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from oncotrial.design import (
    Accrual,
    CureFraction,
    Dropout,
    Exponential,
    HazardRatio,
    PiecewiseExponential,
    Weibull,
)
from oncotrial.design._simulate_estimators import (
    cox_batch,
    km_landmark_batch,
    landmark_z,
    logrank_batch,
)
from oncotrial.stats import cox_ph, kaplan_meier, logrank_test


def _trials(m=12, n=40, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    t = rng.exponential(10.0, (m, n))
    c = rng.uniform(2, 30, (m, n))
    if ties:  # rows 0-2: rounded to whole months (many ties, event/censor ties), row 3: aeqSurv ties
        t[:3] = np.ceil(t[:3])
        c[:3] = np.ceil(c[:3])
        t[3, 1] = t[3, 0] * (1 + 1e-12)
    time = np.minimum(t, c)
    event = t <= c
    return time, event


@pytest.mark.parametrize("ties", [False, True])
def test_simulate_estimators_1_km_landmark_equals_kaplan_meier(ties):
    time, event = _trials(ties=ties)
    event[5] = False                        # all censored: S = 1, V = 0
    time[6], event[6] = np.arange(1.0, 41.0) / 10, True   # everyone fails before 12: S = 0
    s, v = km_landmark_batch(time, event, 12.0)
    for i in range(time.shape[0]):
        fit = kaplan_meier(time[i], event[i].astype(int))
        at = fit.at([12.0], extend=True)
        assert s[i] == pytest.approx(float(at["surv"].iloc[0]), rel=1e-13, abs=1e-15)
        j = np.searchsorted(fit.time, 12.0, side="right") - 1
        assert v[i] == pytest.approx(float(fit.std_err_log[j]) ** 2, rel=1e-12, abs=1e-15)
    assert (s[5], v[5]) == (1.0, 0.0) and s[6] == 0.0 and v[6] == np.inf


def test_simulate_estimators_2_landmark_z_hand_formulas():
    time, event = _trials(seed=3)
    s, v = km_landmark_batch(time, event, 12.0)
    s0 = 0.45
    for i in range(4):
        at = kaplan_meier(time[i], event[i].astype(int)).at([12.0])
        sh, se = float(at["surv"].iloc[0]), float(at["std_err"].iloc[0])   # se of S (Greenwood)
        hand = {
            "identity": (sh - s0) / se,
            "log": (math.log(sh) - math.log(s0)) / (se / sh),
            "log-log": -(math.log(-math.log(sh)) - math.log(-math.log(s0))) / (se / (sh * abs(math.log(sh)))),
            "logit": (math.log(sh / (1 - sh)) - math.log(s0 / (1 - s0))) / (se / (sh * (1 - sh))),
            "arcsine": (math.asin(math.sqrt(sh)) - math.asin(math.sqrt(s0))) / (se / (2 * math.sqrt(sh * (1 - sh)))),
        }
        for tr, z in hand.items():
            assert landmark_z(s[i : i + 1], v[i : i + 1], s0, tr)[0] == pytest.approx(z, rel=1e-10)


def _two_arm(m=10, n=60, seed=1, ties=False):
    time, event = _trials(m, n, seed, ties)
    arm = np.zeros((m, n), bool)
    arm[:, n // 2 :] = True
    time[:, n // 2 :] *= 1.6                  # a treatment effect
    include = np.ones((m, n), bool)
    include[1, :10] = False                   # not yet enrolled at the look
    include[2, 40:] = False
    return time, event, arm, include


@pytest.mark.parametrize("ties", [False, True])
def test_simulate_estimators_3_logrank_equals_logrank_test(ties):
    time, event, arm, include = _two_arm(ties=ties)
    z = logrank_batch(time, event, arm, include)
    for i in range(time.shape[0]):
        k = include[i]
        r = logrank_test(time[i, k], event[i, k].astype(int), arm[i, k].astype(int))
        assert z[i] ** 2 == pytest.approx(r.chisq, rel=1e-10)
        assert np.sign(z[i]) == np.sign(r.observed[1] - r.expected[1])


@pytest.mark.parametrize("ties", [False, True])
def test_simulate_estimators_4_cox_equals_cox_ph(ties):
    time, event, arm, include = _two_arm(ties=ties)
    beta, z = cox_batch(time, event, arm, include)
    for i in range(time.shape[0]):
        k = include[i]
        df = pd.DataFrame({"time": time[i, k], "event": event[i, k].astype(int), "arm": arm[i, k].astype(int)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = cox_ph(df, "time", "event", ["arm"]).table.iloc[0]
        assert beta[i] == pytest.approx(row["coef"], rel=1e-7, abs=1e-9)
        assert z[i] == pytest.approx(row["z"], rel=1e-7, abs=1e-9)


def test_simulate_estimators_5_cox_infinite_coefficient_gives_z_zero():
    time = np.array([[1.0, 2, 3, 4, 5, 6]])
    event = np.array([[True, True, True, False, False, False]])
    arm = np.array([[False, False, False, True, True, True]])     # no events on arm 1
    beta, z = cox_batch(time, event, arm, np.ones_like(event))
    assert beta[0] < -10 and z[0] == 0.0


@given(st.floats(0.0, 60.0))
@example(0.0)
@example(6.0)
@settings(max_examples=60, deadline=None)
def test_simulate_estimators_6_inverse_cumulative_hazards(t):
    laws = [Exponential(0.1), Weibull(1.7, 9.0), PiecewiseExponential((6.0, 12.0), (0.1, 0.05, 0.2)),
            HazardRatio(Weibull(0.8, 12.0), (1.2, 0.6), (4.0,)), CureFraction(0.3, Exponential(0.2))]
    for law in laws:
        h = law.cumhaz(np.array([t]))
        assert law.inv_cumhaz(h)[0] == pytest.approx(t, rel=1e-9, abs=1e-9)


def test_simulate_estimators_7_hazard_ratio_cumhaz_is_the_integral():
    base = Weibull(1.5, 10.0)
    law = HazardRatio(base, (1.3, 0.5), (5.0,))
    def h(u):
        return (1.3 if u < 5 else 0.5) * 1.5 / 10.0 * (u / 10.0) ** 0.5
    for t in (2.0, 5.0, 11.0):
        assert float(law.cumhaz(np.array(t))) == pytest.approx(quad(h, 0, t, points=[5.0])[0], rel=1e-10)


def test_simulate_estimators_8_samples_follow_the_laws():
    rng = np.random.default_rng(42)
    n = 200_000
    for law, t in ((Weibull.from_median(1.5, 10.0), 10.0), (PiecewiseExponential((6.0,), (0.1, 0.05)), 8.0),
                   (CureFraction(0.25, Exponential(0.3)), 40.0)):
        x = law.sample(rng, n)
        p = float(law.survival(t))
        se = math.sqrt(p * (1 - p) / n)
        assert abs((x > t).mean() - p) < 4 * se
    # ramp-up accrual: F(u) = u^2 / (2 r M) before r, M = 24 - 3 = 21
    u = Accrual(24, ramp=6).sample(rng, n)
    assert abs((u <= 3).mean() - 9 / (2 * 6 * 21)) < 4 * math.sqrt(0.036 / n)
    assert u.max() <= 24 and u.min() >= 0
    d = Dropout.from_proportion(0.2, by=12).sample(rng, n)
    assert abs((d <= 12).mean() - 0.2) < 4 * math.sqrt(0.16 / n)
    assert np.isinf(Dropout().sample(rng, 3)).all()


@given(st.integers(0, 2**32 - 1))
@example(0)
@settings(max_examples=25, deadline=None)
def test_simulate_estimators_9_patient_order_does_not_matter(seed):
    # permuting the patients of each trial (columns) changes nothing: KM, log-rank, Cox
    time, event, arm, include = _two_arm(m=4, n=30, seed=seed % 1000)
    perm = np.random.default_rng(seed).permutation(time.shape[1])
    s1, v1 = km_landmark_batch(time, event, 12.0)
    s2, v2 = km_landmark_batch(time[:, perm], event[:, perm], 12.0)
    np.testing.assert_allclose(s1, s2, rtol=1e-13)
    np.testing.assert_allclose(v1, v2, rtol=1e-12)
    z1 = logrank_batch(time, event, arm, include)
    z2 = logrank_batch(time[:, perm], event[:, perm], arm[:, perm], include[:, perm])
    np.testing.assert_allclose(z1, z2, rtol=1e-10, atol=1e-12)
    b1 = cox_batch(time, event, arm, include)[1]
    b2 = cox_batch(time[:, perm], event[:, perm], arm[:, perm], include[:, perm])[1]
    np.testing.assert_allclose(b1, b2, rtol=1e-8, atol=1e-10)
