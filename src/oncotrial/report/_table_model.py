"""One table model for every report table, rendered to HTML, DOCX and CSV (and PDF in _pdf.py).

A :class:`ReportTable` holds what gtsummary/gt print: a title, column spanners per arm or cohort
with their N, leaf column headers (with the CI level, e.g. "Median (95% CI)"), rows that are
either variable label rows or indented levels under them, a legend ("n (%); median (range)") and
footnotes naming each method. Numbers are display strings made by :mod:`._tables`; the model
only lays them out, so HTML, DOCX, PDF and CSV show the same cells.

Why not ``great_tables``: measured on this machine (loaded, 2 cores) it costs 0.6 s to import
and 24 ms and ~15 kB of inline CSS per 30-row table, pulls in eight packages (Babel, faicons,
...), and renders HTML only -- the DOCX and PDF would still need their own renderer of the same
structure. The HTML this model needs is ~40 lines over :mod:`html` escaping, so we write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: ``cells`` is ``None`` for a variable label row without numbers;
    ``indent`` is 1 for a level under a label row."""

    label: str
    cells: tuple[str, ...] | None = None
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Spanner:
    """A header over ``span`` leaf columns (an arm or cohort with its N)."""

    label: str
    span: int


@dataclass(frozen=True, slots=True)
class ReportTable:
    """A report table, independent of the output format.

    Examples
    --------
    >>> t = ReportTable("t1", "Baseline", "Characteristic", ("A (N = 2)",),
    ...                 (Row("Sex"), Row("Female", ("1 (50.0)",), 1)), legend="n (%)")
    >>> t.to_frame().to_csv(lineterminator="\\n").splitlines()[1]
    'Sex,Female,1 (50.0)'
    >>> "<td class=\\"lvl\\">Female</td>" in t.to_html()
    True
    """

    stem: str
    title: str
    stub: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    spanners: tuple[Spanner, ...] = ()
    legend: str = ""
    footnotes: tuple[str, ...] = field(default_factory=tuple)
    appendix: bool = False

    @property
    def notes(self) -> list[str]:
        """Legend then footnotes, the lines printed under the table."""
        return ([self.legend] if self.legend else []) + list(self.footnotes)

    def head(self, n: int, where: str) -> ReportTable:
        """The first ``n`` rows with a footnote saying where the rest is (for DOCX and PDF,
        whose writers slow down steeply with rows: 10,000 rows take ~100 s in python-docx)."""
        from dataclasses import replace

        if len(self.rows) <= n:
            return self
        note = (f"Rows 1-{n} of {len(self.rows)} shown; the complete listing is {where}.")
        return replace(self, rows=self.rows[:n], footnotes=(*self.footnotes, note))

    def header_rows(self) -> list[list[tuple[str, int]]]:
        """Header rows as (text, column span) cells, stub column first."""
        leaf = [(self.stub, 1)] + [(c, 1) for c in self.columns]
        if not self.spanners:
            return [leaf]
        return [[("", 1)] + [(s.label, s.span) for s in self.spanners], leaf]

    def to_frame(self) -> pd.DataFrame:
        """The CSV layout: the variable and level as columns, label rows folded into them."""
        has_levels = any(r.indent for r in self.rows)
        names = ([f"{self._spanner_of(i)} | {c}" if self.spanners else c
                  for i, c in enumerate(self.columns)])
        recs, parent = [], ""
        for r in self.rows:
            if r.indent == 0:
                parent = r.label
            if r.cells is None:
                continue
            key = (parent, r.label if r.indent else "") if has_levels else (r.label,)
            recs.append((*key, *r.cells))
        idx = [self.stub, "Level"] if has_levels else [self.stub]
        df = pd.DataFrame(recs, columns=[*idx, *names])
        return df.set_index(idx)

    def _spanner_of(self, i: int) -> str:
        at = 0
        for s in self.spanners:
            if at <= i < at + s.span:
                return s.label
            at += s.span
        return ""

    def to_html(self) -> str:
        """The table as an HTML fragment (escaped; no index-name header row)."""
        from html import escape

        out = ['<table class="rt"><thead>']
        heads = self.header_rows()
        for i, hr in enumerate(heads):
            cls = ' class="span"' if i < len(heads) - 1 else ""
            cells = "".join(f'<th{f" colspan={sp}" if sp > 1 else ""}{cls}>{escape(t)}</th>'
                            for t, sp in hr)
            out.append(f"<tr>{cells}</tr>")
        out.append("</thead><tbody>")
        n = len(self.columns)
        for r in self.rows:
            cls = ' class="lvl"' if r.indent else (' class="var"' if r.cells is None else "")
            cells = ("<td></td>" * n if r.cells is None else
                     "".join(f"<td>{escape(c)}</td>" for c in r.cells))
            out.append(f"<tr><td{cls}>{escape(r.label)}</td>{cells}</tr>")
        out.append("</tbody></table>")
        if self.notes:
            out.append('<p class="tnote">' + "<br>".join(escape(x) for x in self.notes) + "</p>")
        return "".join(out)

    def add_to_docx(self, doc, caption: str) -> None:
        """Append caption, table and notes to a python-docx ``Document``."""
        from docx.shared import Pt

        from oncotrial._safe import printable

        doc.add_heading(printable(caption), level=2)
        heads = self.header_rows()
        ncol = 1 + len(self.columns)
        t = doc.add_table(rows=0, cols=ncol)
        t.style = "Table Grid"
        for hr in heads:
            cells = t.add_row().cells
            at = 0
            for text, sp in hr:
                c = cells[at]
                if sp > 1:
                    c = c.merge(cells[at + sp - 1])
                c.text = printable(text)
                for run in c.paragraphs[0].runs:
                    run.bold = True
                at += sp
        for r in self.rows:
            cells = t.add_row().cells
            cells[0].text = printable(r.label)
            if r.indent:
                cells[0].paragraphs[0].paragraph_format.left_indent = Pt(12 * r.indent)
            elif r.cells is None:
                for run in cells[0].paragraphs[0].runs:
                    run.bold = True
            for c, v in zip(cells[1:], r.cells or ("",) * len(self.columns), strict=True):
                c.text = printable(v)
        for line in self.notes:
            p = doc.add_paragraph()
            run = p.add_run(printable(line))
            run.font.size = Pt(8)


