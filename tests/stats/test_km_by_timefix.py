"""Near-tied times in different groups (issue 18): by-group Kaplan-Meier and log-rank merge
them on the POOLED times, as R ``survfit(Surv(t, e) ~ g)`` / ``survdiff`` do (``aeqSurv`` runs
once on the whole ``Surv`` object). Reference: R 4.2.2, survival 3.5-3,
``tools/golden_timefix.R`` -> ``tests/stats/golden/km_by_timefix.json``."""

from __future__ import annotations

import numpy as np
import pytest
from _golden_io import arr, load

from oncotrial.stats import kaplan_meier, logrank_test

SETS = load("km_by_timefix.json")["sets"]


@pytest.mark.parametrize("s", SETS, ids=[s["name"] for s in SETS])
def test_km_by_timefix_1_matches_r(s):
    t, e, g = arr(s["time"]), np.array(s["event"]), np.array(s["group"])
    fit = kaplan_meier(t, e, by=g)
    strata = np.array(s["strata"])
    for lab in fit.groups:
        m = strata == lab
        np.testing.assert_array_equal(fit[lab].time, arr(s["km_time"])[m])
        np.testing.assert_array_equal(fit[lab].n_risk, np.array(s["n_risk"])[m])
        np.testing.assert_array_equal(fit[lab].n_event, np.array(s["n_event"])[m])
        np.testing.assert_allclose(fit[lab].surv, arr(s["surv"])[m], rtol=1e-14, atol=0)


@pytest.mark.parametrize("s", SETS, ids=[s["name"] for s in SETS])
def test_km_by_timefix_2_logrank_matches_r(s):
    r = logrank_test(arr(s["time"]), np.array(s["event"]), np.array(s["group"]))
    assert r.chisq == pytest.approx(float(s["logrank_chisq"]), rel=1e-12)
    np.testing.assert_array_equal(r.observed, s["logrank_obs"])
    np.testing.assert_allclose(r.expected, arr(s["logrank_exp"]), rtol=1e-12)


def test_km_by_timefix_3_issue_example_landmark():
    # issue 18: 7.0 in group A, 7.00000004 in group B. Pooled, they are one time (relative gap
    # 4e-8 / mean|t| < sqrt(eps)); B's event therefore counts at t = 7.0, so S_B(7.0) drops.
    s = SETS[0]
    fit = kaplan_meier(arr(s["time"]), np.array(s["event"]), by=np.array(s["group"]))
    # R: summary(fit, times = 7)$surv for B = 0.5357 (5/7 * 3/4); per-group merging gave 5/7
    assert fit["B"].at([7.0]).surv.iloc[0] == pytest.approx(5 / 7 * 3 / 4, rel=1e-14)
    # alone, group B has no near-tie and keeps its own time (R: survfit on B alone)
    alone = kaplan_meier(arr(s["time"])[7:], np.array(s["event"])[7:])
    assert alone.time[3] == 7.00000004
