"""Reading one input file defensively: every way a file can be broken is a finding, not a crash.

Both readers (template CSVs and SDTM domain files) call :func:`read_csv_cells` /
:func:`read_sas_cells`. Each problem becomes an error :class:`~oncotrial.io._issues.Issue`
naming the file, and the row and column where there are ones; the file is then skipped (an
empty table), so one pass lists every broken file.

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
unreadable-file   the path is a directory, a broken link or a link loop, or cannot be opened
                  (permissions)
empty-file        0 bytes (a CSV needs at least its header row)
not-text          binary content (NUL bytes, or a PNG/ZIP/PDF/Excel signature)
bad-encoding      not UTF-8: UTF-16/UTF-32 (byte-order mark) or bytes that are not valid UTF-8
                  (e.g. Latin-1 ``é``); decoding is refused, never guessed — the message names the
                  row and the byte, and the remedy (save as "CSV UTF-8")
nul-byte          a NUL character inside a text cell (it would truncate the value)
bad-csv           the CSV cannot be tokenised (e.g. an unterminated quote)
ragged-row        a row with more or fewer fields than the header
duplicate-column  two header names equal after stripping and case folding (``AGE``, ``age``)
truncated-file    a SAS transport (XPT) file whose length is not a whole number of 80-byte
                  records, or a sas7bdat whose header row count differs from the rows read
corrupt-file      pyreadstat cannot read the XPT/sas7bdat file

UTF-8 with or without a byte-order mark is accepted. An XPT v5 file cut exactly at an 80-byte
record boundary cannot be told from a complete one (the v5 header has no row count); every
other cut is detected.

Reading engine (issue 21)
-------------------------
Well-formed CSVs are parsed by pyarrow's multithreaded reader (the engine behind pandas'
``engine="pyarrow"``, called directly so that every column is text, no cell becomes null and
the header is checked by us) into Arrow text, which pandas 3 keeps as its ``str``/``string``
dtype without a Python object per cell. For the SDTM reader the cells are also stripped and
``""``/``NA`` nulled in Arrow compute before pandas sees them. Alternatives weighed:

* categorical (dictionary-encoded) text would hold TR in about 40 % of the memory, but every
  downstream step (``fillna`` across columns, concatenation into messages, merges) changes
  meaning or raises on categoricals; the goldens pin the string semantics;
* polars or duckdb would parse and group faster, but io/ and derive/ are pandas code with
  pandas NA semantics throughout; a second frame library would mean converting at every
  boundary (or a rewrite) for the part of the time that is not parsing.

The careful csv-module path below stays the reference for anything pyarrow refuses.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from oncotrial.io._issues import Issue

__all__ = ["check_entry", "read_csv_cells", "read_sas_cells"]

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"), (b"PK\x03\x04", "a ZIP archive (e.g. an Excel .xlsx file)"),
    (b"%PDF", "a PDF document"), (b"\xd0\xcf\x11\xe0", "an old Excel/Office file"),
    (b"\x1f\x8b", "a gzip archive"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"))
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_SAVE_UTF8 = ("Save the file as UTF-8 (Excel: 'CSV UTF-8'; R: write.csv(fileEncoding = "
              "'UTF-8'); iconv -f latin1 -t utf-8).")


def _issue(file: str, rule: str, expected: str, *, row: int | None = None,
           column: str | None = None, value: str | None = None) -> Issue:
    return Issue(file=file, row=row, column=column, value=value, expected=expected, rule=rule)


def check_entry(path: Path, name: str, issues: list[Issue]) -> bool:
    """True when ``path`` is a regular, readable file; otherwise record why and return False.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     issues = []
    ...     ok = check_entry(Path(d), "lesions.csv", issues)
    >>> ok, issues[0].rule
    (False, 'unreadable-file')
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        what = "a link loop" if exc.errno == 40 else "a broken link" if os.path.islink(path) \
            else exc.strerror
        issues.append(_issue(name, "unreadable-file", f"a readable file; it is {what}"))
        return False
    if not os.path.isfile(path):
        kind = "a directory" if os.path.isdir(path) else "not a regular file"
        issues.append(_issue(name, "unreadable-file", f"a regular file; it is {kind} "
                                                      "(rename or remove it)"))
        return False
    if not os.access(path, os.R_OK):
        issues.append(_issue(name, "unreadable-file",
                             "a readable file; permission denied (fix its permissions)"))
        return False
    del st
    return True


def _row_of(data: bytes, pos: int) -> int:
    """1-based data row (header = row 0) of byte offset ``pos``."""
    return data.count(b"\n", 0, pos)


