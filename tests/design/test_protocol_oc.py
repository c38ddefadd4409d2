"""OC tables, protocol text, BOP2 prior/scenarios, landmark critical values and n tables,
and CLI validation (issue 18). Expected values are computed independently here (scipy.stats
binomial sums, hand formulas) or quoted from the papers (TALENT seed 004, NICE-NEC seed 002)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import binom, norm
from typer.testing import CliRunner

from oncotrial import OncotrialValueError
from oncotrial.cli import app
from oncotrial.design import (
    bop2_design,
    landmark_survival_design,
    posterior_monitoring,
    predictive_design,
    simon_design,
    single_stage_design,
    two_arm_survival_design,
)
from oncotrial.design._landmark import landmark_n_table, matching_assumptions
from oncotrial.design._oc import stagewise_oc
from oncotrial.design._protocol import protocol_text

runner = CliRunner()


def _brute_oc(looks, fut, eff, p):
    """Patient-count enumeration of every path: independent of the forward recursion."""
    paths = {0: 1.0}
    prev, stop, rej = 0, [], []
    for k, n in enumerate(looks):
        m = n - prev
        new: dict[int, float] = {}
        for x, w in paths.items():
            for y in range(m + 1):
                new[x + y] = new.get(x + y, 0.0) + w * binom.pmf(y, m, p)
        last = k == len(looks) - 1
        rej.append(sum(w for x, w in new.items() if x >= eff[k]))
        stop.append(0.0 if last else sum(w for x, w in new.items() if x <= fut[k]))
        paths = {x: w for x, w in new.items() if last or fut[k] < x < eff[k]}
        prev = n
    return np.array(stop), np.array(rej)


@pytest.mark.parametrize("design", [
    single_stage_design(0.1, 0.25, 0.05, 0.9),
    simon_design(0.2, 0.4, 0.05, 0.8).minimax,
    posterior_monitoring(0.2, 0.4, nmax=30, looks=[10, 20, 30]),
    bop2_design(0.2, 0.4, 0.1, nmax=30, looks=[5, 10, 20]),
    predictive_design(0.2, 0.4, 0.1, 0.8, nmin=20, nmax=26, first_look=15),
], ids=["single", "simon-minimax", "thall-simon", "bop2", "predictive"])
def test_oc_1_per_look_equals_enumeration(design):
    looks, fut, eff = (np.asarray(v).reshape(-1) for v in design._bounds())
    for p in (0.1, 0.2, 0.35, 0.6):
        oc = stagewise_oc(looks, fut, eff, np.array([p]))
        stop, rej = _brute_oc(list(looks), list(fut), list(eff), p)
        np.testing.assert_allclose(oc["stop"][0], stop, atol=1e-13)
        np.testing.assert_allclose(oc["reject"][0], rej, atol=1e-13)
        # rows add up: every trial stops for futility, rejects, or ends without rejecting
        assert oc["stop"][0].sum() + oc["reject_total"][0] <= 1 + 1e-12
    t = design.oc_table([design.p0, design.p1])
    assert t["P(reject)"].tolist() == pytest.approx([design.alpha, design.power], rel=1e-10)


def test_oc_2_single_stage_table_is_binomial_tail():
    d = single_stage_design(0.1, 0.25, 0.05, 0.9)
    t = d.oc_table([0.05, 0.1, 0.3])
    np.testing.assert_allclose(t["P(reject)"], binom.sf(9, 55, [0.05, 0.1, 0.3]), rtol=1e-12)
    assert (t["PET"] == 0).all() and (t["EN"] == 55).all()
    assert list(t.columns) == ["p", "reject n=55", "P(reject)", "PET", "EN"]


def test_protocol_1_talent_sentence():
    # TALENT (seed 004): "55 patients per group ... 90% power and alpha-error of 5%"
    txt = protocol_text(single_stage_design(0.10, 0.25, 0.05, 0.90), per="cohort")
    assert txt.startswith("A sample size of 55 patients per cohort provides 90 % power to reject "
                          "the null hypothesis that the true response rate is 10 % or less, when "
                          "the true rate is 25 %, at a one-sided significance level of 5 %")
    assert "if 10 or more responses are observed among the 55 patients" in txt
    assert "4.4 %" in txt and "91.1 %" in txt and "A'Hern" in txt


def test_protocol_2_every_design_states_rule_and_reference():
    s = simon_design(0.1, 0.3)
    txt = protocol_text(s)
    assert "10 patients will be enrolled; if 1 or fewer respond" in txt
    assert "6 or more responses are observed among the 29 patients" in txt and "Simon" in txt
    assert "15 patients will be enrolled" in protocol_text(s, choice="minimax")
    b = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[5, 10, 20, 30])
    tb = protocol_text(b)
    assert "Beta(0.2, 0.8) prior" in tb and "12 or more responses" in tb and "Zhou" in tb
    assert "no stop is possible at the look after 5 patients" in tb and "-1" not in tb
    lm = landmark_survival_design(0.5, 0.72, 12, 18, 12, sides=2, dropout=0.1,
                                  dropout_method="exponential")
    tl = protocol_text(lm, transform="log-log")
    assert "38 patients will be enrolled" in tl and "two-sided" in tl and "Nagashima" in tl
    assert f"exceeds {lm.critical_value('log-log'):.3f}" in tl
    ta = protocol_text(two_arm_survival_design(0.75, median0=24, accrual=12, followup=6,
                                               alpha=0.025, power=0.9, sides=1, ratio=2,
                                               rounding="rpact"))
    assert "572 events" in ta and "2308 patients (1539 experimental, 769 control)" in ta
    with pytest.raises(OncotrialValueError, match="`design` of `protocol_text`"):
        protocol_text(object())


def test_bop2_1_prior_settable_printed_and_no_minus_one():
    d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[5, 10, 20, 30], a=1, b=1)
    assert (d.a, d.b) == (1.0, 1.0) and d.to_dict()["prior"] == [1.0, 1.0]
    default = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[5, 10, 20, 30])
    assert (default.a, default.b) == (0.2, 0.8)
    summ = default.summary()
    assert -1 not in summ["stop if responses <="].tolist()
    assert summ["stop if responses <="].iloc[0] == "no stop"
    assert default.to_dict()["boundary"][0]["stop_if_responses_le"] is None
    sc = default.scenario_table([0.2, 0.4])
    assert sc["claim promising (%)"].tolist() == pytest.approx([100 * default.alpha, 100 * default.power])
    assert sc["early stopping (%)"].iloc[0] == pytest.approx(100 * default.pet0)


def test_landmark_1_critical_value_by_hand():
    # t <= f: nobody is censored before t, so tau_0^2 = S0(1 - S0) for the identity transform
    d = landmark_survival_design(0.9, 0.96, 18, 24, 24)
    n = d.n_evaluable["identity"]
    assert d.critical_value("identity") == pytest.approx(
        0.9 + norm.ppf(0.95) * math.sqrt(0.09 / n), rel=1e-12)
    # arcsine: g = asin(sqrt(S)), tau_0 = 1/2
    n = d.n_evaluable["arcsine"]
    c = math.sin(math.asin(math.sqrt(0.9)) + norm.ppf(0.95) * 0.5 / math.sqrt(n)) ** 2
    assert d.critical_value("arcsine") == pytest.approx(c, rel=1e-12)
    # every transform rejects above S0 and below S1; the OC at S0 is alpha, at S1 about power
    oc = d.oc_table([0.9, 0.96])
    for tr in ("identity", "log", "log-log", "logit", "arcsine"):
        assert 0.9 < d.critical_value(tr) < 0.96
        assert oc[f"P(reject) {tr}"].iloc[0] == pytest.approx(0.05, rel=1e-9)
        assert 0.8 <= oc[f"P(reject) {tr}"].iloc[1] < 0.83


def test_landmark_2_nice_nec_table_and_published_n():
    # NICE-NEC (seed 002): H0 50 %, H1 72 % at 12 months, two-sided 5 %, 80 %, accrual 18,
    # follow-up 12, 10 % dropout -> 38 patients
    d = landmark_survival_design(0.5, 0.72, 12, 18, 12, sides=2, dropout=0.1)
    t = landmark_n_table(d)
    assert t.to_dict("index") == {
        "identity": {"no dropout": 39, "inflate": 44, "exponential": 41},
        "log": {"no dropout": 47, "inflate": 53, "exponential": 50},
        "log-log": {"no dropout": 36, "inflate": 40, "exponential": 38},
        "logit": {"no dropout": 38, "inflate": 43, "exponential": 40},
        "arcsine": {"no dropout": 38, "inflate": 43, "exponential": 41}}
    assert matching_assumptions(d, 38) == ["log-log, exponential dropout", "logit, no dropout",
                                           "arcsine, no dropout"]
    assert matching_assumptions(d, 1000) == []


def _cli(*args):
    return runner.invoke(app, ["design", *args])


def test_cli_6_text_and_json_text():
    res = _cli("single-stage", "--p0", "0.1", "--p1", "0.25", "--power", "0.9", "--text", "--per", "cohort")
    assert res.exit_code == 0 and res.output.startswith("A sample size of 55 patients per cohort provides 90 % power")
    d = json.loads(_cli("single-stage", "--p0", "0.1", "--p1", "0.25", "--json").output)
    assert d["text"].startswith("A sample size of 55 patients provides")
    assert [round(r["p"], 2) for r in d["oc"]] == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]


def test_cli_7_bop2_prior_scenarios_and_clean_errors():
    res = _cli("bop2", "--looks", "5,10,20,30", "--prior-a", "1", "--prior-b", "1", "--scenarios", "0.2,0.4")
    assert res.exit_code == 0, res.output
    assert "prior Beta(1, 1)" in res.output and "<= -1" not in res.output and "no stop" in res.output
    assert "claim promising (%)" in res.output
    looks_msg = "`--looks` of `design bop2` must be comma-separated integers; got '10,abc'"
    for args, msg in ((("bop2", "--looks", "10,abc"), looks_msg),
                      (("bop2", "--scenarios", "x"), "`--scenarios` of `design bop2`"),
                      (("simon", "--choice", "best"), "`--choice` of `design simon`"),
                      (("survival-landmark", "--transform", "sqrt"), "`--transform`"),
                      (("survival-two-arm", "--rounding", "arm"), "`rounding` of `two_arm_survival_design`"),
                      (("simon", "--plot", "/nonexistent-dir/x.png"), "existing folder")):
        r = _cli(*args)
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output, (args, r.output)


def test_cli_8_plot_never_overwrites_without_force(tmp_path):
    png = tmp_path / "simon.png"
    assert _cli("simon", "--plot", str(png)).exit_code == 0
    size = png.stat().st_size
    r = _cli("simon", "--plot", str(png))
    assert r.exit_code == 2 and "--force" in r.output and png.stat().st_size == size
    assert _cli("simon", "--plot", str(png), "--force").exit_code == 0


def test_cli_9_landmark_published_n():
    r = _cli("survival-landmark", "--s0", "0.5", "--s1", "0.72", "--landmark", "12", "--accrual", "18",
             "--followup", "12", "--sides", "2", "--dropout", "0.1", "--published-n", "38")
    assert r.exit_code == 0
    assert "n = 38 is reproduced by: log-log, exponential dropout; logit, no dropout; arcsine, no dropout" in r.output
    assert "reject H0 if the Kaplan-Meier estimate of S(12) >" in r.output
