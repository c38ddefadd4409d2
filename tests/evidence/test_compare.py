"""compare_proportion and the `oncotrial evidence` CLI.

Expected values from R 4.2.2 / metafor 3.8-1:
``p <- predict(rma(measure="PLO", xi=c(1,1,2,4,5,3), ni=c(29,14,22,20,19,33)), transf=transf.ilogit)``
-> pred 0.1298417710, ci 0.0722302348-0.2223900671, tau2 0.1791369474;
``binom.test(6, 30, p=p$pred)$p.value`` -> 0.2708306842.
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

HIST = search_records(load_records(), line=2, drug_class="ICI", tumor_type="NEC")
runner = CliRunner()


def test_compare_proportion_1_against_r() -> None:
    res = compare_proportion(6, 30, HIST)
    assert list(res.studies.id) == [
        "PEMBRO-G3NEN-NCT02939651", "PEMBRO-NEC-NCT03136055", "PEMBRO-CHEMO-NEC-NCT03136055",
        "TORI-SURU-NCT04169672", "TABLE6-REF235-NIVO-IPI", "DUNE-GEP-G3"]
    assert res.pooled.estimate == pytest.approx(0.1298417710, abs=1e-9)
    assert res.pooled.ci.low == pytest.approx(0.0722302348, abs=1e-9)
    assert res.pooled.tau2 == pytest.approx(0.1791369474, abs=1e-9)
    assert res.test.pvalue == pytest.approx(0.2708306842, abs=1e-9)
    assert "NIPINEC-NIVO" in res.skipped  # no denominators printed


def test_compare_proportion_2_subgroup_and_forest_rows() -> None:
    res = compare_proportion(6, 30, HIST, subgroup="NEC")
    assert set(res.studies.id) == {"TORIPALIMAB-NEN", "TORI-SURU-NCT03879057",
                                   "SPARTALIZUMAB-NEN", "DART-NEN"}
    rows = res.forest_rows()
    assert list(rows.kind) == ["study"] * 4 + ["summary", "new"]
    assert rows.estimate.iloc[-1] == pytest.approx(0.2)


def test_compare_proportion_3_too_few_studies() -> None:
    with pytest.raises(OncotrialValueError, match="at least 2 historical studies"):
        compare_proportion(6, 30, HIST, subgroup="lung LCNEC")


def test_cli_1_list_search_show() -> None:
    out = runner.invoke(app, ["evidence", "list", "--csv"])
    assert out.exit_code == 0 and out.stdout.count("\n") == len(load_records()) + 1
    out = runner.invoke(app, ["evidence", "search", "--grade", "G1", "--json"])
    assert {r["id"] for r in json.loads(out.stdout)} == {"TALENT-panNET", "TALENT-GINET",
                                                         "AXITINIB-OCTREOTIDE"}
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
    s = json.loads(out.stdout)["summary"]
    assert s["pooled"] == pytest.approx(0.1298417710, abs=1e-9)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_3_user_records_and_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: X\n  name: x\n  agents: [a]\n  primary_source: s\n"
                   "  sources: [{key: s, citation: c}]\n  outcomes: []\n  colour: red\n")
    out = runner.invoke(app, ["evidence", "list", "--records", str(bad)])
    assert out.exit_code == 2 and "field `colour`" in out.output
