"""``oncotrial analyze STUDY.toml --out DIR``: the whole analysis and report of one study."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from oncotrial._errors import OncotrialError


def analyze_command(
    spec: Annotated[Path, typer.Argument(help="Study spec (TOML, see docs/study-spec.md).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")],
) -> None:
    """Analyse a study: report.html, results.json, tables/, figures/, adam/."""
    from oncotrial.analysis._run import run_analysis

    console = Console(stderr=True, quiet=not sys.stderr.isatty())
    try:
        with console.status("starting") as status:
            report = run_analysis(spec, out, progress=lambda s: (status.update(s),
                                                                  console.log(s)))
    except (OncotrialError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(str(report))


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the ``oncotrial`` command line."""
    app.command("analyze")(analyze_command)
