"""Record-level validation: turn a frame of raw text cells into one typed canonical table.

Both readers (template and SDTM) build a frame of *strings* with canonical column names plus
``source_file`` / ``source_row``, then call :func:`coerce_table`. Every cell problem becomes an
:class:`~oncotrial.io._issues.Issue` naming file, row, column (the *source* column name for
SDTM, through ``colmap``), value and what was expected. All problems are collected; nothing is
raised here.

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
missing-column   a required column is absent from the file
missing-value    a required cell is empty
unknown-code     a ``code``/``flag`` value outside the allowed codes (case-insensitive)
bad-unit         a lesion ``unit`` other than mm or cm
bad-date         not ISO 8601 ``YYYY[-MM[-DD]]`` or not a calendar day (``2014-02-30``)
partial-date     a partial date where a full one is required (lesion/response assessment date)
non-numeric      a number column holding text (or a non-integer in an integer column)
out-of-range     below ``min`` / above ``max`` (e.g. a negative diameter, ECOG 6)
unknown-column   (warning) a template column that is not part of the model; it is ignored
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from oncotrial._frame import is_arrow_text
from oncotrial.io._dates import parse_dates
from oncotrial.io._issues import Issue, Severity
from oncotrial.io._schema import Column, Table
from oncotrial.io._study import DTYPES, PROVENANCE

#: Cells read as missing in every source (empty and R's ``NA``).
NA_STRINGS: tuple[str, ...] = ("", "NA")

#: Default evaluator when a lesion/response record names none.
DEFAULT_EVALUATOR = "INVESTIGATOR"

#: Millimetres per unit accepted for lesion diameters.
MM_PER_UNIT: dict[str, float] = {"mm": 1.0, "cm": 10.0}


def emit(issues: list[Issue], mask: np.ndarray, frame: pd.DataFrame, column: str | None,
         values: pd.Series | Callable[[], pd.Series] | None, expected: str, rule: str,
         severity: Severity = "error") -> None:
    """Append one issue per True entry of ``mask``, located by the provenance columns.

    ``values`` may be a function returning the column of values: it is called only when
    ``mask`` has a True entry (issue 21: messages built from whole columns cost time on
    millions of rows that are almost always clean).
    """
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    if idx.size == 0:
        return
    if callable(values):
        values = values()
    files = frame["source_file"].to_numpy()
    rows = frame["source_row"].to_numpy()
    vals = None if values is None else values.to_numpy()
    for i in idx:
        v = None
        if vals is not None and not pd.isna(vals[i]):
            v = str(vals[i])
        issues.append(Issue(file=str(files[i]), row=int(rows[i]), column=column, value=v,
                            expected=expected, severity=severity, rule=rule))


def clean_text(s: pd.Series) -> pd.Series:
    """Strip text; empty and ``NA`` cells become ``pd.NA`` (string dtype).

    Examples
    --------
    >>> clean_text(pd.Series([" a ", "", "NA", None])).tolist()
    ['a', <NA>, <NA>, <NA>]
    """
    if is_arrow_text(s):
        # Issue 21: Arrow-backed text (what the CSV readers give under pandas 3) is stripped
        # by Arrow compute in one pass; no Python object per cell, no factorize.
        t = s.astype("string").str.strip()
        return t.mask(t.isin(NA_STRINGS)).rename(None)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object).astype("string").str.strip()
    u = u.mask(u.isin(NA_STRINGS))
    vals = np.append(u.to_numpy(dtype=object), pd.NA)[np.where(codes < 0, len(u), codes)]
    return pd.Series(vals, index=s.index, dtype="string")


def upper(s: pd.Series) -> pd.Series:
    """Upper-case text, computed once per distinct value (string dtype).

    Examples
    --------
    >>> upper(pd.Series(["a", None, "a"])).tolist()
    ['A', <NA>, 'A']
    """
    if is_arrow_text(s):  # issue 21: Arrow compute, one pass (see clean_text)
        return s.astype("string").str.upper().rename(None)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object).astype("string").str.upper()
    vals = np.append(u.to_numpy(dtype=object), pd.NA)[np.where(codes < 0, len(u), codes)]
    return pd.Series(vals, index=s.index, dtype="string")


def to_number(s: pd.Series) -> pd.Series:
    """``pd.to_numeric(s, errors="coerce")`` as float64, parsed once per distinct text.

    Issue 21: numeric SDTM text (``--SEQ``, ``--DY``, ``--STRESN``) repeats a lot; the
    parser runs on the distinct values and one integer take spreads them back. The distinct
    values are the same set as the column's, so pandas infers the same result dtype.

    Examples
    --------
    >>> to_number(pd.Series(["1", "x", None, "1", "2.5"], dtype="string")).tolist()
    [1.0, nan, nan, 1.0, 2.5]
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == len(s):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    u = pd.to_numeric(pd.Series(uniques), errors="coerce").astype("float64").to_numpy()
    vals = np.append(u, np.nan)[np.where(codes < 0, len(u), codes)]
    return pd.Series(vals, index=s.index, name=s.name)


