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

import calendar
import re
from dataclasses import dataclass
from functools import cache

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
    fast = _parse_distinct(uniques)
    if fast is not None:
        return _spread(fast, codes, src.index)
    return _parse_vectorised(src, codes, uniques)


def _parse_vectorised(src: pd.Series, codes: np.ndarray, uniques) -> ParsedDates:
    """:func:`parse_dates` through pandas' string methods (any value, any backend)."""
    if len(uniques) < len(src):
        # Parse each distinct value once (dates repeat a lot), then spread back.
        u_src = pd.Series(uniques, dtype=object)
        u = _parse_vectorised(u_src, np.arange(len(u_src)), u_src)
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


#: Characters Python's ``str.strip`` removes that other string backends may not (pyarrow's
#: ``utf8_trim_whitespace``): a value holding one goes to the vectorised path.
_ODD_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")
_ISO_RE = re.compile(_ISO, re.ASCII)
_STATUS = np.array(["missing", "full", "partial", "bad"], dtype=object)
_NAT = np.datetime64("NaT", "D")


@cache
def _datetime_dtype(empty: bool) -> np.dtype:
    """The dtype ``pd.to_datetime(text, format=...)`` gives on the installed pandas.

    pandas 3 infers the resolution: microseconds for dates, seconds when no value parsed.
    """
    probe = [] if empty else ["2000-01-01"]
    return pd.to_datetime(pd.Series(probe, dtype="string"), format="%Y-%m-%d").dtype


def _parse_distinct(uniques) -> tuple | None:
    """Parse distinct, non-missing values one by one in Python, or ``None`` to decline.

    Issue 21: pandas' vectorised string path costs ~5 ms per call whatever the size, and a
    read + derive parses ~90 date columns of a few hundred distinct values each. Distinct ISO
    texts parse in ~1 us each with :mod:`re` and :mod:`calendar`. Values whose result could
    depend on the pandas version or string backend are left to the vectorised path, so both
    give the same answer: non-text cells, non-ASCII text (Unicode digits, Unicode spaces),
    control characters only Python strips, and years outside the nanosecond range
    (1678-2261), which pandas 2 rejects and pandas 3 accepts.
    """
    n = len(uniques)
    values = uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)
    text: list[str | None] = [None] * n
    status = np.empty(n, dtype=np.int8)
    first = np.full(n, _NAT)
    last = np.full(n, _NAT)
    impossible = 0  # calendar-impossible full dates: the only cells pandas fails to parse
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v.isascii() or _ODD_SPACE.search(v):
            return None
        v = v.strip()
        if not v:
            status[i] = 0
            continue
        m = _ISO_RE.match(v)
        if m is None:
            status[i] = 3
            continue
        ys, ms, ds = m.group("y", "m", "d")
        y = int(ys)
        if not 1678 <= y <= 2261:
            return None
        if ms is None:
            text[i], status[i] = ys, 2
            first[i], last[i] = np.datetime64(f"{ys}-01-01"), np.datetime64(f"{ys}-12-31")
            continue
        mo = int(ms)
        if not 1 <= mo <= 12:
            status[i] = 3
            continue
        days = calendar.monthrange(y, mo)[1]
        if ds is None:
            text[i], status[i] = f"{ys}-{ms}", 2
            first[i] = np.datetime64(f"{ys}-{ms}-01")
            last[i] = np.datetime64(f"{ys}-{ms}-{days:02d}")
            continue
        if not 1 <= int(ds) <= days:
            status[i] = 3
            impossible += 1
            continue
        text[i], status[i] = f"{ys}-{ms}-{ds}", 1
        first[i] = last[i] = np.datetime64(f"{ys}-{ms}-{ds}")
    return text, status, first, last, impossible == n


def _spread(parsed: tuple, codes: np.ndarray, index: pd.Index) -> ParsedDates:
    """Per-row :class:`ParsedDates` from the distinct values' results and factorize codes."""
    text, status, first, last, none_parsed = parsed
    dtype = _datetime_dtype(none_parsed)
    take = np.where(codes < 0, len(text), codes)
    u_text = pd.array([*text, None], dtype="string")
    return ParsedDates(
        text=pd.Series(u_text.take(take), index=index),
        status=_STATUS[np.append(status, 0)[take]],
        earliest=pd.Series(np.append(first, _NAT)[take].astype(dtype), index=index),
        latest=pd.Series(np.append(last, _NAT)[take].astype(dtype), index=index),
    )


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
