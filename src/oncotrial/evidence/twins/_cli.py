"""CLI command ``oncotrial twin`` (thin layer over :func:`generate_twin` / :func:`write_twin`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from oncotrial._errors import OncotrialError
from oncotrial._output import output_folder
from oncotrial._safe import terminal_text
from oncotrial.evidence.twins._generate import generate_twin
from oncotrial.evidence.twins._spec import BUNDLED_SPECS, load_spec
from oncotrial.evidence.twins._write import write_twin


def register(app: typer.Typer) -> None:
    """Add ``twin`` to the ``oncotrial`` CLI."""

    @app.command("twin")
    def twin(
        spec: Annotated[Path | None, typer.Argument(help="Twin spec (TOML); see docs/twins.md.")] = None,
        example: Annotated[str | None, typer.Option(
            "--example", help=f"A bundled spec instead of SPEC: {', '.join(BUNDLED_SPECS)}.")] = None,
        out: Annotated[Path | None, typer.Option(
            "--out", help="Folder to write the template CSVs into (default with --example: "
                          "./<name>-twin).")] = None,
        seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same bytes).")] = 0,
        force: Annotated[bool, typer.Option(
            "--force", help="Replace --out when it already holds files (its data are lost).")]
        = False,
    ) -> None:
        """Write a synthetic patient-level trial that reproduces a publication (template format)."""
        console = Console()
        if (spec is None) == (example is None):
            console.print("[red]Give exactly one of SPEC or --example NAME.[/red]")
            raise typer.Exit(2)
        if example is not None and example not in BUNDLED_SPECS:
            console.print(f"[red]--example must be one of {', '.join(BUNDLED_SPECS)}; got {example!r}.[/red]")
            raise typer.Exit(2)
        if out is None:
            if example is None:
                console.print("[red]--out DIR is required with a SPEC file.[/red]")
                raise typer.Exit(2)
            out = Path(f"{example}-twin")
        try:
            sp = load_spec(example if example is not None else spec)
            tw = generate_twin(sp, seed=seed)
            with output_folder(out, command="twin", force=force, replace_outputs=False,
                               inputs={"spec": spec}, spec={"name": sp.name, "seed": seed}) as tmp:
                write_twin(tw, tmp)
            folder = out
        except OncotrialError as e:
            console.print(f"[red]{terminal_text(e)}[/red]")
            raise typer.Exit(2) from None
        table = RichTable(title=terminal_text(f"{sp.name} twin (seed {seed}) -> {folder}"))
        summ = tw.summary()
        for c in summ.columns:
            table.add_column(terminal_text(c), justify="left" if c == "cohort" else "right")
        for row in summ.itertuples(index=False):
            table.add_row(*(terminal_text(v) for v in row))
        console.print(table)
        n_asm = len(sp.assumptions)
        console.print(f"{len(tw.subjects)} subjects, {len(tw.lesions)} lesion records, "
                      f"{len(tw.adverse_events)} adverse events, {len(tw.exposure)} exposure records; "
                      f"{n_asm} stated assumptions in {sp.path}.")
