"""Spec validation, the event-time planner (checked with oncotrial.stats), lesion margins and
the ``oncotrial twin`` command (byte-identical output for one seed)."""

from __future__ import annotations

import copy
import filecmp
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from oncotrial._errors import OncotrialValueError
from oncotrial.cli import app
from oncotrial.derive import derive_vars_recist
from oncotrial.evidence.twins import BUNDLED_SPECS, bundled_spec_path, generate_twin, load_spec
from oncotrial.evidence.twins._lesions import SubjectVisits, lesion_rows
from oncotrial.evidence.twins._plan_km import Checkpoint, plan_times
from oncotrial.evidence.twins._spec import parse_spec
from oncotrial.stats import kaplan_meier


def _raw(name: str) -> dict:
    return tomllib.loads(bundled_spec_path(name).read_text())


# ---- spec -----------------------------------------------------------------------------------

def _leaves(d, path=""):
    if isinstance(d, dict):
        if "value" in d:
            yield path, d
            return
        for k, v in d.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, f"{path}[{i}]")


@pytest.mark.parametrize("name", BUNDLED_SPECS)
def test_twin_spec_1_every_number_has_source_xor_assumption(name):
    raw = _raw(name)
    leaves = list(_leaves(raw))
    assert len(leaves) >= 12
    for path, leaf in leaves:
        assert ("source" in leaf) != ("assumption" in leaf), path
    for c in raw["cohort"]:
        for key in ("ae", "prior_therapy"):
            for row in c.get(key, []):
                assert row["source"].strip()
        for lm in c.get("pfs", {}).get("landmarks", []) + c.get("os", {}).get("landmarks", []):
            assert lm["source"].strip()
    assert raw["assumptions"]  # every bundled spec states what the paper does not give


def test_twin_spec_2_missing_source_is_an_error_naming_the_key():
    raw = _raw("talent")
    del raw["cohort"][1]["bor"]["PR"]["source"]
    with pytest.raises(OncotrialValueError, match=r"`cohort\[1\]\.bor\.PR` of `load_spec` must be given "
                                                  r"exactly one of `source` and `assumption`"):
        parse_spec(raw)


def test_twin_spec_3_bor_must_add_up_to_efficacy_population():
    raw = _raw("nice-nec")
    raw["cohort"][0]["bor"]["SD"]["value"] = 11
    with pytest.raises(OncotrialValueError, match=r"summing to the efficacy population \(37\); got 38"):
        parse_spec(raw)


