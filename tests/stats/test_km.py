"""Tests for kaplan_meier.

Reference: R 4.2.2, survival 3.5-3 -- ``survfit(Surv(time, event) ~ 1, conf.type = ct)``,
``quantile(fit, c(0, .1, .25, .5, .75, .9, 1))`` and ``summary(fit, times = ...)`` for 72
datasets (tools/golden_stats.R -> tests/stats/golden/km.json).
"""

from __future__ import annotations

import numpy as np
import pytest
from _golden_io import arr, assert_r_equal, load
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.stats import kaplan_meier
from oncotrial.stats._survci import CONF_TYPES

DATASETS = load("km.json")["datasets"]
AT_COLS = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")


def _data(ds):
    return arr(ds["time"]), arr(ds["event"]).astype(int)


def test_kaplan_meier_0_golden_coverage():
    """The golden set covers what issue 3 asks for."""
    names = [d["name"] for d in DATASETS]
    sizes = [arr(d["time"]).size for d in DATASETS]
    assert len(names) >= 50 and min(sizes) == 1 and max(sizes) == 5000
    assert {"flat_half_midpoint", "flat_half_last_segment", "never_half", "censored_last",
            "all_censored", "aml_all", "timefix_near_ties"} <= set(names)


@pytest.mark.parametrize("ds", DATASETS, ids=[d["name"] for d in DATASETS])
def test_kaplan_meier_1_matches_r(ds):
    t, e = _data(ds)
    for ct in CONF_TYPES:
        r = ds["fits"][ct]
        fit = kaplan_meier(t, e, conf_type=ct)
        w = f"{ds['name']} {ct}"
        assert_r_equal(fit.time, r["time"], what=w + " time")
        for mine, theirs in (("n_risk", "n_risk"), ("n_event", "n_event"),
                             ("n_censor", "n_censor")):
            np.testing.assert_array_equal(getattr(fit, mine), arr(r[theirs]), err_msg=w)
        assert_r_equal(fit.surv, r["surv"], what=w + " surv")
        assert_r_equal(fit.std_err_log, r["std_err_log"], what=w + " std.err")
        assert_r_equal(fit.lower, r["lower"], what=w + " lower")
        assert_r_equal(fit.upper, r["upper"], what=w + " upper")
        q = fit.quantile(arr(r["q_probs"]))
        assert_r_equal(q.quantile, r["q"], what=w + " quantile")
        assert_r_equal(q.lower, r["q_lower"], what=w + " quantile lower")
        assert_r_equal(q.upper, r["q_upper"], what=w + " quantile upper")
        at = fit.at(arr(r["at_times"]))
        for c in AT_COLS:
            assert_r_equal(at[c].to_numpy(float), r["at_" + c], what=f"{w} at {c}")


@pytest.mark.parametrize("ds", DATASETS[:20], ids=[d["name"] for d in DATASETS[:20]])
def test_kaplan_meier_2_level_90(ds):
    t, e = _data(ds)
    fit = kaplan_meier(t, e, level=0.9)
    r = ds["level90_log"]
    assert_r_equal(fit.lower, r["lower"])
    assert_r_equal(fit.upper, r["upper"])
    m = fit.median()
    assert_r_equal([m.estimate, m.ci.low, m.ci.high],
                   [r["median"], r["median_lower"], r["median_upper"]])


def test_kaplan_meier_3_aml_textbook():
    """R survival's aml data (Miller 1981): print(survfit(Surv(time, status) ~ x, aml))
    gives medians 31 (18, NA) maintained and 23 (8, NA) nonmaintained."""
    m_t = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
    m_e = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
    n_t = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
    n_e = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    fit = kaplan_meier(m_t + n_t, m_e + n_e, by=["Maintained"] * 11 + ["Nonmaintained"] * 12)
    assert fit.groups == ["Maintained", "Nonmaintained"]
    med = fit.median()
    assert (med["Maintained"].estimate, med["Maintained"].ci.low) == (31.0, 18.0)
    assert np.isnan(med["Maintained"].ci.high)
    assert (med["Nonmaintained"].estimate, med["Nonmaintained"].ci.low) == (23.0, 8.0)
    # Maintained: S(9) = 10/11, S(13) = 10/11 * 9/10 = 9/11
    s = fit["Maintained"].surv
    assert s[0] == pytest.approx(10 / 11, rel=1e-15) and s[1] == pytest.approx(9 / 11, rel=1e-15)
    summ = fit.summary()
    assert summ["events"].tolist() == [7, 11] and summ["n"].tolist() == [11, 12]


def test_kaplan_meier_4_hand_flat_half():
    # S = 1/2 exactly on [2, 3): median is the midpoint 2.5 (R quantile.survfit)
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).median().estimate == 2.5
    # S = 1/2 from t = 2 to the last time 4: midpoint of 2 and the last time = 3
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median().estimate == 3.0
    # never reaches 1/2: not reached
    assert np.isnan(kaplan_meier([1, 2, 3], [1, 0, 0]).median().estimate)


