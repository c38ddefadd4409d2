"""Study spec: parsing, defaults, and one error per bad-input class naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial._errors import OncotrialValueError
from oncotrial.analysis import BUNDLED_STUDY_SPECS, example_spec_path, load_study_spec
from oncotrial.analysis import parse_study_spec as parse

BASE = {"study": {"title": "T", "data": "d"}}


def test_parse_study_spec_1_defaults_and_units():
    s = parse(BASE, "/x")
    assert (s.time_unit, s.days_per_unit, s.ci_method, s.conf_type) == (
        "months", 30.4375, "clopper-pearson", "log")
    assert s.data == Path("/x/d").resolve()
    assert s.landmarks == (6.0, 12.0) and s.confirmation is True


@pytest.mark.parametrize(("raw", "match"), [
    ({"study": {"title": "T"}}, r"`\[study\]\.data` .* given"),
    ({**BASE, "colour": {}}, r"`colour` of the study spec must be a known section"),
    ({**BASE, "response": {"ci_metod": "wilson"}}, r"`\[response\]\.ci_metod`.*known key"),
    ({**BASE, "response": {"ci_method": "exact"}}, r"`\[response\]\.ci_method`.*one of"),
    ({**BASE, "response": {"level": 95}}, r"`\[response\]\.level` .* in \(0, 1\); got 95"),
    ({**BASE, "survival": {"conf_type": "loglog"}}, r"`\[survival\]\.conf_type`"),
    ({**BASE, "survival": {"landmarks": [6, -1]}}, r"`\[survival\]\.landmarks\[1\]`"),
    ({**BASE, "safety": {"ae_threshold": 120}}, r"`\[safety\]\.ae_threshold`"),
    ({**BASE, "cox": {"test": "score"}}, r"`\[cox\]\.test`"),
    ({**BASE, "response": {"confirmation": "yes"}}, r"`\[response\]\.confirmation` .* bool"),
    ({**BASE, "subgroups": [{"name": "x"}]}, r"`\[\[subgroups\]\]\[0\]\.column`"),
])
def test_parse_study_spec_2_bad_values_name_key_and_remedy(raw, match):
    with pytest.raises(OncotrialValueError, match=match):
        parse(raw)


def test_load_study_spec_3_bundled_and_examples_parse():
    for name in BUNDLED_STUDY_SPECS:
        assert load_study_spec(example_spec_path(name)).title
    root = Path(__file__).resolve().parents[2] / "examples"
    for p in sorted(root.glob("*.toml")):
        assert load_study_spec(p).title
    assert load_study_spec(root / "example.toml").data == load_study_spec(
        example_spec_path()).data


def test_load_study_spec_4_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(OncotrialValueError, match="existing TOML file"):
        load_study_spec(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("[study\n")
    with pytest.raises(OncotrialValueError, match="valid TOML"):
        load_study_spec(tmp_path / "bad.toml")
