"""Records added by issue 20 (every number typed in from the seed papers, not from the code),
population levels and subgroup-label unification."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncotrial import OncotrialValueError
from oncotrial.evidence import load_records
from oncotrial.evidence._records import canonical_subgroup

RECORDS = {r.id: r for r in load_records()}


def _o(rec: str, endpoint: str, subgroup: str | None = None, **kw):
    o = RECORDS[rec].outcome(endpoint, subgroup, **kw)
    assert o is not None, (rec, endpoint, subgroup, kw)
    return o


def test_records_issue20_1_talent_total_column() -> None:
    t = RECORDS["TALENT"]
    assert (t.n_enrolled, t.n_evaluable) == (111, 107)
    assert RECORDS["TALENT-panNET"].part_of == "TALENT" == RECORDS["TALENT-GINET"].part_of
    o = _o("TALENT", "orr")
    assert (o.value, o.ci_low, o.ci_high, o.count, o.n, o.assessor) == (29.9, 21.6, 39.6, 32,
                                                                         107, "central")
    o = _o("TALENT", "dcr")
    assert (o.value, o.ci_low, o.ci_high, o.count, o.n) == (94.4, 87.7, 97.7, 101, 107)
    o = _o("TALENT", "median_dor")
    assert (o.value, o.range_low, o.range_high) == (21.5, 8.4, 38.3)
    o = _o("TALENT", "median_pfs")
    assert (o.value, o.ci_low, o.ci_high) == (15.7, 14.1, 19.5)
    o = _o("TALENT", "orr", assessor="investigator")
    assert (o.value, o.count, o.n) == (33.6, 36, 107)
    o = _o("TALENT", "deaths")
    assert (o.value, o.count, o.n) == (33.3, 37, 111)
    o = _o("TALENT", "median_followup")
    assert (o.value, o.unit, o.method) == (23, "months", "not stated")


def test_records_issue20_2_cohorts_dor_ranges_os_nr_investigator() -> None:
    o = _o("TALENT-panNET", "median_dor")
    assert (o.value, o.range_low, o.range_high, o.range_high_censored) == (19.9, 8.4, 30.8, None)
    o = _o("TALENT-GINET", "median_dor")
    assert (o.value, o.range_low, o.range_high) == (33.9, 10.6, 38.3)
    o = _o("TALENT-GINET", "median_os")
    assert o.value is None and o.not_reached is True
    assert _o("TALENT-panNET", "orr", assessor="investigator").value == 42.3
    assert _o("TALENT-GINET", "orr", assessor="investigator").value == 25.4
    # the default choice is the central assessment (the primary endpoint)
    assert _o("TALENT-panNET", "orr").value == 44.2
    o = _o("NICE-NEC", "median_dor")
    assert (o.value, o.range_low, o.range_high, o.range_high_censored) == (6.4, 1.5, 27.7, True)


@pytest.mark.parametrize(("subgroup", "endpoint", "value", "count", "n"), [
    ("colorectal", "orr", 16.7, 1, 6), ("non-colorectal", "orr", 64.5, 20, 31),
    ("non-colorectal GEP", "orr", 70.8, None, None),
    ("Ki-67 >55%", "orr", 64, 16, 25), ("Ki-67 <=55%", "orr", 41.7, 5, 12),
    ("CgA >=2xULN", "orr", 63, 17, 27), ("CgA <2xULN", "orr", 28.6, 2, 7),
    ("Ki-67 <=55%", "median_pfs", 5.4, None, None), ("Ki-67 >55%", "median_pfs", 5.9, None, None),
    ("Ki-67 <=55%", "median_os", 17.6, None, None), ("Ki-67 >55%", "median_os", 11.7, None, None),
    ("CgA >=2xULN", "median_pfs", 5.9, None, None), ("CgA <2xULN", "median_pfs", 3.9, None, None),
])
def test_records_issue20_3_nice_nec_subgroups(subgroup, endpoint, value, count, n) -> None:
    o = _o("NICE-NEC", endpoint, subgroup)
    assert (o.value, o.count, o.n) == (value, count, n)
    assert o.population.startswith(f"subgroup: {subgroup} (") and o.subgroup_definition


def test_records_issue20_4_followup_safety_benchmarks() -> None:
    o = _o("NICE-NEC", "median_followup")
    assert (o.value, o.range_low, o.range_high, o.range_high_censored, o.method) == (
        29.8, 22.2, 37.5, True, "alive patients")
    r = RECORDS["REGOMUNE-GEP-NEN"]
    assert (r.n_enrolled, r.n_safety, r.n_evaluable) == (47, 46, 42)
    assert "46 were evaluated for safety" in r.population_quote
    assert _o("PRRT-GINET", "orr").value == 18
    o = _o("CHEMO-PNET", "orr")
    assert (o.value, o.range_low, o.range_high) == (None, 28, 33)
    o = _o("COMBINATIONS-PNET", "orr")
    assert (o.value, o.range_low, o.range_high) == (None, 31, 41)
    assert _o("PAZOPANIB-CARC", "orr").value == 2.1
    assert _o("PAZOPANIB-CARC", "median_pfs").value == 11
    assert _o("CABOZANTINIB-NET", "orr").value == 15
    assert _o("SUNITINIB-PNET", "median_pfs").value == 11
    # the pembrolizumab G3 NEN trial's NEC subgroup (19 NECs, the single responder a NEC)
    o = _o("PEMBRO-G3NEN-NCT02939651", "orr", "NEC")
    assert (o.count, o.n, o.subgroup_tumor_type) == (1, 19, "NEC")


def test_records_issue20_5_population_levels() -> None:
    """Every outcome says whom it describes: the whole trial or a defined subgroup."""
    for r in RECORDS.values():
        for o in r.outcomes:
            if o.subgroup is None:
                assert o.population == "whole trial"
            else:
                assert o.subgroup_definition, (r.id, o.endpoint, o.subgroup)
    assert _o("NIPINEC-NIVO", "orr", "GEP NEC").subgroup == "GEP-NEC"
    assert RECORDS["NIPINEC-NIVO"].population_tumor_type(_o("NIPINEC-NIVO", "orr", "gep-nec")) \
        == "NEC"
    assert canonical_subgroup("NECs") == "NEC" and canonical_subgroup(None) is None


def test_records_issue20_6_population_quote_verbatim(seeds_dir: Path) -> None:
    text = (seeds_dir / "000_ff6dfeeb9e5f7f06.txt").read_text(encoding="utf-8")
    assert RECORDS["REGOMUNE-GEP-NEN"].population_quote in text


@pytest.mark.parametrize(("mutate", "match"), [
    ({"subgroup": "Ki-67 high"}, "`subgroup_definition`: is required for subgroup 'Ki-67 high'"),
    ({"assessor": "local"}, "`assessor`: must be one of"),
    ({"endpoint": "median_followup", "unit": "months", "method": "median"}, "`method`: must be"),
    ({"method": "reverse KM"}, "`method`: is only used with endpoint median_followup"),
    ({"subgroup_definition": "x"}, "`subgroup_definition`: needs a `subgroup` label"),
])
def test_records_issue20_7_bad_fields(tmp_path: Path, mutate: dict, match: str) -> None:
    out = {"endpoint": "orr", "value": 25, "unit": "percent", "source": "me", "quote": "ORR 25%"}
    out.update(mutate)
    rec = {"id": "X", "name": "x", "agents": ["a"], "primary_source": "me",
           "sources": [{"key": "me", "citation": "c"}], "outcomes": [out]}
    f = tmp_path / "x.yaml"
    f.write_text(yaml.safe_dump([rec]), encoding="utf-8")
    with pytest.raises(OncotrialValueError, match=match):
        load_records(f, builtin=False)
