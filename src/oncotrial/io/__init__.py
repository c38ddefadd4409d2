"""oncotrial.io: the canonical data model, its readers (CSV template, SDTM) and validation.

See ``docs/data-model.md`` for every table, column, code, mapping and validation rule.
"""

from oncotrial.io._adam import AdamData, read_adam
from oncotrial.io._api import detect_kind, example_data_path, read_study, validate
from oncotrial.io._issues import DataValidationError, Issue, ValidationReport
from oncotrial.io._schema import TABLES, Column, Table
from oncotrial.io._sdtm import read_sdtm
from oncotrial.io._study import StudyData, empty_table
from oncotrial.io._template import read_template, write_template, write_template_skeleton

__all__ = [
    "TABLES",
    "AdamData",
    "Column",
    "DataValidationError",
    "Issue",
    "StudyData",
    "Table",
    "ValidationReport",
    "detect_kind",
    "empty_table",
    "example_data_path",
    "read_adam",
    "read_sdtm",
    "read_study",
    "read_template",
    "validate",
    "write_template",
    "write_template_skeleton",
]
