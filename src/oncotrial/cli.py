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
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    import click


EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_ANALYSIS, EXIT_IO, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
_STATE = {"debug": False}


def _env_debug() -> bool:
    return os.environ.get("ONCOTRIAL_DEBUG", "") not in ("", "0")

# Packages that contribute commands (each through ``register(app)``), in registration order.
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

# Every top-level command, in --help order: the module whose ``register`` adds it and the
# first paragraph of its help (what ``oncotrial --help`` lists). The modules are imported only
# when their command runs (or its own --help is asked for), so ``oncotrial --help`` and
# ``oncotrial design ...`` start without pandas, scipy, matplotlib, dask or shiny (issue 21).
# tests/cli/test_startup.py checks this table against the commands the modules register.
_LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("oncotrial.io._cli",
                 "Validate a study folder (template, SDTM or ADaM, recognised by itself); writes "
                 "nothing."),
    "template": ("oncotrial.io._cli",
                 "Write the six empty template CSVs (header rows) into a new or empty FOLDER."),
    "summary": ("oncotrial.io._cli",
                "Read, validate and summarise a study folder (counts per cohort; no statistics)."),
    "derive": ("oncotrial.derive._cli",
               "Derive ADSL, ADRS (OVR/BOR/CBOR/...), ADTTE (OS/PFS/DOR/TTR), ADAE and the log."),
    "twin": ("oncotrial.evidence.twins._cli",
             "Write a synthetic patient-level trial that reproduces a publication (template "
             "format)."),
    "analyze": ("oncotrial.analysis._cli",
                "Analyse a study: report.html, results.json, tables/, figures/, adam/, "
                "manifest.json."),
    "demo": ("oncotrial.analysis._cli",
             "Generate the three bundled trial twins (REGOMUNE, NICE-NEC, TALENT), analyse each "
             "and\nwrite OUT/index.html linking the three reports."),
    "app": ("oncotrial.app._cli",
            "Start the local web app: design calculators, study analysis and evidence in the "
            "browser."),
    "design": ("oncotrial.design._cli",
               "Phase II trial designs with exact operating characteristics."),
    "evidence": ("oncotrial.evidence._cli",
                 "Published-trial records, meta-analysis and benchmarking."),
    "stats": ("oncotrial.stats._cli",
              "R-identical statistics: proportions, Kaplan-Meier, log-rank."),
}


def _load_commands(module_name: str) -> dict[str, click.Command]:
    """The click commands that ``module_name``'s ``register`` adds, guarded, keyed by name."""
    sub = typer.Typer()
    importlib.import_module(module_name).register(sub)
    _guard_all(sub)
    commands = typer.main.get_group(sub).commands
    return {n: c for n, c in commands.items()
            if _LAZY_COMMANDS.get(n, (module_name,))[0] == module_name}


class _LazyGroup(TyperGroup):
    """The top-level group: sub-commands are imported when used, listed from ``_LAZY_COMMANDS``.

    While the group's own help is printed, commands not yet imported are stood in for by
    light ``TyperCommand`` objects that carry the same name and help paragraph, so the
    listing is the one the imported commands would give.
    """

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*_LAZY_COMMANDS, *(n for n in self.commands if n not in _LAZY_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in _LAZY_COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:
            return self._stand_in(cmd_name)
        self.commands.update(_load_commands(_LAZY_COMMANDS[cmd_name][0]))
        return self.commands.get(cmd_name)

    @staticmethod
    def _stand_in(name: str) -> click.Command:
        stand_in = TyperCommand(name)  # typer's class: newer typer vendors its own click
        stand_in.help = _LAZY_COMMANDS[name][1]
        return stand_in

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, ...]:
        if not args or args[0] in _LAZY_COMMANDS or args[0] in self.commands:
            return super().resolve_command(ctx, args)
        # an unknown name: typer suggests close matches among ``self.commands``
        added = [n for n in _LAZY_COMMANDS if n not in self.commands]
        self.commands.update({n: self._stand_in(n) for n in added})
        try:
            return super().resolve_command(ctx, args)
        finally:
            for n in added:
                del self.commands[n]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="oncotrial",
    help="Phase II oncology trial workbench: design, derive, analyse, report, evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


def _version_callback(value: bool) -> None:
    if value:
        from oncotrial import __version__

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


def eager_app() -> typer.Typer:
    """The whole command line with every module imported up front (the pre-issue-21 assembly).

    For tests and tools that inspect all commands; ``app`` gives the same commands lazily.
    """
    full = typer.Typer(name="oncotrial", help=app.info.help, no_args_is_help=True,
                       add_completion=False, pretty_exceptions_enable=False)
    full.callback()(main)
    for mod in _COMMAND_MODULES:
        importlib.import_module(mod).register(full)
    _guard_all(full)
    return full


if __name__ == "__main__":  # pragma: no cover
    app()
