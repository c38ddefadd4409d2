"""The ``oncotrial`` command line: a thin layer over the Python API.

Each package contributes its commands through ``oncotrial.<package>._cli.register(app)``;
this module only assembles them and owns error handling: every command runs under
:func:`_guard`, which turns exceptions into one ``error:`` line and a documented exit code
(docs/reliability.md). ``oncotrial --debug CMD`` (or ``ONCOTRIAL_DEBUG=1``) also prints the
traceback. No computation happens here.

Exit codes
----------
0  success
1  data findings: the input data have validation errors (``validate``, ``analyze``, ...)
2  usage, option or spec error, or a refused output folder (nothing was written)
3  completed with analysis errors: the report was written, with a note in each failed section
4  input/output failure (disk full, permission lost, file vanished); no output was replaced
5  internal error (a bug: please report it with the ``--debug`` traceback)
130 interrupted (Ctrl-C); no output was replaced
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import typer

from oncotrial import __version__

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_ANALYSIS, EXIT_IO, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
_STATE = {"debug": False}


def _env_debug() -> bool:
    return os.environ.get("ONCOTRIAL_DEBUG", "") not in ("", "0")

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
    debug: bool = typer.Option(
        False, "--debug", help="On an error, also print the Python traceback."),
) -> None:
    """Phase II oncology trial workbench."""
    _STATE["debug"] = debug or _env_debug()


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of an exception (see the module notes).

    Examples
    --------
    >>> from oncotrial._errors import OncotrialValueError
    >>> [exit_code_for(e) for e in (OncotrialValueError("x"), OSError(28, "full"), KeyError(1))]
    [2, 4, 5]
    """
    from oncotrial._errors import OncotrialError
    from oncotrial.io._issues import DataValidationError

    if isinstance(exc, DataValidationError):
        return EXIT_DATA
    if isinstance(exc, OncotrialError):
        return EXIT_USAGE
    if isinstance(exc, OSError):
        return EXIT_IO
    return EXIT_INTERNAL


def _message(exc: BaseException, code: int) -> str:
    from oncotrial._safe import printable

    if code == EXIT_IO and isinstance(exc, OSError):
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        text = (f"could not read or write{where}: {exc.strerror or exc}. No output was "
                "replaced; free space or fix permissions and run again.")
    elif code == EXIT_INTERNAL:
        text = (f"internal error {type(exc).__name__}: {exc}. This is a bug in oncotrial; run "
                "again with `oncotrial --debug ...` and report the traceback.")
    else:
        text = str(exc)
    return "error: " + printable(text)


def _click_errors() -> tuple[type, ...]:
    """Click's exception base, both click's own and the copy newer typer versions vendor."""
    import click

    vendored = [c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"]
    return (click.ClickException, *vendored)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command: exceptions become one ``error:`` line and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            typer.echo("error: interrupted; no output was replaced.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if isinstance(exc, _click_errors()):
                raise  # usage errors: click prints them and exits 2
            code = exit_code_for(exc)
            if _STATE["debug"]:
                traceback.print_exc(file=sys.stderr)
            typer.echo(_message(exc, code), err=True)
            raise typer.Exit(code) from None

    return wrapper


def _guard_all(typer_app: typer.Typer) -> None:
    for cmd in typer_app.registered_commands:
        if cmd.callback is not None and not getattr(cmd.callback, "_oncotrial_guarded", False):
            cmd.callback = _guard(cmd.callback)
            cmd.callback._oncotrial_guarded = True  # type: ignore[attr-defined]
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _guard_all(group.typer_instance)


for _mod in _COMMAND_MODULES:
    importlib.import_module(_mod).register(app)
_guard_all(app)


if __name__ == "__main__":  # pragma: no cover
    app()
