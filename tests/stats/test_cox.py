"""Tests of oncotrial.stats.cox_ph.

Reference values come from R 4.2.2, survival 3.5-3 (``coxph``), written by
``Rscript tools/golden_cox.R`` into ``tests/stats/golden/cox_goldens.json``; R is not needed to
run these tests. Hand-computable cases are derived in the comments.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oncotrial import OncotrialValueError
from oncotrial.stats import CoxConvergenceWarning, CoxResult, cox_ph
from oncotrial.stats import _cox as cox_module

GOLDEN = Path(__file__).parent / "golden"
GOLD = json.loads((GOLDEN / "cox_goldens.json").read_text())
RTOL = 1e-6  # iterative fits (issue 3)
COUNTS = ("concordant", "discordant", "tied.x", "tied.y", "tied.xy")


def _case_data(case: dict) -> pd.DataFrame:
    df = pd.read_csv(GOLDEN / case["csv"]) if "csv" in case else pd.DataFrame(case["data"])
    for v in case["factors"]:
        df[v] = df[v].astype(str)
    return df


def _fit_case(case: dict, ties: str) -> CoxResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoxConvergenceWarning)
        return cox_ph(_case_data(case), "time", "status", case["covariates"], ties=ties,
                      strata=case["strata"], reference=case["reference"])


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


CASES = [(c["name"], t) for c in GOLD["cases"] for t in ("efron", "breslow", "exact")]
BY_NAME = {c["name"]: c for c in GOLD["cases"]}


def test_cox_goldens_cover_the_issue_grid():
    names = set(BY_NAME)
    assert len(GOLD["cases"]) >= 15
    assert {"lung", "ovarian", "veteran", "n5000_three_cov", "n20_one_cov"} <= names
    ns = [len(_case_data(c)) for c in GOLD["cases"]]
    assert min(ns) <= 26 and max(ns) == 5000


@pytest.mark.parametrize(("name", "ties"), CASES)
def test_cox_ph_matches_r_coxph(name, ties):
    case = BY_NAME[name]
    r = case["fits"][ties]
    fit = _fit_case(case, ties)
    assert list(fit.table.index) == r["names"]
    assert fit.n == r["n"] and fit.n_events == r["nevent"]
    assert fit.iterations == r["iter"]
    assert _rel([fit.loglik_null, fit.loglik], r["loglik"]) < RTOL
    assert _rel(fit.score_test.statistic, r["score"]) < RTOL
    assert _rel(fit.lr_test.statistic, r["lr"]) < RTOL
    finite = [n not in fit.infinite for n in fit.table.index]
    if name == "n30_separation":
        # R: "Loglik converged before variable 1; coefficient may be infinite."
        assert fit.infinite == ("b1",) and len(r["warnings"]) == 1
        assert "Loglik converged before variable  1 ;" in fit.warnings[0]
        assert fit.table.loc["b1", "coef"] > 10
    else:
        assert fit.infinite == () and r["warnings"] == [] and fit.warnings == ()
        assert _rel(fit.wald_test.statistic, r["wald"]) < RTOL
        assert _rel(fit.var, r["var"]) < RTOL
    t = fit.table[finite]
    keep = np.array(finite)
    assert _rel(t["coef"], np.array(r["coef"])[keep]) < RTOL
    assert _rel(t["se"], np.array(r["se"])[keep]) < RTOL
    assert _rel(t["p"], np.array(r["p"])[keep]) < RTOL
    assert _rel(t["hr_lower"], np.array(r["hr_lower"])[keep]) < RTOL
    assert _rel(t["hr_upper"], np.array(r["hr_upper"])[keep]) < RTOL
    rc = r["concordance"]
    assert [fit.concordance_counts[k] for k in COUNTS] == [rc[k] for k in COUNTS]
    assert _rel(fit.concordance, rc["concordance"]) < RTOL
    assert _rel(fit.concordance_se, rc["std"]) < RTOL


def test_cox_ph_1_hand_computable_breslow_two_events():
    # times 1, 2, 3; events at 1 and 2; x = 1, 0, 1 (no ties).
    # L(b) = r/(2r+1) * 1/(1+r), r = e^b;  dlogL/db = 1 - 2r/(2r+1) - r/(1+r) = 0  <=>  2r^2 = 1
    df = pd.DataFrame({"t": [1, 2, 3], "e": [1, 1, 0], "x": [1.0, 0.0, 1.0]})
    for ties in ("efron", "breslow", "exact"):  # identical without tied events
        fit = cox_ph(df, "t", "e", ["x"], ties=ties)
        b = -math.log(2) / 2
        assert fit.table.loc["x", "coef"] == pytest.approx(b, rel=1e-9)
        r = math.exp(b)
        assert fit.loglik == pytest.approx(math.log(r / ((2 * r + 1) * (1 + r))), rel=1e-12)
        assert fit.loglik_null == pytest.approx(math.log(1 / 3 * 1 / 2), rel=1e-12)
        # information at b: r/(2r+1) - 2r^2... : 2r/(2r+1)^2 + r/(1+r)^2
        info = 2 * r / (2 * r + 1) ** 2 + r / (1 + r) ** 2
        assert fit.table.loc["x", "se"] == pytest.approx(info**-0.5, rel=1e-9)


def test_cox_ph_2_hand_computable_tied_null_loglik():
    # two events tied at t=1 among 3 subjects at risk, beta = 0 (all r = 1):
    # Breslow: -2 log 3;  Efron: -log 3 - log(3 - 2/2) = -log 6;  exact: -log C(3, 2) = -log 3
    df = pd.DataFrame({"t": [1, 1, 2], "e": [1, 1, 0], "x": [1.0, 0.0, 0.5]})
    expect = {"breslow": -2 * math.log(3), "efron": -math.log(6), "exact": -math.log(3)}
    for ties, ll0 in expect.items():
        assert cox_ph(df, "t", "e", ["x"], ties=ties).loglik_null == pytest.approx(ll0, rel=1e-13)


def test_cox_ph_3_score_test_equals_logrank_without_ties():
    # Without tied times the score test of one binary covariate is the log-rank statistic
    # sum(O1 - E1)^2 / sum V1, V1 = n1 n0 / n^2 at each event (hand formula, Mantel 1966).
    rng = np.random.default_rng(3)
    n = 40
    g = rng.integers(0, 2, n)
    t = rng.permutation(n) + 1.0
    e = rng.random(n) < 0.7
    o_e = v = 0.0
    for ti in np.sort(t[e]):
        risk = t >= ti
        n1, nr = (g[risk] == 1).sum(), risk.sum()
        o_e += (g[t == ti] == 1).sum() - n1 / nr
        v += n1 * (nr - n1) / nr**2
    df = pd.DataFrame({"t": t, "e": e.astype(int), "g": g})
    fit = cox_ph(df, "t", "e", ["g"])
    assert fit.score_test.statistic == pytest.approx(o_e**2 / v, rel=1e-12)


def test_cox_ph_4_categorical_reference_and_names():
    case = BY_NAME["veteran"]
    df = _case_data(case)
    fit = cox_ph(df, "time", "status", ["celltype"], reference={"celltype": "large"})
    assert list(fit.table.index) == ["celltypeadeno", "celltypesmallcell", "celltypesquamous"]
    assert fit.reference == (("celltype", "large"),)
    default = cox_ph(df, "time", "status", ["celltype"])
    assert default.reference == (("celltype", "adeno"),)  # first sorted level, as R factor
    # reparametrisation: same likelihood, HR(squamous vs adeno) = HR(sq vs large)/HR(adeno vs large)
    assert fit.loglik == pytest.approx(default.loglik, rel=1e-12)
    assert default.table.loc["celltypesquamous", "coef"] == pytest.approx(
        fit.table.loc["celltypesquamous", "coef"] - fit.table.loc["celltypeadeno", "coef"],
        abs=1e-9)
    # pandas categorical: category order defines the levels; unused categories are dropped
    df["ct"] = pd.Categorical(df["celltype"], categories=["squamous", "unused", "smallcell",
                                                          "adeno", "large"])
    cat = cox_ph(df, "time", "status", ["ct"])
    assert list(cat.table.index) == ["ctsmallcell", "ctadeno", "ctlarge"]
    assert dict(cat.terms)["ct"] == ("ctsmallcell", "ctadeno", "ctlarge")


def test_cox_ph_5_result_object():
    fit = _fit_case(BY_NAME["lung"], "efron")
    assert fit.summary().columns.tolist() == ["coef", "hr", "se", "z", "p", "hr_lower",
                                               "hr_upper"]
    ci = fit.hazard_ratio_ci("sex")
    assert (ci.low, ci.high, ci.level, ci.method) == (
        fit.table.loc["sex", "hr_lower"], fit.table.loc["sex", "hr_upper"], 0.95, "wald")
    assert fit.tests().index.tolist() == ["Likelihood ratio", "Wald", "Score (logrank)"]
    assert fit.term_test("age").statistic == pytest.approx(fit.table.loc["age", "z"] ** 2)
    assert fit.term_test("ph.ecog").df == 3
    assert "CoxResult" in repr(fit) and "<strong>CoxResult" in fit._repr_html_()
    assert fit.ties == "efron" and fit.level == 0.95 and fit.converged
    assert fit.coef["sex"] == fit.table.loc["sex", "coef"]
    with pytest.raises(OncotrialValueError, match=r"`name` of `CoxResult\.hazard_ratio_ci`"):
        fit.hazard_ratio_ci("nope")
    with pytest.raises(OncotrialValueError, match=r"`covariate` of `CoxResult\.term_test`"):
        fit.term_test("nope")
    narrow = cox_ph(_case_data(BY_NAME["lung"]), "time", "status", ["age"], level=0.5)
    lo, hi = narrow.hazard_ratio_ci("age")
    b, se = narrow.table.loc["age", "coef"], narrow.table.loc["age", "se"]
    assert lo == pytest.approx(math.exp(b - 0.6744897501960817 * se), rel=1e-12)
    assert hi == pytest.approx(math.exp(b + 0.6744897501960817 * se), rel=1e-12)


def test_cox_ph_6_warns_like_r_on_separation():
    df = _case_data(BY_NAME["n30_separation"])
    with pytest.warns(CoxConvergenceWarning, match="Loglik converged before variable  1 ;"):
        fit = cox_ph(df, "time", "status", ["b1", "x1"])
    assert fit.converged and fit.infinite == ("b1",)


def test_cox_ph_7_runs_out_of_iterations(monkeypatch):
    monkeypatch.setattr(cox_module._fit.newton_raphson, "__kwdefaults__",
                        {"exact_style": False, "eps": 1e-9, "iter_max": 2})
    df = _case_data(BY_NAME["lung"])
    with pytest.warns(CoxConvergenceWarning, match="Ran out of iterations"):
        fit = cox_ph(df, "time", "status", ["age", "sex"])
    assert not fit.converged and fit.iterations == 2


def test_cox_ph_8_strata_equal_separate_likelihoods():
    # the stratified log-likelihood at beta = 0 is the sum of the strata's null log-likelihoods
    df = _case_data(BY_NAME["n150_strata"])
    fit = cox_ph(df, "time", "status", ["x1"], strata="st")
    parts = [cox_ph(g, "time", "status", ["x1"]).loglik_null for _, g in df.groupby("st")]
    assert fit.loglik_null == pytest.approx(sum(parts), rel=1e-12)
    assert fit.strata == ("st",)
    two = cox_ph(df.assign(k=df["x2"] > 0), "time", "status", ["x1"], strata=["st", "k"])
    parts = [cox_ph(g, "time", "status", ["x1"]).loglik_null
             for _, g in df.assign(k=df["x2"] > 0).groupby(["st", "k"])]
    assert two.loglik_null == pytest.approx(sum(parts), rel=1e-12)


def _brute_concordance(t, e, lp, strata):
    # O(n^2) restatement of R's rules (independent of the implementation).
    n = len(t)
    infl = np.zeros((n, 3))
    tot = dict.fromkeys(COUNTS, 0)
    for i in range(n):
        for j in range(n):
            if i == j or strata[i] != strata[j] or not e[i]:
                continue
            if t[i] == t[j] and e[j]:
                if i < j:
                    tot["tied.xy" if lp[i] == lp[j] else "tied.y"] += 1
                continue
            if t[i] < t[j] or (t[i] == t[j] and not e[j]):
                k = 0 if lp[i] > lp[j] else 1 if lp[i] < lp[j] else 2
                tot[COUNTS[k]] += 1
                infl[i, k] += 1
                infl[j, k] += 1
    npair = tot["concordant"] + tot["discordant"] + tot["tied.x"]
    if npair == 0:
        return tot, math.nan, math.nan
    somer = (tot["concordant"] - tot["discordant"]) / npair
    dfb = (infl[:, 0] - infl[:, 1]) / npair - somer / npair * infl.sum(axis=1)
    return tot, (somer + 1) / 2, math.sqrt((dfb**2).sum() / 4)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**31 - 1), st.integers(1, 3))
def test_cox_concordance_matches_pairwise_definition(n, seed, nstrata):
    from oncotrial.stats._cox_concordance import concordance

    rng = np.random.default_rng(seed)
    t = rng.integers(1, 8, n).astype(float)
    e = rng.random(n) < 0.6
    lp = rng.integers(0, 4, n) * 0.5
    s = rng.integers(0, nstrata, n)
    assume(e.any())
    tot, c, se = _brute_concordance(t, e, lp, s)
    counts, c2, se2 = concordance(t, e, lp, s if nstrata > 1 else None)
    got = dict(zip(COUNTS, (counts.concordant, counts.discordant, counts.tied_x, counts.tied_y,
                            counts.tied_xy), strict=True))
    assert got == tot
    assert c2 == pytest.approx(c, rel=1e-12, nan_ok=True)
    assert se2 == pytest.approx(se, rel=1e-9, abs=1e-15, nan_ok=True)


@st.composite
def _survival_frames(draw):
    n = draw(st.integers(12, 40))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    t = np.ceil(rng.exponential(np.exp(-0.5 * x1)) * 4)  # integer times: ties
    e = (rng.random(n) < 0.7).astype(int)
    e[0] = 1
    return pd.DataFrame({"t": t, "e": e, "x1": x1, "x2": x2})


def _quiet_fit(df, cov=("x1", "x2"), **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoxConvergenceWarning)
        return cox_ph(df, "t", "e", list(cov), **kw)


_PROP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROP
@given(_survival_frames(), st.floats(-1e3, 1e3), st.sampled_from(["efron", "breslow", "exact"]))
def test_cox_ph_hr_invariant_to_covariate_shift(df, shift, ties):
    base = _quiet_fit(df, ties=ties)
    assume(base.converged and not base.infinite)
    moved = _quiet_fit(df.assign(x1=df["x1"] + shift), ties=ties)
    np.testing.assert_allclose(moved.table["coef"], base.table["coef"], rtol=1e-6, atol=1e-9)
    assert moved.loglik == pytest.approx(base.loglik, rel=1e-9)


@_PROP
@given(_survival_frames(), st.integers(0, 2**31 - 1), st.sampled_from(["efron", "exact"]))
def test_cox_ph_invariant_to_row_permutation(df, seed, ties):
    base = _quiet_fit(df, ties=ties)
    assume(base.converged and not base.infinite)
    perm = df.iloc[np.random.default_rng(seed).permutation(len(df))]
    other = _quiet_fit(perm, ties=ties)
    np.testing.assert_allclose(other.table["coef"], base.table["coef"], rtol=1e-9, atol=1e-12)
    assert other.concordance == base.concordance
    assert other.concordance_se == pytest.approx(base.concordance_se, rel=1e-12)


@_PROP
@given(_survival_frames(), st.sampled_from(["efron", "breslow"]))
def test_cox_ph_sign_flip_and_scale(df, ties):
    base = _quiet_fit(df, ties=ties)
    assume(base.converged and not base.infinite)
    flipped = _quiet_fit(df.assign(x1=-df["x1"]), ties=ties)
    assert flipped.table.loc["x1", "coef"] == pytest.approx(-base.table.loc["x1", "coef"],
                                                             rel=1e-6, abs=1e-9)
    scaled = _quiet_fit(df.assign(x2=df["x2"] * 10), ties=ties)
    assert scaled.table.loc["x2", "coef"] == pytest.approx(base.table.loc["x2", "coef"] / 10,
                                                            rel=1e-6, abs=1e-9)
    # the linear predictor is unchanged, hence so is the concordance
    assert flipped.concordance == pytest.approx(base.concordance, rel=1e-12)


def _frame():
    return pd.DataFrame({"t": [3.0, 1.0, 4.0, 2.0, 5.0], "e": [1, 0, 1, 1, 0],
                         "x": [0.1, 0.5, 0.2, 0.9, 0.4], "g": ["a", "b", "a", "b", "a"]})


@pytest.mark.parametrize(("change", "kwargs", "match"), [
    ({"t": [3.0, np.nan, 4.0, 2.0, 5.0]}, {},
     r"`data\['t'\]` of `cox_ph` must be finite; got nan at index 1"),
    ({"t": [3.0, 1.0, -4.0, 2.0, 5.0]}, {},
     r"`data\['t'\]` of `cox_ph` must be non-negative; got -4.0 at index 2"),
    ({"e": [1, 0, 2, 1, 0]}, {}, r"`data\['e'\]` of `cox_ph` must be 0/1 or boolean .* at index 2"),
    ({"e": [1, 0, None, 1, 0]}, {},
     r"`data\['e'\]` of `cox_ph` must not contain missing values; got nan at index 2"),
    ({"e": [0, 0, 0, 0, 0]}, {}, r"`event` of `cox_ph` must be 1 for at least one row"),
    ({"x": [0.1, 0.5, np.inf, 0.9, 0.4]}, {},
     r"`data\['x'\]` of `cox_ph` must be finite; got inf at index 2"),
    ({"g": ["a", None, "a", "b", "a"]}, {"covariates": ["g"]},
     r"`data\['g'\]` of `cox_ph` must not contain missing values; got (None|nan) at index 1"),
    ({}, {"covariates": ["nope"]},
     r"`covariates` of `cox_ph` must be a column name of `data`; got 'nope'"),
    ({}, {"covariates": []}, r"`covariates` of `cox_ph` must be a non-empty list"),
    ({}, {"covariates": ["x", "x"]}, r"must be free of duplicates"),
    ({}, {"ties": "kalbfleisch"},
     r"`ties` of `cox_ph` must be one of \{'efron', 'breslow', 'exact'\}"),
    ({}, {"level": 1.2}, r"`level` of `cox_ph` must be in \(0, 1\)"),
    ({}, {"covariates": ["g"], "reference": {"g": "z"}},
     r"`reference` of `cox_ph` must be a level of `g`"),
    ({}, {"reference": {"zz": "0"}},
     r"`reference` of `cox_ph` must be keyed by categorical covariates or other columns"),
    ({}, {"reference": {"x": "0"}},
     r"`reference` of `cox_ph` must be keyed by categorical covariates .*got \['x'\]"),
    ({"x2": [1.0, 1.0, 1.0, 1.0, 1.0]}, {"covariates": ["x", "x2"]},
     r"column 'x2' is constant or a linear combination"),
    ({"x2": [0.2, 1.0, 0.4, 1.8, 0.8]}, {"covariates": ["x", "x2"]},
     r"column 'x2' is constant or a linear combination of \['x'\]"),
    ({"g": ["a"] * 5}, {"covariates": ["g"]}, r"covariates with at least two levels"),
    ({}, {"strata": "zz"}, r"`strata` of `cox_ph` must be a column name"),
    ({"s": [1, None, 2, 1, 2]}, {"strata": "s"},
     r"`data\['s'\]` of `cox_ph` must not contain missing values; got nan at index 1"),
])
def test_cox_ph_9_bad_input_names_argument_and_index(change, kwargs, match):
    df = _frame().assign(**change)
    cov = kwargs.pop("covariates", ["x"])
    with pytest.raises(ValueError, match=match):
        cox_ph(df, "t", "e", cov, **kwargs)


def test_cox_ph_10_bad_data_and_exact_tie_limit(monkeypatch):
    with pytest.raises(OncotrialValueError, match="`data` of `cox_ph` must be a pandas DataFrame"):
        cox_ph({"t": [1]}, "t", "e", ["x"])
    monkeypatch.setattr(cox_module, "EXACT_MAX_TIES", 1)
    df = pd.DataFrame({"t": [1, 1, 2, 3], "e": [1, 1, 1, 0], "x": [0.0, 1.0, 0.5, 0.2]})
    with pytest.raises(OncotrialValueError, match="The largest tie has 2 events"):
        cox_ph(df, "t", "e", ["x"], ties="exact")
    assert cox_ph(df, "t", "e", "x", ties="efron").n == 4  # a single name is accepted
    # a reference for a column left out of the model is ignored (one mapping, many models)
    df["g"] = ["a", "b", "a", "b"]
    assert cox_ph(df, "t", "e", ["x"], reference={"g": "b"}).reference == ()


def test_cox_ph_11_timefix_merges_near_ties_like_r():
    # golden n50_timefix_near_ties: half the times are multiplied by (1 + 1e-10); R's
    # aeqSurv merges them back into ties (matched by the golden test above); without
    # timefix they are distinct times and Efron's tie correction no longer applies.
    df = _case_data(BY_NAME["n50_timefix_near_ties"])
    fixed = cox_ph(df, "time", "status", ["x1", "x2"])
    raw = cox_ph(df, "time", "status", ["x1", "x2"], timefix=False)
    rounded = cox_ph(df.assign(time=df["time"].round(6)), "time", "status", ["x1", "x2"],
                     timefix=False)
    np.testing.assert_allclose(fixed.table["coef"], rounded.table["coef"], rtol=1e-12)
    assert abs(raw.table.loc["x2", "coef"] - fixed.table.loc["x2", "coef"]) > 1e-3
    with pytest.raises(OncotrialValueError, match="`timefix` of `cox_ph` must be True or False"):
        cox_ph(df, "time", "status", ["x1"], timefix="yes")