def map_values(s: pd.Series, mapping: Mapping) -> pd.Series:
    """``s.map(mapping)`` for a dict, looked up once per distinct value.

    Issue 21: ``Series.map(dict)`` hashes every cell as a Python object; a code column of
    millions of rows has a handful of distinct values. Missing cells and values not in
    ``mapping`` give NaN, as ``Series.map`` does (the caller casts, e.g. ``.astype("string")``).

    Examples
    --------
    >>> map_values(pd.Series(["a", None, "b", "a"], dtype="string"), {"a": "X"}).tolist()
    ['X', nan, nan, 'X']
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques).map(mapping).to_numpy()
    vals = pd.api.extensions.take(u, codes, allow_fill=True)
    return pd.Series(vals, index=s.index, name=s.name)


def _codes_text(col: Column) -> str:
    return "one of " + ", ".join(col.codes)


def _coerce_column(raw: pd.DataFrame, col: Column, table: Table, name: str,
                   issues: list[Issue], clean: bool = True) -> pd.Series:
    if col.name not in raw:
        text = pd.Series(pd.NA, index=raw.index, dtype="string")
    elif clean:
        text = clean_text(raw[col.name])
    else:
        text = raw[col.name].astype("string")
    if col.required:
        emit(issues, text.isna().to_numpy(), raw, name, None,
             f"a value ({table.name}.{col.name} is required)", "missing-value")
    present = text.notna().to_numpy()
    if col.kind == "str":
        return text
    if col.kind in ("code", "flag"):
        codes = col.codes if col.kind == "code" else ("Y", "N")
        lookup = {c.upper(): c for c in codes}
        out = map_values(upper(text), lookup).astype("string")
        bad = present & out.isna().to_numpy()
        if table.name == "lesions" and col.name == "unit":
            emit(issues, bad, raw, name, text, "a length unit: mm or cm", "bad-unit")
        else:
            exp = _codes_text(col) if col.kind == "code" else "Y or N"
            emit(issues, bad, raw, name, text, exp, "unknown-code")
        return out
    if col.kind == "date":
        p = parse_dates(text)
        emit(issues, p.status == "bad", raw, name, text,
             "an ISO 8601 date YYYY-MM-DD (or partial YYYY-MM / YYYY) that exists", "bad-date")
        if col.full_date:
            emit(issues, p.status == "partial", raw, name, text,
                 "a full date YYYY-MM-DD (partial dates are not allowed here)", "partial-date")
            return p.text.where(p.status == "full").astype("string")
        return p.text
    # numbers
    num = to_number(text)
    finite = np.isfinite(num.to_numpy())
    bad = present & ~finite
    if col.kind == "int":
        frac = present & finite & (np.mod(np.nan_to_num(num.to_numpy()), 1) != 0)
        bad = bad | frac
    emit(issues, bad, raw, name, text, "an integer" if col.kind == "int" else "a number",
         "non-numeric")
    num = num.where(~bad)
    vals = num.to_numpy()
    with np.errstate(invalid="ignore"):
        if col.min is not None:
            lo = ~np.isnan(vals) & (vals < col.min)
            unit = f" {col.unit}" if col.unit else ""
            emit(issues, lo, raw, name, text, f"a number >= {col.min:g}{unit}", "out-of-range")
            num = num.where(~lo)
        if col.max is not None:
            hi = ~np.isnan(vals) & (vals > col.max)
            emit(issues, hi, raw, name, text, f"a number <= {col.max:g}", "out-of-range")
            num = num.where(~hi)
    if col.kind == "int":
        return num.round().astype("Int64")
    return num


def coerce_table(raw: pd.DataFrame, table: Table, *, file: str,
                 colmap: Mapping[str, str] | None = None,
                 check_columns: bool = True,
                 clean: bool = True) -> tuple[pd.DataFrame, list[Issue]]:
    """Validate and type one table of raw text cells.

    Parameters
    ----------
    raw : pd.DataFrame
        Text cells under canonical column names plus ``source_file`` and ``source_row``.
    table : Table
        The canonical table definition.
    file : str
        File named by column-level findings (missing column).
    colmap : mapping, optional
        Canonical column -> source column name used in messages (SDTM variable names).
    check_columns : bool, default=True
        Report required columns absent from ``raw`` (template reader). The SDTM reader checks
        source variables itself and passes False.
    clean : bool, default=True
        Strip cells and turn empty/``NA`` cells into missing. The SDTM reader passes False
        because :func:`~oncotrial.io._sdtm_files.read_domain` already did.

    Returns
    -------
    (pd.DataFrame, list of Issue)
        The canonical table (schema columns in order, canonical dtypes, provenance) and findings.
        Cells with errors are set to missing in the returned table.

    Examples
    --------
    >>> from oncotrial.io._schema import PRIOR_THERAPY
    >>> raw = pd.DataFrame({"subject_id": ["S1"], "line": ["x"], "source_file": ["p.csv"],
    ...                     "source_row": [1]})
    >>> out, issues = coerce_table(raw, PRIOR_THERAPY, file="p.csv")
    >>> str(issues[0])
    "ERROR [non-numeric] p.csv, row 1, column line: got 'x'; expected an integer"
    """
    colmap = dict(colmap or {})
    issues: list[Issue] = []
    if check_columns:
        for col in table.columns:
            if col.required and col.name not in raw.columns:
                issues.append(Issue(file=file, row=None, column=colmap.get(col.name, col.name),
                                    value=None, expected=f"required column of {table.name}",
                                    rule="missing-column"))
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        name = colmap.get(col.name, col.name)
        if col.name not in raw.columns and col.required:
            out[col.name] = pd.Series(pd.NA, index=raw.index, dtype=DTYPES[col.kind])
            continue
        out[col.name] = _coerce_column(raw, col, table, name, issues, clean)
    frame = pd.DataFrame(out, index=raw.index)
    frame = _apply_defaults(frame, table)
    frame["source_file"] = raw["source_file"].astype("string")
    frame["source_row"] = raw["source_row"].astype("int64")
    frame = frame.reset_index(drop=True)
    for col in table.columns:
        frame[col.name] = frame[col.name].astype(DTYPES[col.kind])
    return frame, issues


def _apply_defaults(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Documented defaults: evaluator, node flag, unit conversion to mm, enrolled flag."""
    if table.name in ("lesions", "responses"):
        frame["evaluator"] = frame["evaluator"].fillna(DEFAULT_EVALUATOR)
    if table.name == "lesions":
        node = upper(frame["site"]).str.contains("LYMPH NODE", regex=False).fillna(False)
        frame["is_node"] = frame["is_node"].fillna(
            pd.Series(np.where(node.to_numpy(dtype=bool), "Y", "N"), index=frame.index,
                      dtype="string"))
        factor = map_values(frame["unit"], MM_PER_UNIT).astype("float64").fillna(1.0)
        # cm -> mm; rounded to 1e-6 mm so that 1.3 cm is 13 mm, not 13.000000000000002
        frame["diameter"] = (frame["diameter"] * factor).where(factor == 1.0,
                                                                (frame["diameter"] * factor).round(6))
        frame["unit"] = pd.Series("mm", index=frame.index, dtype="string").where(
            frame["diameter"].notna())
    if table.name == "subjects":
        frame["enrolled_fl"] = frame["enrolled_fl"].fillna("Y")
    return frame


def provenance_frame(n: int, file: str) -> dict[str, object]:
    """``source_file`` / ``source_row`` columns for ``n`` data rows of ``file`` (1-based)."""
    return {PROVENANCE[0]: [file] * n, PROVENANCE[1]: np.arange(1, n + 1, dtype="int64")}


__all__ = ["DEFAULT_EVALUATOR", "MM_PER_UNIT", "NA_STRINGS", "clean_text", "coerce_table",
           "emit", "map_values", "provenance_frame", "to_number", "upper"]
