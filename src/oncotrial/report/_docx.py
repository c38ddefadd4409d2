"""Word output (python-docx): one file per table and the whole report as ``report.docx``.

``report.docx`` has the title, a table-of-contents field (Word fills it on opening: "Update
field"; the entries are also written out as a plain list so that readers without field updates
see them), the numbered tables with spanners and indented levels, the figures from their PNGs
with their notes, the methods and the appendix. Core properties and zip entry dates are fixed,
so two runs give byte-identical files; text goes through :func:`oncotrial._safe.printable`
(XML allows no control characters).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from oncotrial._safe import printable
from oncotrial.report._table_model import ReportTable

FIXED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # no run-dependent metadata


def _new_document():
    from docx import Document

    doc = Document()
    doc.core_properties.created = FIXED
    doc.core_properties.modified = FIXED
    doc.core_properties.last_modified_by = "oncotrial"
    return doc


def _save(doc, path: Path) -> None:
    buf = io.BytesIO()
    doc.save(buf)
    # Re-pack with fixed entry dates: zipfile stamps entries with the current time.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))


def write_table_docx(table: ReportTable, caption: str, path: Path) -> None:
    """One table as its own Word file (``tables/<stem>.docx``)."""
    doc = _new_document()
    table.add_to_docx(doc, caption)
    _save(doc, path)


def _toc_field(doc) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = doc.add_paragraph()
    run = p.add_run()
    parts = [("begin", None), (None, 'TOC \\o "1-2" \\h \\z \\u'), ("separate", None),
             ("text", "Right-click and choose Update Field to fill in page numbers."),
             ("end", None)]
    for kind, text in parts:
        if kind in ("begin", "separate", "end"):
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def write_report_docx(path: Path, title: str, intro: str, items: list[tuple]) -> None:
    """The whole report as one Word file; ``items`` as for
    :func:`oncotrial.report._pdf.write_pdf`."""
    from docx.shared import Inches, Pt

    doc = _new_document()
    doc.add_heading(printable(title), level=0)
    doc.add_paragraph(printable(intro))
    doc.add_heading("Contents", level=1)
    _toc_field(doc)
    sections = list(dict.fromkeys(it[3] for it in items))
    for s in sections:
        doc.add_paragraph(printable(s), style="List Bullet")
        for kind, caption, _, sec in items:
            if sec == s and kind != "methods":
                doc.add_paragraph(printable(caption), style="List Bullet 2")
    current = None
    for kind, caption, payload, section in items:
        if section != current:
            doc.add_page_break()
            doc.add_heading(printable(section), level=1)
            current = section
        if kind == "table":
            payload.add_to_docx(doc, caption)
        elif kind == "figure":
            png, note = payload
            doc.add_heading(printable(caption), level=2)
            doc.add_picture(str(png), width=Inches(6.3))
            if note:
                run = doc.add_paragraph().add_run(printable(note))
                run.font.size = Pt(8)
        elif kind == "methods":
            for p in payload:
                doc.add_paragraph(printable(p))
        else:
            doc.add_heading(printable(caption), level=2)
            doc.add_paragraph(printable(payload))
    _save(doc, path)


__all__ = ["write_report_docx", "write_table_docx"]
