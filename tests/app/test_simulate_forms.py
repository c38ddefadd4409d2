"""The simulation form against the CLI it mirrors (no browser): every option that
``oncotrial design simulate`` reads for a design is an input of the form, with the CLI's
default, and the form builds the trial the CLI builds."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from typer.testing import CliRunner

from oncotrial._errors import OncotrialValueError
from oncotrial.app._fields import initial_value
from oncotrial.app._simulate_forms import (
    APP_DEFAULT_N_SIM,
    FIELDS_BY_NAME,
    KIND_OF,
    applies,
    build_trial,
    coerce_sim,
)
from oncotrial.design import simulate
from oncotrial.design._simulate_cli import APPLIES, simulate_cmd

CLI_ONLY = {"backend", "workers", "scheduler", "chunk_size", "as_json", "out", "csv", "plot", "force",
            "progress"}


def test_simulate_forms_1_every_cli_design_and_option_is_in_the_form() -> None:
    assert set(KIND_OF) == set(APPLIES)
    for design, names in APPLIES.items():
        assert names <= set(applies(design)), (design, names - set(applies(design)))


def test_simulate_forms_2_defaults_are_the_cli_defaults() -> None:
    params = inspect.signature(simulate_cmd).parameters
    for name, f in FIELDS_BY_NAME.items():
        if name in ("sim", "n_sim"):
            continue
        cli = params[name].default
        default = f.default if f.kind != "select" else {"true": True, "false": False}.get(f.default, f.default)
        if name == "sides":
            default = int(default)
        if name in ("rates", "looks", "true_s", "hr", "info", "efficacy", "futility", "breaks",
                        "relative_hazards"):
            default = default or None
        assert default == cli, name
    assert params["n_sim"].default == 10_000 and APP_DEFAULT_N_SIM == 2_000  # smaller in the app, on purpose


@pytest.mark.parametrize(("raw", "message"), [
    ({"sim": "simon", "p0": None}, "`p0` of the simulation form must be given"),
    ({"sim": "simon", "rates": "0.1,abc"}, "`rates` of the simulation form must be comma-separated numbers"),
    ({"sim": "bop2", "looks": "10,20.5"}, "`looks` of the simulation form must be comma-separated whole"),
    ({"sim": "two-arm", "n": 10.5}, "`n` of the simulation form must be a whole number"),
    ({"sim": "nope"}, "`sim` of the simulation form must be one of"),
    ({"sim": "simon", "n_sim": 2_000_000}, "`n_sim` of the simulation form must be in [2, 1,000,000]"),
])
def test_simulate_forms_3_malformed_inputs_name_the_input(raw, message) -> None:
    with pytest.raises(OncotrialValueError, match=re.escape(message)):
        coerce_sim(raw)


def test_simulate_forms_4_scenarios_are_checked_before_the_run() -> None:
    with pytest.raises(OncotrialValueError, match="scenarios"):
        build_trial(coerce_sim({"sim": "simon", "rates": "0.1,1.5"}))
    with pytest.raises(OncotrialValueError, match="p1"):
        build_trial(coerce_sim({"sim": "single-stage", "p0": 0.3, "p1": 0.2}))


def test_simulate_forms_5_only_the_designs_options_are_read() -> None:
    values = coerce_sim({"sim": "simon", "hr": "0.5", "s0": 0.9, "p0": 0.1, "p1": 0.3})
    assert "hr" not in values and "s0" not in values and values["p0"] == 0.1
    assert "shape" not in coerce_sim({"sim": "landmark"})
    assert coerce_sim({"sim": "landmark", "law": "weibull", "shape": 1.5})["shape"] == 1.5


@pytest.mark.parametrize(("raw", "argv"), [
    ({"sim": "simon", "p0": 0.1, "p1": 0.3, "rates": "0.1,0.3"},
     ["simon", "--p0", "0.1", "--p1", "0.3", "--rates", "0.1,0.3"]),
    ({"sim": "landmark", "n": 30, "true_s": "0.5,0.72"}, ["landmark", "--n", "30", "--true-s", "0.5,0.72"]),
    ({"sim": "two-arm", "hr": "1,0.7", "n": 120, "events": 60, "info": "0.5", "efficacy": "2.797,1.977"},
     ["two-arm", "--hr", "1,0.7", "--n", "120", "--events", "60", "--info", "0.5",
      "--efficacy", "2.797,1.977"]),
])
def test_simulate_forms_6_same_numbers_as_the_cli(raw, argv) -> None:
    from oncotrial.cli import app

    values = coerce_sim({**raw, "n_sim": 400, "seed": 5})
    trial, scen = build_trial(values)
    got = simulate(trial, scen, n_sim=400, seed=5, progress=False).to_dict()
    res = CliRunner().invoke(app, ["design", "simulate", *argv, "--n-sim", "400", "--seed", "5", "--json",
                                   "--no-progress"])
    assert res.exit_code == 0, res.output
    assert got["results"] == json.loads(res.output)["results"]


def test_simulate_forms_7_a_shared_url_with_a_bad_value_falls_back_to_the_default() -> None:
    f = FIELDS_BY_NAME
    assert initial_value(f["sim"], {"sim": "two-arm"}) == "two-arm"
    assert initial_value(f["sim"], {"sim": "no-such-design"}) == "simon"
    assert initial_value(f["n_sim"], {"n_sim": "1e4"}) == 10_000
    assert initial_value(f["n_sim"], {"n_sim": "many"}) == 2_000
    assert initial_value(f["n"], {"n": ""}) is None
