"""compare_proportion and the `oncotrial evidence` CLI.

Expected values from R 4.2.2 / metafor 3.8-1 on the like-with-like set for second-line ICI in NEC
(NEC-only trials plus the NEC subgroups of mixed trials, issue 20)::

    xi <- c(1,1,2,6,3,4,1,8); ni <- c(19,14,22,32,13,20,21,18)
    r <- rma(measure="PLO", xi=xi, ni=ni, method="REML"); p <- predict(r, transf=transf.ilogit)
    # pred 0.1664638241, ci 0.0932233854-0.2795085517, pi 0.0452984913-0.4566905117,
    # tau2 0.4229446399; binom.test(6, 30, p=p$pred)$p.value 0.6229040838
    # method="DL": 0.1671238627, tau2 0.4049981115, p 0.6237873908
    g <- rma.glmm(measure="PLO", xi=xi, ni=ni)   # pred 0.1473229285, tau2 0.4116305570, p 0.4356184704
    rma(measure="PFT", ..., method="REML") + predict(transf=transf.ipft.hm, targs=list(ni=ni))
    # 0.1497731011, tau2 0.0115532377, p 0.4403578990; DL 0.1497655317, p 0.4403424001
    binom.test(1, 30, p=0.1664638241)$p.value  # 0.0492169873 (REML) -- GLMM p: 0.1158047030
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncotrial import OncotrialValueError
from oncotrial.cli import app
from oncotrial.evidence import load_records, search_records
from oncotrial.evidence._compare import compare_proportion
from oncotrial.evidence._select import select_outcomes

RECORDS = load_records()
HIST = search_records(RECORDS, line=2, drug_class="ICI", tumor_type="NEC")
NEC2 = {"line": 2, "drug_class": "ICI", "tumor_type": "NEC"}
runner = CliRunner()

R_ESTIMATORS = {  # (measure, method): (pooled, tau2, binom.test p for 6/30)
    ("PLO", "REML"): (0.1664638241, 0.4229446399, 0.6229040838),
    ("PLO", "DL"): (0.1671238627, 0.4049981115, 0.6237873908),
    ("PLO", "GLMM"): (0.1473229285, 0.4116305570, 0.4356184704),
    ("PFT", "REML"): (0.1497731011, 0.0115532377, 0.4403578990),
    ("PFT", "DL"): (0.1497655317, 0.0113895974, 0.4403424001),
}


def test_compare_proportion_1_like_with_like_against_r() -> None:
    res = compare_proportion(6, 30, RECORDS, **NEC2)
    assert list(res.studies.id) == [
        "PEMBRO-G3NEN-NCT02939651", "PEMBRO-NEC-NCT03136055", "PEMBRO-CHEMO-NEC-NCT03136055",
        "TORIPALIMAB-NEN", "TORI-SURU-NCT03879057", "TORI-SURU-NCT04169672",
        "SPARTALIZUMAB-NEN", "DART-NEN"]
    assert res.studies.x.tolist() == [1, 1, 2, 6, 3, 4, 1, 8]
    assert res.studies.n.tolist() == [19, 14, 22, 32, 13, 20, 21, 18]
    assert res.population == "NEC"
    assert res.pooled.estimate == pytest.approx(0.1664638241, abs=1e-9)
    assert res.pooled.ci.low == pytest.approx(0.0932233854, abs=1e-9)
    assert res.pooled.pi.high == pytest.approx(0.4566905117, abs=1e-9)
    assert res.test.pvalue == pytest.approx(0.6229040838, abs=1e-9)
    for row in res.estimators.itertuples():
        pooled, tau2, pv = R_ESTIMATORS[(row.measure, row.method)]
        tol = 1e-5 if row.method == "GLMM" else 1e-9  # lme4's optimiser stops at ~1e-6
        assert row.pooled == pytest.approx(pooled, abs=tol)
        assert row.tau2 == pytest.approx(tau2, abs=1e-4 if row.method == "GLMM" else 1e-9)
        assert row.pvalue == pytest.approx(pv, abs=tol)
    assert res.note == ""  # all five agree: p >= 0.05


def test_compare_proportion_2_every_record_listed_with_reason() -> None:
    res = compare_proportion(6, 30, RECORDS, **NEC2)
    c = res.considered.set_index("id")
    assert len(c) == len(RECORDS)
    assert set(c.status) == {"pooled", "reference", "excluded"}
    assert (c.reason[c.status != "pooled"] != "").all()
    # mixed trials: the NEC subgroup, never the whole-trial rate
    assert c.loc["PEMBRO-G3NEN-NCT02939651", "population"].startswith("subgroup: NEC")
    assert (c.loc["PEMBRO-G3NEN-NCT02939651", "count"], c.loc["PEMBRO-G3NEN-NCT02939651", "n"]) \
        == (1, 19)
    assert c.loc["DUNE-GEP-G3", "reason"] == (
        "mixed NET/NEC trial without a NEC subgroup result for orr (its whole-trial 3/33 mixes "
        "NET and NEC)")
    assert c.loc["TABLE6-REF235-NIVO-IPI", "status"] == "excluded"
    # NEC-only trials without a whole-trial ORR: their NEC subgroups, printed without counts
    assert c.loc["NIPINEC-NIVO", "status"] == "reference"
    assert set(res.references.id) == {"NIPINEC-NIVO", "NIPINEC-NIVO-IPI"}
    assert c.loc["TALENT-panNET", "reason"] == ("does not match the filters: drug_class='ICI', "
                                                "tumor_type='NEC'")
    assert "NET-002-AVELUMAB" in res.skipped and "DART-NEN" not in res.skipped


def test_compare_proportion_3_own_record_excluded_issue20() -> None:
    """NICE-NEC's 21/37 in first line must not pool into its own history."""
    res = compare_proportion(21, 37, RECORDS, line=1, tumor_type="NEC")
    c = res.considered.set_index("id")
    assert c.loc["NICE-NEC", "status"] == "excluded"
    assert c.loc["NICE-NEC", "reason"].startswith("reports exactly the new trial's 21/37")
    assert "NICE-NEC" not in set(res.studies.id)
    res2 = compare_proportion(15, 25, RECORDS, line=1, tumor_type="NEC", new_id="nice-nec")
    assert res2.considered.set_index("id").loc["NICE-NEC", "reason"] == \
        "the new trial's own record (new_id)"
    kept = compare_proportion(21, 37, RECORDS, line=1, tumor_type="NEC", exclude_identical=False)
    assert "NICE-NEC" in set(kept.studies.id)  # its NEC subgroup (15/25), like with like
    assert kept.studies.set_index("id").loc["NICE-NEC", "x"] == 15
    # chemotherapy benchmarks printed without counts are reference lines, not skipped silently
    assert set(res.references.id) == {"NORDIC-NEC", "JCOG1213", "ZHANG-2020-EP-IP"}
    assert res.references.set_index("id").loc["NORDIC-NEC", "value"] == 31
    with pytest.raises(OncotrialValueError, match="`new_id` of `compare_proportion` must be"):
        compare_proportion(21, 37, RECORDS, line=1, tumor_type="NEC", new_id="NOPE")


