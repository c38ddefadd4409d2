"""The whole report as one PDF (fpdf2): contents, numbered tables, figures, methods, appendix.

Why fpdf2: the PDF must cost at most ~2-3 s on a twin report (``analyze`` of 10,000 patients
within 20 s). WeasyPrint from the HTML took ~17 s per report in an earlier session and needs
Pango/cairo system libraries; reportlab is a larger C-accelerated toolkit whose platypus layer
we would not use. fpdf2 is pure Python (deps: Pillow, fontTools, defusedxml), draws tables with
column spans itself and embeds the report's PNGs as they are; measured ~0.3-0.6 s for a twin
report here. Text uses matplotlib's bundled DejaVu Sans (a TrueType font, subset into the file)
so every Unicode character of the data prints. The creation date is fixed (2000-01-01) and the
file identifier is fpdf2's hash of the content, so two runs give byte-identical files.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from oncotrial.report._table_model import ReportTable

FIXED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def write_pdf(path: Path, title: str, intro: str, items: list[tuple]) -> None:
    """Write the report PDF.

    ``items`` lists ``(kind, caption, payload, section)`` in report order: kind ``"table"``
    (payload a :class:`ReportTable`), ``"figure"`` (payload ``(png_path, note)``), ``"note"``
    (payload a sentence) or ``"methods"`` (payload the paragraphs); ``section`` is the heading
    it belongs under ("Tables", "Figures", "Methods", "Appendix"), started when it changes.
    """
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_creator("oncotrial")
    pdf.set_producer("oncotrial (fpdf2)")
    fd = _font_dir()
    pdf.add_font("DejaVu", "", str(fd / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fd / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, intro, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.insert_toc_placeholder(_render_toc, pages=_toc_pages(len(items)))
    current = None
    for kind, caption, payload, section in items:
        if section != current:
            if pdf.y > pdf.t_margin + 1:  # the contents placeholder already opened a page
                pdf.add_page()
            pdf.set_font("DejaVu", "B", 13)
            pdf.start_section(section, level=0)
            pdf.cell(0, 8, section, new_x="LMARGIN", new_y="NEXT")
            current = section
        if kind == "table":
            _table(pdf, caption, payload)
        elif kind == "figure":
            _figure(pdf, caption, *payload)
        elif kind == "methods":
            pdf.set_font("DejaVu", "", 8.5)
            for p in payload:
                pdf.multi_cell(0, 4.2, p, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
        else:
            _heading(pdf, caption)
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(0, 4, payload, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))


_ARGS: tuple | None = None  # write_pdf's arguments, inherited by the forked process


def _write_pdf_inherited() -> None:
    write_pdf(*_ARGS)  # type: ignore[misc]


def start_pdf(path: Path, title: str, intro: str, items: list[tuple], *,
              fork: bool = False) -> Callable[[], None]:
    """Write the report PDF (:func:`write_pdf`); returns a function that waits for it.

    With ``fork=True`` the PDF is written by one forked process while the caller goes on (the
    Word file and the HTML page, ~1 s at 10,000 patients; issue 21) and the returned function
    waits for it, raising its error if it failed. Otherwise the PDF is written before this
    returns. The caller forks only from a single-threaded process (``_figures._workers``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     wait = start_pdf(pathlib.Path(d) / "r.pdf", "Title", "Intro.", [])
    ...     wait()
    ...     (pathlib.Path(d) / "r.pdf").read_bytes()[:5]
    b'%PDF-'
    """
    global _ARGS
    if not fork:
        write_pdf(path, title, intro, items)
        return lambda: None
    import gc
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    _ARGS = (path, title, intro, items)
    gc.freeze()  # the child's collector leaves the inherited heap alone (no COW copies)
    try:  # the process forks at the first submit and keeps its copy of _ARGS
        pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
        job = pool.submit(_write_pdf_inherited)
    finally:
        gc.unfreeze()
        _ARGS = None

    def wait() -> None:
        try:
            job.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return wait


def _toc_pages(n_items: int) -> int:
    return 1 + (n_items + 6) // 48


def _render_toc(pdf, outline) -> None:
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
    for s in outline:
        pdf.set_font("DejaVu", "B" if s.level == 0 else "", 9 if s.level == 0 else 8)
        link = pdf.add_link(page=s.page_number)
        w = pdf.epw - 12
        pdf.set_x(pdf.l_margin + 5 * s.level)
        pdf.cell(w - 5 * s.level, 4.6, s.name[:110], link=link)
        pdf.cell(12, 4.6, str(s.page_number), align="R", new_x="LMARGIN", new_y="NEXT",
                 link=link)


def _heading(pdf, caption: str) -> None:
    if pdf.will_page_break(20):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 10)
    pdf.start_section(caption, level=1, strict=False)
    pdf.multi_cell(0, 5, caption, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(pdf, caption: str, t: ReportTable) -> None:
    from fpdf.fonts import FontFace

    _heading(pdf, caption)
    ncol = 1 + len(t.columns)
    size = 7.5 if ncol <= 5 else 6.5 if ncol <= 8 else 5.5
    pdf.set_font("DejaVu", "", size)
    stub_w = min(0.34, max(0.18, 1.6 / ncol))
    rest = (1 - stub_w) / max(1, len(t.columns))
    widths = [stub_w * 100] + [rest * 100] * len(t.columns)
    heads = t.header_rows()
    bold = FontFace(emphasis="BOLD", fill_color=(242, 246, 251))
    with pdf.table(col_widths=widths, num_heading_rows=len(heads), text_align="LEFT",
                   line_height=size * 0.5, headings_style=bold, first_row_as_headings=True,
                   borders_layout="HORIZONTAL_LINES", padding=0.8) as tab:
        for hr in heads:
            row = tab.row()
            for text, sp in hr:
                row.cell(text, colspan=sp)
        for r in t.rows:
            row = tab.row()
            lab = ("    " * r.indent) + r.label
            row.cell(lab, style=FontFace(emphasis="BOLD") if r.cells is None else None)
            for c in r.cells or ("",) * len(t.columns):
                row.cell(c)
    pdf.set_font("DejaVu", "", 6.5)
    for line in t.notes:
        pdf.multi_cell(0, 3.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _figure(pdf, caption: str, png: Path, note: str) -> None:
    from PIL import Image

    with Image.open(png) as im:
        w, h = im.size
    width = pdf.epw
    height = width * h / w
    room = pdf.h - pdf.b_margin - 25
    if height > room - 20:  # a tall figure: shrink to the page
        height = room - 20
        width = height * w / h
    if pdf.will_page_break(height + 18):
        pdf.add_page()
    _heading(pdf, caption)
    pdf.image(str(png), w=width, h=height)
    if note:
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(0, 3.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


__all__ = ["start_pdf", "write_pdf"]
