"""oncotrial.io: the canonical data model, its readers (CSV template, SDTM) and validation.

See ``docs/data-model.md`` for every table, column, code, mapping and validation rule.
"""

from oncotrial.io._adam import AdamData, read_adam
from oncotrial.io._adam_write import read_xpt, write_xpt
from oncotrial.io._api import detect_kind, example_data_path, read_study, validate
from oncotrial.io._define_xml import check_define, define_xml, write_adam_xpt
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
    "check_define",
    "define_xml",
    "detect_kind",
    "empty_table",
    "example_data_path",
    "read_adam",
    "read_sdtm",
    "read_study",
    "read_template",
    "read_xpt",
    "validate",
    "write_adam_xpt",
    "write_template",
    "write_template_skeleton",
    "write_xpt",
]
