"""Simulated binary designs agree with their exact operating characteristics (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import beta as beta_dist
from scipy.stats import binom

from oncotrial import OncotrialValueError
from oncotrial.design import (
    BinaryTrial,
    bop2_design,
    posterior_monitoring,
    predictive_design,
    simon_design,
    simulate,
    single_stage_design,
)


def _within(res, scenario, metric, expected, k=3.0):
    est, se = res.estimate(scenario, metric)
    assert se > 0 or est == expected
    assert abs(est - expected) <= k * se + 1e-12, (scenario, metric, est, expected, se)


def test_simulate_binary_1_single_stage_talent_within_3_se():
    # TALENT: n = 55, reject if X >= 10. Exact OC by hand: P(Bin(55, p) >= 10) (scipy).
    d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    res = simulate(d, [0.10, 0.25], n_sim=400_000, seed=11)
    for p in (0.10, 0.25):
        _within(res, f"{p:g}", "reject", binom.sf(9, 55, p))
        assert res.estimate(f"{p:g}", "en") == (55.0, 0.0)
        assert res.estimate(f"{p:g}", "pet") == (0.0, 0.0)


def test_simulate_binary_2_simon_optimal_within_3_se():
    # Simon (1989) optimal 1/10, 5/29: reject = sum_{x1=2}^{10} b(x1; 10, p) P(Bin(19, p) > 5 - x1),
    # PET = P(Bin(10, p) <= 1), EN = 10 + (1 - PET) 19 -- computed here with scipy.
    d = simon_design(0.10, 0.30, 0.05, 0.80).optimal
    res = simulate(d, {"p0": 0.10, "p1": 0.30, "p=0.2": 0.2}, n_sim=300_000, seed=5)
    for lab, p in (("p0", 0.10), ("p1", 0.30), ("p=0.2", 0.2)):
        x1 = np.arange(2, 11)
        rej = float((binom.pmf(x1, 10, p) * binom.sf(5 - x1, 19, p)).sum())
        pet = float(binom.cdf(1, 10, p))
        _within(res, lab, "reject", rej)
        _within(res, lab, "pet", pet)
        _within(res, lab, "stop_futility", pet)
        _within(res, lab, "en", 10 + (1 - pet) * 19)
    # the reference column carries the exact values
    t = res.table.set_index(["scenario", "metric"])
    assert t.loc[("p0", "reject"), "reference"] == pytest.approx(0.0471, abs=5e-5)
    assert t.loc[("p0", "reject"), "reference_source"] == "exact"


def test_simulate_binary_3_bop2_within_3_se():
    d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    # (seed 3 puts PET(p0) at 3.1 SE: with ~40 comparisons in this file one such is expected)
    res = simulate(d, {"p0": 0.2, "p1": 0.4}, n_sim=300_000, seed=5)
    _within(res, "p0", "reject", d.alpha)
    _within(res, "p1", "reject", d.power)
    _within(res, "p0", "en", d.en0)
    _within(res, "p0", "pet", d.pet0)


def test_simulate_binary_4_thall_simon_and_lee_liu_within_3_se():
    m = posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40])
    res = simulate(m, {"p0": 0.2, "p1": 0.4}, n_sim=200_000, seed=8)
    _within(res, "p0", "reject", m.alpha)
    _within(res, "p1", "reject", m.power)
    _within(res, "p0", "en", m.en0)
    _within(res, "p1", "pet", m.pet1)
    ll = predictive_design(0.2, 0.4, 0.1, 0.9, nmin=30, nmax=40)
    res = simulate(ll, {"p0": 0.2, "p1": 0.4}, n_sim=200_000, seed=9)
    _within(res, "p0", "reject", ll.alpha)
    _within(res, "p1", "reject", ll.power)
    _within(res, "p0", "en", ll.en0)
    _within(res, "p0", "pet", ll.pet0)


def test_simulate_binary_5_boundaries_are_the_bayesian_rules():
    # BOP2: stop at n_k iff P(p > p0 | x) < lambda (n_k/N)^gamma, posterior Beta(0.2 + x, 0.8 + n - x)
    d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    tr = BinaryTrial.from_design(d)
    for nk, f in zip(tr.looks[:-1], tr.futility[:-1], strict=True):
        x = np.arange(nk + 1)
        stop = beta_dist.sf(0.2, 0.2 + x, 0.8 + nk - x) < d.lam * (nk / 40) ** d.gamma
        assert stop.tolist() == (x <= f).tolist()
    x = np.arange(41)
    assert ((beta_dist.sf(0.2, 0.2 + x, 0.8 + 40 - x) >= d.lam) == (x >= tr.efficacy[-1])).all()
    # Thall-Simon: futility iff P(theta_E > p0 + delta | x) < 0.05 with theta_E ~ Beta(0.4 + x, 1.6 + n - x)
    m = posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40])
    tr = BinaryTrial.from_design(m)
    for nk, f, e in zip(tr.looks[:-1], tr.futility[:-1], tr.efficacy[:-1], strict=True):
        x = np.arange(nk + 1)
        assert (beta_dist.sf(0.4, 0.4 + x, 1.6 + nk - x) < 0.05).tolist() == (x <= f).tolist()
        assert (beta_dist.sf(0.2, 0.4 + x, 1.6 + nk - x) > 0.95).tolist() == (x >= e).tolist()


def test_simulate_binary_6_same_seed_same_numbers_and_seed_matters():
    d = simon_design(0.10, 0.30).optimal
    a = simulate(d, [0.1, 0.3], n_sim=30_000, seed=1, chunk_size=7_000)
    b = simulate(d, [0.1, 0.3], n_sim=30_000, seed=1, chunk_size=7_000)
    c = simulate(d, [0.1, 0.3], n_sim=30_000, seed=2, chunk_size=7_000)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["estimate"].equals(c.table["estimate"])
    # a scenario's numbers do not depend on the scenarios after it
    one = simulate(d, [0.1], n_sim=30_000, seed=1, chunk_size=7_000)
    pd.testing.assert_frame_equal(one.table, a.table[a.table["scenario"] == "0.1"])


def test_simulate_binary_7_generic_trial_and_hand_checked_edge_rates():
    # one look of 2 patients, success iff both respond: P = p^2; p = 0 and 1 are deterministic
    tr = BinaryTrial(looks=(2,), futility=(-1,), efficacy=(2,))
    res = simulate(tr, [0.0, 1.0, 0.5], n_sim=100_000, seed=4)
    assert res.estimate("0", "reject") == (0.0, 0.0)
    assert res.estimate("1", "reject") == (1.0, 0.0)
    _within(res, "0.5", "reject", 0.25)


def test_simulate_binary_8_errors():
    d = simon_design(0.10, 0.30).optimal
    with pytest.raises(OncotrialValueError, match="`scenarios` of `simulate` must be"):
        simulate(d, [1.5])
    with pytest.raises(OncotrialValueError, match="`n_sim` of `simulate` must be"):
        simulate(d, [0.1], n_sim=1)
    with pytest.raises(OncotrialValueError, match="`backend` of `simulate` must be 'local' or 'dask'"):
        simulate(d, [0.1], n_sim=10, backend="spark")  # type: ignore[arg-type]
    with pytest.raises(OncotrialValueError, match="`design` of `simulate` must be a binary design"):
        simulate(object(), [0.1])
    with pytest.raises(OncotrialValueError, match="`scheduler` of `simulate` must be None"):
        simulate(d, [0.1], scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(OncotrialValueError, match="`looks` of `BinaryTrial` must be strictly increasing"):
        BinaryTrial(looks=(5, 5), futility=(0, -1), efficacy=(6, 3))


def test_simulate_binary_9_json_and_plot(tmp_path):
    import json

    d = simon_design(0.10, 0.30).optimal
    res = simulate(d, [0.1, 0.2, 0.3], n_sim=20_000, seed=1)
    out = json.loads(res.to_json(tmp_path / "r.json"))
    assert out["trial"]["looks"] == [10, 29] and out["n_sim"] == 20_000
    assert {r["metric"] for r in out["results"]} == {"reject", "pet", "stop_futility", "stop_efficacy", "en"}
    with pytest.raises(OncotrialValueError, match="does not exist yet"):
        res.to_json(tmp_path / "r.json")
    png = res.plot(tmp_path / "p.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 5000
    wide = res.summary()
    assert list(wide.index) == ["0.1", "0.2", "0.3"]


_BOP2 = BinaryTrial(looks=(10, 20, 30, 40), futility=(0, 3, 6, -1), efficacy=(11, 21, 31, 11), name="bop2-like")


@given(st.floats(0.0, 1.0), st.integers(0, 2**31))
@example(0.35, 0)
@example(2.2250738585072014e-308, 0)  # scipy binom.pmf overflows here: simulated, no exact reference
@settings(max_examples=30, deadline=None)
def test_simulate_binary_10_invariants(p, seed):
    d = _BOP2
    res = simulate(d, [p], n_sim=2_000, seed=seed)
    est = {m: res.estimate(f"{p:g}", m)[0] for m in ("reject", "pet", "stop_futility", "stop_efficacy", "en")}
    assert 0.0 <= est["reject"] <= 1.0 and 10.0 <= est["en"] <= 40.0
    assert est["pet"] == pytest.approx(est["stop_futility"] + est["stop_efficacy"])
    assert est["reject"] + est["stop_futility"] <= 1.0 + 1e-12


def test_simulate_binary_11_mc_se_matches_spread_over_seeds():
    # the reported Monte Carlo SE equals the spread of the estimate over independent seeds:
    # 60 replicates of 4,000 trials, P(reject) = P(Bin(55, 0.2) >= 10) (TALENT design at p = 0.2)
    d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    est, se = zip(*(simulate(d, [0.2], n_sim=4_000, seed=s).estimate("0.2", "reject") for s in range(60)),
                  strict=True)
    p = binom.sf(9, 55, 0.2)
    assert np.mean(se) == pytest.approx(np.sqrt(p * (1 - p) / 4_000), rel=0.02)
    # sd of 60 replicates has relative SE about 1/sqrt(2 * 59) = 9 %; allow 3 of those
    assert np.std(est, ddof=1) == pytest.approx(np.mean(se), rel=0.28)
