"""`[response].irecist = true` adds iRECIST endpoints to the results and the response table
(issue 15); `[study].conventions` selects the derivation conventions."""

from __future__ import annotations

import tomllib

import pytest

from oncotrial import OncotrialValueError
from oncotrial.analysis import analyze_study, example_spec_path
from oncotrial.analysis._spec import parse_study_spec
from oncotrial.report._tables import efficacy_table


def _spec(**response):
    path = example_spec_path()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw["response"].update(response)
    return parse_study_spec(raw, base=path.parent)


def test_irecist_spec_1_response_table_row():
    a = analyze_study(_spec(irecist=True))
    rs = a.results["response"]
    cohorts = a.results["study"]["cohorts"]
    for c in cohorts:
        assert set(rs[c]["iorr"]) >= {"x", "n", "estimate"}
        # iRECIST responders include every RECIST 1.1 responder seen without prior iUPD;
        # the denominator is the same evaluable population
        assert rs[c]["iorr"]["n"] == rs[c]["orr"]["n"]
    tab = efficacy_table(a.results)
    assert "iRECIST objective response rate (iBOR iCR/iPR), % (95% CI)" in tab.index
    assert "iRECIST objective response rate (iBOR iCR/iPR), % (95% CI)" not in efficacy_table(
        analyze_study(_spec()).results).index


def test_irecist_spec_2_conventions_key_checked():
    path = example_spec_path()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw["study"]["conventions"] = "sas"
    with pytest.raises(OncotrialValueError, match=r"\[study\].conventions"):
        parse_study_spec(raw, base=path.parent)
