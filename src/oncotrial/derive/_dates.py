"""ISO 8601 date parsing with explicit, per-use imputation of partial dates.

The canonical tables keep dates as ISO strings (``"2014-05-02"``, ``"2014-05"``, ``"2014"``);
every derivation that *uses* a date states how a partial one is completed (docs/derivations.md,
"Partial dates"). This module is the only place that turns those strings into timestamps.

Imputation rules (named, and echoed in the ADaM ``*DTF`` flag: ``"D"`` day imputed, ``"M"``
month and day imputed, as in ADaM IG 1.3 section 3.1.3 [1]_):

``"first"``  earliest day of the period (``2014-05`` -> ``2014-05-01``, ``2014`` -> ``2014-01-01``)
``"last"``   latest day of the period (``2014-05`` -> ``2014-05-31``, ``2014`` -> ``2014-12-31``)
``"mid"``    middle of the period as admiral ``date_imputation = "mid"`` (``2014-05`` ->
             ``2014-05-15``, ``2014`` -> ``2014-06-30``)
``"none"``   partial dates become missing (``NaT``)

``highest`` caps what may be imputed, as admiral ``derive_vars_dt(highest_imputation =)``:
``"M"`` (default) day and month, ``"D"`` the day only (a year-only date stays missing),
``"n"`` nothing (every partial date stays missing).

References
----------
.. [1] CDISC, "Analysis Data Model Implementation Guide", version 1.3, 2021, section 3.1.3
   (date imputation flags ``*DTF``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError

Imputation = Literal["first", "mid", "last", "none"]
Highest = Literal["M", "D", "n"]

_FULL = r"^\d{4}-\d{2}-\d{2}$"
_MONTH = r"^\d{4}-\d{2}$"
_YEAR = r"^\d{4}$"


def parse_iso_dates(values: pd.Series, *, impute: Imputation, func: str, param: str,
                    context: pd.DataFrame | None = None,
                    highest: Highest = "M") -> tuple[pd.Series, pd.Series]:
    """Parse ISO 8601 date strings, imputing partial dates by the named rule.

    Parameters
    ----------
    values : Series
        ISO strings (a time part after ``T`` is ignored), ``datetime64`` values, or missing.
    impute : {'first', 'mid', 'last', 'none'}
        Rule for partial dates (see module docstring).
    highest : {'M', 'D', 'n'}, default='M'
        Highest component that may be imputed (admiral ``highest_imputation``).

        .. versionadded:: 0.2
    func, param : str
        Function and column named in error messages.
    context : DataFrame, optional
        Identifying columns (e.g. subject, lesion, visit) aligned with ``values``; the first
        offending row's values are quoted in the error.

    Returns
    -------
    dates : Series of datetime64[ns]
        Parsed (and imputed) dates; missing stays ``NaT``.
    flag : Series of object
        ``"D"`` (day imputed), ``"M"`` (month and day imputed) or ``None``.

    Raises
    ------
    OncotrialValueError
        A non-missing value is not an ISO 8601 (partial) date, or is an impossible date.

    Examples
    --------
    >>> d, f = parse_iso_dates(pd.Series(["2014-05-02", "2014-05", "2014", None]),
    ...                        impute="first", func="f", param="adt")
    >>> [x.strftime("%Y-%m-%d") if x is not pd.NaT else None for x in d]
    ['2014-05-02', '2014-05-01', '2014-01-01', None]
    >>> f.tolist()
    [None, 'D', 'M', None]
    >>> parse_iso_dates(pd.Series(["2014-02"]), impute="last", func="f", param="x")[0].iloc[0]
    Timestamp('2014-02-28 00:00:00')
    >>> d, _ = parse_iso_dates(pd.Series(["2014-02", "2014"]), impute="mid", func="f", param="x")
    >>> d.dt.strftime("%Y-%m-%d").tolist()
    ['2014-02-15', '2014-06-30']
    >>> d, _ = parse_iso_dates(pd.Series(["2014-02", "2014"]), impute="first", highest="D",
    ...                        func="f", param="x")
    >>> d.astype("string").fillna("NA").tolist()
    ['2014-02-01', 'NA']
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values).dt.tz_localize(None).dt.normalize(), pd.Series(
            [None] * len(values), index=values.index, dtype=object)
    if len(values) > 64:  # issue 21: parse each distinct text once, then take per row
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) * 2 < len(values):
            u_out, u_flag, u_bad = _parse_text(pd.Series(uniques, dtype=object), impute, highest)
            take = np.where(codes < 0, len(uniques), codes)
            bad = np.append(u_bad, False)[take]
            if bad.any():
                _raise_bad(values, bad, func, param, context)
            out = pd.Series(np.append(u_out.to_numpy(), np.datetime64("NaT", "ns"))[take],
                            index=values.index, dtype="datetime64[ns]", name=values.name)
            flag = pd.Series(np.append(u_flag.to_numpy(dtype=object), None)[take],
                             index=values.index, dtype=object)
            return out, flag
    out, flag, bad = _parse_text(values, impute, highest)
    if bad.any():
        _raise_bad(values, bad, func, param, context)
    return out, flag


def _raise_bad(values: pd.Series, bad: np.ndarray, func: str, param: str,
               context: pd.DataFrame | None) -> None:
    i = int(np.flatnonzero(bad)[0])
    where = ""
    if context is not None:
        row = context.iloc[i]
        where = " (" + ", ".join(f"{k}={row[k]!r}" for k in context.columns) + ")"
    raise OncotrialValueError(
        f"`{param}` of `{func}` must be an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY); "
        f"got {values.iloc[i]!r} at row {i}{where}. Correct the date in the source file."
    )


def _parse_text(values: pd.Series, impute: Imputation,
                highest: Highest) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Dates, imputation flags and the bad-value mask of text ``values`` (no raising)."""
    s = values.astype("string").str.strip().str.split("T", n=1).str[0]
    s = s.mask(s == "")
    present = s.notna().to_numpy()
    full = s.str.match(_FULL).to_numpy(dtype=bool, na_value=False)
    month = s.str.match(_MONTH).to_numpy(dtype=bool, na_value=False)
    year = s.str.match(_YEAR).to_numpy(dtype=bool, na_value=False)
    bad = present & ~(full | month | year)
    out = pd.to_datetime(s.where(full), format="%Y-%m-%d", errors="coerce")
    impossible = full & out.isna().to_numpy()
    bad |= impossible
    if highest == "D":
        year = np.zeros_like(year)
    elif highest == "n":
        month = year = np.zeros_like(year)
    flag = pd.Series(np.where(month, "D", np.where(year, "M", None)), index=values.index,
                     dtype=object)
    if impute != "none" and (month | year).any():
        base = pd.to_datetime(s.where(month) + "-01", format="%Y-%m-%d", errors="coerce")
        base = base.fillna(pd.to_datetime(s.where(year) + "-01-01", format="%Y-%m-%d",
                                          errors="coerce"))
        if impute == "mid":  # admiral "mid": day 15, or 06-30 without a month
            base = pd.to_datetime(s.where(month) + "-15", format="%Y-%m-%d", errors="coerce")
            base = base.fillna(pd.to_datetime(s.where(year) + "-06-30", format="%Y-%m-%d",
                                              errors="coerce"))
        if impute == "last":
            base = base.where(~pd.Series(month, index=s.index),
                              base + pd.offsets.MonthEnd(0))
            base = base.where(~pd.Series(year, index=s.index), base + pd.offsets.YearEnd(0))
        out = out.fillna(base)
    elif impute == "none":
        flag[:] = None
    return out.astype("datetime64[ns]"), flag, bad
