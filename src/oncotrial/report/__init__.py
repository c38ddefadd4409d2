"""oncotrial.report: renders analysis results (tables, figures, one self-contained HTML file).

Computes nothing: every number comes from :mod:`oncotrial.analysis`. See docs/report.md.
"""

from oncotrial.report._figures import build_figures, km_curve
from oncotrial.report._html import FIGURE_TITLES, TABLE_TITLES, write_report
from oncotrial.report._methods import methods_paragraphs
from oncotrial.report._tables import build_tables

__all__ = ["FIGURE_TITLES", "TABLE_TITLES", "build_figures", "build_tables", "km_curve",
           "methods_paragraphs", "write_report"]
