"""ISO 8601 / CDISC partial dates: status, bounds and normalisation (hand-checked calendar)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given
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