def test_kaplan_meier_5_greenwood_hand():
    # times 1..3, censored at 2: S = 2/3, 2/3, 0; var(log S) at 1 = 1/(3*2)
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    assert fit.std_err_log[0] == pytest.approx(np.sqrt(1 / 6), rel=1e-15)
    assert fit.std_err[0] == pytest.approx(2 / 3 * np.sqrt(1 / 6), rel=1e-15)
    assert np.isinf(fit.std_err_log[2]) and np.isnan(fit.std_err[2])


def test_kaplan_meier_6_risk_table():
    fit = kaplan_meier([1, 2, 2, 3, 4, 4], [1, 1, 0, 1, 1, 1])
    rt = fit.risk_table([0, 1, 2.5, 4, 9])
    assert rt["n_risk"].tolist() == [6, 6, 3, 2, 0]
    assert rt["cum_event"].tolist() == [0, 1, 2, 5, 5]
    assert rt["cum_censor"].tolist() == [0, 0, 1, 1, 1]
    # extend=True keeps times beyond the last observation (R extend = TRUE)
    at = fit.at([9], extend=True)
    assert at["n_risk"].tolist() == [0] and at["surv"].tolist() == [0.0]
    assert fit.at([9]).empty


def test_kaplan_meier_7_grouped_equals_separate():
    rng = np.random.default_rng(3)
    t = rng.exponential(10, 60).round(1)
    e = rng.random(60) < 0.7
    g = rng.choice(["b", "a", "c"], 60)
    fit = kaplan_meier(t, e, conf_type="log-log", by=g)
    for lab in ("a", "b", "c"):
        one = kaplan_meier(t[g == lab], e[g == lab], conf_type="log-log")
        np.testing.assert_array_equal(fit[lab].surv, one.surv)
        np.testing.assert_array_equal(fit[lab].lower, one.lower)
    assert fit.groups == ["a", "b", "c"]
    assert fit.table["group"].tolist()[0] == "a" and len(fit.table) == sum(
        fit[lab].time.size for lab in "abc")


times_st = st.lists(st.integers(0, 30), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(times=times_st, data=st.data(), conf_type=st.sampled_from(CONF_TYPES))
def test_kaplan_meier_8_properties(times, data, conf_type):
    ev = data.draw(st.lists(st.booleans(), min_size=len(times), max_size=len(times)))
    fit = kaplan_meier(times, ev, conf_type=conf_type)
    assert np.all(np.diff(fit.surv) <= 0)
    assert np.all((fit.surv >= 0) & (fit.surv <= 1))
    ok = np.isfinite(fit.lower) & np.isfinite(fit.upper)
    assert np.all(fit.lower[ok] <= fit.surv[ok] + 1e-12)
    assert np.all(fit.surv[ok] <= fit.upper[ok] + 1e-12)
    assert np.all((fit.lower[ok] >= 0) & (fit.upper[ok] <= 1))
    assert fit.n_risk[0] == len(times) and fit.n_event.sum() == sum(ev)
    # permutation invariance
    perm = data.draw(st.permutations(range(len(times))))
    fit2 = kaplan_meier(np.asarray(times)[perm], np.asarray(ev)[perm], conf_type=conf_type)
    np.testing.assert_array_equal(fit.surv, fit2.surv)
    np.testing.assert_array_equal(fit.lower, fit2.lower)
    m1, m2 = fit.median(), fit2.median()
    np.testing.assert_array_equal([m1.estimate, m1.ci.low], [m2.estimate, m2.ci.low])


@settings(max_examples=60, deadline=None)
@given(times=st.lists(st.integers(0, 10_000).map(lambda v: v / 100), min_size=1, max_size=80))
def test_kaplan_meier_9_no_censoring_is_one_minus_ecdf(times):
    # (times on a 0.01 grid: values closer than sqrt(eps) are merged by design, as R timefix)
    fit = kaplan_meier(times, np.ones(len(times)))
    t = np.asarray(times)
    ecdf = np.array([(t <= u).mean() for u in fit.time])
    np.testing.assert_allclose(fit.surv, 1 - ecdf, atol=1e-12)


@pytest.mark.parametrize(("time", "event", "match"), [
    ([1, np.nan, 3], [1, 0, 1], r"`time` of `kaplan_meier` must be finite; got nan at index 1"),
    ([1, 2, -3], [1, 0, 1], r"`time` of `kaplan_meier` must be non-negative; got -3.0 at index 2"),
    ([1, 2, 3], [1, 2, 1], r"`event` of `kaplan_meier` must be 0/1 .* got 2.0 at index 1"),
    ([1, 2, 3], [1, 0], r"must have the same length; `time` has 3, `event` has 2"),
    ([], [], r"`time` of `kaplan_meier` must not be empty"),
])
def test_kaplan_meier_10_bad_input(time, event, match):
    with pytest.raises(ValueError, match=match):
        kaplan_meier(time, event)


def test_kaplan_meier_11_bad_options():
    with pytest.raises(ValueError, match=r"`conf_type` of `kaplan_meier` must be one of"):
        kaplan_meier([1, 2], [1, 1], conf_type="log_log")
    with pytest.raises(ValueError, match=r"`by` of `kaplan_meier` must not be missing; .* index 1"):
        kaplan_meier([1, 2], [1, 1], by=["a", None])
    with pytest.raises(ValueError, match=r"`probs` of `KMResult.quantile` must be numbers"):
        kaplan_meier([1, 2], [1, 1]).quantile([1.5])
