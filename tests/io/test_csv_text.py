"""``oncotrial._csv.csv_text`` writes exactly what ``DataFrame.to_csv`` writes (issue 21: the
``adam/*.csv`` writer of 10,000 patients), on generated frames of every column type it handles
and of types it hands back to pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial._csv import _cells, csv_text

KW = {"float_format": "%.10g", "date_format": "%Y-%m-%d"}
TEXT = st.one_of(st.text(alphabet=list('ab ,"\n\r\t\'=é-1.\u2028'), max_size=6),
                 st.sampled_from(["NA", "nan", "None", ""]))


def _pandas(df: pd.DataFrame, **kw) -> str:
    return df.to_csv(index=False, lineterminator="\n", **kw)


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(["float", "float32", "int", "bool", "Int64", "boolean",
                                           "str", "string", "object", "date", "datetime"]),
                          min_size=1, max_size=6))
    cols = {}
    for j, kind in enumerate(kinds):
        if kind in ("float", "float32"):
            width = 32 if kind == "float32" else 64
            v = draw(st.lists(st.one_of(st.floats(width=width),
                                        st.sampled_from([0.0, -0.0, 1e-5, 1 / 3, 123456789012.0])),
                              min_size=n, max_size=n))
            col = pd.Series(v, dtype=np.float32 if kind == "float32" else float)
        elif kind == "int":
            col = pd.Series(draw(st.lists(st.integers(-2**62, 2**62), min_size=n, max_size=n)), dtype=np.int64)
        elif kind == "bool":
            col = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        elif kind in ("Int64", "boolean"):
            base = st.integers(-1000, 1000) if kind == "Int64" else st.booleans()
            col = pd.Series(draw(st.lists(st.one_of(st.none(), base), min_size=n, max_size=n)), dtype=kind)
        elif kind in ("str", "string", "object"):
            v = draw(st.lists(st.one_of(st.none(), TEXT), min_size=n, max_size=n))
            col = pd.Series(v, dtype=object if kind == "object" else kind)
        else:
            days = draw(st.lists(st.one_of(st.none(), st.integers(-20000, 40000)), min_size=n, max_size=n))
            secs = draw(st.integers(0, 86399)) if kind == "datetime" else 0
            col = pd.Series([pd.NaT if d is None else pd.Timestamp("1970-01-01") + pd.Timedelta(days=d, seconds=secs)
                             for d in days], dtype="datetime64[ns]")
        cols[draw(st.sampled_from(["USUBJID", "A,B", 'q"x', "AVAL", "x\ny"])) + str(j)] = col
    return pd.DataFrame(cols)


@settings(max_examples=300, deadline=None)
@given(frames())
@example(pd.DataFrame({"a": [0.0, -0.0], "b": ["x", "y"]}))
@example(pd.DataFrame({"a": ["a\rb", 'say "hi"'], "b": ["", None]}, dtype=object))
def test_csv_text_1_equals_pandas(df: pd.DataFrame) -> None:
    assert csv_text(df, **KW) == _pandas(df, **KW)


def test_csv_text_2_fast_path_runs_on_adam_column_types() -> None:
    """The frame types of adam/*.csv take the fast path (not the pandas fallback)."""
    df = pd.DataFrame({"USUBJID": pd.Series(["S1", "S2"], dtype="str"), "AVAL": [1.5, np.nan],
                       "N": pd.Series([1, None], dtype="Int64"), "FL": [True, False],
                       "ADT": pd.to_datetime(["2020-01-01", None]), "TXT": pd.Series(["a", None], dtype=object)})
    for i in range(df.shape[1]):
        assert _cells(df.iloc[:, i], "%.10g", "%Y-%m-%d", "") is not None, df.columns[i]
    assert csv_text(df, **KW) == ("USUBJID,AVAL,N,FL,ADT,TXT\nS1,1.5,1,True,2020-01-01,a\n"
                                  "S2,,,False,,\n")


@pytest.mark.parametrize("df", [
    pd.DataFrame({"only": ["", "x"]}),                                   # one column: "" is quoted
    pd.DataFrame({"a": [1, 2], "b": [1.5, 2.5]}).set_axis([1, 2], axis=1),  # names not text
    pd.DataFrame({"a": ["x", 1], "b": [1, 2]}, dtype=object),           # object, not all text
    pd.DataFrame({"a": pd.to_timedelta([1, 2], unit="D"), "b": [1, 2]}),  # a type it leaves to pandas
    pd.DataFrame({"a": [0.5, 1.25], "b": [1, 2]}),                       # no float_format
])
def test_csv_text_3_other_frames_are_written_by_pandas(df: pd.DataFrame) -> None:
    kw = {} if df.shape[1] == 2 and df.columns[0] == "a" and df["a"].dtype == float else KW
    assert csv_text(df, **kw) == _pandas(df, **kw)
