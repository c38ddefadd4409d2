"""Tests for the ``oncotrial design`` CLI group."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from oncotrial.cli import app

runner = CliRunner()


def test_cli_1_single_stage_json_keys():
    res = runner.invoke(app, ["design", "single-stage", "--p0", "0.1", "--p1", "0.25",
                              "--alpha", "0.05", "--power", "0.9", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert (d["n"], d["r"]) == (55, 10)
    assert {"n", "r", "alpha", "power", "en0", "pet0"} <= set(d)


def test_cli_2_simon_text_and_plot(tmp_path):
    png = tmp_path / "oc.png"
    res = runner.invoke(app, ["design", "simon", "--p0", "0.1", "--p1", "0.3", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "optimal: stage 1: treat 10, stop if responses <= 1" in res.output
    assert "EN(p0) = 15.01" in res.output
    assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"


def test_cli_3_landmark_json_keyed_by_transform():
    res = runner.invoke(app, ["design", "survival-landmark", "--s0", "0.9", "--s1", "0.96",
                              "--landmark", "18", "--accrual", "24", "--followup", "24",
                              "--alpha", "0.05", "--power", "0.8", "--sides", "1", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["n"]["arcsine"] == 107
    assert set(d["n"]) == {"identity", "log", "log-log", "logit", "arcsine"}


def test_cli_4_bad_input_clear_message():
    res = runner.invoke(app, ["design", "simon", "--p0", "0.3", "--p1", "0.2"])
    assert res.exit_code == 2
    assert "`p1` of `simon_design` must be greater than `p0`" in res.output


def test_cli_5_bayes_and_two_arm_json():
    for args in (["bop2", "--looks", "10,20,30"], ["bayes-posterior", "--looks", "10,20,30"],
                 ["survival-two-arm", "--hr", "0.7"]):
        res = runner.invoke(app, ["design", *args, "--json"])
        assert res.exit_code == 0, res.output
        d = json.loads(res.output)
        assert "n" in d
    d = json.loads(runner.invoke(app, ["design", "survival-two-arm", "--json"]).output)
    assert d["events"] == {"schoenfeld": 247, "freedman": 253}
