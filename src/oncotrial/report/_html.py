"""Writing the report: one self-contained HTML file, the same report as one DOCX and one PDF,
tables (CSV, DOCX) and figures (PNG, SVG, PDF).

The HTML has inline CSS and every figure embedded as a base64 PNG, and references no URL, so
it works offline and can be mailed as one file. No timestamp is written anywhere: two runs on the
same input give byte-identical tables, figures and ``results.json``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment

from oncotrial._errors import error_message
from oncotrial._safe import safe_csv_frame, slug
from oncotrial.report._figures import FigureJob, render_figures
from oncotrial.report._figures import _workers as figure_workers
from oncotrial.report._methods import methods_paragraphs
from oncotrial.report._report_tables import BASE_TITLES as TABLE_TITLES
from oncotrial.report._table_model import ReportTable
from oncotrial.report._tables import note_frame

#: Rows of one table printed in report.docx, report.pdf and tables/*.docx; longer listings
#: print their first rows and say where the rest is (their CSV and report.html hold them all).
PRINT_ROWS = 200
FIGURE_TITLES = {
    "flow": "Participant flow", "km_os": "Overall survival",
    "km_pfs": "Progression-free survival",
    "waterfall": "Waterfall: best change in the sum of target lesions",
    "spider": "Spider plot", "swimmer": "Swimmer plot",
    "forest_cox": "Forest plot of Cox hazard ratios",
    "ae_bars": "Adverse events by worst grade",
    "gmi": "Growth modulation index",
}
CSS = """
body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.4;padding:0 1em}
h1{font-size:1.5em;border-bottom:2px solid #2b5d8a;padding-bottom:.3em}
h2{font-size:1.3em;color:#2b5d8a;margin-top:2em}h3{font-size:1.05em;margin:1.6em 0 .4em}
table{border-collapse:collapse;font-size:.82em;margin:.3em 0 .4em}
th,td{padding:3px 8px;text-align:left;vertical-align:top}
thead tr:last-child th{border-bottom:1.5px solid #444}thead th.span{text-align:center;
border-bottom:1px solid #999}table.rt{border-top:1.5px solid #444;border-bottom:1.5px solid #444}
td.lvl{padding-left:2em}td.var{font-weight:600}p.tnote{font-size:.78em;color:#444;margin:0 0 1.5em}
figure{margin:.5em 0 2em}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444}p.note{font-size:.85em;color:#555}
nav ol{font-size:.9em}nav ol ol{columns:2;font-size:.95em}nav li{margin:.1em 0}
"""
TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title|e }}</title>
<style>{{ css }}</style></head><body>
<h1>{{ title|e }}</h1>
<p class="note">{{ intro|e }}</p>
<nav id="contents"><h2>Contents</h2><ol>{% for sec, entries in toc %}
<li><a href="#{{ sec|lower|e }}">{{ sec|e }}</a>{% if entries %}<ol>{% for anchor, cap in entries %}
<li><a href="#{{ anchor|e }}">{{ cap|e }}</a></li>{% endfor %}</ol>{% endif %}</li>{% endfor %}
</ol></nav>
{% for sec, items in sections %}<section id="{{ sec|lower|e }}"><h2>{{ sec|e }}</h2>
{% for kind, anchor, caption, body, note in items %}{% if kind == "table" %}
<section id="table-{{ anchor|e }}" class="table"><h3 id="caption-table-{{ anchor|e }}">{{ caption|e }}</h3>
{{ body }}</section>
{% elif kind == "figure" %}<section id="figure-{{ anchor|e }}" class="figure">
<h3 id="caption-figure-{{ anchor|e }}">{{ caption|e }}</h3>
<figure><img alt="{{ caption|e }}" src="data:image/png;base64,{{ body }}">
<figcaption>{{ caption|e }}{% if note %}. {{ note|e }}{% endif %}</figcaption></figure></section>
{% elif kind == "note" %}<section id="{{ anchor|e }}" class="note"><h4>{{ caption|e }}</h4>
<p class="note">{{ body|e }}</p></section>
{% elif kind == "methods" %}{% for p in body %}<p>{{ p|e }}</p>{% endfor %}
{% endif %}{% endfor %}</section>
{% endfor %}
</body></html>
"""


def number_items(tables: list[ReportTable], figures: dict, figure_notes: dict[str, str]
                 ) -> list[tuple]:
    """Captions numbered in order of appearance without gaps: body tables "Table 1..k",
    figures "Figure 1..m", appendix listings "Table A1..".

    Returns ``(kind, stem, caption, payload, section)`` in report order (methods excluded).

    Examples
    --------
    >>> from oncotrial.report._table_model import ReportTable
    >>> ts = [ReportTable("a", "A", "", (), ()), ReportTable("g", "G", "", (), (), appendix=True)]
    >>> [it[2] for it in number_items(ts, {"km_os": "x.png"}, {})]
    ['Table 1. A', 'Figure 1. Overall survival', 'Table A1. G']
    """
    out = []
    body = [t for t in tables if not t.appendix]
    for i, t in enumerate(body, 1):
        out.append(("table", t.stem, f"Table {i}. {t.title}", t, "Tables"))
    for i, (stem, png) in enumerate(figures.items(), 1):
        title = FIGURE_TITLES.get(stem, stem.replace("_", " ").capitalize())
        out.append(("figure", stem, f"Figure {i}. {title}", (png, figure_notes.get(stem, "")),
                    "Figures"))
    for i, t in enumerate((t for t in tables if t.appendix), 1):
        out.append(("table", t.stem, f"Table A{i}. {t.title}", t, "Appendix"))
    return out


def _methods(results: dict) -> list[str]:
    try:
        return methods_paragraphs(results)
    except Exception as exc:  # the methods text never takes the report down
        results.setdefault("errors", {})["methods"] = error_message(exc)
        return [f"The methods text could not be written: {error_message(exc)}"]


def write_report(analysis, out_dir: str | Path, *, figures: FigureJob | None = None,
                 meanwhile: Callable[[], None] | None = None) -> Path:
    """Write ``report.html``, ``report.docx``, ``report.pdf``, ``tables/*.csv|docx`` and
    ``figures/*`` into ``out_dir``.

    Tables and figures are numbered in order of appearance without gaps, with a table of
    contents; long listings go to the appendix (and their CSV). Returns the path of
    ``report.html``. ``figures`` is a :class:`~oncotrial.report._figures.FigureJob` already
    started into ``out_dir/figures`` (``analyze`` starts it before writing ``adam/``, so the
    figures render meanwhile); by default the figures are rendered here. ``meanwhile`` is called
    once the results are final (figure errors recorded), while the PDF is being written
    (``analyze`` writes ``results.json`` then).
    """
    from oncotrial.report._docx import write_report_docx, write_table_docx
    from oncotrial.report._pdf import start_pdf
    from oncotrial.report._report_tables import build_report_tables

    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    r = analysis.results
    errors = r.setdefault("errors", {})
    tables = build_report_tables(r)
    rendered = (figures.result() if figures is not None
                else render_figures(analysis, out / "figures"))
    items = number_items(tables, {k: f.paths["png"] for k, f in rendered.items()},
                         {k: f.note for k, f in rendered.items()})
    at = max((i + 1 for i, it in enumerate(items) if it[4] in ("Tables", "Figures")), default=0)
    for key, msg in list(errors.items()):  # a figure that failed: an unnumbered visible note
        if key.startswith("figure:"):
            stem = key[len("figure:"):]
            items.insert(at, ("note", f"figure-{stem}", f"Figure not drawn: {stem}",
                              note_frame(msg).iloc[0, 0], "Figures"))
            at += 1
    printed = []  # DOCX and PDF print at most PRINT_ROWS rows of a listing (all in CSV, HTML)
    for kind, stem, caption, t, sec in items:
        if kind == "table":
            safe = safe_csv_frame(t.to_frame())  # OWASP: no cell a spreadsheet runs as formula
            safe.to_csv(out / "tables" / f"{stem}.csv", lineterminator="\n")
            t = t.head(PRINT_ROWS, f"tables/{stem}.csv and report.html")
            write_table_docx(t, caption, out / "tables" / f"{stem}.docx")
        printed.append((kind, stem, caption, t, sec))
    methods = _methods(r)
    if not errors:
        del r["errors"]
    st = r["study"]
    intro = (f"Cohorts: {', '.join(st['cohorts'])}. Evaluator: {st['evaluator']}. Times in "
             f"{st['time_unit']}. Every number below is in results.json with its method.")
    body = [it for it in items if it[4] != "Appendix"]
    appendix = [it for it in items if it[4] == "Appendix"]
    doc_items = [(k, c, p, s) for k, _, c, p, s in printed if s != "Appendix"]
    doc_items.append(("methods", "Methods", methods, "Methods"))
    doc_items += [(k, c, p, s) for k, _, c, p, s in printed if s == "Appendix"]
    sections: dict[str, list] = {}
    for kind, stem, caption, payload, sec in body:
        html_body = (payload.to_html() if kind == "table" else payload if kind == "note" else
                     base64.b64encode(Path(payload[0]).read_bytes()).decode("ascii"))
        note = payload[1] if kind == "figure" else ""
        sections.setdefault(sec, []).append((kind, slug(stem), caption, html_body, note))
    sections["Methods"] = [("methods", "methods", "Methods", methods, "")]
    for kind, stem, caption, payload, sec in appendix:
        sections.setdefault(sec, []).append((kind, slug(stem), caption, payload.to_html(), ""))
    toc = [(sec, [(f"{k}-{a}", c) for k, a, c, _, _ in its if k in ("table", "figure")])
           for sec, its in sections.items()]
    page = Environment(autoescape=False).from_string(TEMPLATE).render(
        title=st["title"], css=CSS, intro=intro, toc=toc, sections=list(sections.items()))
    # the PDF (the costliest document) in a forked process while the Word file and the page are
    # written, where the figures were drawn in processes too (large study, single-threaded)
    wait_pdf = start_pdf(out / "report.pdf", st["title"], intro, doc_items,
                         fork=figure_workers(analysis) > 1)
    path = out / "report.html"
    try:
        write_report_docx(out / "report.docx", st["title"], intro, doc_items)
        path.write_text(page, encoding="utf-8")
        if meanwhile is not None:
            meanwhile()
    finally:
        wait_pdf()
    return path


def escape(text: str) -> str:
    """HTML-escape a string (used by the demo index)."""
    return html.escape(text)


__all__ = ["FIGURE_TITLES", "TABLE_TITLES", "number_items", "write_report"]
