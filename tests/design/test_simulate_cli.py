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


def _cli_json(args):
    res = runner.invoke(app, ["design", "simulate", *args, "--json", "--no-progress"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _rows(d):
    return {(r["scenario"], r["metric"]): (r["estimate"], r["mc_se"]) for r in d["results"]}


def test_simulate_cli_6_landmark_piecewise_and_cure_laws_are_the_api_laws():
    import math

    from oncotrial.design import (
        CureFraction,
        Dropout,
        Exponential,
        LandmarkTrial,
        PiecewiseExponential,
        landmark_survival_design,
        simulate,
    )

    common = ["landmark", "--s0", "0.5", "--s1", "0.72", "--n", "30", "--ramp", "6", "--true-s", "0.5",
              "--n-sim", "3000", "--seed", "2"]
    ld = landmark_survival_design(0.5, 0.72, 12, 18, 12, sides=2, dropout=-math.expm1(-0.01 * 12),
                                  dropout_method="exponential")
    trial = LandmarkTrial.from_design(ld, transform="log-log", n=30, ramp=6, dropout=Dropout(0.01))
    # piecewise: hazard h on [0, 6), h/2 after, S(12) = 0.5  =>  9 h = log 2 (by hand)
    h = math.log(2) / 9
    d = _cli_json([*common, "--law", "piecewise", "--breaks", "6", "--relative-hazards", "1,0.5",
                   "--dropout-rate", "0.01"])
    assert "S(12) = 0.5000" in d["scenarios"]["0.5"] and d["trial"]["dropout_rate"] == 0.01
    api = simulate(trial, {"0.5": PiecewiseExponential((6.0,), (h, h / 2))}, n_sim=3000, seed=2)
    assert _rows(d) == _rows(json.loads(api.to_json()))
    km, se = _rows(d)[("0.5", "km_estimate")]
    assert abs(km - 0.5) < 3 * se
    # cure 0.3: S(12) = 0.3 + 0.7 exp(-12 lam) = 0.5  =>  lam = -log(2/7) / 12
    d = _cli_json([*common, "--law", "cure", "--cure", "0.3", "--dropout", "0.1"])
    trial = LandmarkTrial.from_design(landmark_survival_design(0.5, 0.72, 12, 18, 12, sides=2, dropout=0.1,
                                                               dropout_method="exponential"),
                                      transform="log-log", n=30, ramp=6)
    api = simulate(trial, {"0.5": CureFraction(0.3, Exponential(-math.log(2 / 7) / 12))}, n_sim=3000, seed=2)
    assert _rows(d) == _rows(json.loads(api.to_json()))


def test_simulate_cli_7_two_arm_crossing_hazards_weibull_control_2_to_1_dropout():
    from oncotrial.design import Accrual, Dropout, TwoArmScenario, TwoArmTrial, Weibull, simulate

    d = _cli_json(["two-arm", "--law", "weibull", "--shape", "1.3", "--median0", "12", "--delay", "4",
                   "--early-hr", "1.4", "--hr", "1,0.6", "--ratio", "2", "--n", "120", "--events", "80",
                   "--accrual", "18", "--ramp", "3", "--dropout", "0.1", "--dropout-by", "12", "--info", "0.5",
                   "--futility", "0", "--n-sim", "400", "--seed", "5"])
    ctrl = Weibull.from_median(1.3, 12.0)
    trial = TwoArmTrial(n=120, accrual=Accrual(18, 3), ratio=2.0, events=80, followup=12.0, looks=(0.5,),
                        futility=(0.0,), dropout=Dropout.from_proportion(0.1, by=12), control=ctrl)
    api = simulate(trial, {"HR 1": 1.0, "HR 1.4 then 0.6 after 4": TwoArmScenario(ctrl, (1.4, 0.6), (4.0,))},
                   n_sim=400, seed=5)
    assert d["trial"]["n_experimental"] == 80 and d["trial"]["ratio"] == 2.0
    assert _rows(d) == _rows(json.loads(api.to_json()))
    assert "HR [1.4, 0.6] (breaks [4.0])" in d["scenarios"]["HR 1.4 then 0.6 after 4"]


def test_simulate_cli_8_law_and_dropout_errors_name_the_option_and_the_remedy():
    cases = [
        (["landmark", "--law", "gompertz"], "`--law` must be one of 'exponential', 'weibull', 'piecewise', 'cure'"),
        (["landmark", "--law", "piecewise", "--breaks", "6"], "`--law piecewise` needs `--relative-hazards`"),
        (["landmark", "--breaks", "6"], "`--breaks` applies to `--law piecewise` only"),
        (["landmark", "--law", "piecewise", "--breaks", "6", "--relative-hazards", "1,0.5,0.2"],
         "`--relative-hazards` must have one value more than `--breaks`"),
        (["landmark", "--law", "piecewise", "--breaks", "6,3", "--relative-hazards", "1,2,3"],
         "`--breaks` must be increasing positive times"),
        (["landmark", "--law", "cure"], "`--law cure` needs `--cure`"),
        (["landmark", "--law", "cure", "--cure", "0.6"], "`--cure` (0.6) must be below S(12) = 0.5"),
        (["two-arm", "--law", "cure", "--cure", "0.5"], "so that the control median `--median0` exists"),
        (["landmark", "--dropout", "0.1", "--dropout-rate", "0.01"], "not both"),
        (["two-arm", "--dropout-by", "6"], "give `--dropout` too"),
        (["two-arm", "--early-hr", "1.3"], "give `--delay T` too"),
        (["two-arm", "--hr", "0.7,-1"], "`--hr` must be positive hazard ratios"),
        (["landmark", "--true-s", "0.5,1.2"], "`--true-s` must be survival probabilities in (0, 1)"),
        (["simon", "--cure", "0.2"], "--cure do(es) not apply to `simon`"),
    ]
    for args, msg in cases:
        res = runner.invoke(app, ["design", "simulate", *args, "--n-sim", "10", "--no-progress"])
        assert res.exit_code == 2, (args, res.output)
        assert msg in res.output, (args, res.output)


def test_simulate_cli_9_progress_bar_on_request_same_numbers():
    args = ["design", "simulate", "landmark", "--law", "weibull", "--shape", "1.5", "--n-sim", "3000",
            "--seed", "4", "--json"]
    with_bar = runner.invoke(app, [*args, "--progress"])
    without = runner.invoke(app, [*args, "--no-progress"])
    assert with_bar.exit_code == 0 and without.exit_code == 0
    assert "simulating 2 scenario(s)" in with_bar.output and "6000/6000 trials" in with_bar.output
    assert "simulating" not in without.output
    assert _rows(json.loads(with_bar.output[with_bar.output.index("{"):])) == _rows(json.loads(without.output))
