"""ISO 8601 (CDISC ``--DTC``) date parsing, vectorised, with partial dates kept.

A date cell is one of

* missing (empty);
* full: ``YYYY-MM-DD`` (a time part ``THH:MM[:SS[.f]]`` is accepted and dropped);
* partial: ``YYYY`` or ``YYYY-MM`` (CDISC SDTMIG 4.4.4 "intervals of uncertainty");
* bad: anything else, including impossible calendar dates such as ``2014-02-30``.

Partial dates are kept as text in the canonical tables. For comparisons every date has an
*earliest* and a *latest* possible day ("2014-02" -> 2014-02-01 .. 2014-02-28); a rule such as
"end before start" is a certain violation only when ``latest(end) < earliest(start)``.

References
----------
.. [1] CDISC SDTM Implementation Guide v3.4, section 4.4.4 "Use of Dates as Result Variables"
   and 4.4.5 "Representing partial and missing dates".
.. [2] ISO 8601-1:2019, calendar date representations (reduced precision allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_ISO = (
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?"
    r"(?:T(?:\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)?$"
)


@dataclass(frozen=True, slots=True)
class ParsedDates:
    """Result of :func:`parse_dates` (arrays aligned with the input).

    Attributes
    ----------
    text : pd.Series
        Normalised ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; time dropped), ``pd.NA``
        when missing or bad (string dtype).
    status : np.ndarray
        ``'missing'``, ``'full'``, ``'partial'`` or ``'bad'`` per cell.
    earliest, latest : pd.Series
        First and last calendar day the value allows (``NaT`` when missing or bad).
    """

    text: pd.Series
    status: np.ndarray
    earliest: pd.Series
    latest: pd.Series


def parse_dates(values: pd.Series) -> ParsedDates:
    """Parse a column of ISO 8601 dates, possibly partial, without a Python loop.

    Parameters
    ----------
    values : pd.Series
        Strings (or missing values).

    Returns
    -------
    ParsedDates

    Examples
    --------
    >>> p = parse_dates(pd.Series(["2014-02-03", "2014-02", "2014", "2014-02-30", None, "x"]))
    >>> p.status.tolist()
    ['full', 'partial', 'partial', 'bad', 'missing', 'bad']
    >>> [str(d.date()) for d in p.latest[:3]]
    ['2014-02-03', '2014-02-28', '2014-12-31']
    >>> p.text.tolist()[:3]
    ['2014-02-03', '2014-02', '2014']
    """
    src = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(src, use_na_sentinel=True)
    if len(uniques) < len(src):
        # Parse each distinct value once (dates repeat a lot), then spread back.
        u = parse_dates(pd.Series(uniques, dtype=object))
        take = np.where(codes < 0, len(uniques), codes)

        def spread(x: pd.Series, na) -> pd.Series:
            # Issue 21: one typed take (missing -> the dtype's NA), no object round trip.
            return pd.Series(x.array.take(codes, allow_fill=True), index=src.index,
                             dtype=x.dtype)

        status = np.append(u.status, "missing")[take]
        return ParsedDates(text=spread(u.text, pd.NA), status=status,
                           earliest=spread(u.earliest, pd.NaT), latest=spread(u.latest, pd.NaT))
    s = src.astype("string").str.strip()
    s = s.mask(s == "")
    missing = s.isna().to_numpy()
    parts = s.str.extract(_ISO)
    matched = parts["y"].notna().to_numpy()
    y = parts["y"]
    m = parts["m"]
    d = parts["d"]
    has_m = m.notna().to_numpy()
    has_d = d.notna().to_numpy()
    mnum = pd.to_numeric(m, errors="coerce")
    month_ok = ~has_m | ((mnum >= 1) & (mnum <= 12)).fillna(False).to_numpy(dtype=bool)
    first = y.fillna("2000") + "-" + m.fillna("01") + "-" + d.fillna("01")
    first = first.where(month_ok, "2000-01-01")
    earliest = pd.to_datetime(first, format="%Y-%m-%d", errors="coerce")
    # An impossible day (2014-02-30) fails to parse -> bad.
    day_ok = earliest.notna().to_numpy()
    ok = matched & month_ok & day_ok & ~missing
    full = ok & has_d
    partial = ok & ~has_d
    status = np.full(len(s), "bad", dtype=object)
    status[missing] = "missing"
    status[full] = "full"
    status[partial] = "partial"
    earliest = earliest.where(ok)
    latest = earliest.copy()
    month_only = partial & has_m
    year_only = partial & ~has_m
    if month_only.any():
        latest[month_only] = earliest[month_only] + pd.offsets.MonthEnd(0)
    if year_only.any():
        latest[year_only] = earliest[year_only] + pd.offsets.YearEnd(0)
    text = y + ("-" + m).fillna("") + ("-" + d).fillna("")
    text = text.where(ok).astype("string")
    text.index = s.index
    earliest.index = s.index
    latest.index = s.index
    return ParsedDates(text=text, status=status, earliest=earliest, latest=latest)


def date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest possible day of already-normalised ISO dates (``NaT`` if missing).

    Examples
    --------
    >>> lo, hi = date_bounds(pd.Series(["2020-02", None]))
    >>> str(lo[0].date()), str(hi[0].date()), pd.isna(hi[1])
    ('2020-02-01', '2020-02-29', True)
    """
    p = parse_dates(values)
    return p.earliest, p.latest


__all__ = ["ParsedDates", "date_bounds", "parse_dates"]