def _decode(data: bytes, name: str, issues: list[Issue]) -> str | None:
    if not data:
        issues.append(_issue(name, "empty-file", "a header row (the file has 0 bytes; "
                                                 "`oncotrial template DIR` writes the headers)"))
        return None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            issues.append(_issue(name, "bad-encoding", f"UTF-8 text; the file is {enc}. "
                                 + _SAVE_UTF8))
            return None
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            issues.append(_issue(name, "not-text", f"a CSV text file; this is {what}"))
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = _row_of(data, exc.start)
        bad = data[exc.start:exc.start + 1]
        issues.append(_issue(name, "bad-encoding",
                             f"UTF-8 text; byte 0x{bad.hex()} at byte offset {exc.start} is not "
                             f"UTF-8 (Latin-1/Windows-1252?). " + _SAVE_UTF8,
                             row=row or None, value=repr(data[max(0, exc.start - 10):
                                                              exc.start + 10])[2:-1]))
        return None
    return text


#: The dtype pandas' C parser gives ``dtype=str`` columns (``str`` in pandas 3, object in 2.x),
#: so both fast paths hand the same frames downstream.
_TEXT_DTYPE = pd.read_csv(io.StringIO("a\nb"), dtype=str).dtypes.iloc[0]


def read_csv_cells(path: Path, name: str, issues: list[Issue], *,
                   case: str = "lower", clean: bool = False,
                   columns: Callable[[str], bool] | None = None) -> pd.DataFrame | None:
    """Read a CSV as text cells, or record why it cannot be read and return None.

    Header names are stripped and case-folded (``case='lower'`` for the template,
    ``'upper'`` for SDTM). Empty cells are ``""`` (the caller maps them to missing), unless
    ``clean=True``: then every column is already :func:`~oncotrial.io._coerce.clean_text`-ed
    (stripped, empty and ``NA`` cells missing, ``string`` dtype).

    ``columns`` (a predicate on the case-folded header name) may leave columns out: the
    fast path then does not convert them (issue 21: TR at x100 holds 5.6 M rows of
    variables nothing reads); every other path may still return them. Every check of the
    file (field counts, encoding, NUL bytes, duplicate names) covers all columns either way.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "s.csv"
    ...     _ = p.write_bytes(b"id,AGE,age\\n1,2,3\\n4,5\\n")
    ...     issues = []
    ...     df = read_csv_cells(p, "s.csv", issues)
    >>> df is None, sorted({(i.rule, i.row) for i in issues})
    (True, [('duplicate-column', None), ('ragged-row', 2)])
    """
    if not check_entry(path, name, issues):
        return None
    n0 = len(issues)
    frame = _read_arrow(path, name, issues, case, clean, columns)
    if frame is None:
        frame = _read_careful(path, name, issues, case, n0)
    elif len(issues) > n0:
        return None
    elif _ARROW_TEXT:
        return frame  # cleaned in Arrow when clean=True
    if frame is None or not clean:
        return frame
    from oncotrial.io._coerce import clean_text

    return pd.DataFrame({c: clean_text(frame[c]) for c in frame.columns}, index=frame.index)


