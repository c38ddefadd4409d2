"""``oncotrial analyze STUDY.toml --out DIR`` (the whole analysis and report of one study) and
``oncotrial demo`` (what ``make demo`` runs: the three bundled trial twins, analysed and reported)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from oncotrial._errors import OncotrialError, OncotrialValueError
from oncotrial._safe import printable


def analyze_command(
    spec: Annotated[Path, typer.Argument(help="Study spec (TOML, see docs/study-spec.md).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a non-empty --out that is not an earlier oncotrial output.")]
    = False,
    data_cutoff: Annotated[str | None, typer.Option(
        "--data-cutoff", help="Data cut-off YYYY-MM-DD (overrides [study].data_cutoff); later "
                              "dates are data errors. Default: today.")] = None,
    raw_adam: Annotated[bool, typer.Option(
        "--raw-adam", help="Write adam/*.csv cells as they are (default: cells that start "
                           "with = + - @ are prefixed with ' against formula injection).")]
    = False,
) -> None:
    """Analyse a study: report.html, results.json, tables/, figures/, adam/, manifest.json.

    Exit codes: 0 ok, 1 data errors, 2 spec/option error or refused --out, 3 the report was
    written but some analyses failed (see the notes and results.json "errors").
    """
    import json

    from oncotrial.analysis._run import run_analysis

    console = Console(stderr=True, quiet=not sys.stderr.isatty(), log_path=False)
    try:
        # one line per step, and no rich spinner: its refresh thread would make this process
        # multi-threaded, and run_analysis draws the figures of a large study in forked
        # processes only from a single-threaded caller (report/_figures.py `_workers`)
        report = run_analysis(spec, out, progress=console.log, force=force, raw_adam=raw_adam,
                              data_cutoff=data_cutoff)
    except (OncotrialError, ValueError) as exc:
        # a spec entry or argument that cannot be honoured: exit 2 (nothing written, the
        # analysis runs before any file is opened); data validation errors: exit 1
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1 if isinstance(exc, OncotrialError) and not isinstance(
            exc, OncotrialValueError) else 2) from None
    typer.echo(str(report))
    errors = json.loads((report.parent / "results.json").read_text(encoding="utf-8")).get(
        "errors") or {}
    if errors:
        for section, msg in sorted(errors.items()):
            typer.echo(f"analysis error in {printable(section)}: {printable(msg)}", err=True)
        typer.echo(f"completed with {len(errors)} analysis error(s); see the notes in the "
                   "report.", err=True)
        raise typer.Exit(3)


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("demo-output"),
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a non-empty --out that is not an earlier oncotrial output.")]
    = False,
) -> None:
    """Generate the three bundled trial twins (REGOMUNE, NICE-NEC, TALENT), analyse each and
    write OUT/index.html linking the three reports."""
    import time

    from oncotrial.analysis._run import run_demo

    console = Console(stderr=True, log_path=False)
    t0 = time.perf_counter()
    index = run_demo(out, progress=lambda s: console.log(s), force=force)
    console.print(f"demo finished in {time.perf_counter() - t0:.1f} s")
    typer.echo(f"Open {index} in a browser (one self-contained report per trial).")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``demo`` to the ``oncotrial`` command line."""
    app.command("analyze")(analyze_command)
    app.command("demo")(demo_command)
