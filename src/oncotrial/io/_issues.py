"""Validation findings: one :class:`Issue` per problem, collected in one pass.

Every reader returns (or raises with) a :class:`ValidationReport`; the CLI prints it as a table
(file, row, column, value, expected). Rows are 1-based data rows as a spreadsheet user counts them
after the header (row 1 = first data row); ``None`` when the problem is about a whole file/column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from oncotrial._errors import OncotrialError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One validation finding."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: Severity = "error"
    rule: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        val = "" if self.value is None else f": got {self.value!r}"
        return f"{self.severity.upper()} [{self.rule}] {where}{val}; expected {self.expected}"


@dataclass(slots=True)
class ValidationReport:
    """All findings of one read/validation pass."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        cols = ["severity", "rule", "file", "row", "column", "value", "expected"]
        return pd.DataFrame([{c: getattr(i, c) for c in cols} for i in self.issues], columns=cols)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise DataValidationError(self)


class DataValidationError(OncotrialError, ValueError):
    """Raised when input data has validation errors; carries the full report."""

    def __init__(self, report: ValidationReport):
        self.report = report
        lines = [str(i) for i in report.errors[:20]]
        more = len(report.errors) - 20
        if more > 0:
            lines.append(f"... and {more} more errors")
        super().__init__(f"{len(report.errors)} validation error(s):\n" + "\n".join(lines))


__all__ = ["DataValidationError", "Issue", "ValidationReport"]
