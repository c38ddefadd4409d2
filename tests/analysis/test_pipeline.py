"""`oncotrial analyze` on the bundled example study: every number in results.json recomputed
independently from the written adam/ CSVs with oncotrial.stats; outputs reproducible."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.analysis import example_spec_path, load_study_spec, run_analysis
from oncotrial.cli import app
from oncotrial.stats import (
    backward_select,
    chi_square,
    cox_ph,
    fisher_exact,
    kaplan_meier,
    proportion_ci,
)

MONTH = 30.4375


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("rep")
    run_analysis(example_spec_path(), d)
    return d


@pytest.fixture(scope="module")
def res(out):
    return json.loads((out / "results.json").read_text())


@pytest.fixture(scope="module")
def adam(out):
    return {k: pd.read_csv(out / "adam" / f"{k}.csv", keep_default_na=False, na_values=[""])
            for k in ("adsl", "adrs", "adtte", "adae")}


def test_run_analysis_1_flow_accounts_for_every_subject(res, adam):
    f = res["flow"]["All"]
    assert f["registered"] == len(adam["adsl"]) == 20
    assert f["registered"] == f["enrolled"] + sum(f["not_enrolled"].values())
    assert f["enrolled"] == f["treated"] + sum(f["not_treated"].values())
    assert f["treated"] == f["evaluable"] + sum(f["not_evaluable"].values())


def test_run_analysis_2_orr_dcr_equal_direct_proportion_ci(res, adam):
    adsl, adrs = adam["adsl"], adam["adrs"]
    for cohort in ("pNET", "siNET", "All"):
        ids = adsl.loc[(adsl["ANLEFF"] == "Y") & ((adsl["COHORT"] == cohort) | (cohort == "All")),
                       "USUBJID"]
        bor = adrs[(adrs["PARAMCD"] == "CBOR") & adrs["USUBJID"].isin(ids)]["AVALC"]
        for key, cats in (("orr", ["CR", "PR"]), ("dcr", ["CR", "PR", "SD", "NON-CR/NON-PD"])):
            x = int(bor.isin(cats).sum())
            r = proportion_ci(x, len(ids), method="clopper-pearson")
            got = res["response"][cohort][key]
            assert (got["x"], got["n"]) == (x, len(ids))
            assert got["estimate"] == pytest.approx(r.estimate, rel=1e-10)
            assert got["ci"] == pytest.approx([r.ci.low, r.ci.high], rel=1e-10)
    # hand check: pNET 1 PR of 10 -> exact CI (R binom.test(1, 10)): 0.00252858 - 0.44501612
    assert res["response"]["pNET"]["orr"]["ci"] == pytest.approx([0.0025285785, 0.4450161170],
                                                                 abs=1e-9)


def test_run_analysis_3_km_medians_landmarks_equal_direct_fit(res, adam):
    adsl, tte = adam["adsl"], adam["adtte"]
    for ep in ("OS", "PFS"):
        t = tte[tte["PARAMCD"] == ep].merge(adsl[["USUBJID", "COHORT", "ANLSAF"]])
        t = t[t["ANLSAF"] == "Y"]
        for cohort in ("pNET", "siNET", "All"):
            g = t if cohort == "All" else t[t["COHORT"] == cohort]
            fit = kaplan_meier(g["AVAL"] / MONTH, (g["CNSR"] == 0).astype(int),
                               conf_type="log-log")
            got = res["survival"][ep][cohort]
            med = fit.median()
            assert got["n"] == len(g) and got["events"] == int((g["CNSR"] == 0).sum())
            np.testing.assert_allclose(
                np.array([got["median"], *got["ci"]], dtype=float),
                [med.estimate, med.ci.low, med.ci.high], rtol=1e-10)
            lm = fit.at([6.0, 12.0])
            for t_, row in zip(("6", "12"), lm.itertuples(), strict=False):
                assert got["landmarks"][t_]["surv"] == pytest.approx(row.surv, rel=1e-10)


def test_run_analysis_4_cox_and_subgroups_equal_direct(res, adam):
    adsl, tte = adam["adsl"], adam["adtte"]
    d = tte[tte["PARAMCD"] == "PFS"].merge(adsl)
    d = d[d["ANLSAF"] == "Y"].assign(TIME=lambda x: x["AVAL"] / MONTH,
                                     EVENT=lambda x: (x["CNSR"] == 0).astype(int))
    d = d.dropna(subset=["age", "sex", "ecog", "ki67"]).reset_index(drop=True)
    uni = {r["term"]: r for r in res["cox"]["univariable"]}
    fit = cox_ph(d, "TIME", "EVENT", ["age"])
    assert uni["age"]["hr"] == pytest.approx(fit.table.loc["age", "hr"], rel=1e-8)
    sel = backward_select(d, "TIME", "EVENT", ["age", "sex", "ecog", "ki67"])
    assert res["cox"]["selection"]["selected"] == list(sel.selected)
    # n and events per term (the forest plot's right column), recounted from adam/
    ev = d["EVENT"] == 1
    assert {k: uni["sexM"][k] for k in ("covariate", "level", "reference")} == {
        "covariate": "sex", "level": "M", "reference": "F"}
    assert (uni["sexM"]["n"], uni["sexM"]["events"]) == (int((d["sex"] == "M").sum()),
                                                         int((ev & (d["sex"] == "M")).sum()))
    assert (uni["sexM"]["ref_n"], uni["sexM"]["ref_events"]) == (
        int((d["sex"] == "F").sum()), int((ev & (d["sex"] == "F")).sum()))
    assert (uni["age"]["n"], uni["age"]["events"], uni["age"]["ref_n"]) == (len(d), int(ev.sum()),
                                                                             None)
    assert uni["sexM"]["n"] + uni["sexM"]["ref_n"] == res["cox"]["n"] == len(d)
    eff = adsl[adsl["ANLEFF"] == "Y"]
    bor = eff["USUBJID"].map(adam["adrs"].query("PARAMCD == 'CBOR'").set_index("USUBJID")["AVALC"])
    resp = bor.isin(["CR", "PR"]).to_numpy()
    sex = res["subgroups"][1]
    tab = np.array([[int(resp[(eff["sex"] == lv).to_numpy()].sum()),
                     int((~resp[(eff["sex"] == lv).to_numpy()]).sum())] for lv in ("F", "M")])
    assert [lv["x"] for lv in sex["levels"]] == tab[:, 0].tolist()
    assert sex["fisher"]["p"] == pytest.approx(fisher_exact(tab).pvalue, rel=1e-10)
    assert sex["chi_square"]["p"] == pytest.approx(chi_square(tab).pvalue, rel=1e-10)


def test_run_analysis_5_ae_worst_grade_counts(res, adam):
    ae = adam["adae"]
    ae = ae[(ae["TRTEMFL"] == "Y") & (ae["WORSTFL"] == "Y")]
    terms = {t["term"]: t for t in res["safety"]["all"]["terms"]}
    for term, g in ae.groupby("AEDECOD"):
        n = g["USUBJID"].nunique()
        if 100 * n / 20 < 10:
            assert term not in terms
            continue
        by = terms[term]["by_cohort"]["All"]
        assert by["3-4"] == int(g["ATOXGRN"].between(3, 4).sum())
        assert by["1-2"] == int(g["ATOXGRN"].between(1, 2).sum())
    counts = [t["n_patients"] for t in res["safety"]["all"]["terms"]]
    assert counts == sorted(counts, reverse=True)


def test_run_analysis_6_html_self_contained_with_every_table_and_figure(out):
    html = (out / "report.html").read_text()
    # ids are slugs of [a-z0-9-] (issue 14)
    for key in ("table-flow", "table-table1-baseline", "table-table2-efficacy",
                "table-table3-adverse-events", "table-survival", "table-cox", "table-subgroups",
                "figure-flow", "figure-km-os", "figure-km-pfs", "figure-waterfall",
                "figure-spider", "figure-swimmer", "figure-forest-cox", "figure-ae-bars",
                "figure-gmi", "methods"):
        assert f'id="{key}"' in html, key
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert html.count("data:image/png;base64,") == 9
    assert "Clopper-Pearson" in html and "log-log" in html


def test_run_analysis_7_figures_not_blank(out):
    import matplotlib.image as mpimg

    for png in sorted((out / "figures").glob("*.png")):
        img = mpimg.imread(png)[..., :3]
        assert float((img.min(axis=2) < 0.95).mean()) > 0.01, png.name
        assert png.with_suffix(".svg").stat().st_size > 1000


def test_run_analysis_8_two_runs_byte_identical(out, tmp_path):
    run_analysis(example_spec_path(), tmp_path)
    files = ["results.json", *[f"tables/{p.name}" for p in (out / "tables").iterdir()]]
    assert len(files) > 10
    for f in files:
        assert (out / f).read_bytes() == (tmp_path / f).read_bytes(), f


def test_analyze_cli_9_writes_report_and_reports_spec_errors(tmp_path):
    spec = load_study_spec(example_spec_path())
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[study]\ntitle = "x"\ndata = "{spec.data}"\n[response]\nci = "w"\n')
    r = CliRunner().invoke(app, ["analyze", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "[response].ci" in r.output  # 2: spec error (issue 14)
    assert not (tmp_path / "o").exists()  # nothing written
