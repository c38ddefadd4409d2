"""Writing the report: one self-contained HTML file, tables (CSV, DOCX), figures (PNG, SVG).

The HTML has inline CSS and every figure embedded as a base64 PNG, and references no URL, so
it works offline and can be mailed as one file. No timestamp is written anywhere: two runs on the
same input give byte-identical tables, figures and ``results.json``.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import zipfile
from pathlib import Path

import pandas as pd
from jinja2 import Environment

from oncotrial._errors import error_message
from oncotrial._safe import printable, safe_csv_frame, slug
from oncotrial.report._figures import render_figures
from oncotrial.report._methods import methods_paragraphs
from oncotrial.report._tables import build_tables, note_frame, table_titles

TABLE_TITLES = {
    "flow": "Participant flow",
    "table1_baseline": "Table 1. Baseline characteristics (treated population)",
    "table2_efficacy": "Table 2. Tumour response (efficacy-evaluable population)",
    "table3_adverse_events": "Table 3. Adverse events, worst grade per patient (safety population)",
    "survival": "Survival: medians, landmark rates and follow-up",
    "logrank": "Log-rank test across cohorts",
    "cox": "Cox regression: univariable and multivariable hazard ratios",
    "subgroups": "Objective response by subgroup",
    "gmi": "Growth modulation index per patient",
}
FIGURE_TITLES = {
    "flow": "Figure 1. Participant flow", "km_os": "Figure 2. Overall survival",
    "km_pfs": "Figure 3. Progression-free survival",
    "waterfall": "Figure 4. Waterfall: best change in the sum of target lesions",
    "spider": "Figure 5. Spider plot", "swimmer": "Figure 6. Swimmer plot",
    "forest_cox": "Figure 7. Forest plot of Cox hazard ratios",
    "ae_bars": "Figure 8. Adverse events by worst grade",
    "gmi": "Figure 9. Growth modulation index",
}
CSS = """
body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.4;padding:0 1em}
h1{font-size:1.5em;border-bottom:2px solid #2b5d8a;padding-bottom:.3em}
h2{font-size:1.2em;color:#2b5d8a;margin-top:2em}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0 1.5em}
th,td{border-bottom:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #444;background:#f2f6fb}
figure{margin:1em 0 2em}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}nav a{margin-right:1em}p.note{font-size:.85em;color:#555}
"""
TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title|e }}</title>
<style>{{ css }}</style></head><body>
<h1>{{ title|e }}</h1>
<p class="note">Cohorts: {{ cohorts|join(', ')|e }}. Evaluator: {{ evaluator|e }}.
Times in {{ unit|e }}. Every number below is in results.json with its method.</p>
<nav>{% for key, t in sections %}<a href="#{{ key|e }}">{{ t|e }}</a>{% endfor %}</nav>
{% for key, title, table in tables %}
<section id="table-{{ key|e }}"><h2 id="{{ key|e }}">{{ title|e }}</h2>{{ table }}</section>
{% endfor %}
{% for key, title, data in figures %}
<section id="figure-{{ key|e }}"><h2 id="{{ key|e }}">{{ title|e }}</h2>
<figure><img alt="{{ title|e }}" src="data:image/png;base64,{{ data }}">
<figcaption>{{ title|e }}</figcaption></figure></section>
{% endfor %}
<section id="methods"><h2 id="methods-h">Methods</h2>
{% for p in methods %}<p>{{ p|e }}</p>{% endfor %}</section>
</body></html>
"""


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(border=0, escape=True, na_rep="")


def _write_docx(df: pd.DataFrame, title: str, path: Path) -> None:
    from docx import Document

    doc = Document()
    fixed = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # no run-dependent metadata
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.core_properties.last_modified_by = "oncotrial"
    doc.add_heading(printable(title), level=2)
    flat = df.reset_index()
    t = doc.add_table(rows=1, cols=len(flat.columns))
    t.style = "Table Grid"
    for cell, col in zip(t.rows[0].cells, flat.columns, strict=True):
        cell.text = printable(col)  # XML allows no control characters: shown as \xNN
    for row in flat.itertuples(index=False):
        cells = t.add_row().cells
        for cell, v in zip(cells, row, strict=True):
            cell.text = "" if v is None else printable(v)
    buf = io.BytesIO()
    doc.save(buf)
    # Re-pack with fixed entry dates: zipfile stamps entries with the current time.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))


def _methods(results: dict) -> list[str]:
    try:
        return methods_paragraphs(results)
    except Exception as exc:  # the methods text never takes the report down
        results.setdefault("errors", {})["methods"] = error_message(exc)
        return [f"The methods text could not be written: {error_message(exc)}"]


def write_report(analysis, out_dir: str | Path) -> Path:
    """Write ``report.html``, ``tables/*.csv|docx`` and ``figures/*.png|svg`` into ``out_dir``.

    Returns the path of ``report.html``.
    """
    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    r = analysis.results
    errors = r.setdefault("errors", {})
    tables = build_tables(r)
    titles = {**TABLE_TITLES, **table_titles(r)}
    for stem, df in tables.items():
        safe = safe_csv_frame(df)  # OWASP: no cell a spreadsheet would run as a formula
        safe.to_csv(out / "tables" / f"{stem}.csv", lineterminator="\n")
        _write_docx(df, titles.get(stem, stem), out / "tables" / f"{stem}.docx")
    embedded = []
    for stem, rendered in render_figures(analysis, out / "figures").items():
        embedded.append((stem, FIGURE_TITLES.get(stem, stem),
                         base64.b64encode(rendered.paths["png"].read_bytes()).decode("ascii")))
    for key, msg in list(errors.items()):
        if key.startswith("figure:"):
            tables[f"figure_{key[len('figure:'):]}"] = note_frame(msg)
    if not errors:
        del r["errors"]
    tab_list = [(slug(k), titles.get(k, k.replace("_", " ").capitalize()), _table_html(v))
                for k, v in tables.items()]
    sections = [(k, t.split(".")[0] if t.startswith(("Table", "Figure")) else t.split(":")[0])
                for k, t, _ in tab_list] + [(slug(k), t.split(".")[0]) for k, t, _ in embedded]
    embedded = [(slug(k), t, d) for k, t, d in embedded]
    page = Environment(autoescape=False).from_string(TEMPLATE).render(
        title=r["study"]["title"], css=CSS, cohorts=r["study"]["cohorts"],
        evaluator=r["study"]["evaluator"], unit=r["study"]["time_unit"], tables=tab_list,
        figures=embedded, methods=_methods(r), sections=sections)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def escape(text: str) -> str:
    """HTML-escape a string (used by the demo index)."""
    return html.escape(text)


__all__ = ["FIGURE_TITLES", "TABLE_TITLES", "write_report"]
