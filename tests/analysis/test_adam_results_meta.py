"""Results metadata (CDISC ARS spirit): every number of results.json names its analysis set,
dataset, PARAMCD and method (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial.analysis import analyze_study, example_spec_path
from oncotrial.analysis._results_meta import analysis_for

ROOT = Path(__file__).resolve().parents[2]
SKIP = ("study", "spec", "derivation", "analyses")


def _numbers(obj, path=""):
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    if isinstance(obj, int | float):
        yield path
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{path}/{i}")


@pytest.fixture(scope="module", params=["example", "pharmaverseadam"])
def results(request):
    spec = (example_spec_path() if request.param == "example"
            else ROOT / "examples" / "pharmaverseadam.toml")
    return analyze_study(spec).results


def test_every_number_has_an_analysis(results):
    analyses = results["analyses"]
    pointers = [p for k, v in results.items() if k not in SKIP
                for p in _numbers(v, f"/{k}")]
    assert len(pointers) > 100
    missing = [p for p in pointers if analysis_for(analyses, p) is None]
    assert missing == []
    for a in analyses:
        assert set(a) >= {"id", "path", "analysis_set", "dataset", "paramcd", "variables",
                          "method"}
        assert a["analysis_set"]["name"] and a["method"]["id"] and a["dataset"]


def test_paths_are_unique_and_resolve(results):
    analyses = results["analyses"]
    paths = [a["path"] for a in analyses]
    assert len(paths) == len(set(paths))
    for p in paths:
        node = results
        for part in p.strip("/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]


def test_adam_input_metadata_names_input_codes_and_files():
    res = analyze_study(ROOT / "examples" / "pharmaverseadam.toml").results
    by = {a["path"]: a for a in res["analyses"]}
    dor = by["/response/Placebo/dor"]
    assert (dor["dataset"], dor["paramcd"], dor["source_file"]) == ("ADTTE", "RSD",
                                                                   "adtte_onco.csv")
    km = by["/survival/PFS/Placebo"]
    # efficacy analyses on the full analysis set (issue 12 defaults), named with its flag
    assert km["analysis_set"] == {"name": "Full analysis set [fas]", "definition": "ANL_FAS = 'Y'"}
    assert km["paramcd"] == "PFS"
    assert "conf.type = 'log'" in km["method"]["description"]
    orr = by["/response/All/orr"]
    assert (orr["dataset"], orr["paramcd"], orr["method"]["id"]) == (
        "ADRS", "CBOR", "proportion_ci:clopper-pearson")
    assert by["/logrank/OS"]["method"]["id"] == "log-rank"
