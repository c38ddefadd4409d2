"""ISO 8601 / CDISC partial dates: status, bounds and normalisation (hand-checked calendar)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from oncotrial.io._dates import parse_dates


def test_parse_dates_1_status_per_form():
    p = parse_dates(pd.Series(["2020-02-29", "2019-02-29", "2020-02", "2020", "", None,
                               "2020-02-03T10:15", "2020-00", "20200203", " 2020-01-01 "]))
    assert p.status.tolist() == ["full", "bad", "partial", "partial", "missing", "missing",
                                 "full", "bad", "bad", "full"]
    assert p.text.tolist()[6] == "2020-02-03"  # time part dropped


def test_parse_dates_2_bounds_of_partial_dates():
    p = parse_dates(pd.Series(["2019-02", "2020-02", "2021", "2021-12-31"]))
    assert [d.strftime("%Y-%m-%d") for d in p.earliest] == [
        "2019-02-01", "2020-02-01", "2021-01-01", "2021-12-31"]
    assert [d.strftime("%Y-%m-%d") for d in p.latest] == [
        "2019-02-28", "2020-02-29", "2021-12-31", "2021-12-31"]


def test_parse_dates_3_repeated_values_take_the_fast_path_with_same_answer():
    vals = ["2020-02", "bad", None, "2020-02", "2020-03-04"] * 3
    p = parse_dates(pd.Series(vals))
    q = [parse_dates(pd.Series([v, "x"])) for v in vals]  # distinct values: slow path
    assert p.status.tolist() == [x.status[0] for x in q]
    assert p.latest.tolist()[:5] == [x.latest.iloc[0] for x in q][:5]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_dates_4_property_full_date_is_its_own_interval(d):
    p = parse_dates(pd.Series([d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]]))
    assert p.status.tolist() == ["full", "partial", "partial"]
    assert p.earliest[0].date() == d == p.latest[0].date()
    # the partial forms contain the day
    assert p.earliest[1].date() <= d <= p.latest[1].date()
    assert p.earliest[2].date() <= d <= p.latest[2].date()
    assert p.text.tolist() == [d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]]


# Issue 21: distinct ISO texts are parsed one by one in Python; the result must be the
# vectorised pandas path's, cell for cell and dtype for dtype, on any text.
_DATE_TEXT = st.one_of(
    st.builds(lambda y, m, d, t, pad: pad + f"{y:04d}" + m + d + t + pad,
              st.sampled_from([1677, 1678, 1999, 2000, 2020, 2100, 2261, 2262, 9999, 0]),
              st.sampled_from(["", "-01", "-02", "-12", "-13", "-00", "-1"]),
              st.sampled_from(["", "-01", "-28", "-29", "-30", "-31", "-32", "-00", "-7"]),
              st.sampled_from(["", "T", "T10", "T10:15", "T10:15:30.5", "T1", "Z", " 10:00"]),
              st.sampled_from(["", " ", "\t", "\n", "\x0b", "\u3000"])),
    st.text(alphabet=list("0123456789-T: x\x1c\u0662"), max_size=12),
    st.sampled_from([None, "", "  ", "NA"]),
)


@example(["2016-02-29", "2015-02-29", "\x0b2014", "\u0662\u0660\u0661\u0664", "1677-12", None])
@example(["2014-02-03", "2014-02-03", "2014"])
@example(["1678-02-29"])  # nothing parses: pandas 3 gives datetime64[s]
@example([None])
@given(st.lists(_DATE_TEXT, max_size=12))
def test_parse_dates_5_python_path_equals_vectorised_path(values):
    from oncotrial.io._dates import _parse_vectorised

    src = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(src, use_na_sentinel=True)
    got = parse_dates(src)
    want = _parse_vectorised(src, codes, uniques)
    assert got.status.tolist() == want.status.tolist()
    for a, b in ((got.text, want.text), (got.earliest, want.earliest),
                 (got.latest, want.latest)):
        assert a.dtype == b.dtype
        pd.testing.assert_series_equal(a, b, check_names=False)


def test_parse_dates_6_python_path_taken_for_plain_iso_text():
    from oncotrial.io._dates import _parse_distinct

    assert _parse_distinct(pd.Index(["2014-02-03", "2014", "x"])) is not None
    # left to pandas: non-text, Unicode digits, years pandas versions disagree on
    for odd in ([2014], ["\u0662\u0660\u0661\u0664"], ["1500-01-01"], ["\x1c2014"]):
        assert _parse_distinct(pd.Index(odd, dtype=object)) is None