def _read_careful(path: Path, name: str, issues: list[Issue], case: str,
                  n0: int) -> pd.DataFrame | None:
    """The csv-module path (and the unquoted fast path): names every problem and its row."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        issues.append(_issue(name, "unreadable-file", f"a readable file; {exc.strerror}"))
        return None
    text = _decode(data, name, issues)
    if text is None:
        return None
    if "\x00" in text:
        _nul_issues(text, name, issues)
        return None
    fast = _read_unquoted(text, name, issues, case)
    if fast is not None:
        return None if len(issues) > n0 else fast
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        issues.append(_issue(name, "bad-csv", f"a well-formed CSV; {exc} (check the quotes)"))
        return None
    rows = [r for r in rows if r]  # blank lines are skipped, as before (rows count data lines)
    if not rows:
        issues.append(_issue(name, "empty-file", "a header row (the file has no lines)"))
        return None
    fold = str.lower if case == "lower" else str.upper
    header = [fold(h.strip()) for h in rows[0]]
    _duplicates(rows[0], fold, name, issues)
    width = len(header)
    for i, r in enumerate(rows[1:], start=1):
        if len(r) != width:
            issues.append(_issue(name, "ragged-row",
                                 f"{width} fields as in the header; this row has {len(r)} "
                                 "(a missing or extra comma?)", row=i, value=",".join(r)[:80]))
    if len(issues) > n0:
        return None
    body = rows[1:]
    cols = list(zip(*body, strict=True)) if body else [()] * width  # C-speed transpose
    return pd.DataFrame({h: pd.Series(c, dtype=object) for h, c in zip(header, cols, strict=True)},
                        index=pd.RangeIndex(len(body)))


def _read_unquoted(text: str, name: str, issues: list[Issue], case: str) -> pd.DataFrame | None:
    """Fast path for CSVs without quotes: field counts per line, then pandas' C parser.

    Returns None (use the csv-module path) when the text has quotes or pandas disagrees on the
    number of rows; otherwise the frame (after recording ragged rows / duplicate columns).
    """
    if '"' in text or "\r" in text.replace("\r\n", "\n"):
        return None
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        issues.append(_issue(name, "empty-file", "a header row (the file has no lines)"))
        return pd.DataFrame()
    counts = [ln.count(",") for ln in lines]
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=True) if counts[0] == max(counts) else None
    except (ValueError, pd.errors.ParserError):
        frame = None
    if frame is not None and len(frame) != len(lines):
        return None
    fold = str.lower if case == "lower" else str.upper
    raw_header = lines[0].split(",")
    _duplicates(raw_header, fold, name, issues)
    width = counts[0]
    for i, c in enumerate(counts[1:], start=1):
        if c != width:
            issues.append(_issue(name, "ragged-row",
                                 f"{width + 1} fields as in the header; this row has {c + 1} "
                                 "(a missing or extra comma?)", row=i, value=lines[i][:80]))
    if frame is None:
        return pd.DataFrame()  # only reached with ragged rows, which were just recorded
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = [fold(h.strip()) for h in raw_header]
    return body


def _read_arrow(path: Path, name: str, issues: list[Issue], case: str,
                clean: bool = False,
                columns: Callable[[str], bool] | None = None) -> pd.DataFrame | None:
    """Fast path for well-formed CSVs, quoted or not: pyarrow's CSV reader, straight from disk.

    Issue 21: the csv-module path below builds one Python string per cell (1.1 s of the 1.8 s
    of ``derive`` on pharmaversesdtm) and holds the file as bytes and as text; at ×100 that
    alone is 2 GB. pyarrow's multithreaded reader streams the file and gives the same cells
    for every well-formed file: all columns as text, no cell becomes null (``""`` and ``NA``
    stay text; the caller maps them), quotes and doubled quotes as in RFC 4180, blank lines
    skipped. Anything it rejects (a field count that differs from the header's, bytes that
    are not UTF-8) and anything the careful path reports on (signatures of binary formats,
    UTF-16/32 byte-order marks, NUL characters, one-column files) returns None, so that the
    csv-module path below reads the file and names the problem and its row as before.

    ``clean=True`` (the SDTM reader) strips the cells and turns ``""``/``NA`` into nulls in
    Arrow compute, column by column, before pandas sees them (:func:`_clean_columns`).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    if (not head or any(head.startswith(sig) for sig, _ in _SIGNATURES)
            or any(head.startswith(bom) for bom, _ in _BOMS)):
        return None
    end = head.find(b"\n")
    if end < 0:
        return None
    try:
        first = next(csv.reader(io.StringIO(head[:end + 1].decode("utf-8-sig"), newline=""),
                                strict=True))
    except (csv.Error, StopIteration, UnicodeDecodeError):
        return None
    if len(first) < 2:
        return None
    names = [f"f{i}" for i in range(len(first))]
    fold = str.lower if case == "lower" else str.upper
    header = [fold(h.strip()) for h in first]
    kept = [i for i, h in enumerate(header) if columns is None or columns(h)]
    if not kept:
        kept = list(range(len(header)))
    # large_string is what pandas keeps Arrow text as: cleaned columns need no cast (copy).
    text_type = pa.large_string() if clean and _ARROW_TEXT else pa.string()
    # Blocks are first cut at newlines (parallel; the quote-aware cut of
    # ``newlines_in_values=True`` costs about twice the CPU). A cell spanning lines that
    # straddles a cut leaves the block ending inside quotes, which pyarrow refuses ("CSV
    # parser got out of sync with chunker"); the quote-aware read then runs. Each block is
    # parsed with quotes either way, so a read that succeeds gives the same cells.
    table = None
    for newlines in (False, True):
        try:
            table = pacsv.read_csv(
                str(path),
                read_options=pacsv.ReadOptions(column_names=names, encoding="utf8"),
                parse_options=pacsv.ParseOptions(newlines_in_values=newlines,
                                                  ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=[names[i] for i in kept],
                    column_types={n: text_type for n in names}, null_values=[],
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            break
        except (pa.ArrowInvalid, OSError, ValueError):
            continue
    if table is None:
        return None
    if table.num_rows == 0:
        return None
    table = table.slice(1)
    if _has_nul(path):
        if len(kept) < len(header):  # a left-out column may hold the NUL: read them all
            return _read_arrow(path, name, issues, case, clean)
        if any(pc.any(pc.match_substring(c, "\x00")).as_py() for c in table.columns):
            return None
    _duplicates(first, fold, name, issues)
    header = [header[i] for i in kept]
    if clean and _ARROW_TEXT:
        cols = table.columns
        del table  # the raw text is released column by column in _clean_columns
        return _clean_columns(cols, header)
    frame = table.to_pandas()
    del table
    frame.columns = header
    if not all(dt == _TEXT_DTYPE for dt in frame.dtypes):
        frame = frame.astype(_TEXT_DTYPE)
    return frame


#: Whether pandas keeps CSV text Arrow-backed (pandas 3's ``str``); only then does
#: :func:`~oncotrial.io._coerce.clean_text` strip with Arrow's ``utf8_trim_whitespace``, so only
#: then may :func:`_clean_columns` do the same work before pandas (on pandas 2.x the cells are
#: Python objects and ``str.strip`` is the reference; that path is kept).
_ARROW_TEXT = isinstance(_TEXT_DTYPE, pd.StringDtype) and _TEXT_DTYPE.storage == "pyarrow"


def _clean_columns(cols: list, header: list[str]) -> pd.DataFrame:
    """``clean_text`` of every column of a pyarrow table of text, computed in Arrow.

    Issue 21: the same cells as ``clean_text(frame[c])`` (``utf8_trim_whitespace``, then
    ``""``/``NA`` -> null, ``string`` dtype) without pandas' per-column conversions; columns
    (``cols``, pyarrow chunked arrays, emptied here) are released one by one, so the raw and
    the cleaned text of a file are never all held at once.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from oncotrial.io._coerce import NA_STRINGS

    out: dict[str, pd.Series] = {}
    n = len(cols[0]) if cols else 0
    for i, h in enumerate(header):
        t = pc.utf8_trim_whitespace(cols[i])
        cols[i] = None
        na = pc.is_in(t, value_set=pa.array(NA_STRINGS, type=t.type))
        t = pc.if_else(na, pa.scalar(None, type=t.type), t)
        out[h] = pd.Series(pd.array(t, dtype="string"), index=pd.RangeIndex(n), copy=False)
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


def _has_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte anywhere (one memchr over a memory map, no copy).

    Issue 21: without one no cell can hold NUL, and the per-column search is skipped.
    """
    import mmap

    try:
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\x00") >= 0
    except (OSError, ValueError):
        return True  # cannot tell: search the cells


def _duplicates(raw_header: list[str], fold, name: str, issues: list[Issue]) -> None:
    seen: dict[str, str] = {}
    for raw_h in raw_header:
        h = fold(raw_h.strip())
        if h in seen:
            issues.append(_issue(name, "duplicate-column",
                                 f"one column per name (case-insensitive); {seen[h]!r} and "
                                 f"{raw_h.strip()!r} are the same column — remove one",
                                 column=raw_h.strip()))
        else:
            seen[h] = raw_h.strip()


def _nul_issues(text: str, name: str, issues: list[Issue]) -> None:
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\x00", "\ufffd"), newline="")))
    except csv.Error:
        rows = []
    header = rows[0] if rows else []
    found = False
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            if "\ufffd" in cell:
                col = header[j].strip() if j < len(header) else f"field {j + 1}"
                issues.append(_issue(name, "nul-byte", "text without NUL characters (the value "
                                     "would be cut at the NUL; re-export the file)",
                                     row=i or None, column=col,
                                     value=cell.replace("\ufffd", "\\x00")[:80]))
                found = True
    if not found:
        issues.append(_issue(name, "nul-byte", "text without NUL characters"))


def read_sas_cells(path: Path, name: str, fmt: str,
                   issues: list[Issue]) -> tuple[pd.DataFrame, object] | None:
    """Read an XPT or sas7bdat file with pyreadstat, checking it is complete.

    Returns ``(frame, metadata)`` or None after recording the problem.
    """
    import pyreadstat

    if not check_entry(path, name, issues):
        return None
    size = path.stat().st_size
    if size == 0:
        issues.append(_issue(name, "empty-file", f"a SAS {fmt} file; it has 0 bytes"))
        return None
    if fmt == "xpt" and size % 80:
        issues.append(_issue(name, "truncated-file",
                             f"a complete SAS transport file (a whole number of 80-byte "
                             f"records); it has {size} bytes, {size % 80} past the last full "
                             "record — the file was cut short; copy it again"))
        return None
    reader = pyreadstat.read_xport if fmt == "xpt" else pyreadstat.read_sas7bdat
    try:
        df, meta = reader(str(path))
    except Exception as exc:
        issues.append(_issue(name, "corrupt-file", f"a readable SAS {fmt} file; pyreadstat: "
                                                   f"{str(exc)[:200]}"))
        return None
    expected = getattr(meta, "number_rows", None)
    if fmt == "sas7bdat" and expected is not None and expected >= 0 and expected != len(df):
        issues.append(_issue(name, "truncated-file",
                             f"{expected} rows as the file header says; read {len(df)} "
                             "(the file was cut short; copy it again)"))
        return None
    return df, meta
