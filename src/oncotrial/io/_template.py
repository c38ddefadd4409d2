"""The CSV template folder: one CSV per canonical table, header row = canonical column names.

``subjects.csv`` is required; the other five files are optional (an absent file is an empty
table). Cells are text; empty cells and the literal ``NA`` are missing. Header names are matched
case-insensitively after stripping blanks. Unknown columns are ignored with a warning.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from oncotrial._errors import bad_value
from oncotrial._output import write_files
from oncotrial.io._checks import check_study
from oncotrial.io._coerce import coerce_table, provenance_frame
from oncotrial.io._files import read_csv_cells
from oncotrial.io._issues import Issue, ValidationReport
from oncotrial.io._plausibility import check_plausibility
from oncotrial.io._schema import TABLES, Table
from oncotrial.io._study import StudyData, empty_mapping_log, empty_table


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV as text cells (no type guessing; a UTF-8 byte-order mark is accepted)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def check_folder(path: str | Path, func: str) -> Path:
    """Return ``path`` as a Path; raise the house-style error when it is not a folder."""
    p = Path(path)
    if not p.is_dir():
        raise bad_value("path", func, "an existing folder", str(path),
                        "Pass the folder that holds the CSV/SDTM files.")
    return p


def _read_one(folder: Path, table: Table, issues: list[Issue]) -> pd.DataFrame:
    f = folder / table.file
    if not os.path.lexists(f):
        if table.required_file:
            issues.append(Issue(file=table.file, row=None, column=None, value=None,
                                expected=f"file {table.file} (required; `oncotrial template DIR` "
                                         "writes an empty one)", rule="missing-file"))
        return empty_table(table)
    raw = read_csv_cells(f, table.file, issues)  # every unreadable file is a finding
    if raw is None:
        return empty_table(table)
    known = set(table.column_names)
    for c in raw.columns:
        if c not in known:
            issues.append(Issue(file=table.file, row=None, column=c, value=None,
                                expected=f"a column of {table.name} (this one is ignored)",
                                severity="warning", rule="unknown-column"))
    raw = raw[[c for c in raw.columns if c in known]]
    raw = raw.loc[:, ~raw.columns.duplicated()]
    raw = raw.assign(**provenance_frame(len(raw), table.file))
    frame, found = coerce_table(raw, table, file=table.file)
    issues.extend(found)
    return frame


def finish_study(tables: dict[str, pd.DataFrame], issues: list[Issue], *, kind: str,
                 source: str, mapping_log: pd.DataFrame | None = None,
                 colmaps: dict[str, dict[str, str]] | None = None,
                 raise_errors: bool = True, data_cutoff: object = None) -> StudyData:
    """Run the cross-table and plausibility rules, assemble :class:`StudyData`, raise when
    there are errors."""
    file_level = any(i.severity == "error" and i.row is None for i in issues)
    issues = [*issues, *check_study(tables, colmaps),
              *check_plausibility(tables, colmaps, data_cutoff, empty_subjects=not file_level)]
    report = ValidationReport(issues)
    data = StudyData(**tables, kind=kind, report=report,
                     mapping_log=empty_mapping_log() if mapping_log is None else mapping_log,
                     source=source)
    if raise_errors:
        report.raise_if_errors()
    return data


def read_template(path: str | Path, *, data_cutoff: object = None,
                  _raise: bool = True) -> StudyData:
    """Read a CSV template folder into the canonical data model.

    Parameters
    ----------
    path : str or Path
        Folder holding ``subjects.csv`` and optionally ``lesions.csv``, ``responses.csv``,
        ``adverse_events.csv``, ``exposure.csv``, ``prior_therapy.csv``
        (``oncotrial template DIR`` writes empty ones with header rows).
    data_cutoff : str or date, optional
        Data cut-off (ISO 8601); dates after it are errors (rule ``date-after-cutoff``).
        Default: today (UTC).

        .. versionadded:: 0.2

    Returns
    -------
    StudyData
        ``kind='template'``; warnings are kept in ``report``; ``mapping_log`` is empty (every
        template row maps to one canonical row).

    Raises
    ------
    DataValidationError
        When any error is found; it carries the full report (every problem, one pass).
    OncotrialValueError
        When ``path`` is not a folder.

    Examples
    --------
    >>> from oncotrial.io import example_data_path
    >>> d = read_template(example_data_path())
    >>> d.kind, d.report.ok, d.subjects["cohort"].nunique()
    ('template', True, 2)
    """
    folder = check_folder(path, "read_template")
    issues: list[Issue] = []
    tables = {name: _read_one(folder, t, issues) for name, t in TABLES.items()}
    return finish_study(tables, issues, kind="template", source=str(folder),
                        raise_errors=_raise, data_cutoff=data_cutoff)


def _write_files(folder: Path, texts: dict[str, str], func: str, force: bool) -> list[Path]:
    """Write ``{file name: text}`` into ``folder``: all the files or none.

    An existing file of the set is refused unless ``force``; the set is written by
    :func:`oncotrial._output.write_files` (temporary siblings renamed into place together).
    """
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / name for name in texts]
    present = [t.name for t in targets if t.exists()]
    if present and not force:
        raise bad_value("path", func, "a folder without the template's files (or force=True)",
                        str(folder),
                        f"It already holds {', '.join(present)}; choose another folder, or pass "
                        "force=True to replace them.")
    write_files(dict(zip(targets, texts.values(), strict=True)))
    return targets


def write_template(data: StudyData, path: str | Path, *, force: bool = False) -> Path:
    """Write ``data`` as a template folder (one CSV per table; provenance columns dropped).

    ``read_template(write_template(d, p))`` gives back the same canonical tables (diameters are
    already in mm; partial dates stay partial).

    Parameters
    ----------
    data : StudyData
    path : str or Path
        Folder to write (created if needed).
    force : bool, default=False
        Replace the six CSV files where the folder already holds any of them (otherwise that is
        an error and nothing is written). The files are written together: all or none.

    Returns
    -------
    Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> from oncotrial.io import example_data_path
    >>> d = read_template(example_data_path())
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     e = read_template(write_template(d, tmp))
    >>> e.lesions.equals(d.lesions)
    True
    """
    folder = Path(path)
    texts = {table.file: data.table(name)[table.column_names].to_csv(index=False, na_rep="")
             for name, table in TABLES.items()}
    _write_files(folder, texts, "write_template", force)
    return folder


def write_template_skeleton(path: str | Path, *, force: bool = False) -> list[Path]:
    """Write the six template CSVs with header rows only.

    ``force=True`` replaces template files already in the folder (otherwise an error).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_template_skeleton(tmp)
    ...     header = files[0].read_text().strip()
    >>> [f.name for f in files][:2], header.split(",")[:3]
    (['subjects.csv', 'lesions.csv'], ['subject_id', 'cohort', 'arm'])
    """
    texts = {table.file: ",".join(table.column_names) + "\n" for table in TABLES.values()}
    return _write_files(Path(path), texts, "write_template_skeleton", force)


__all__ = ["check_folder", "finish_study", "read_csv_text", "read_template", "write_template",
           "write_template_skeleton"]
