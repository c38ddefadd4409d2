"""CLI command ``oncotrial app``: start the local web app (thin layer over :func:`serve`)."""

from __future__ import annotations

from typing import Annotated

import typer

from oncotrial.app._uploads import DEFAULT_MAX_UPLOAD_MB


def app_command(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the app (a warning "
                                           "is printed).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="Largest zip upload, MB.")]
    = DEFAULT_MAX_UPLOAD_MB,
) -> None:
    """Start the local web app: design calculators, study analysis and evidence in the browser."""
    if not 1 <= port <= 65535:
        typer.echo(f"error: `--port` of `oncotrial app` must be in [1, 65535]; got {port!r}. "
                   "Choose a free port, e.g. 8000.", err=True)
        raise typer.Exit(2)
    if max_upload_mb < 1:
        typer.echo(f"error: `--max-upload-mb` of `oncotrial app` must be >= 1; got {max_upload_mb!r}.",
                   err=True)
        raise typer.Exit(2)
    from oncotrial.app._serve import serve

    serve(host, port, max_upload_mb=max_upload_mb)


def register(app: typer.Typer) -> None:
    """Add the ``app`` command to the ``oncotrial`` CLI."""
    app.command("app")(app_command)
