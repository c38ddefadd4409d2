"""The in-memory study: six canonical tables plus provenance, the validation report and the
mapping log."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import pandas as pd

from oncotrial.io._issues import ValidationReport
from oncotrial.io._schema import TABLES, Table

#: Provenance columns appended to every canonical table.
PROVENANCE: tuple[str, str] = ("source_file", "source_row")

#: Columns of :attr:`StudyData.mapping_log`.
MAPPING_LOG_COLUMNS: tuple[str, ...] = ("file", "row", "reason")

#: pandas dtype per column kind of :mod:`oncotrial.io._schema`.
DTYPES: dict[str, str] = {
    "str": "string",
    "code": "string",
    "date": "string",
    "flag": "string",
    "float": "float64",
    "int": "Int64",
}


def empty_table(table: Table) -> pd.DataFrame:
    """An empty canonical frame (schema columns, canonical dtypes, provenance columns).

    Examples
    --------
    >>> from oncotrial.io._schema import PRIOR_THERAPY
    >>> list(empty_table(PRIOR_THERAPY).columns)[:3], len(empty_table(PRIOR_THERAPY))
    (['subject_id', 'line', 'regimen'], 0)
    """
    cols = {c.name: pd.Series([], dtype=DTYPES[c.kind]) for c in table.columns}
    cols["source_file"] = pd.Series([], dtype="string")
    cols["source_row"] = pd.Series([], dtype="int64")
    return pd.DataFrame(cols)


def empty_mapping_log() -> pd.DataFrame:
    """An empty mapping log (file, row, reason)."""
    return pd.DataFrame({"file": pd.Series([], dtype="string"),
                         "row": pd.Series([], dtype="int64"),
                         "reason": pd.Series([], dtype="string")})


def _empty(name: str) -> pd.DataFrame:
    return empty_table(TABLES[name])


@dataclass(slots=True)
class StudyData:
    """One study in the canonical data model (see ``docs/data-model.md``).

    Attributes
    ----------
    subjects, lesions, responses, adverse_events, exposure, prior_therapy : pd.DataFrame
        Canonical tables: exactly the columns of ``oncotrial.io._schema.TABLES[name]`` in schema
        order, in canonical dtypes (text/code/date/flag: pandas ``string`` with ``pd.NA``;
        float: ``float64``; int: ``Int64``), followed by the provenance columns
        ``source_file`` (file name) and ``source_row`` (1-based data row of that file).
        Dates are ISO 8601 strings, possibly partial; diameters are in mm.
    kind : {'template', 'sdtm'}
        Which reader produced the data.
    report : ValidationReport
        Findings of the read (only warnings when the read succeeded).
    mapping_log : pd.DataFrame
        One row per source record that was *not* mapped into a canonical table, with
        ``file``, ``row`` and ``reason``.
    source : str
        The folder that was read.

    Examples
    --------
    >>> d = StudyData()
    >>> d.kind, len(d.subjects), list(d.lesions.columns)[-2:]
    ('template', 0, ['source_file', 'source_row'])
    """

    subjects: pd.DataFrame = field(default_factory=partial(_empty, "subjects"))
    lesions: pd.DataFrame = field(default_factory=partial(_empty, "lesions"))
    responses: pd.DataFrame = field(default_factory=partial(_empty, "responses"))
    adverse_events: pd.DataFrame = field(default_factory=partial(_empty, "adverse_events"))
    exposure: pd.DataFrame = field(default_factory=partial(_empty, "exposure"))
    prior_therapy: pd.DataFrame = field(default_factory=partial(_empty, "prior_therapy"))
    kind: Literal["template", "sdtm"] = "template"
    report: ValidationReport = field(default_factory=ValidationReport)
    mapping_log: pd.DataFrame = field(default_factory=empty_mapping_log)
    source: str = ""

    def table(self, name: str) -> pd.DataFrame:
        """The canonical table called ``name`` (e.g. ``'lesions'``)."""
        return getattr(self, name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """All six canonical tables by name, in schema order."""
        return {name: getattr(self, name) for name in TABLES}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(t)}" for n, t in self.tables().items())
        return (f"StudyData(kind={self.kind!r}, {sizes}, errors={len(self.report.errors)}, "
                f"warnings={len(self.report.warnings)}, unmapped={len(self.mapping_log)})")


__all__ = ["DTYPES", "MAPPING_LOG_COLUMNS", "PROVENANCE", "StudyData", "empty_mapping_log",
           "empty_table"]
