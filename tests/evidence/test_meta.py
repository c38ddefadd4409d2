"""meta_proportion against R metafor 3.8-1 goldens (tools/golden_meta.R -> golden/meta_golden.json).

Goldens were generated with R 4.2.2, metafor 3.8-1, lme4 1.1-31:
``rma(measure=M, xi=x, ni=n, method=T)``; ``predict(res, transf=transf.ilogit)`` or
``predict(res, transf=transf.ipft.hm, targs=list(ni=n))``; ``rma.glmm(measure="PLO", xi=x, ni=n)``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial import OncotrialValueError
from oncotrial.evidence import meta_proportion
from oncotrial.evidence._glmm import agq_deviance

GOLDEN = json.loads((Path(__file__).parent / "golden" / "meta_golden.json").read_text())
SETS = [k for k in GOLDEN if not k.startswith("_")]
UNI = [(s, m) for s in SETS for m in ("PLO_REML", "PLO_DL", "PFT_REML", "PFT_DL")]
GLMM_SETS = [s for s in SETS if "GLMM" in GOLDEN[s]]
TOL = 1e-6
_GLMM_FITS: dict = {}


def _glmm(name: str):
    """One GLMM fit per input set, shared by the GLMM tests (the large-k fit takes ~2 s)."""
    if name not in _GLMM_FITS:
        e = GOLDEN[name]
        _GLMM_FITS[name] = meta_proportion(e["x"], e["n"], method="GLMM")
    return _GLMM_FITS[name]


@pytest.mark.parametrize(("name", "key"), UNI)
def test_meta_proportion_1_matches_metafor_rma(name: str, key: str) -> None:
    e, g = GOLDEN[name], GOLDEN[name][key]
    measure, method = key.split("_")
    r = meta_proportion(e["x"], e["n"], measure=measure, method=method)
    got = {"b": r.b, "se": r.se, "tau2": r.tau2, "I2": r.i2, "H2": r.h2, "QE": r.q,
           "QEp": r.q_pvalue, "pred": r.estimate, "pred_ci_lb": r.ci.low, "pred_ci_ub": r.ci.high,
           "pred_pi_lb": r.pi.low, "pred_pi_ub": r.pi.high}
    for field, value in got.items():
        assert value == pytest.approx(g[field], abs=TOL, rel=TOL), field
    np.testing.assert_allclose(r.weights, g["weights"], atol=TOL)
    np.testing.assert_allclose(r.yi, g["yi"], atol=1e-12)
    np.testing.assert_allclose(r.vi, g["vi"], atol=1e-12)
    assert r.k == g["k"] and r.q_df == g["k"] - 1


@pytest.mark.parametrize("name", GLMM_SETS)
def test_meta_proportion_2_glmm_deviance_equals_lme4(name: str) -> None:
    """Our AGQ deviance at lme4's optimum equals lme4's devfun there (tolPwrss = 1e-13)."""
    e, g = GOLDEN[name], GOLDEN[name]["GLMM"]["exact"]
    dev = agq_deviance(np.array([g["tau"], g["b"]]), np.asarray(e["x"], float),
                       np.asarray(e["n"], float))
    assert dev == pytest.approx(g["deviance"], abs=1e-8)


@pytest.mark.parametrize("name", GLMM_SETS)
def test_meta_proportion_3_glmm_matches_tight_lme4_optimum(name: str) -> None:
    """Against lme4's deviance re-optimised tightly (nlminb + L-BFGS-B) and a numDeriv Hessian."""
    g = GOLDEN[name]["GLMM"]["exact"]
    r = _glmm(name)
    assert r.tau2 == pytest.approx(g["tau2"], abs=TOL, rel=TOL)
    assert r.b == pytest.approx(g["b"], abs=TOL, rel=TOL)
    assert r.se == pytest.approx(g["se"], abs=TOL, rel=TOL)


@pytest.mark.parametrize("name", GLMM_SETS)
def test_meta_proportion_4_glmm_matches_metafor_defaults(name: str) -> None:
    """metafor's own rma.glmm output: lme4's default optimiser stops early, so 1e-4 (measured
    worst: b 9e-6, se 2.4e-5, tau2 4.7e-5, back-transformed estimate/limits 2e-6)."""
    g = GOLDEN[name]["GLMM"]["metafor"]
    r = _glmm(name)
    for field, value in {"b": r.b, "se": r.se, "tau2": r.tau2, "pred": r.estimate,
                         "pred_ci_lb": r.ci.low, "pred_ci_ub": r.ci.high,
                         "pred_pi_lb": r.pi.low, "pred_pi_ub": r.pi.high}.items():
        assert value == pytest.approx(g[field], abs=1e-4), field
    assert r.i2 == pytest.approx(g["I2"], abs=1e-3)
    assert r.q == pytest.approx(g["QE_LRT"], abs=1e-6)
    assert r.q_test == "lrt"


