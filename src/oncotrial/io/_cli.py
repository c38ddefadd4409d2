"""CLI commands of oncotrial.io: ``validate``, ``template``, ``summary`` (thin layer over the API)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable

from oncotrial._output import output_folder
from oncotrial._safe import terminal_text
from oncotrial.io._api import detect_kind, example_data_path, read_study, validate
from oncotrial.io._issues import ValidationReport
from oncotrial.io._summary import summarize_study
from oncotrial.io._template import write_template_skeleton


def _parse_domains(items: list[str] | None) -> dict[str, str] | None:
    if not items:
        return None
    out = {}
    for it in items:
        if "=" not in it:
            raise typer.BadParameter(f"--domain must look like tu=tu_onco_recist.csv; got {it!r}")
        k, v = it.split("=", 1)
        out[k.strip().lower()] = v.strip()
    return out


def _console() -> Console:
    """A console at least 160 columns wide when output is not a terminal (logs, CI)."""
    c = Console()
    return c if c.is_terminal else Console(width=160)


def print_report(report: ValidationReport, console: Console, *, limit: int = 200) -> None:
    """Print findings as a table: severity, rule, file, row, column, value, expected."""
    if not report.issues:
        console.print("[green]No problems found.[/green]")
        return
    table = RichTable(title=f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    for c in ("severity", "rule", "file", "row", "column", "value", "expected"):
        table.add_column(c, overflow="fold")
    shown = sorted(report.issues, key=lambda i: (i.severity != "error", i.file, i.row or 0))
    for i in shown[:limit]:
        style = "red" if i.severity == "error" else "yellow"
        t = terminal_text  # data reach the terminal: no rich markup, no control characters
        table.add_row(f"[{style}]{i.severity}[/{style}]", t(i.rule), t(i.file),
                      "" if i.row is None else str(i.row), t(i.column or ""),
                      "" if i.value is None else t(i.value), t(i.expected))
    console.print(table)
    if len(shown) > limit:
        console.print(f"... and {len(shown) - limit} more (showing the first {limit}).")


def _frame_table(df: pd.DataFrame, title: str) -> RichTable:
    t = RichTable(title=title)
    t.add_column(terminal_text(df.index.name or ""))
    for c in df.columns:
        t.add_column(terminal_text(c), justify="right")
    for i, idx in enumerate(df.index):
        cells = []
        for j in range(df.shape[1]):
            v = df.iat[i, j]
            if isinstance(v, (int, np.integer)):
                cells.append(str(v))
            elif isinstance(v, (float, np.floating)):
                cells.append("-" if pd.isna(v) else f"{v:.1f}")
            else:
                cells.append(terminal_text(v))
        t.add_row(terminal_text(idx), *cells)
    return t


def register(app: typer.Typer) -> None:
    """Add ``validate``, ``template`` and ``demo`` to the ``oncotrial`` CLI."""

    @app.command("validate")
    def validate_cmd(
        folder: Annotated[Path, typer.Argument(
            help="Template folder (subjects.csv), SDTM folder (dm.*) or ADaM folder (adsl.*).")],
        evaluator: Annotated[str | None, typer.Option(
            "--evaluator", help="Keep only this evaluator's lesions/responses.")] = None,
        domain: Annotated[list[str] | None, typer.Option(
            "--domain", help="SDTM: file for a domain, e.g. --domain tu=tu_onco_recist.csv "
                             "(repeatable).")] = None,
        limit: Annotated[int, typer.Option("--limit", help="Print at most this many findings.")] = 200,
        data_cutoff: Annotated[str | None, typer.Option(
            "--data-cutoff", help="Data cut-off YYYY-MM-DD; later dates are errors "
                                  "(default: today).")] = None,
    ) -> None:
        """Validate a study folder (template, SDTM or ADaM, recognised by itself); writes nothing.

        Exit code 1 when there is any error, 0 otherwise (warnings are printed).
        """
        console = _console()
        kind = detect_kind(folder)
        report = validate(folder, evaluator=evaluator, domains=_parse_domains(domain),
                          data_cutoff=data_cutoff)
        console.print(f"{terminal_text(folder)}: {kind or 'unrecognised'} folder")
        print_report(report, console, limit=limit)
        raise typer.Exit(1 if report.errors else 0)

    @app.command("template")
    def template_cmd(
        folder: Annotated[Path, typer.Argument(help="Folder to write the empty template CSVs to.")],
        force: Annotated[bool, typer.Option(
            "--force", help="Replace FOLDER when it already holds files (its data are lost).")]
        = False,
    ) -> None:
        """Write the six empty template CSVs (header rows) into a new or empty FOLDER.

        A folder that holds any file (e.g. a filled-in study) is refused without --force.
        """
        with output_folder(folder, command="template", force=force,
                           replace_outputs=False) as tmp:
            files = write_template_skeleton(tmp)
        for f in files:
            typer.echo(f"wrote {folder / f.name}")

    @app.command("summary")
    def summary_cmd(
        folder: Annotated[Path | None, typer.Argument(
            help="Template or SDTM folder; default: the bundled example study.")] = None,
        data_cutoff: Annotated[str | None, typer.Option(
            "--data-cutoff", help="Data cut-off YYYY-MM-DD (default: today).")] = None,
    ) -> None:
        """Read, validate and summarise a study folder (counts per cohort; no statistics)."""
        console = _console()
        path = folder if folder is not None else example_data_path()
        t0 = time.perf_counter()
        data = read_study(path, data_cutoff=data_cutoff)
        elapsed = time.perf_counter() - t0
        label = "Example study" if folder is None else "Study"
        console.print(f"[bold]{label}[/bold] ({terminal_text(path)}) — {data.kind} folder, read and "
                      f"validated in {elapsed:.2f} s")
        print_report(data.report, console)
        s = summarize_study(data)
        console.print(_frame_table(s.subjects, "Subjects per cohort"))
        console.print(_frame_table(s.tumour, "Tumour assessments (RECIST 1.1 measurements)"))
        console.print(_frame_table(s.adverse_events, "Subjects by worst CTCAE grade"))
        console.print(_frame_table(s.exposure, "Exposure"))
        console.print("Counts only: RECIST responses and survival analyses come from "
                      "oncotrial.derive / oncotrial.stats.")


__all__ = ["print_report", "register"]
