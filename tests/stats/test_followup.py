"""Tests for followup_median. Reference: R 4.2.2 survival 3.5-3
``quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)`` for every KM golden dataset."""

from __future__ import annotations

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load

from oncotrial.stats import followup_median, kaplan_meier

DATASETS = load("km.json")["datasets"]


def test_followup_median_1_matches_r():
    for ds in DATASETS:
        r = followup_median(arr(ds["time"]), arr(ds["event"]))
        assert_r_equal([r.estimate, r.ci.low, r.ci.high], ds["reverse_median"], what=ds["name"])


def test_followup_median_2_hand():
    # reverse events at 5, 9, 12, 15 (original censorings); S: 4/5, 8/15, 4/15 -> median 12
    r = followup_median([2, 5, 7, 9, 12, 15], [1, 0, 1, 0, 0, 0])
    assert r.estimate == 12.0 and r.n == 6 and r.n_censored == 4
    assert r.fit.surv[r.fit.time == 9.0][0] == pytest.approx(8 / 15, rel=1e-15)


def test_followup_median_3_is_km_of_swapped_indicator():
    rng = np.random.default_rng(11)
    t = rng.exponential(20, 200).round(1)
    e = rng.random(200) < 0.4
    r = followup_median(t, e, conf_type="log-log")
    km = kaplan_meier(t, ~e, conf_type="log-log").median()
    assert (r.estimate, r.ci.low, r.ci.high) == (km.estimate, km.ci.low, km.ci.high)
    assert r.ci.method == "log-log"


def test_followup_median_4_bad_input():
    with pytest.raises(ValueError, match=r"`time` of `followup_median` must be non-negative"):
        followup_median([-1, 2], [1, 0])
