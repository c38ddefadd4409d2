"""``oncotrial design simulate`` (issue 17)."""

from __future__ import annotations

import json

from scipy.stats import binom
from typer.testing import CliRunner

from oncotrial.cli import app

runner = CliRunner()


def test_simulate_cli_1_single_stage_json_within_3_se():
    res = runner.invoke(app, ["design", "simulate", "single-stage", "--p0", "0.1", "--p1", "0.25",
                              "--alpha", "0.05", "--power", "0.9", "--n-sim", "200000", "--seed", "3",
                              "--json", "--no-progress"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["trial"]["looks"] == [55] and d["n_sim"] == 200_000
    rows = {(r["scenario"], r["metric"]): r for r in d["results"]}
    for p in ("0.1", "0.25"):
        r = rows[(p, "reject")]
        assert abs(r["estimate"] - binom.sf(9, 55, float(p))) <= 3 * r["mc_se"]
        assert r["reference_source"] == "exact"


def test_simulate_cli_2_outputs_and_no_overwrite(tmp_path):
    out, csv, png = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "p.png"
    args = ["design", "simulate", "bop2", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.1",
            "--looks", "10,20,30", "--rates", "0.2,0.3,0.4", "--n-sim", "20000",
            "--out", str(out), "--csv", str(csv), "--plot", str(png), "--no-progress"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Simulated bop2: 20000 trials per scenario" in res.output
    assert json.loads(out.read_text())["trial"]["design"] == "bop2"
    assert csv.read_text().splitlines()[0] == "scenario,x,metric,estimate,mc_se,reference,reference_source,n_sim"
    assert png.read_bytes()[:4] == b"\x89PNG"
    before = out.read_bytes()
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "pass --force to overwrite" in res.output
    assert out.read_bytes() == before
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_simulate_cli_3_landmark_and_two_arm_text():
    res = runner.invoke(app, ["design", "simulate", "landmark", "--n-sim", "2000", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "reject[log-log]" in res.output and "nominal alpha" in res.output
    res = runner.invoke(app, ["design", "simulate", "two-arm", "--n-sim", "500", "--hr", "1,0.7",
                              "--info", "0.5", "--efficacy", "2.797,1.977", "--test", "cox", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "stop_at_look1" in res.output and "HR 0.7" in res.output


def test_simulate_cli_4_bad_option_message():
    res = runner.invoke(app, ["design", "simulate", "two-arm", "--n-sim", "10", "--info", "0.5",
                              "--efficacy", "1.96", "--no-progress"])
    assert res.exit_code == 2
    assert "`efficacy` of `TwoArmTrial` must be 2 critical values" in res.output
    res = runner.invoke(app, ["design", "simulate", "simon", "--rates", "a,b"])
    assert res.exit_code == 2 and "comma-separated numbers" in res.output


def test_simulate_cli_5_options_of_other_designs_are_refused_not_ignored():
    res = runner.invoke(app, ["design", "simulate", "simon", "--hr", "0.7", "--n-sim", "10"])
    assert res.exit_code == 2 and "--hr do(es) not apply to `simon`" in res.output
    res = runner.invoke(app, ["design", "simulate", "bop2", "--power", "0.9", "--n-sim", "10"])
    assert res.exit_code == 2 and "--power do(es) not apply to `bop2`" in res.output
    res = runner.invoke(app, ["design", "simulate", "landmark", "--shape", "2", "--n-sim", "10"])
    assert res.exit_code == 2 and "`--shape` applies to `--law weibull` only" in res.output
