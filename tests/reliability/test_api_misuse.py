"""Probe class "API misuse" (issue 14): public functions refuse bad arguments with the house
message "`{param}` of `{func}` must be ...; got ...", and long searches report progress and stop
at a time budget."""

from __future__ import annotations

import math
import re

import pytest

from oncotrial._errors import OncotrialValueError
from oncotrial.design import bop2_design, event_probability, simon_oc
from oncotrial.io import read_study, validate

HOUSE = re.compile(r"^`\w+` of `\w+` must be .+; got .+\.")


@pytest.mark.parametrize(("args", "param"), [
    ((-1, 12, 12), "hazard"), ((0, 12, 12), "hazard"), ((math.inf, 12, 12), "hazard"),
    ((math.nan, 12, 12), "hazard"), ((0.1, 0, 12), "accrual"), ((0.1, -3, 12), "accrual"),
    ((0.1, 12, -1), "followup"), (("x", 12, 12), "hazard"), ((1e300, 1e300, 1), "hazard")])
def test_event_probability_refuses(args, param):
    with pytest.raises(OncotrialValueError, match=f"^`{param}` of `event_probability`") as e:
        event_probability(*args)
    assert HOUSE.match(str(e.value))


@pytest.mark.parametrize(("hazard", "accrual", "followup", "expected"), [
    # P = 1 - (exp(-l f) - exp(-l (a + f))) / (l a), evaluated by hand
    (math.log(2) / 12, 24, 12, 1 - (0.5 - 0.125) / (math.log(2) * 2)),
    (1e-12, 12, 12, 1.8e-11),  # small-hazard limit: l (a / 2 + f)
    (0.05, 10, 0, 1 - (1 - math.exp(-0.5)) / 0.5)])
def test_event_probability_values(hazard, accrual, followup, expected):
    assert event_probability(hazard, accrual, followup) == pytest.approx(expected, rel=1e-9)
    assert 0 <= event_probability(hazard, accrual, followup) <= 1


@pytest.mark.parametrize(("args", "param"), [
    ((11, 10, 5, 29, 0.2), "r1"), ((1, 10, 5, 29, 1.5), "p"), ((1, 10, 5, 29, -0.1), "p"),
    ((1, 10, 5, 29, math.nan), "p"), ((1, 30, 5, 29, 0.2), "n1"), ((1, 0, 5, 29, 0.2), "n1"),
    ((3, 10, 2, 29, 0.2), "r"), ((1, 10, 30, 29, 0.2), "r"), ((1.5, 10, 5, 29, 0.2), "r1"),
    ((1, 10, 5, -1, 0.2), "n")])
def test_simon_oc_refuses(args, param):
    with pytest.raises(OncotrialValueError, match=f"^`{param}` of `simon_oc`") as e:
        simon_oc(*args)
    assert HOUSE.match(str(e.value))


def test_simon_oc_values_by_hand():
    # r1/n1 = 0/1, r/n = 0/2: reject iff both respond; pet = 1 - p; EN = 1 + p.
    rej, pet, en = simon_oc(0, 1, 1, 2, [0.0, 0.3, 1.0])
    assert rej.tolist() == pytest.approx([0.0, 0.09, 1.0])
    assert pet.tolist() == pytest.approx([1.0, 0.7, 0.0])
    assert en.tolist() == pytest.approx([1.0, 1.3, 2.0])


def test_bop2_progress_is_reported_in_order():
    seen: list[float] = []
    d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30], progress=seen.append)
    assert len(seen) == 20 and seen == sorted(seen) and seen[-1] == 1.0
    plain = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    assert (d.lam, d.gamma, d.boundary, d.r_final) == (plain.lam, plain.gamma, plain.boundary,
                                                        plain.r_final)


def test_bop2_time_budget_stops_a_long_search():
    with pytest.raises(OncotrialValueError, match=r"`time_budget` of `bop2_design` must cover "
                                                  r"the grid search; got 1e-06 s.*estimated total"):
        bop2_design(0.2, 0.4, 0.1, nmax=400, time_budget=1e-6)


@pytest.mark.parametrize(("kw", "param"), [({"time_budget": -1}, "time_budget"),
                                           ({"time_budget": math.nan}, "time_budget"),
                                           ({"lam_grid": [0.5, math.inf]}, "lam_grid"),
                                           ({"gamma_grid": [-1.0]}, "gamma_grid"),
                                           ({"nmax": 5000}, "nmax")])
def test_bop2_refuses(kw, param):
    with pytest.raises(OncotrialValueError, match=f"`{param}` of `bop2_design`"):
        bop2_design(0.2, 0.4, 0.1, **kw)


@pytest.mark.parametrize("cutoff", ["2024-13-01", "yesterday", "2024-01"])
def test_read_study_refuses_a_bad_cutoff(cutoff):
    from oncotrial.io import example_data_path

    with pytest.raises(OncotrialValueError, match=r"^`data_cutoff` of `read_study` must be"):
        read_study(example_data_path(), data_cutoff=cutoff)


@pytest.mark.parametrize("path", ["/no/such/folder", __file__])
def test_read_study_refuses_a_non_study(path):
    with pytest.raises(OncotrialValueError, match=r"^`path` of `read_study` must be"):
        read_study(path)
    assert validate(path).errors[0].rule == "missing-file"


def test_output_folder_refuses_the_current_directory(tmp_path, monkeypatch):
    from oncotrial._output import output_folder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("mine")
    with pytest.raises(OncotrialValueError, match="current directory"), \
            output_folder(".", command="analyze", force=True):
        pass
    assert (tmp_path / "x.txt").read_text() == "mine"
