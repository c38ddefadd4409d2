"""REML meta-analysis where metafor's default Fisher scoring stops without converging (issue 11).

Goldens: tools/golden_meta_reml.R -> golden/meta_reml_golden.json, R 4.2.2, metafor 3.8-1:
``rma(measure=M, xi=x, ni=n, method="REML", control=list(stepadj=0.5, maxiter=1e5,
threshold=1e-14))`` (the REML optimum), and whether the default ``rma(...)`` converges. Sets: the
case hypothesis found (x = [1, 1, 1, 1, 2], n = [1, 1, 1, 1, 7]), zero-heavy, all-event and
homogeneous sets, and three seeded random sets on which the default call fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oncotrial.evidence import meta_proportion
from oncotrial.evidence._meta import _fisher_scoring, _reml_score, escalc_proportion

GOLDEN = json.loads((Path(__file__).parent / "golden" / "meta_reml_golden.json").read_text())
SETS = [k for k in GOLDEN if not k.startswith("_")]
TOL = 1e-8


@pytest.mark.parametrize("name", SETS)
def test_meta_reml_1_matches_metafor_optimum(name: str) -> None:
    g = GOLDEN[name]
    r = meta_proportion(g["x"], g["n"], measure=g["measure"], method="REML")
    assert r.tau2 == pytest.approx(g["tau2"], abs=TOL)
    assert r.b == pytest.approx(g["b"], abs=TOL)
    assert r.se == pytest.approx(g["se"], abs=TOL)
    assert r.ci.level == 0.95
    # metafor's ci.lb/ci.ub are on the transformed scale: b -/+ z se
    z = 1.959963984540054
    assert r.b - z * r.se == pytest.approx(g["ci_lb"], abs=TOL)
    assert r.b + z * r.se == pytest.approx(g["ci_ub"], abs=TOL)


@pytest.mark.parametrize("name", SETS)
def test_meta_reml_2_fisher_scoring_fails_exactly_where_metafor_fails(name: str) -> None:
    g = GOLDEN[name]
    yi, vi = escalc_proportion(np.asarray(g["x"], float), np.asarray(g["n"], float), g["measure"])
    _, converged = _fisher_scoring(yi, vi)
    assert converged == g["default_converges"]


def test_meta_reml_3_issue11_case_is_a_stationary_point() -> None:
    g = GOLDEN["hypothesis_issue11"]
    assert g["default_converges"] is False
    r = meta_proportion(g["x"], g["n"], measure="PLO", method="REML")
    yi, vi = escalc_proportion(np.asarray(g["x"], float), np.asarray(g["n"], float), "PLO")
    assert abs(_reml_score(yi, vi, r.tau2)) < 1e-12
    assert r.tau2 == pytest.approx(0.265465036954046, abs=1e-8)


def test_meta_reml_4_permutation_of_nonconverging_set_gives_same_optimum() -> None:
    g = GOLDEN["random_02"]
    r1 = meta_proportion(g["x"], g["n"], measure=g["measure"])
    r2 = meta_proportion(g["x"][::-1], g["n"][::-1], measure=g["measure"])
    assert r2.tau2 == pytest.approx(r1.tau2, abs=1e-12)
    assert r2.estimate == pytest.approx(r1.estimate, abs=1e-12)
