"""Safe text for the places data strings end up: spreadsheet cells, the terminal, ids, file names.

Hand-written because no library in the dependency set does these three small jobs:

* :func:`neutralise_cell` / :func:`safe_csv_frame` — CSV formula injection ("CSV injection",
  OWASP [1]_): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  is run as a formula by Excel, LibreOffice and Google Sheets. OWASP recommends prefixing such a
  cell with a single quote, which spreadsheets show as text. Plain numbers (``-12.5``,
  ``+3``, ``1e-5``) are left alone: a spreadsheet reads them as numbers, not formulas.
* :func:`terminal_text` — rich markup (``[red]``, ``[/x]``) is escaped with
  :func:`rich.markup.escape` and control characters (ANSI/OSC escape sequences, C0/C1 controls,
  DEL) are shown as ``\\xNN`` so a data cell cannot move the cursor, retitle the window or
  hide text.
* :func:`slug` — ids, anchors and file names made from data: ``[a-z0-9-]`` only, never empty,
  never ``.``/``..``, with a short hash suffix when characters other than letters, digits,
  blanks, ``_`` and ``-`` were dropped (names differing only in those or in case share a slug).

References
----------
.. [1] OWASP. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "printable", "safe_csv_frame", "slug",
           "terminal_text"]

#: Leading characters a spreadsheet treats as the start of a formula (OWASP).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'`` (OWASP).

    Non-strings and plain numbers are returned unchanged.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> neutralise_cell("-12.5"), neutralise_cell("@SUM(A1)"), neutralise_cell(3)
    ('-12.5', "'@SUM(A1)", 3)
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _NUMBER.match(value):
        return value
    return "'" + value


def _safe_index(idx: pd.Index) -> pd.Index:
    if isinstance(idx, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [[neutralise_cell(v) for v in idx.get_level_values(i)] for i in range(idx.nlevels)],
            names=[neutralise_cell(n) for n in idx.names])
    return pd.Index([neutralise_cell(v) for v in idx], name=neutralise_cell(idx.name),
                    dtype=object if idx.dtype == object or pd.api.types.is_string_dtype(idx)
                    else idx.dtype)


def _safe_column(s: pd.Series) -> pd.Series:
    """``s.map(neutralise_cell, na_action="ignore")``, run on the distinct values only.

    Returns ``s`` itself when no cell needs a prefix (the common case: then nothing is copied).
    A column of ``n`` cells with ``k`` distinct values costs one hash pass plus ``k`` Python
    calls instead of ``n`` (issue 21: 4.7 million ADaM cells at 10,000 patients).
    """
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): one call per cell
        return s.map(neutralise_cell, na_action="ignore")
    values = np.asarray(uniques, dtype=object)
    fixed = np.array([neutralise_cell(v) for v in values], dtype=object)
    changed = [i for i, (v, f) in enumerate(zip(values, fixed, strict=True)) if f is not v]
    if not changed:
        return s
    cells = s.to_numpy(dtype=object, copy=True)
    rows = np.isin(codes, changed)
    cells[rows] = fixed[codes[rows]]
    return pd.Series(cells, index=s.index, name=s.name, dtype=object)


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column names and index labels are neutralised.

    Numeric and date columns are untouched; only text (object or string dtype) is rewritten.

    Examples
    --------
    >>> d = pd.DataFrame({"=cmd()": ["+x", "ok", "-1"]}, index=["@a", "b", "c"])
    >>> s = safe_csv_frame(d)
    >>> list(s.columns), s.iloc[:, 0].tolist(), list(s.index)
    (["'=cmd()"], ["'+x", 'ok', '-1'], ["'@a", 'b', 'c'])
    """
    out = df.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            safe = _safe_column(s)
            if safe is not s:
                out.isetitem(i, safe)
    if out.columns.dtype == object or pd.api.types.is_string_dtype(out.columns) \
            or isinstance(out.columns, pd.MultiIndex):
        out.columns = _safe_index(out.columns)
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index) \
            or isinstance(out.index, pd.MultiIndex):
        out.index = _safe_index(out.index)
    return out


def printable(value: object) -> str:
    """Text with control characters (ANSI/OSC escapes, C0/C1, DEL) shown as ``\\xNN``;
    newlines and tabs are kept. For plain (non-rich) terminal output.

    Examples
    --------
    >>> printable("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\nc'
    """
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def terminal_text(value: object) -> str:
    """Text safe to print through rich: markup escaped, control characters shown as ``\\xNN``.

    Examples
    --------
    >>> terminal_text("[/x] \\x1b]0;owned\\x07 ok")
    '\\\\[/x] \\\\x1b]0;owned\\\\x07 ok'
    """
    from rich.markup import escape

    return escape(printable(value))


def slug(value: object, *, max_length: int = 60) -> str:
    """A lower-case ``[a-z0-9-]`` slug for ids, anchors and file names made from data.

    Accents are folded (``é`` -> ``e``); any other run of characters becomes one ``-``. When
    characters other than ASCII letters, digits, blanks, ``_`` and ``-`` were dropped (or
    nothing is left), an 8-character hash of the input is appended, so such names cannot
    collide with a plain one. The result is never empty and never ``.`` or ``..``.

    Examples
    --------
    >>> slug("MAINTENANCE"), slug("table3_adverse_events")
    ('maintenance', 'table3-adverse-events')
    >>> slug('"><img src=x onerror=alert(1)>')
    'img-src-x-onerror-alert-1-4c79c325'
    """
    text = str(value)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    base = _SLUG_DROP.sub("-", folded.lower()).strip("-")[:max_length].strip("-")
    plain = re.sub(r"[\s_-]+", "-", text.lower()).strip("-")
    if base != plain or not base:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        base = f"{base}-{digest}" if base else f"x-{digest}"
    return base
