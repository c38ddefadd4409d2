"""Simon designs and their OC tables against R clinfun (issue 18).

Reference: R 4.2.2, clinfun 1.1.5, ``tools/golden_design.R`` -> ``tests/design/golden/simon.json``:
48 settings (p0 in {.05, .1, .2, .3, .4, .6}, p1 = p0 + {.15, .2}, alpha in {.05, .1}, beta in
{.1, .2}, nmax 150): ``ph2simon()$out`` (the per-n table), the optimal and minimax designs as
``print.ph2simon`` picks them, admissible designs (minimisers of q n + (1 - q) EN(p0) on a
q grid of step 0.0005), and ``oc.twostage.bdry(p, p, r1, n1, r, n)`` over 11 true rates.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oncotrial.design import simon_design

GOLD = json.loads((Path(__file__).parent / "golden" / "simon.json").read_text())
SETTINGS = GOLD["settings"]
IDS = [f"p0={s['p0']}-p1={round(s['p1'], 2)}-a={s['alpha']}-b={s['beta']}" for s in SETTINGS]


def _key(d):
    return (d.r1, d.n1, d.r, d.n)


def test_simon_clinfun_0_coverage():
    assert len(SETTINGS) >= 40


@pytest.fixture(scope="module")
def searches():
    return [simon_design(s["p0"], s["p1"], s["alpha"], 1 - s["beta"], nmax=s["nmax"]) for s in SETTINGS]


@pytest.mark.parametrize("i", range(len(SETTINGS)), ids=IDS)
def test_simon_clinfun_1_optimal_minimax(i, searches):
    s, res = SETTINGS[i], searches[i]
    for kind in ("optimal", "minimax"):
        g = s[kind]
        d = getattr(res, kind)
        assert _key(d) == tuple(int(g["design"][k]) for k in ("r1", "n1", "r", "n")), kind
        assert d.en0 == pytest.approx(g["en0"], rel=1e-12)
        assert d.pet0 == pytest.approx(g["pet0"], rel=1e-12)
        assert d.alpha == pytest.approx(g["alpha"], rel=1e-10)
        assert d.power == pytest.approx(g["power"], rel=1e-10)


@pytest.mark.parametrize("i", range(len(SETTINGS)), ids=IDS)
def test_simon_clinfun_2_full_table_equals_ph2simon_out(i):
    s = SETTINGS[i]
    res = simon_design(s["p0"], s["p1"], s["alpha"], 1 - s["beta"], nmax=s["nmax"], full_table=True)
    got = np.array([[d.r1, d.n1, d.r, d.n, d.en0, d.pet0] for d in res.by_n])
    want = np.array(s["out"], dtype=float)
    np.testing.assert_array_equal(got[:, :4], want[:, :4])
    np.testing.assert_allclose(got[:, 4:], want[:, 4:], rtol=1e-12)


@pytest.mark.parametrize("i", range(len(SETTINGS)), ids=IDS)
def test_simon_clinfun_3_admissible(i, searches):
    s, res = SETTINGS[i], searches[i]
    want = {tuple(int(v) for v in row) for row in s["admissible"]}
    got = {_key(d): d for d in res.admissible}
    # every design R finds on its q grid is admissible here, and ours that R's grid misses
    # have a q interval narrower than the grid step
    assert want <= set(got)
    for k, d in got.items():
        if k not in want:
            assert d.q_high - d.q_low < 0.0005 + 1e-12


@pytest.mark.parametrize("i", range(len(SETTINGS)), ids=IDS)
def test_simon_clinfun_4_oc_table_matches_oc_twostage_bdry(i, searches):
    s, res = SETTINGS[i], searches[i]
    for kind in ("optimal", "minimax"):
        grid = np.array(s[kind]["grid"], dtype=float)
        t = getattr(res, kind).oc_table(grid[:, 0])
        np.testing.assert_allclose(t["P(reject)"], grid[:, 1], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(t["PET"], grid[:, 2], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(t["EN"], grid[:, 3], rtol=1e-10)
        # per stage: stage-1 stop = PET, stage-2 reject = P(reject); the rows add up
        d = getattr(res, kind)
        np.testing.assert_allclose(t[f"stop n={d.n1}"], t["PET"], rtol=1e-14)
        np.testing.assert_allclose(t[f"reject n={d.n}"], t["P(reject)"], rtol=1e-14)
        assert f"reject n={d.n1}" not in t.columns  # Simon designs never stop for efficacy
