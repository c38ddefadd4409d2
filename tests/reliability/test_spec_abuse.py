"""Probe class "spec abuse" (issue 14): every well-typed but unusable spec value is refused before
any work, with the key path in the message; the CLI exits 2 and writes nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from oncotrial._errors import OncotrialValueError
from oncotrial.analysis import load_study_spec, parse_study_spec
from oncotrial.cli import app

BASE = {"study": {"title": "T", "data": "d"}}


def _with(section: str, key: str, value):
    raw = {"study": dict(BASE["study"])}
    if section == "subgroups":
        raw["subgroups"] = value
    else:
        raw.setdefault(section, {})[key] = value
    return raw


# (section, key, value, key path in the message)
CASES = [
    ("survival", "landmarks", [float("inf")], "[survival].landmarks[0]"),
    ("survival", "landmarks", [float("nan")], "[survival].landmarks[0]"),
    ("survival", "landmarks", [6, -1], "[survival].landmarks[1]"),
    ("survival", "risk_times", [-5], "[survival].risk_times[0]"),
    ("survival", "endpoints", [], "[survival].endpoints"),
    ("subgroups", None, [1, 2], "[[subgroups]][0]"),
    ("subgroups", None, [{"column": "age", "cut": float("nan")}], "[[subgroups]][0].cut"),
    ("subgroups", None, [{"column": ""}], "[[subgroups]][0].column"),
    ("safety", "teae_window_days", 10**12, "[safety].teae_window_days"),
    ("safety", "teae_window_days", -1, "[safety].teae_window_days"),
    ("safety", "phases", [""], "[safety].phases[0]"),
    ("response", "confirm_days", 10**18, "[response].confirm_days"),
    ("response", "sd_min_days", 400, "[response].sd_min_days"),
    ("response", "level", float("inf"), "[response].level"),
    ("cox", "cuts", {"age": float("inf")}, "[cox].cuts.age"),
    ("cox", "covariates", [1], "[cox].covariates[0]"),
    ("cox", "min_variables", -1, "[cox].min_variables"),
    ("safety", "ae_threshold", float("nan"), "[safety].ae_threshold"),
    ("study", "data_cutoff", "2024-02-30", "[study].data_cutoff"),
    ("study", "title", "  ", "[study].title"),
]


@pytest.mark.parametrize(("section", "key", "value", "path"), CASES,
                         ids=[f"{c[3]}={c[2]!r}" for c in CASES])
def test_bad_spec_value_names_the_key(section, key, value, path):
    with pytest.raises(OncotrialValueError, match="`" + path.replace("[", r"\[").replace(
            "]", r"\]").replace(".", r"\.") + "` of the study spec must be"):
        parse_study_spec(_with(section, key, value))


@pytest.mark.parametrize(("text", "path"), [
    ("[survival]\nlandmarks = [inf]\n", "[survival].landmarks[0]"),
    ("[survival]\nendpoints = []\n", "[survival].endpoints"),
    ("subgroups = [1, 2]\n", "[[subgroups]][0]"),
    ("[response]\nconfirm_days = 1000000000000000000\n", "[response].confirm_days"),
])
def test_cli_spec_error_exits_2_and_writes_nothing(tmp_path, text, path):
    (tmp_path / "d").mkdir()
    spec = tmp_path / "s.toml"
    spec.write_text('[study]\ntitle = "T"\ndata = "d"\n' + text if not text.startswith("sub")
                    else text + '[study]\ntitle = "T"\ndata = "d"\n')
    res = CliRunner().invoke(app, ["analyze", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert path in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_data_cutoff_key_is_parsed(tmp_path):
    import datetime

    s = parse_study_spec({"study": {"title": "T", "data": "d",
                                    "data_cutoff": datetime.date(2024, 1, 31)}})
    assert s.data_cutoff == "2024-01-31"
    p = tmp_path / "s.toml"
    p.write_text('[study]\ntitle = "T"\ndata = "d"\ndata_cutoff = "2023-12-31"\n')
    assert load_study_spec(p).data_cutoff == "2023-12-31"


def test_phase_with_slash_is_accepted_and_slugged():
    s = parse_study_spec(_with("safety", "phases", ["INDUCTION/MAINTENANCE"]))
    assert s.phases == ("INDUCTION/MAINTENANCE",)