def test_compare_proportion_4_estimators_disagree_sentence() -> None:
    res = compare_proportion(1, 30, RECORDS, **NEC2)
    est = res.estimators.set_index(["measure", "method"])
    assert est.loc[("PLO", "REML"), "pvalue"] == pytest.approx(0.0492169873, abs=1e-9)
    assert est.loc[("PLO", "GLMM"), "pvalue"] == pytest.approx(0.1158047030, abs=1e-5)
    assert res.note.startswith("The conclusion depends on the estimator: p < 0.05 with "
                               "REML/PLO (p = 0.049), DL/PLO (p = 0.049) but p >= 0.05 with "
                               "GLMM/PLO (p = 0.116)")


def test_compare_proportion_5_subgroup_labels_unified() -> None:
    a = compare_proportion(2, 20, HIST, subgroup="necs")
    b = compare_proportion(2, 20, HIST, subgroup="NEC")
    assert a.studies.equals(b.studies) and a.subgroup == "NEC" == b.subgroup
    assert list(a.studies.id) == ["PEMBRO-G3NEN-NCT02939651", "TORIPALIMAB-NEN",
                                  "TORI-SURU-NCT03879057", "SPARTALIZUMAB-NEN", "DART-NEN"]
    c = select_outcomes(RECORDS, endpoint="orr", subgroup="GEP NEC").considered.set_index("id")
    assert c.loc["CA209-538-NEN", "status"] == "pooled"
    assert c.loc["CA209-538-NEN", "population"] == (
        "subgroup: GEP-NEC (patients with NEC of gastroenteropancreatic origin)")
    assert c.loc["NIPINEC-NIVO", "status"] == "reference"  # 7.1% in GEP-NEC, no denominator


