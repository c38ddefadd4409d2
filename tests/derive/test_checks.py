"""derive/_checks.py helpers (issue 21: ``text`` computed once per distinct value)."""

from __future__ import annotations

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial.derive._checks import text


def _text_per_cell(series: pd.Series) -> pd.Series:
    """``text`` as written before issue 21 (every cell through pandas' string methods)."""
    s = series.astype("string").str.strip().str.upper()
    s = s.mask(s == "")
    return s.astype(object).where(s.notna(), None)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "pr", " PR", "Cr ", "ne"]),
                          st.text(alphabet="aB -/", max_size=4)), max_size=30),
       st.sampled_from(["string", "object"]))
@example([" pr", "", None, "PR "], "object")
@example([], "string")
def test_text_1_equals_the_per_cell_version(values, dtype):
    s = pd.Series(values, dtype=dtype, index=pd.RangeIndex(10, 10 + len(values)), name="status")
    got = text(s)
    expected = _text_per_cell(s)
    pd.testing.assert_series_equal(got, expected)


def test_text_2_mixed_objects_are_formatted_per_cell():
    s = pd.Series([1, 1.0, "1", None, float("nan")], dtype=object)
    assert text(s).tolist() == ["1", "1.0", "1", None, None]
