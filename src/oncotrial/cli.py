"""The ``oncotrial`` command line: a thin layer over the Python API.

Each package contributes its commands through ``oncotrial.<package>._cli.register(app)``;
this module only assembles them. No computation happens here.
"""

from __future__ import annotations

import importlib

import typer

from oncotrial import __version__

app = typer.Typer(
    name="oncotrial",
    help="Phase II oncology trial workbench: design, derive, analyse, report, evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Packages that contribute commands, in the order they appear in --help.
_COMMAND_MODULES: list[str] = [
    "oncotrial.design._cli",
    "oncotrial.io._cli",
    "oncotrial.derive._cli",
    "oncotrial.evidence._cli",
    "oncotrial.evidence.twins._cli",
    "oncotrial.stats._cli",
    "oncotrial.analysis._cli",
    "oncotrial.app._cli",
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"oncotrial {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Phase II oncology trial workbench."""


for _mod in _COMMAND_MODULES:
    importlib.import_module(_mod).register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