def test_compare_proportion_6_errors() -> None:
    with pytest.raises(OncotrialValueError, match="at least 2 historical studies"):
        compare_proportion(6, 30, HIST, subgroup="lung LCNEC")
    with pytest.raises(OncotrialValueError, match="`population` of `compare_proportion` must be "
                                                  "given when the records mix tumour types"):
        compare_proportion(6, 30, HIST)
    with pytest.raises(OncotrialValueError, match="`timepoint` of `compare_proportion` must be"):
        compare_proportion(6, 30, RECORDS, endpoint="os_rate", **NEC2)
    with pytest.raises(OncotrialValueError, match="`colour` of `compare_proportion` is not a"):
        compare_proportion(6, 30, RECORDS, colour="red")


def test_compare_proportion_7_forest_rows_and_reference_lines() -> None:
    res = compare_proportion(21, 37, RECORDS, line=1, tumor_type="NEC")
    rows = res.forest_rows()
    assert list(rows.kind) == ["study"] * 3 + ["summary", "new"]
    assert rows.label.iloc[1].startswith("NIVO-TEM-NCT03728361 [subgroup] (3/8)")
    fig = res.forest_figure()
    ax = fig.axes[0]
    xs = sorted(round(line.get_xdata()[0], 4) for line in ax.get_lines() if line.get_ls() == ":")
    assert xs == [0.31]  # NORDIC NEC; JCOG1213 / Zhang print a range (shaded band)
    assert len(ax.patches) >= 1


def test_cli_1_list_search_show() -> None:
    out = runner.invoke(app, ["evidence", "list", "--csv"])
    assert out.exit_code == 0 and out.stdout.count("\n") == len(load_records()) + 1
    out = runner.invoke(app, ["evidence", "search", "--grade", "G1", "--json"])
    assert {r["id"] for r in json.loads(out.stdout)} == {"TALENT-panNET", "TALENT-GINET",
                                                         "TALENT", "AXITINIB-OCTREOTIDE",
                                                         "PRRT-GINET"}
    out = runner.invoke(app, ["evidence", "show", "NICE-NEC", "--json"])
    rec = json.loads(out.stdout)
    assert rec["registry_id"] == "NCT03980925" and rec["outcomes"][0]["count"] == 21
    assert runner.invoke(app, ["evidence", "show", "NOPE"]).exit_code == 2


def test_cli_2_compare_with_plot(tmp_path: Path) -> None:
    png = tmp_path / "forest.png"
    out = runner.invoke(app, ["evidence", "compare", "--responders", "6", "--n", "30",
                              "--line", "2", "--drug-class", "ICI", "--tumor-type", "NEC",
                              "--plot", str(png), "--json"])
    assert out.exit_code == 0, out.output
    js = json.loads(out.stdout)
    assert js["summary"]["pooled"] == pytest.approx(0.1664638241, abs=1e-9)
    assert len(js["considered"]) == len(RECORDS) and len(js["estimators"]) == 5
    assert png.read_bytes()[:4] == b"\x89PNG"
    out = runner.invoke(app, ["evidence", "compare", "--responders", "1", "--n", "30",
                              "--line", "2", "--drug-class", "ICI", "--tumor-type", "NEC"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "The conclusion depends on the estimator" in text
    assert "Records left out, and why" in text and "DUNE-GEP-G3" in text
    assert "Reference values" in text and "NIPINEC-NIVO" in text


def test_cli_3_user_records_and_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: X\n  name: x\n  agents: [a]\n  primary_source: s\n"
                   "  sources: [{key: s, citation: c}]\n  outcomes: []\n  colour: red\n")
    out = runner.invoke(app, ["evidence", "list", "--records", str(bad)])
    assert out.exit_code == 2 and "field `colour`" in out.output
