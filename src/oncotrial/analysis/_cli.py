"""``oncotrial analyze STUDY.toml --out DIR`` (the whole analysis and report of one study) and
``oncotrial demo`` (what ``make demo`` runs: the three bundled trial twins, analysed and reported)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from oncotrial._errors import OncotrialError, OncotrialValueError


def analyze_command(
    spec: Annotated[Path, typer.Argument(help="Study spec (TOML, see docs/study-spec.md).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")],
) -> None:
    """Analyse a study: report.html, results.json, tables/, figures/, adam/."""
    from oncotrial.analysis._run import run_analysis

    console = Console(stderr=True, quiet=not sys.stderr.isatty(), log_path=False)
    try:
        with console.status("starting") as status:
            report = run_analysis(spec, out, progress=lambda s: (status.update(s),
                                                                  console.log(s)))
    except (OncotrialError, ValueError) as exc:
        # a spec entry or argument that cannot be honoured: exit 2 (nothing written, the
        # analysis runs before any file is opened); data validation errors: exit 1
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1 if isinstance(exc, OncotrialError) and not isinstance(
            exc, OncotrialValueError) else 2) from None
    typer.echo(str(report))


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("demo-output"),
) -> None:
    """Generate the three bundled trial twins (REGOMUNE, NICE-NEC, TALENT), analyse each and
    write OUT/index.html linking the three reports."""
    import time

    from oncotrial.analysis._run import run_demo

    console = Console(stderr=True, log_path=False)
    t0 = time.perf_counter()
    index = run_demo(out, progress=lambda s: console.log(s))
    console.print(f"demo finished in {time.perf_counter() - t0:.1f} s")
    typer.echo(f"Open {index} in a browser (one self-contained report per trial).")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``demo`` to the ``oncotrial`` command line."""
    app.command("analyze")(analyze_command)
    app.command("demo")(demo_command)
