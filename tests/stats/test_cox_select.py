"""Tests of oncotrial.stats.backward_select (NICE-NEC backward elimination, seed 002).

Reference runs: the same rule written independently in R (function ``backward`` in
``tools/golden_cox.R``, R 4.2.2, survival 3.5-3) on a synthetic NICE-NEC-like data set and on
R's ``veteran`` data; results in ``tests/stats/golden/cox_goldens.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.stats import BackwardSelectionResult, backward_select, cox_ph
from oncotrial.stats._select import NICE_NEC_ALPHA, NICE_NEC_MIN_VARIABLES

GOLDEN = Path(__file__).parent / "golden"
GOLD = json.loads((GOLDEN / "cox_goldens.json").read_text())
SEL = {c["name"]: c for c in GOLD["selection"]}


def _data(case: dict) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / case["csv"]) if "csv" in case else pd.DataFrame(case["data"])


@pytest.mark.parametrize("name", sorted(SEL))
def test_backward_select_matches_r_rule(name):
    case = SEL[name]
    r = case["result"]
    res = backward_select(_data(case), "time", "status", case["candidates"],
                          test=case.get("test", "wald"), ties=case.get("ties", "efron"))
    assert [s.removed for s in res.steps] == [s["removed"] for s in r["steps"]]
    np.testing.assert_allclose([s.pvalue for s in res.steps], [s["p"] for s in r["steps"]],
                               rtol=1e-6)
    assert list(res.selected) == r["final"]
    np.testing.assert_allclose(list(res.final_pvalues.values()), r["final_p"], rtol=1e-6)
    np.testing.assert_allclose(res.final.table["coef"], r["final_coef"], rtol=1e-6)
    assert res.reached_significant_set is r["reached"]


def test_backward_select_1_seed_002_rule_constants(seeds_dir):
    # The constants quote the NICE-NEC methods; check the quoted text is in the seed.
    text = next(seeds_dir.glob("002_*.txt")).read_text()
    assert "results with $p < 0.05$ were considered significant" in text
    assert re.search(r"'backward' stepwise selection method", text)
    assert "the last two remaining variables were included" in text
    assert (NICE_NEC_ALPHA, NICE_NEC_MIN_VARIABLES) == (0.05, 2)


def test_backward_select_2_floor_of_two_when_nothing_is_significant():
    case = SEL["veteran_no_significant_set"]
    res = backward_select(_data(case), "time", "status", case["candidates"])
    assert len(res.selected) == 2 and not res.reached_significant_set
    assert all(p >= 0.05 for p in res.final_pvalues.values())
    # a lower floor keeps eliminating, down to one covariate
    one = backward_select(_data(case), "time", "status", case["candidates"], min_variables=1)
    assert len(one.selected) == 1 and [s.removed for s in one.steps][:2] == ["trt", "age"]


def test_backward_select_3_stops_at_once_when_all_significant():
    df = _data(SEL["veteran"])
    res = backward_select(df, "time", "status", ["celltype", "karno"])
    assert res.steps == () and res.selected == ("celltype", "karno")
    assert res.reached_significant_set and res.summary().empty
    # p-values are the joint Wald tests of each term in the final model
    fit = cox_ph(df, "time", "status", ["celltype", "karno"])
    assert res.final_pvalues["celltype"] == fit.term_test("celltype").pvalue
    assert res.final.loglik == fit.loglik


def test_backward_select_4_result_and_steps_table():
    case = SEL["veteran"]
    res = backward_select(_data(case), "time", "status", case["candidates"],
                          reference={"celltype": "large"})
    assert isinstance(res, BackwardSelectionResult)
    tab = res.summary()
    assert tab["removed"].tolist() == ["diagtime", "prior", "age", "trt"]
    assert tab["n_candidates"].tolist() == [6, 5, 4, 3]
    assert res.steps[0].pvalues["diagtime"] == res.steps[0].pvalue
    assert res.final.reference == (("celltype", "large"),)
    assert (res.alpha_remove, res.min_variables, res.test) == (0.05, 2, "wald")
    assert "BackwardSelectionResult" in repr(res)


def test_backward_select_5_stricter_alpha_removes_more():
    case = SEL["nicenec_synthetic"]
    df = _data(case)
    loose = backward_select(df, "time", "status", case["candidates"], alpha_remove=0.10)
    strict = backward_select(df, "time", "status", case["candidates"], alpha_remove=0.01)
    assert set(strict.selected) <= set(loose.selected)
    assert all(p < 0.10 for p in loose.final_pvalues.values()) or len(loose.selected) == 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"candidates": []}, r"`candidates` of `backward_select` must be a non-empty list"),
    ({"candidates": ["age", "age"]},
     r"`candidates` of `backward_select` must be a non-empty list of distinct"),
    ({"alpha_remove": 1.5}, r"`alpha_remove` of `backward_select` must be in \(0, 1\)"),
    ({"min_variables": 0}, r"`min_variables` of `backward_select` must be an integer >= 1"),
    ({"min_variables": 1.5}, r"`min_variables` of `backward_select` must be an integer >= 1"),
    ({"test": "score"}, r"`test` of `backward_select` must be one of \{'wald', 'lr'\}"),
    ({"candidates": ["age", "nope"]}, r"`covariates` of `cox_ph` must be a column name"),
])
def test_backward_select_6_bad_input(kwargs, match):
    df = _data(SEL["veteran"])
    args = {"candidates": ["age", "karno"], **kwargs}
    with pytest.raises(OncotrialValueError, match=match):
        backward_select(df, "time", "status", **args)