def cohort_header(label: str, n: int | None) -> str:
    """A column or spanner label with its N, gtsummary style.

    Examples
    --------
    >>> cohort_header("panNET", 55)
    'panNET (N = 55)'
    """
    return label if n is None else f"{label} (N = {n})"


def from_frame(stem: str, title: str, df: pd.DataFrame, *, stub: str | None = None,
               legend: str = "", footnotes: tuple[str, ...] = (), appendix: bool = False,
               rename: dict[str, str] | None = None, row_label=None) -> ReportTable:
    """A model from a display DataFrame of :func:`~oncotrial.report.build_tables`.

    A two-level row index becomes a label row per first level with the second levels indented
    under it; a row label starting with two spaces is indented. Index names never become a
    header row: the first index name is the stub header.

    Examples
    --------
    >>> df = pd.DataFrame({"p": ["0.1", "0.2"]},
    ...                   index=pd.MultiIndex.from_tuples([("OS", "A"), ("OS", "B")]))
    >>> [(r.label, r.indent) for r in from_frame("s", "S", df, stub="Endpoint").rows]
    [('OS', 0), ('A', 1), ('B', 1)]
    """
    rename = rename or {}
    row_label = row_label or (lambda *k: k[-1])
    cols = tuple(rename.get(str(c), str(c)) for c in df.columns)
    rows: list[Row] = []
    if isinstance(df.index, pd.MultiIndex):
        last = None
        for key, vals in zip(df.index, df.itertuples(index=False), strict=True):
            if key[0] != last:
                rows.append(Row(row_label(key[0])))
                last = key[0]
            rows.append(Row(row_label(*key), tuple(_cell(v) for v in vals), 1))
    else:
        for key, vals in zip(df.index, df.itertuples(index=False), strict=True):
            lab = str(key)
            rows.append(Row(row_label(lab.strip()), tuple(_cell(v) for v in vals),
                            1 if lab.startswith("  ") else 0))
    name = stub if stub is not None else str(df.index.names[0] or "")
    return ReportTable(stem, title, name, cols, tuple(rows), legend=legend,
                       footnotes=tuple(footnotes), appendix=appendix)


def _cell(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


__all__ = ["ReportTable", "Row", "Spanner", "cohort_header", "from_frame"]
