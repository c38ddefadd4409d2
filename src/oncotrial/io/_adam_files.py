"""Finding and reading ADaM dataset files (CSV, SAS transport v5/v8, sas7bdat, Parquet).

File choice per dataset (``docs/data-model.md``, "ADaM input")
--------------------------------------------------------------
Candidates for dataset ``adrs`` are files whose name without extension, case-insensitively, is
``adrs`` or starts with ``adrs_`` (the pharmaverseadam naming ``adrs_onco``), with extension
``.csv``, ``.xpt``, ``.sas7bdat`` or ``.parquet``. The file named exactly ``adrs`` wins; else
the only candidate; else an ``ambiguous-dataset`` error lists them. Files that look like other
ADaM datasets (``ad*``) are reported once each as an ``unused-dataset`` warning.

Every file is read as text cells with upper-case variable names (the same cells from every
format, as :func:`oncotrial.io._sdtm_files.read_domain` does for SDTM), and the variable labels
of XPT/sas7bdat files are kept for the written ADaM and define.xml.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oncotrial.io._coerce import clean_text
from oncotrial.io._issues import Issue
from oncotrial.io._sdtm_files import _numbers_as_text, read_domain

#: ADaM datasets the analysis uses, in reading order (ADSL is required).
ADAM_DATASETS: tuple[str, ...] = ("adsl", "adrs", "adtte", "adae", "adtr")

#: Accepted file extensions and their format.
ADAM_FORMATS: dict[str, str] = {".csv": "csv", ".xpt": "xpt", ".sas7bdat": "sas7bdat",
                                ".parquet": "parquet"}


def _stem(p: Path) -> str:
    return p.name[: -len(p.suffix)].lower()


def adam_files(folder: Path) -> list[Path]:
    """Files of ``folder`` with an ADaM format extension, sorted by name (case-insensitive)."""
    return sorted((f for f in folder.iterdir()
                   if f.is_file() and f.suffix.lower() in ADAM_FORMATS),
                  key=lambda p: p.name.lower())


def has_adsl(folder: Path) -> bool:
    """True when ``folder`` holds an ADSL file (``adsl.*`` or ``adsl_*.*``, any case).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "ADSL.xpt").write_bytes(b"")
    ...     has_adsl(Path(tmp))
    True
    """
    return any(_stem(f) == "adsl" or _stem(f).startswith("adsl_") for f in adam_files(folder))


def find_adam_files(folder: Path, issues: list[Issue]) -> dict[str, Path]:
    """One file per ADaM dataset by the documented rule; problems go to ``issues``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for n in ("adsl.csv", "adrs_onco.csv", "adlb.csv"):
    ...         _ = (Path(tmp) / n).write_text("USUBJID\\n")
    ...     issues = []
    ...     got = find_adam_files(Path(tmp), issues)
    >>> sorted((k, v.name) for k, v in got.items()), [i.rule for i in issues]
    ([('adrs', 'adrs_onco.csv'), ('adsl', 'adsl.csv')], ['unused-dataset'])
    """
    files = adam_files(folder)
    chosen: dict[str, Path] = {}
    used: set[Path] = set()
    for d in ADAM_DATASETS:
        cands = [f for f in files if _stem(f) == d or _stem(f).startswith(d + "_")]
        exact = [c for c in cands if _stem(c) == d]
        pick = exact if exact else cands
        if len(pick) == 1:
            chosen[d] = pick[0]
            used.update(cands)
        elif len(pick) > 1:
            used.update(cands)
            issues.append(Issue(
                file=str(folder), row=None, column=None,
                value=", ".join(c.name for c in pick),
                expected=f"one file for dataset {d.upper()}; keep one of them in the folder "
                         "(or rename the others)", rule="ambiguous-dataset"))
    for f in files:
        if f not in used and _stem(f).startswith("ad"):
            issues.append(Issue(
                file=f.name, row=None, column=None, value=None, severity="warning",
                expected=f"one of the datasets the analysis reads "
                         f"({', '.join(d.upper() for d in ADAM_DATASETS)}); this file is not "
                         "read", rule="unused-dataset"))
    return chosen


def read_adam_file(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read one ADaM file as text cells (upper-case names) and its variable labels.

    CSV, XPT and sas7bdat go through :func:`~oncotrial.io._sdtm_files.read_domain`; Parquet is
    read with pandas (pyarrow) and turned into the same text cells (numbers without ``.0``
    when integral, dates as ISO 8601). Labels come from the XPT/sas7bdat metadata (none for
    CSV and Parquet).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "adtte.csv"
    ...     _ = p.write_text("usubjid,AVAL,ADT\\nS1,12,2020-01-02\\n")
    ...     df, labels = read_adam_file(p)
    >>> df.iloc[0].tolist(), labels
    (['S1', '12', '2020-01-02'], {})
    """
    fmt = ADAM_FORMATS[path.suffix.lower()]
    labels: dict[str, str] = {}
    if fmt != "parquet":
        df = read_domain(path)
        if fmt in ("xpt", "sas7bdat"):
            import pyreadstat

            reader = pyreadstat.read_xport if fmt == "xpt" else pyreadstat.read_sas7bdat
            _, meta = reader(str(path), metadataonly=True)
            labels = {str(k).strip().upper(): str(v) for k, v in
                      meta.column_names_to_labels.items() if v}
        return df, labels
    raw = pd.read_parquet(path)
    cols = {}
    for c in raw.columns:
        s = raw[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            t = s.dt.strftime("%Y-%m-%d")
            has_time = (s.dropna() != s.dropna().dt.normalize()).any()
            if has_time:
                t = s.dt.strftime("%Y-%m-%dT%H:%M:%S")
            s = t
        elif pd.api.types.is_bool_dtype(s):
            s = s.map({True: "Y", False: "N"})
        elif pd.api.types.is_numeric_dtype(s):
            s = _numbers_as_text(s)
        else:
            s = s.astype("string")
        cols[str(c).strip().upper()] = clean_text(s)
    return pd.DataFrame(cols, index=raw.index).reset_index(drop=True), labels


__all__ = ["ADAM_DATASETS", "ADAM_FORMATS", "adam_files", "find_adam_files", "has_adsl",
           "read_adam_file"]
