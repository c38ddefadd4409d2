"""``design._table.Table`` prints exactly what pandas prints (issue 21).

The ``oncotrial design`` commands print their tables without pandas; the text must stay what
``DataFrame.to_string`` gave before. Every table the commands print is compared with the
pandas rendering of the same table, and ``Table.to_frame()`` with the public DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.design import (
    bop2_design,
    landmark_survival_design,
    posterior_monitoring,
    predictive_design,
    simon_design,
    simon_inference,
    single_stage_design,
    two_arm_survival_design,
)
from oncotrial.design._landmark import _landmark_n_table, landmark_n_table
from oncotrial.design._oc import oc_columns
from oncotrial.design._table import Table

FMT = "{:.4f}".format


def _pandas_text(df: pd.DataFrame, index: bool) -> str:
    # the options the design CLI printed its DataFrames under before issue 21
    with pd.option_context("display.width", 160, "display.max_columns", 30,
                           "display.float_format", FMT):
        return df.to_string(index=index)


def _check(table: Table, frame: pd.DataFrame | None = None) -> None:
    got = table.to_frame()
    if frame is not None:
        pd.testing.assert_frame_equal(got, frame, check_exact=True, check_index_type=True,
                                      check_column_type=True)
        assert got.index.dtype == frame.index.dtype
    for index in (True, False):
        assert table.to_string(index=index, float_format=FMT) == _pandas_text(got, index)


def _designs():
    yield single_stage_design(0.1, 0.25)
    yield single_stage_design(0.05, 0.5)
    yield simon_design(0.1, 0.3).optimal
    yield simon_design(0.2, 0.4, 0.1, 0.9, nmax=60).minimax
    yield posterior_monitoring(0.2, 0.4, nmax=30, looks=[10, 20, 30])
    yield predictive_design(0.2, 0.4, 0.1, 0.8, nmin=20, nmax=30)
    yield bop2_design(0.2, 0.4, 0.1, nmax=30, looks=[10, 20, 30])


@pytest.mark.parametrize("grid", [None, [0.0, 0.05, 0.5, 1.0]])
def test_table_1_binary_designs_summary_and_oc(grid):
    for d in _designs():
        _check(d._summary_table(), d.summary())
        _check(Table(oc_columns(d, grid)), d.oc_table(grid))


def test_table_2_simon_search_inference_bop2_scenarios():
    s = simon_design(0.1, 0.3)
    _check(s._summary_table(), s.summary())
    for args in ((8, 1, 10, 5, 29), (1, 1, 10, 5, 29), (29, 1, 10, 5, 29)):
        res = simon_inference(*args, p0=0.1)
        _check(res._summary_table(), res.summary())
    d = bop2_design(0.2, 0.4, 0.1, nmax=40)
    _check(d._scenario_table([0.1, 0.2, 0.4]), d.scenario_table([0.1, 0.2, 0.4]))


def test_table_3_survival_designs():
    for d in (landmark_survival_design(0.9, 0.96, 18, 24, 24),
              landmark_survival_design(0.5, 0.72, 12, 24, 12, sides=2, dropout=0.1),
              landmark_survival_design(0.5, 0.72, 12, 18, 6, dropout=0.2,
                                       dropout_method="exponential")):
        _check(d._summary_table(), d.summary())
        _check(d._oc_table(), d.oc_table())
        _check(d._oc_table([0.5, 0.9]), d.oc_table([0.5, 0.9]))
        _check(_landmark_n_table(d), landmark_n_table(d))
        assert _landmark_n_table(d).to_string() == landmark_n_table(d).to_string()
    for d in (two_arm_survival_design(0.7, median0=12, accrual=24, followup=12),
              two_arm_survival_design(1.3, median0=6, accrual=12, followup=6, ratio=2,
                                      dropout=0.1, rounding="rpact")):
        _check(d._summary_table(), d.summary())
        _check(d._power_table(), d.power_table())
        _check(d._power_table([0.6, 1.0, 1.4]), d.power_table([0.6, 1.0, 1.4]))


def test_table_4_cell_kinds_like_pandas():
    """Negative numbers, NaN, bools, strings mixed with numbers, long cells, names."""
    long = "x" * 60
    cols = {
        "int": [1, -20, 300], "float": [0.5, -1.25, float("nan")],
        "str": ["a", "", "long label here"], "mixed": [0, "no stop", ""],
        "mixed float": [0.5, "", 2], "bool": [True, False, True],
        "long": [long, "y", "z"], "np": np.array([1e-9, 1e6, 123.456]),
        "npint": np.array([7, 8, 9]), "a much longer header than values": [1, 2, 3],
    }
    for index, name in ((None, None), (["r1", "r2", "a longer label"], None),
                        (["r1", "r2", "r3"], "rows"), ([10, 20, 30], "n")):
        _check(Table(cols, index=index, index_name=name))
    _check(Table.from_records([{"m": "a", "n": 1, "x": 0.5}, {"m": "b", "n": 2}], index="m"))


def test_table_5_records_and_ints_without_format():
    t = Table({"n": np.array([1, 2]), "p": [0.25, 0.5], "s": ["a", "b"]})
    assert t.records() == t.to_frame().to_dict(orient="records")
    assert all(type(v) in (int, float, str) for r in t.records() for v in r.values())
    assert Table({"n": [1, 2]}, index=["a", "b"]).to_string() == pd.DataFrame(
        {"n": [1, 2]}, index=["a", "b"]).to_string()
    with pytest.raises(TypeError, match="float_format"):
        t.to_string()
