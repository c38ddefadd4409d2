"""The ADaM reader: a folder of ADSL + any of ADRS, ADTTE, ADAE, ADTR -> typed datasets + report.

Most statisticians already hold ADaM datasets made by SAS or by R admiral/admiralonco; this
reader lets ``oncotrial validate`` and ``oncotrial analyze`` start from them instead of deriving
again. Files are found by :func:`oncotrial.io._adam_files.find_adam_files`, read as text cells,
typed (:func:`oncotrial.io._adam_checks.type_dataset`) and checked against the ADaM rules the
analyses depend on (:mod:`oncotrial.io._adam_checks`); every finding names file, row and column.
Which ADaM rules are checked and which are not is listed in ``docs/data-model.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial._errors import bad_value
from oncotrial.io._adam_checks import check_dataset, check_subjects, type_dataset
from oncotrial.io._adam_files import ADAM_DATASETS, find_adam_files, read_adam_file
from oncotrial.io._issues import Issue, ValidationReport
from oncotrial.io._study import empty_mapping_log


@dataclass(slots=True)
class AdamData:
    """ADaM datasets of one folder, typed, with the findings of the read.

    Attributes
    ----------
    datasets : dict of str to DataFrame
        ``'adsl'`` and whichever of ``'adrs'``, ``'adtte'``, ``'adae'``, ``'adtr'`` exist: every
        record and variable of the file, ``NUMERIC`` variables as float64, ``*DT`` variables as
        datetime64, the rest as pandas ``string``. Row ``i`` (0-based) is data row ``i + 1``.
    files : dict of str to str
        File name read for each dataset.
    labels : dict of str to dict
        Variable labels per dataset (from XPT/sas7bdat; empty for CSV/Parquet).
    report : ValidationReport
    source : str
        The folder.
    kind : str
        Always ``'adam'`` (cf. :attr:`oncotrial.io.StudyData.kind`).

    Examples
    --------
    >>> AdamData().kind
    'adam'
    """

    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    source: str = ""
    kind: str = "adam"

    def dataset(self, name: str) -> pd.DataFrame | None:
        """The dataset called ``name`` (``'adtte'``), or None when the folder has none."""
        return self.datasets.get(name)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(d)}" for n, d in self.datasets.items())
        return (f"AdamData({sizes}, errors={len(self.report.errors)}, "
                f"warnings={len(self.report.warnings)})")


def read_adam(path: str | Path, *, parameters: Mapping[str, str] | None = None,
              _raise: bool = True) -> AdamData:
    """Read and check an ADaM folder (ADSL and any of ADRS, ADTTE, ADAE, ADTR).

    Parameters
    ----------
    path : str or Path
        Folder with ``adsl.*`` (CSV, XPT v5/v8, sas7bdat or Parquet) and optional
        ``adrs*``, ``adtte*``, ``adae*``, ``adtr*`` files (``adrs_onco.csv`` counts as ADRS).
    parameters : mapping, optional
        PARAMCD per analysis role where it differs from the admiral names, e.g.
        ``{"DOR": "DURRSP"}`` (roles: OVR, BOR, CBOR, MDIS, OS, PFS, DOR, TTR, SDIAM; see
        :data:`oncotrial.io._adam_checks.PARAM_ROLES`).

    Returns
    -------
    AdamData

    Raises
    ------
    DataValidationError
        When the data break a checked rule (the exception carries the full report).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "adsl.csv").write_text("USUBJID,TRT01P,SAFFL\\nS1,A,Y\\nS1,A,Y\\n")
    ...     rep = read_adam(tmp, _raise=False).report
    >>> [(i.rule, i.row, i.column) for i in rep.errors]
    [('duplicate-subject', 2, 'USUBJID')]
    """
    folder = Path(path)
    if not folder.is_dir():
        raise bad_value("path", "read_adam", "an existing folder", str(path),
                        "Give the folder that holds adsl.xpt (or .csv/.sas7bdat/.parquet).")
    issues: list[Issue] = []
    found = find_adam_files(folder, issues)
    data = AdamData(source=str(folder))
    if "adsl" not in found:
        issues.append(Issue(file=str(folder), row=None, column=None, value=None,
                            expected="an ADSL file (adsl.csv/.xpt/.sas7bdat/.parquet)",
                            rule="missing-file"))
    for name in ADAM_DATASETS:
        if name not in found:
            continue
        p = found[name]
        try:
            text, labels = read_adam_file(p)
        except Exception as exc:
            issues.append(Issue(file=p.name, row=None, column=None, value=type(exc).__name__,
                                expected=f"a readable {p.suffix.lstrip('.')} file ({exc})",
                                rule="unreadable-file"))
            continue
        typed, found_issues = type_dataset(text.reset_index(drop=True), p.name)
        issues += found_issues
        issues += check_dataset(name, typed, p.name, parameters)
        data.datasets[name] = typed
        data.files[name] = p.name
        data.labels[name] = labels
    adsl = data.datasets.get("adsl")
    if adsl is not None:
        for name, df in data.datasets.items():
            if name != "adsl":
                issues += check_subjects(adsl, name, df, data.files[name])
    data.report = ValidationReport(issues)
    if _raise:
        data.report.raise_if_errors()
    return data


def analysis_records(data: AdamData, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis records of one dataset and a log of the records left out.

    admiral convention: where a dataset has ``ANL01FL`` with at least one ``'Y'``, only the
    ``ANL01FL = 'Y'`` records are analysed; each other record is one log row (file, row,
    reason). Without ANL01FL every record is analysed.

    Returns
    -------
    (DataFrame, DataFrame)
        The records (original row order, index reset) and the mapping log
        (``file, row, reason``).

    Examples
    --------
    >>> d = AdamData(datasets={"adtr": pd.DataFrame({"USUBJID": ["a", "a"],
    ...     "ANL01FL": pd.array(["Y", pd.NA], dtype="string")})}, files={"adtr": "adtr.csv"})
    >>> recs, log = analysis_records(d, "adtr")
    >>> len(recs), log["row"].tolist()
    (1, [2])
    """
    df = data.datasets[name]
    log = empty_mapping_log()
    if "ANL01FL" in df and df["ANL01FL"].eq("Y").any():
        keep = df["ANL01FL"].eq("Y").fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(~keep) + 1
        if len(rows):
            log = pd.DataFrame({"file": pd.Series([data.files[name]] * len(rows),
                                                  dtype="string"),
                                "row": rows.astype("int64"),
                                "reason": pd.Series(["ANL01FL is not Y (not an analysis "
                                                     "record)"] * len(rows), dtype="string")})
        df = df[keep]
    return df.reset_index(drop=True), log


__all__ = ["AdamData", "analysis_records", "read_adam"]
