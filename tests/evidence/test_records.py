"""Trial records: every built-in number is traceable to its seed sentence; validation errors."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from oncotrial import OncotrialValueError
from oncotrial.evidence import load_records, records_frame, search_records

RECORDS = load_records()


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def test_load_records_1_builtin_set() -> None:
    ids = {r.id for r in RECORDS}
    for expected in ("REGOMUNE-GEP-NEN", "NICE-NEC", "TALENT-panNET", "TALENT-GINET",
                     "NORDIC-NEC", "EA2142-EP", "JCOG1213", "ZHANG-2020-EP-IP", "DUNE-GEP-G3",
                     "NIPINEC-NIVO", "NIPINEC-NIVO-IPI", "NET-001-AVELUMAB"):
        assert expected in ids
    # one record per row of Table 6 (17 rows; NICE-NEC and DUNE rows merge into their records)
    table6 = [r for r in RECORDS if any(s["key"] == "table6" for s in r.sources)]
    assert len(table6) == 17


def test_load_records_2_quotes_are_verbatim_in_seeds(seeds_dir: Path) -> None:
    """Every quote (pieces split at ' … ') occurs in its source's seed file (whitespace-normalised)."""
    cache: dict[str, str] = {}
    for r in RECORDS:
        seed_of = {s["key"]: s.get("seed") for s in r.sources}
        for o in r.outcomes:
            seed = seed_of[o.source]
            if seed not in cache:
                cache[seed] = _norm((seeds_dir / seed).read_text(encoding="utf-8"))
            for piece in o.quote.split(" … "):
                assert _norm(piece) in cache[seed], (r.id, o.endpoint, piece)


def test_load_records_3_printed_numbers_appear_in_quote() -> None:
    for r in RECORDS:
        for o in r.outcomes:
            for v in (o.value, o.ci_low, o.ci_high, o.range_low, o.range_high):
                if v is None:
                    continue
                txt = f"{v:g}" if float(v) != int(v) or "." not in repr(v) else repr(v)
                assert txt in o.quote or f"{int(v)}" in o.quote, (r.id, o.endpoint, v)


def test_load_records_4_known_values() -> None:
    talent = {r.id: r for r in RECORDS}
    o = talent["TALENT-panNET"].outcome("orr")
    assert (o.value, o.ci_low, o.ci_high, o.count, o.n) == (44.2, 30.7, 58.6, 23, 52)
    reg = talent["REGOMUNE-GEP-NEN"]
    assert (reg.n_enrolled, reg.n_evaluable, reg.outcome("orr").count) == (47, 42, None)
    # primary publication preferred over the review's differing ORR
    assert talent["NICE-NEC"].outcome("orr").value == 56.8


def _write(tmp_path: Path, record: dict) -> Path:
    p = tmp_path / "mine.yaml"
    p.write_text(yaml.safe_dump([record], allow_unicode=True))
    return p


def _base() -> dict:
    return {
        "id": "MY-TRIAL", "name": "My trial", "agents": ["drugx"], "primary_source": "me",
        "line": 2, "tumor_type": "NEC", "phase": "II",
        "sources": [{"key": "me", "citation": "Me et al. 2025"}],
        "outcomes": [{"endpoint": "orr", "value": 25.0, "unit": "percent", "count": 5, "n": 20,
                      "ci_low": 8.7, "ci_high": 49.1, "source": "me", "quote": "ORR 25%"}],
    }


def test_load_records_5_user_file_added(tmp_path: Path) -> None:
    recs = load_records(_write(tmp_path, _base()))
    assert recs[-1].id == "MY-TRIAL" and recs[-1].file.endswith("mine.yaml")
    assert len(load_records(tmp_path, builtin=False)) == 1


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda r: r.update(colour="red"), r"mine.yaml, record 'MY-TRIAL', field `colour`: unknown"),
        (lambda r: r["outcomes"][0].update(pvalue=0.1), r"outcome #1, field `pvalue`: unknown"),
        (lambda r: r["outcomes"][0].update(value=125.0), r"field `value`: must be in \[0, 100\]"),
        (lambda r: r["outcomes"][0].update(ci_low=30.0), r"field `ci_low`: the CI \[30.0, 49.1\] "
                                                          "does not contain the estimate 25.0"),
        (lambda r: r["outcomes"][0].update(count=6), r"field `count`: 6/20 = 30.00% does not round"),
        (lambda r: r["outcomes"][0].update(count=25), r"field `count`: must be in \[0, n=20\]"),
        (lambda r: r["outcomes"][0].update(source="x"), r"field `source`"),
        (lambda r: r.update(line=3), r"field `line`: must be one of"),
        (lambda r: r.update(n_enrolled=0), r"field `n_enrolled`: must be >= 1"),
        (lambda r: r.pop("agents"), r"field `agents`: is required"),
        (lambda r: r.update(superseded_by="NOPE"), r"field `superseded_by`: refers to an unknown"),
        (lambda r: r["outcomes"][0].update(unit="months"), r"field `unit`: orr needs unit percent"),
    ],
)
def test_load_records_6_bad_record(tmp_path: Path, mutate, match: str) -> None:
    rec = _base()
    mutate(rec)
    with pytest.raises(OncotrialValueError, match=match):
        load_records(_write(tmp_path, rec), builtin=False)


def test_load_records_7_duplicate_id_names_both_files(tmp_path: Path) -> None:
    rec = _base()
    rec["id"] = "NICE-NEC"
    with pytest.raises(OncotrialValueError, match=r"mine.yaml.*`id`: duplicate id; already "
                                                  r"defined in records/nice_nec.yaml"):
        load_records(_write(tmp_path, rec))


def test_load_records_8_missing_path() -> None:
    with pytest.raises(OncotrialValueError, match="existing file or folder"):
        load_records("/nonexistent/records.yaml")


def test_search_records_1_filters() -> None:
    ids = {r.id for r in search_records(RECORDS, line=1, drug_class="chemotherapy",
                                        tumor_type="NEC")}
    assert {"NORDIC-NEC", "JCOG1213", "NICE-NEC", "EA2142-EP"} <= ids
    assert "TALENT-panNET" not in ids
    assert {r.id for r in search_records(RECORDS, target="CTLA-4", phase="II")} == {
        "NIPINEC-NIVO-IPI", "DART-NEN", "CA209-538-NEN", "DUNE-GEP-G3"}
    assert {r.id for r in search_records(RECORDS, grade="G1")} == {
        "TALENT-panNET", "TALENT-GINET", "TALENT", "AXITINIB-OCTREOTIDE", "PRRT-GINET"}
    assert {r.id for r in search_records(RECORDS, primary_site="pancreas",
                                         tumor_type="NET")} == {
        "TALENT-panNET", "TALENT", "SANET-P", "SUNITINIB-PNET", "CHEMO-PNET",
        "COMBINATIONS-PNET", "CABOZANTINIB-NET"}


def test_records_frame_1_columns() -> None:
    df = records_frame(RECORDS)
    assert len(df) == len(RECORDS)
    assert df.loc[df.id == "NICE-NEC", "n_enrolled"].item() == 38
