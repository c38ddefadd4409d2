"""Folder-level entry points: auto-detecting reader, validation without raising, bundled data."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial.io._adam import read_adam
from oncotrial.io._adam_files import has_adsl
from oncotrial.io._issues import DataValidationError, Issue, ValidationReport
from oncotrial.io._sdtm import read_sdtm
from oncotrial.io._sdtm_files import FORMATS
from oncotrial.io._study import StudyData
from oncotrial.io._template import read_template


def detect_kind(path: str | Path) -> Literal["template", "sdtm", "adam"] | None:
    """Which reader a folder needs: ``'template'`` if ``subjects.csv`` exists (checked first),
    ``'sdtm'`` if a ``dm`` file (``dm.csv``/``.xpt``/``.sas7bdat``, any case) exists, ``'adam'``
    if an ``adsl`` file (``adsl.csv``/``.xpt``/``.sas7bdat``/``.parquet``) exists, else None.

    Examples
    --------
    >>> detect_kind(example_data_path())
    'template'
    """
    p = Path(path)
    if not p.is_dir():
        return None
    names = {f.name.lower() for f in p.iterdir() if f.is_file()}
    if "subjects.csv" in names:
        return "template"
    if any(f"dm{ext}" in names for ext in FORMATS):
        return "sdtm"
    if has_adsl(p):
        return "adam"
    return None


def read_study(path: str | Path, *, evaluator: str | None = None,
               domains: Mapping[str, str] | None = None,
               data_cutoff: object = None) -> StudyData:
    """Read a template or SDTM folder, recognising which by itself (see :func:`detect_kind`).

    Parameters
    ----------
    path : str or Path
    evaluator, domains
        Passed to :func:`read_sdtm` for SDTM folders; ``evaluator`` also filters template
        lesions/responses (case-insensitive).
    data_cutoff : str or date, optional
        Data cut-off (ISO 8601): dates after it are errors. Default: today (UTC).

    Raises
    ------
    DataValidationError
        When the data has errors (the exception carries the full report).
    OncotrialValueError
        When the folder is neither kind.

    Examples
    --------
    >>> read_study(example_data_path()).kind
    'template'
    """
    kind = detect_kind(path)
    if kind is None:
        raise bad_value("path", "read_study", "a template folder (subjects.csv) or an SDTM "
                        "folder (dm.csv/.xpt/.sas7bdat)", str(path),
                        "Run `oncotrial template DIR` for an empty template.")
    if kind == "sdtm":
        return read_sdtm(path, evaluator=evaluator, domains=domains, data_cutoff=data_cutoff)
    if kind == "adam":
        raise bad_value("path", "read_study", "a template or SDTM folder", str(path),
                        "This is an ADaM folder: read it with oncotrial.io.read_adam(path), or "
                        "analyse it with `oncotrial analyze` (no derivation needed).")
    data = read_template(path, data_cutoff=data_cutoff)
    if evaluator is not None:
        ev = evaluator.strip().upper()
        for name in ("lesions", "responses"):
            df = data.table(name)
            setattr(data, name, df[df["evaluator"].str.upper() == ev].reset_index(drop=True))
    return data


def validate(path: str | Path, *, evaluator: str | None = None,
             domains: Mapping[str, str] | None = None,
             data_cutoff: object = None) -> ValidationReport:
    """Validate a template, SDTM or ADaM folder; return every finding, never raise on data
    problems.

    Argument problems (an unknown ``evaluator``, a path that is not a folder of either kind)
    are returned as one ``error`` finding too, so the CLI can print them in the same table.

    Examples
    --------
    >>> validate(example_data_path()).ok
    True
    >>> validate("/no/such/folder").errors[0].rule
    'missing-file'
    """
    kind = detect_kind(path)
    if kind is None:
        return ValidationReport([Issue(
            file=str(path), row=None, column=None, value=None, rule="missing-file",
            expected="a folder with subjects.csv (template), dm.csv/.xpt/.sas7bdat (SDTM) or "
                     "adsl.csv/.xpt/.sas7bdat/.parquet (ADaM)")])
    try:
        if kind == "adam":
            return read_adam(path, _raise=False).report
        if kind == "sdtm":
            data = read_sdtm(path, evaluator=evaluator, domains=domains,
                             data_cutoff=data_cutoff, _raise=False)
        else:
            data = read_template(path, data_cutoff=data_cutoff, _raise=False)
    except DataValidationError as exc:  # pragma: no cover - readers called with _raise=False
        return exc.report
    except OncotrialValueError as exc:
        return ValidationReport([Issue(file=str(path), row=None, column=None, value=None,
                                       expected=str(exc), rule="bad-argument")])
    return data.report


def example_data_path() -> Path:
    """Folder of the bundled example study (template format; see ``tools/make_example_data.py``).

    Examples
    --------
    >>> (example_data_path() / "subjects.csv").is_file()
    True
    """
    return Path(str(resources.files("oncotrial") / "data" / "example"))


__all__ = ["detect_kind", "example_data_path", "read_study", "validate"]