def test_meta_proportion_5_hand_computed_dl() -> None:
    """k = 2 by hand: y = logit(4/20), logit(10/25); v = 1/x + 1/(n-x)."""
    y = np.log([4 / 16, 10 / 15])
    v = np.array([1 / 4 + 1 / 16, 1 / 10 + 1 / 15])
    w = 1 / v
    q = np.sum(w * (y - np.sum(w * y) / w.sum()) ** 2)
    tau2 = max(0.0, (q - 1) / (w.sum() - np.sum(w**2) / w.sum()))
    ws = 1 / (v + tau2)
    b = np.sum(ws * y) / ws.sum()
    r = meta_proportion([4, 10], [20, 25], method="DL")
    assert r.tau2 == pytest.approx(tau2, rel=1e-12)
    assert r.estimate == pytest.approx(1 / (1 + np.exp(-b)), rel=1e-12)
    assert r.q == pytest.approx(q, rel=1e-12)


def test_meta_proportion_6_zero_cell_gets_half() -> None:
    """metafor escalc(add=1/2, to='only0'): x=0 of 10 -> logit(0.5/10.5), v = 1/0.5 + 1/10.5."""
    r = meta_proportion([0, 3], [10, 15], method="DL")
    assert r.yi[0] == pytest.approx(np.log(0.5 / 10.5), rel=1e-14)
    assert r.vi[0] == pytest.approx(1 / 0.5 + 1 / 10.5, rel=1e-14)
    assert r.yi[1] == pytest.approx(np.log(3 / 12), rel=1e-14)  # untouched
    pft = meta_proportion([0, 3], [10, 15], measure="PFT", method="DL")
    assert pft.yi[0] == pytest.approx(0.5 * np.arcsin(np.sqrt(1 / 11)), rel=1e-14)  # no add


def test_meta_proportion_7_homogeneous_gives_tau2_zero_in_all_methods() -> None:
    for method in ("REML", "DL", "GLMM"):
        r = meta_proportion([5, 10, 15], [20, 40, 60], method=method)
        assert r.tau2 == 0.0
        assert r.estimate == pytest.approx(0.25, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": [1, 2], "n": [10]}, "same length"),
        ({"x": [11, 2], "n": [10, 10]}, r"`x` of `meta_proportion` must be <= `n`.*index 0"),
        ({"x": [1.5, 2], "n": [10, 10]}, "integer counts"),
        ({"x": [1], "n": [10]}, "at least 2 studies"),
        ({"x": [1, 2], "n": [0, 10]}, "must be >= 1"),
        ({"x": [1, 2], "n": [10, 10], "measure": "PR"}, "`measure`"),
        ({"x": [1, 2], "n": [10, 10], "measure": "PFT", "method": "GLMM"}, "'PLO' when"),
        ({"x": [1, 2], "n": [10, 10], "level": 95}, "`level`"),
    ],
)
def test_meta_proportion_8_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(OncotrialValueError, match=match):
        meta_proportion(**kwargs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 40)), min_size=2, max_size=8),
       st.sampled_from(["PLO", "PFT"]), st.sampled_from(["REML", "DL"]), st.randoms())
# found by hypothesis (issue 11): metafor's Fisher scoring oscillates and does not converge
@example(pairs=[(1, 1), (1, 1), (1, 1), (1, 1), (2, 7)], measure="PLO", method="REML",
         rnd=random.Random(0))
def test_meta_proportion_9_properties(pairs, measure, method, rnd) -> None:
    """Permutation invariance, estimate inside CI inside PI, weights sum to 100, I² in [0, 100)."""
    x = [min(a, b) for a, b in pairs]
    n = [b for _, b in pairs]
    r = meta_proportion(x, n, measure=measure, method=method)
    idx = list(range(len(x)))
    rnd.shuffle(idx)
    r2 = meta_proportion([x[i] for i in idx], [n[i] for i in idx], measure=measure, method=method)
    assert r2.estimate == pytest.approx(r.estimate, abs=1e-9)
    assert r2.tau2 == pytest.approx(r.tau2, abs=1e-7)
    if np.isfinite(r.ci.low) and np.isfinite(r.ci.high):
        assert r.ci.low - 1e-12 <= r.estimate <= r.ci.high + 1e-12
    if np.isfinite(r.pi.low) and np.isfinite(r.ci.low):
        assert r.pi.low <= r.ci.low + 1e-12
    assert sum(r.weights) == pytest.approx(100.0)
    assert 0.0 <= r.i2 < 100.0


def test_meta_proportion_10_summary_and_studies_tables() -> None:
    r = meta_proportion([2, 5, 9], [10, 20, 30])
    s = r.summary()
    assert list(s.columns[:4]) == ["measure", "method", "k", "estimate"]
    assert s.loc[0, "k"] == 3
    t = r.studies()
    assert t["proportion"].tolist() == pytest.approx([0.2, 0.25, 0.3])
    assert "MetaProportionResult" in repr(r)
