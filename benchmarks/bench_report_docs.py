"""Benchmark: the whole-report documents (report.pdf with fpdf2, report.docx with python-docx)
of the TALENT twin, and of a 10,000-row listing (the GMI of a ~10,000-patient study).

Target (issue 13 brief; ``analyze`` of 10,000 patients must stay within 20 s): the PDF of a twin
report in <= 2.5 s. Anchor in the same run: drawing and saving the report's figures. A 10,000-row
listing prints its first ``PRINT_ROWS`` rows in DOCX/PDF (both writers slow down steeply with
rows: ~80-100 s for 10,000 rows on the shared machine); the timing of that capped listing is
printed too.

Run: ``PYTHONPATH=src python benchmarks/bench_report_docs.py``.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

from _timing import median_time, report_target  # benchmarks/_timing.py

from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
from oncotrial.evidence.twins import generate_twin, write_twin
from oncotrial.report._docx import write_report_docx
from oncotrial.report._figures import render_figures
from oncotrial.report._html import PRINT_ROWS, number_items
from oncotrial.report._pdf import write_pdf
from oncotrial.report._report_tables import build_report_tables
from oncotrial.report._table_model import ReportTable, Row


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    write_twin(generate_twin("talent"), work / "data" / "talent")
    raw = tomllib.loads(example_spec_path("talent").read_text(encoding="utf-8"))
    a = analyze_study(parse_study_spec(raw, work))
    tables = build_report_tables(a.results)
    figs = render_figures(a, work / "figures")
    items = [(k, c, p, s) for k, _, c, p, s in number_items(
        tables, {k: f.paths["png"] for k, f in figs.items()}, {k: f.note for k, f in figs.items()})]
    fig_s = median_time(lambda: render_figures(a, work / "figures"), 1)[0]
    pdf_s, pdf_cpu = median_time(lambda: write_pdf(work / "r.pdf", "T", "i", items), 3)
    docx_s, _ = median_time(lambda: write_report_docx(work / "r.docx", "T", "i", items), 3)
    big = ReportTable("gmi", "GMI", "Patient", ("a", "b", "c", "d"),
                      tuple(Row(f"P{i:05d}", ("1.0", "2.0", "0.50", "N")) for i in range(10_000)),
                      appendix=True).head(PRINT_ROWS, "tables/gmi.csv")
    cap_s, _ = median_time(lambda: write_pdf(work / "b.pdf", "T", "i",
                                             [("table", "Table A1. GMI", big, "Appendix")]), 1)
    print(f"TALENT twin: figures {fig_s:.2f} s, report.pdf {pdf_s:.2f} s (CPU {pdf_cpu:.2f} s), "
          f"report.docx {docx_s:.2f} s; 10,000-row listing capped at {PRINT_ROWS} rows: "
          f"PDF {cap_s:.2f} s")
    report_target("report.pdf of the TALENT twin report (fpdf2)", pdf_s, 2.5,
                  anchors=f"figures {fig_s:.2f} s; report.docx {docx_s:.2f} s",
                  why="machine load; see the CPU time")


if __name__ == "__main__":
    main()
