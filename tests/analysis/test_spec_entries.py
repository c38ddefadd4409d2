"""Every spec entry honoured or refused (issue 12): analysis sets, cohorts, subgroups, Cox
covariates, AE tables, response estimates, comparisons -- on the bundled example study."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial._errors import OncotrialValueError
from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
from oncotrial.analysis._safety import ae_table, grade_source
from oncotrial.analysis._spec_sets import SafetyTableSpec
from oncotrial.cli import app
from oncotrial.report._methods import methods_paragraphs
from oncotrial.report._tables import build_tables


def _raw() -> dict:
    return tomllib.loads(example_spec_path().read_text(encoding="utf-8"))


def _spec(**changes):
    raw = _raw()
    for section, value in changes.items():
        if isinstance(value, dict) and isinstance(raw.get(section), dict):
            raw[section] = {**raw[section], **value}
        else:
            raw[section] = value
    return parse_study_spec(raw, example_spec_path().parent)


def test_subgroup_1_missing_column_is_an_error_naming_key_and_column():
    spec = _spec(subgroups=[{"name": "Stage", "column": "stage"}])
    with pytest.raises(OncotrialValueError,
                       match=r"`\[\[subgroups\]\]\[0\]\.column`.*'stage' \(absent"):
        analyze_study(spec)


def test_subgroup_2_optional_missing_column_is_a_visible_note():
    a = analyze_study(_spec(subgroups=[{"name": "Stage", "column": "stage", "optional": True},
                                       {"name": "Sex", "column": "sex"}]))
    t = build_tables(a.results)
    assert "Subgroup 'Stage' not analysed" in t["subgroups"].loc[("Stage", "—")].iloc[1]
    assert any("'stage'" in n for n in t["notes"]["Note"])
    assert ("Sex", "F") in t["subgroups"].index


def test_cox_3_covariate_absent_or_without_values_is_an_error():
    with pytest.raises(OncotrialValueError, match=r"`\[cox\]\.covariates\[1\]`.*'stage'"):
        analyze_study(_spec(cox={"covariates": ["age", "stage"]}))
    # actual_arm is empty in the example data, arm has one value: no usable values
    with pytest.raises(OncotrialValueError,
                       match=r"`\[cox\]\.covariates\[1\]`.*'actual_arm' \(without values"):
        analyze_study(_spec(cox={"covariates": ["age", "actual_arm"]}))
    with pytest.raises(OncotrialValueError, match=r"'arm' \(without two distinct"):
        analyze_study(_spec(cox={"covariates": ["age", "arm"]}))


def test_cox_4_optional_covariate_gives_note_and_methods_describe_the_fitted_model():
    a = analyze_study(_spec(cox={"covariates": ["age", "sex", "stage"],
                                 "optional": ["stage"]}))
    cx = a.results["cox"]
    assert cx["covariates"] == ["age", "sex"] and "stage" in cx["notes"][0]
    txt = " ".join(methods_paragraphs(a.results))
    assert "for age, sex;" in txt and "stage" not in txt.split("Cox regression")[1][:200]
    assert "note" in build_tables(a.results)["cox"].index.get_level_values(0)


def test_cohorts_5_unknown_cohort_error_exclude_and_order():
    with pytest.raises(OncotrialValueError, match=r"`\[cohorts\]\.order\[1\]`.*'lung'"):
        analyze_study(_spec(cohorts={"order": ["pNET", "lung"]}))
    a = analyze_study(_spec(cohorts={"order": ["siNET", "pNET"], "exclude": ["pNET"],
                                     "overall": True}))
    assert a.results["study"]["cohorts"] == ["siNET"]
    assert a.results["flow_excluded_cohorts"] == {"pNET": 10}
    assert "Cohort pNET left out ([cohorts].exclude)" in build_tables(a.results)["flow"].index
    b = analyze_study(_spec(cohorts={"order": ["siNET", "pNET"], "overall": False}))
    assert b.results["study"]["cohorts"] == ["siNET", "pNET"]  # no "All" unless asked


def test_cohorts_6_all_column_only_when_asked():
    raw = _raw()
    del raw["cohorts"]["overall"]
    s = parse_study_spec(raw, example_spec_path().parent)
    assert s.overall is False
    assert "All" not in analyze_study(s).results["study"]["cohorts"]


def test_sets_7_per_analysis_sets_and_reasons():
    a = analyze_study(_spec(
        sets={"fas": {"within": "enrolled"},
              "pp": {"label": "Per-protocol", "within": "fas", "require": ["measurable"]}},
        populations={"response": "pp", "os": "treated"}))
    r = a.results
    assert r["study"]["analysis_sets"]["response"] == "pp"
    n_pp = int((a.adsl["ANL_PP"] == "Y").sum())
    assert sum(v["n_evaluable"] for k, v in r["response"].items() if k != "All") == n_pp
    assert r["survival"]["OS"]["All"]["n"] == int((a.adsl["ANL_TREATED"] == "Y").sum())
    assert "Per-protocol [pp]" in build_tables(r)["flow"].index


@pytest.mark.parametrize(("changes", "match"), [
    ({"sets": {"fas": {"within": "nowhere"}}}, r"`\[sets\.fas\]\.within`"),
    ({"sets": {"fas": {"require": ["scanned"]}}}, r"`\[sets\.fas\]\.require\[0\]`"),
    ({"sets": {"treated": {}}}, r"`\[sets\.treated\]`"),
    ({"sets": {"a": {"within": "b"}, "b": {"within": "a"}}}, r"free of cycles"),
    ({"populations": {"response": "pp"}}, r"`\[populations\]\.response`"),
    ({"response": {"orr": {"method": "bayes", "prior": [0, 1]}}}, r"`\[response\.orr\]\.prior`"),
    ({"response": {"orr": {"method": "wilson", "p0": 0.1}}}, r"`\[response\.orr\]\.method`"),
    ({"response": {"orr": {"interval": "shortest"}}}, r"`\[response\.orr\]\.interval`"),
    ({"safety": {"tables": [{"kind": "fatal"}]}}, r"`\[\[safety\.tables\]\]\[0\]\.kind`"),
    ({"safety": {"columns": ["1-2", "4"]}}, r"`\[safety\]\.columns\[1\]`"),
    ({"comparisons": {"compare": ["pNET"]}}, r"`\[comparisons\]\.reference`"),
    ({"comparisons": {"reference": "pNET", "test": "cmh"}}, r"`\[comparisons\]\.test`"),
    ({"comparisons": {"reference": "pNET", "diff_method": "exact"}},
     r"`\[comparisons\]\.diff_method`"),
    ({"cohorts": {"safety_by": "arm"}}, r"`\[cohorts\]\.safety_by`"),
    ({"cox": {"optional": ["stage"]}}, r"`\[cox\]\.optional\[0\]`"),
])
def test_spec_8_new_keys_validated(changes, match):
    with pytest.raises(OncotrialValueError, match=match):
        _spec(**changes)


def test_sets_9_flag_missing_column_is_an_error():
    with pytest.raises(OncotrialValueError, match=r"`\[sets\.fas\]\.flag`.*'pp_fl'"):
        analyze_study(_spec(sets={"fas": {"flag": "pp_fl"}}))


def test_cli_10_spec_error_exit_2_nothing_written(tmp_path):
    raw = (example_spec_path().read_text(encoding="utf-8")
           .replace('data = "../../data/example"', f'data = "{_spec().data}"')
           + '\n[[subgroups]]\nname = "Stage"\ncolumn = "stage"\n')
    p = tmp_path / "s.toml"
    p.write_text(raw)
    r = CliRunner().invoke(app, ["analyze", str(p), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "[[subgroups]][2].column" in r.output and "'stage'" in r.output
    assert not (tmp_path / "out").exists()


def test_comparisons_11_example_cohorts(tmp_path):
    a = analyze_study(_spec(comparisons={"reference": "pNET", "endpoints": ["PFS", "ORR"]}))
    cm = a.results["comparisons"]
    assert [p["arm"] for p in cm["pairs"]] == ["siNET"]
    o = cm["pairs"][0]["ORR"]
    resp = a.results["response"]
    assert (o["x"], o["n"]) == ([resp["siNET"]["orr"]["x"], resp["pNET"]["orr"]["x"]],
                               [resp["siNET"]["orr"]["n"], resp["pNET"]["orr"]["n"]])
    t = build_tables(a.results)["comparisons"]
    assert ("siNET vs pNET", "PFS") in t.index and ("siNET vs pNET", "ORR") in t.index


def test_newcombe_12_published_example():
    # Newcombe (1998) Stat Med 17:873, Table II example (h): 56/70 vs 48/80, method 10:
    # difference 0.2000, 95% CI 0.0524 to 0.3339.
    from statsmodels.stats.proportion import confint_proportions_2indep

    from oncotrial.analysis._compare import _SM_METHOD

    lo, hi = confint_proportions_2indep(56, 70, 48, 80, method=_SM_METHOD["newcombe"],
                                        compare="diff")
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def _ae_frames():
    adsl = pd.DataFrame({"USUBJID": [f"s{i}" for i in range(20)], "COHORT": "X",
                         "ANLSAF": "Y"})
    rows = [("s0", "RASH", 5), ("s1", "RASH", 2), ("s2", "NAUSEA", 1), ("s3", "NAUSEA", 3),
            ("s3", "NAUSEA", 1), ("s4", "EPISTAXIS", 1)]
    adae = pd.DataFrame(rows, columns=["USUBJID", "AEDECOD", "ATOXGRN"]).assign(
        TRTEMFL="Y", AREL=["Y", "N", "Y", "Y", "Y", "N"], AESER="N", APHASE="T")
    return adsl, adae


def test_safety_13_threshold_strict_and_forced_terms():
    adsl, adae = _ae_frames()
    spec = type("S", (), {"ae_threshold": 10.0})()
    t = ae_table(adsl, adae, ["X"], spec, table=SafetyTableSpec("all", 10.0))
    assert [r["term"] for r in t["terms"]] == ["NAUSEA", "RASH"]      # 2/20 = 10 % >= 10
    t = ae_table(adsl, adae, ["X"], spec, table=SafetyTableSpec("all", 10.0, strict=True))
    assert t["terms"] == []                                           # 10 % is not > 10
    t = ae_table(adsl, adae, ["X"], spec,
                 table=SafetyTableSpec("all", 10.0, True, ("Epistaxis",)))
    assert [(r["term"], r["forced"]) for r in t["terms"]] == [("EPISTAXIS", True)]
    t = ae_table(adsl, adae, ["X"], spec, table=SafetyTableSpec("related", 0.0))
    assert [r["term"] for r in t["terms"]] == ["NAUSEA", "RASH"]
    c = t["any_teae"]["X"]
    assert (c["any"], c["1-2"], c["3-4"], c["5"], c[">=3"]) == (3, 1, 1, 1, 2)
    nausea = t["terms"][0]["by_cohort"]["X"]
    assert (nausea["any"], nausea["3-4"], nausea["1-2"]) == (2, 1, 1)  # worst grade of s3


def test_safety_14_grade_source_in_methods():
    ae = pd.DataFrame({"grade": [np.nan, np.nan], "severity": ["MILD", "SEVERE"]})
    assert grade_source(ae) == {"ctcae": 0, "severity": 2, "missing": 0}
    a = analyze_study(_spec())
    r = {**a.results, "study": {**a.results["study"],
                                "grade_source": {"ctcae": 0, "severity": 5, "missing": 0}}}
    txt = " ".join(methods_paragraphs(r))
    assert "mapped from severity (AESEV)" in txt and "graded by CTCAE" not in txt
    assert "CTCAE v5.0 grade given in the data" in " ".join(methods_paragraphs(a.results))


def test_spec_15_phase_and_endpoint_the_data_cannot_give_are_errors():
    with pytest.raises(OncotrialValueError, match=r"`\[safety\]\.phases\[0\]`.*'INDUCTION'"):
        analyze_study(_spec(safety={"phases": ["INDUCTION"]}))
    empty = {"within": "enrolled", "exclude_reasons": ["COMPLETED", "PROGRESSIVE DISEASE"]}
    with pytest.raises(OncotrialValueError, match=r"`\[survival\]\.endpoints\[1\]`.*'PFS'"):
        analyze_study(_spec(sets={"none": empty}, populations={"pfs": "none"}))