def test_twin_spec_4_populations_nested_and_baseline_sums():
    raw = _raw("nice-nec")
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["population"]["safety"]["value"] = 39
    with pytest.raises(OncotrialValueError, match=r"efficacy <= safety <= enrolled; got \(37, 39, 38\)"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["baseline"]["categorical"][0]["counts"]["M"] = 24
    with pytest.raises(OncotrialValueError, match=r"summing to the baseline population \(37\); got 36"):
        parse_spec(bad)


def test_twin_spec_5_bad_values():
    raw = _raw("talent")
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["ae"][0]["counts"] = {"1-2": 56}
    with pytest.raises(OncotrialValueError, match=r"<= the safety population \(55\); got 56"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["cohort"][0]["pfs"]["median"]["value"] = -3
    with pytest.raises(OncotrialValueError, match=r"positive number of months or \"NR\""):
        parse_spec(bad)
    with pytest.raises(OncotrialValueError, match=r"must be a TOML file or one of"):
        load_spec("no-such-spec")
    with pytest.raises(OncotrialValueError, match=r"`seed` of `generate_twin` must be a non-negative"):
        generate_twin("talent", seed=-1)


def test_twin_spec_6_pooled_targets():
    """``[pooled]``: trial-level targets with source xor assumption; the pooled DoR range must be
    the cohorts' extremes (it is met through them); unknown keys are errors."""
    sp = load_spec("talent")
    assert sp.pooled is not None and sp.pooled.label == "Total (N = 111)"
    assert sp.pooled.dor.median.value == 21.5 and sp.pooled.dor.range.value == [8.4, 38.3]
    assert sp.pooled.pfs.median.value == 15.7 and sp.pooled.pfs.median_ci.value == (14.1, 19.5)
    assert "Total (N = 111) 21.5 (8.4-38.3)" in sp.pooled.dor.median.source
    assert load_spec("nice-nec").pooled is None
    raw = _raw("talent")
    bad = copy.deepcopy(raw)
    del bad["pooled"]["dor"]["median"]["source"]
    with pytest.raises(OncotrialValueError, match=r"`pooled\.dor\.median` of `load_spec` must be"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["pooled"]["dor"]["range"]["value"] = [8.4, 40.0]
    with pytest.raises(OncotrialValueError, match=r"`pooled\.dor\.range\.value`.*cohorts' dor\.range"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["pooled"]["os"] = {}
    with pytest.raises(OncotrialValueError, match=r"`pooled` of `load_spec` must be a table with keys"):
        parse_spec(bad)
    bad = copy.deepcopy(raw)
    bad["pooled"]["dor"]["median"]["value"] = "NR"
    with pytest.raises(OncotrialValueError, match=r"a reached median"):
        parse_spec(bad)


# ---- planner --------------------------------------------------------------------------------

def test_twin_plan_1_hand_case():
    """20 subjects, 60.0% at day 180: 8 events before day 180 and no censoring (12/20)."""
    t, e, _ = plan_times(20, [Checkpoint(180.0, "landmark", 60.0, 1)], t_min=30,
                         censor_window=(300, 400), rng=np.random.default_rng(3))
    assert int(np.sum(e & (t < 180))) == 8 and int(np.sum(~e & (t < 180))) == 0
    km = kaplan_meier(t, e)
    assert round(100 * float(km.at([180])["surv"].iloc[0]), 1) == 60.0


def test_twin_plan_2_median_on_exact_half_uses_a_tie():
    """n = 42, 13 fixed early events: S steps k/42 hit 0.5 exactly, so the median day holds two
    tied events (S jumps from 22/42 to 20/42) and R's midpoint rule never applies."""
    forced = [(50, True)] * 13
    t, e, _ = plan_times(42, [Checkpoint(167.0, "median")], t_min=64, censor_window=(365, 1095),
                         rng=np.random.default_rng(0), forced=forced, events=36)
    assert int(np.sum(e & (t == 167))) == 2
    assert kaplan_meier(t, e).median().estimate == 167.0
    assert int(e.sum()) == 36


def test_twin_plan_3_not_reached_and_events():
    t, e, _ = plan_times(40, [], t_min=50, censor_window=(400, 900), rng=np.random.default_rng(1),
                         events=15, median_not_reached=True)
    km = kaplan_meier(t, e)
    assert np.isnan(km.median().estimate) and int(e.sum()) == 15


def test_twin_plan_4_infeasible_raises():
    with pytest.raises(OncotrialValueError, match=r"no arrangement of 10 subjects"):
        plan_times(10, [Checkpoint(180.0, "landmark", 55.5, 1)], t_min=30, censor_window=(300, 400),
                   rng=np.random.default_rng(0))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(12, 60), k1=st.integers(1, 8), k2=st.integers(1, 8), seed=st.integers(0, 10**6))
def test_twin_plan_5_property_landmarks_from_counts(n, k1, k2, seed):
    """Targets built from event counts (k1 events by 6 months, k1 + k2 by 12 months, no early
    censoring) are always met, checked with the R-convention KM of oncotrial.stats."""
    assume(k1 + k2 < n)  # someone is still at risk at 12 months (else R reports no row there)
    # an exactly half-way percentage (33/48 = 68.75 %) prints either way with float error
    assume(all((1000 * (n - k)) % n * 2 != n for k in (k1, k1 + k2)))
    s6 = (n - k1) / n
    s12 = (n - k1 - k2) / n
    cps = [Checkpoint(6 * 30.4375, "landmark", round(100 * s6, 1), 1),
           Checkpoint(12 * 30.4375, "landmark", round(100 * s12, 1), 1)]
    t, e, slot = plan_times(n, cps, t_min=40, censor_window=(400, 900), rng=np.random.default_rng(seed))
    km = kaplan_meier(t / 30.4375, e)
    at = km.at([6, 12])["surv"].to_numpy()
    assert [round(100 * x, 1) for x in at] == [cp.percent for cp in cps]
    assert np.all((slot[:, 0] <= t) & (t <= slot[:, 1]))


# ---- lesions --------------------------------------------------------------------------------

def test_twin_lesions_1_recist_reads_back_the_plan():
    """Every planned time-point response is what the RECIST engine derives, over many subjects."""
    rng = np.random.default_rng(7)
    plans = {"A": ["SD", "PR", "PR", "PD"], "B": ["SD", "SD", "PD"], "C": ["PR", "CR", "CR", "PD"],
             "D": ["NE"], "E": ["PD"], "F": ["SD", "SD", "SD"]}
    rows = []
    for rep in range(15):
        for sid, resp in plans.items():
            days = [56 * (i + 1) for i in range(len(resp))]
            rows += lesion_rows(rng, f"{sid}{rep}", -7, np.datetime64("2020-01-01"),
                                SubjectVisits(days, [f"WEEK {8 * (i + 1)}" for i in range(len(resp))],
                                              resp), "INVESTIGATOR")
    tp = derive_vars_recist(pd.DataFrame(rows))
    post = tp[tp.ABLFL != "Y"].sort_values(["USUBJID", "ADT"])
    got = post.groupby("USUBJID").AVALC.apply(list).to_dict()
    for sid, resp in plans.items():
        for rep in range(15):
            assert got[f"{sid}{rep}"] == resp, (sid, rep)


# ---- CLI ------------------------------------------------------------------------------------

def test_twin_cli_1_byte_identical_for_a_seed(tmp_path):
    runner = CliRunner()
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "5"), (b, "5"), (c, "6")):
        r = runner.invoke(app, ["twin", "--example", "nice-nec", "--out", str(out), "--seed", seed])
        assert r.exit_code == 0, r.output
    files = sorted(p.name for p in a.iterdir())
    assert files == ["adverse_events.csv", "exposure.csv", "lesions.csv", "manifest.json",
                     "prior_therapy.csv", "responses.csv", "subjects.csv"]  # manifest: issue 14
    matched, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    assert mismatch == [] and errors == [] and matched == files
    assert (a / "lesions.csv").read_bytes() != (c / "lesions.csv").read_bytes()


def test_twin_cli_2_spec_file_and_errors(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["twin", str(bundled_spec_path("regomune")), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(tmp_path / "r" / "subjects.csv")) == 47
    r = runner.invoke(app, ["twin", str(bundled_spec_path("regomune"))])
    assert r.exit_code == 2 and "--out DIR is required" in r.output
    r = runner.invoke(app, ["twin", "--example", "nope"])
    assert r.exit_code == 2 and "--example must be one of" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text(bundled_spec_path("regomune").read_text().replace(
        'PR = { value = 7, assumption', 'PR = { value = 8, assumption'))
    r = runner.invoke(app, ["twin", str(bad), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "summing to the efficacy population" in r.output  # 2: spec
