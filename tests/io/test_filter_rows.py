"""``oncotrial._frame.filter_rows`` is ``frame[mask]``: same values, dtypes, index and column
order, on frames of every column type the readers and derivations hold (issue 21: Arrow text is
filtered by Arrow's own kernel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oncotrial._frame import filter_rows, take_rows

KINDS = ["string", "string[python]", "str", "object", "int", "float", "bool", "Int64",
         "datetime", "category"]
TEXT = st.one_of(st.none(), st.text(alphabet=list("ab é,"), max_size=3))


def _column(kind: str, values: list) -> pd.Series:
    if kind in ("string", "string[python]", "str", "object", "category"):
        return pd.Series(values, dtype=kind)
    n = len(values)
    ints = np.arange(n, dtype="int64") * 7 - 3
    if kind == "int":
        return pd.Series(ints)
    if kind == "float":
        return pd.Series(np.where(ints % 3 == 0, np.nan, ints / 4))
    if kind == "bool":
        return pd.Series(ints % 2 == 0)
    if kind == "Int64":
        return pd.Series(pd.array([None if i % 4 == 0 else int(i) for i in ints], dtype="Int64"))
    return pd.Series(pd.to_datetime(ints, unit="D", origin="2014-01-01")).where(ints % 5 != 0)


@st.composite
def frames(draw) -> tuple[pd.DataFrame, np.ndarray]:
    n = draw(st.integers(0, 9))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    cols = {f"c{j}": _column(k, draw(st.lists(TEXT, min_size=n, max_size=n)))
            for j, k in enumerate(kinds)}
    index = draw(st.sampled_from(["range", "shifted", "text"]))
    df = pd.DataFrame(cols)
    if index == "shifted":
        df.index = pd.RangeIndex(10, 10 + 2 * n, 2) if n else pd.RangeIndex(0)
    elif index == "text":
        df.index = pd.Index([f"r{i}" for i in range(n)])
    mask = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return df, mask


@example((pd.DataFrame({"a": pd.Series(["x", None], dtype="string"),
                        "b": pd.Series(["y", None], dtype="str")}), np.array([False, True])))
@example((pd.DataFrame({"a": pd.Series([], dtype="string")}), np.array([], dtype=bool)))
@example((pd.DataFrame({"a": pd.Series([None, ""], dtype=object)}), np.array([False, True])))
@given(frames())
def test_filter_rows_1_equals_boolean_indexing(case):
    df, mask = case
    got = filter_rows(df, mask)
    want = df[mask]
    pd.testing.assert_frame_equal(got, want, check_index_type=True)
    assert list(got.dtypes) == list(want.dtypes)
    assert got.index.equals(want.index)
    # a boolean Series on the frame's index is taken the same way
    pd.testing.assert_frame_equal(filter_rows(df, pd.Series(mask, index=df.index)), want)
    # take_rows: positions in any order, repeated
    pos = np.concatenate([np.flatnonzero(mask)[::-1], np.flatnonzero(~mask)[:2]]).astype("int64")
    got = take_rows(df, pos)
    want = df.take(pos)
    pd.testing.assert_frame_equal(got, want, check_index_type=True)
    assert list(got.dtypes) == list(want.dtypes)


def test_filter_rows_2_arrow_text_is_filtered_by_arrow():
    pytest.importorskip("pyarrow")
    df = pd.DataFrame({"a": pd.array(["x", "y", None], dtype="string[pyarrow]"), "b": [1, 2, 3]})
    got = filter_rows(df, np.array([True, False, True]))
    assert got["a"].dtype == df["a"].dtype
    assert got["a"].tolist()[0] == "x" and pd.isna(got["a"].iloc[1])
    assert got["b"].tolist() == [1, 3] and got.index.tolist() == [0, 2]


def test_filter_rows_3_mask_of_the_wrong_length_raises_as_pandas_does():
    df = pd.DataFrame({"a": pd.array(["x", "y"], dtype="string")})
    with pytest.raises((IndexError, ValueError)):
        filter_rows(df, np.array([True]))


_IDS = st.one_of(st.none(), st.sampled_from(["S1", "S2", "S3", "", "é"]))


@example(["S1", None], ["S1", None], "str", "Series-string")
@example(["S1", None], [None], "string", "list")
@example(["S1"], [], "string", "set")
@given(st.lists(_IDS, max_size=8), st.lists(_IDS, max_size=8),
       st.sampled_from(["string", "str", "object"]),
       st.sampled_from(["Series-string", "Series-str", "Series-object", "Index-str", "list",
                        "set", "tuple"]))
def test_isin_1_equals_series_isin(ids, values, kind, how):
    from oncotrial._frame import isin

    s = pd.Series(ids, dtype=kind, index=pd.RangeIndex(3, 3 + len(ids)), name="USUBJID")
    container, _, vdtype = how.partition("-")
    if container == "Series":
        v = pd.Series(values, dtype=vdtype)
    elif container == "Index":
        v = pd.Index(values, dtype=vdtype)
    else:
        v = {"list": list, "set": set, "tuple": tuple}[container](values)
    pd.testing.assert_series_equal(isin(s, v), s.isin(v))
