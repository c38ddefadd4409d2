"""CLI group ``oncotrial stats``: a thin layer over :mod:`oncotrial.stats` (no computation here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from oncotrial._output import write_files
from oncotrial.stats._km import KMResult, kaplan_meier
from oncotrial.stats._logrank import logrank_test
from oncotrial.stats._proportion import proportion_ci

stats_app = typer.Typer(help="R-identical statistics: proportions, Kaplan-Meier, log-rank.",
                        no_args_is_help=True)


def _fail(exc: ValueError) -> typer.BadParameter:
    return typer.BadParameter(str(exc))


def _echo(df: pd.DataFrame) -> None:
    typer.echo(df.to_string(index=False))


def _read(csv: Path, *cols: str | None) -> pd.DataFrame:
    df = pd.read_csv(csv)
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise typer.BadParameter(f"column(s) {missing} not in {csv} (has {list(df.columns)})")
    return df


@stats_app.command("prop-ci")
def prop_ci_command(
    x: Annotated[int, typer.Argument(help="Successes (responders).")],
    n: Annotated[int, typer.Argument(help="Trials (evaluable patients).")],
    method: Annotated[str, typer.Option(help="clopper-pearson, wilson, wilson-cc, jeffreys, "
                                             "agresti-coull, mid-p or wald.")] = "clopper-pearson",
    level: Annotated[float, typer.Option(help="Confidence level.")] = 0.95,
) -> None:
    """Confidence interval for x/n (e.g. ``oncotrial stats prop-ci 23 52 --method wilson-cc``)."""
    try:
        res = proportion_ci(x, n, method=method, level=level)  # type: ignore[arg-type]
    except ValueError as exc:
        raise _fail(exc) from None
    _echo(res.summary())


@stats_app.command("km")
def km_command(
    csv: Annotated[Path, typer.Argument(help="CSV with one row per subject.")],
    time: Annotated[str, typer.Option(help="Time column (e.g. AVAL).")] = "AVAL",
    event: Annotated[str, typer.Option(help="Event column, 1 = event (not CNSR).")] = "EVENT",
    by: Annotated[str | None, typer.Option(help="Group column.")] = None,
    conf_type: Annotated[str, typer.Option(help="log, log-log, plain, logit or arcsin.")] = "log",
    level: Annotated[float, typer.Option(help="Confidence level.")] = 0.95,
    out: Annotated[Path | None, typer.Option(help="Write the full KM table to this CSV.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")] = False,
) -> None:
    """Kaplan-Meier medians with CI (R survfit + quantile); optionally the full table."""
    if out is not None and out.exists() and not force:
        raise typer.BadParameter(f"{out} exists; pass --force to overwrite it, or choose another "
                                 "file.", param_hint="'--out'")
    df = _read(csv, time, event, by)
    try:
        fit = kaplan_meier(df[time], df[event], conf_type=conf_type,  # type: ignore[arg-type]
                           level=level, by=None if by is None else df[by])
    except ValueError as exc:
        raise _fail(exc) from None
    _echo(fit.summary())
    if out is not None:
        table = fit.table
        write_files({out: table.to_csv(index=False)})   # complete or absent
        typer.echo(f"wrote {len(table)} rows to {out}" + (
            "" if isinstance(fit, KMResult) else f" ({len(fit.groups)} groups)"))


@stats_app.command("logrank")
def logrank_command(
    csv: Annotated[Path, typer.Argument(help="CSV with one row per subject.")],
    group: Annotated[str, typer.Option(help="Group column.")],
    time: Annotated[str, typer.Option(help="Time column.")] = "AVAL",
    event: Annotated[str, typer.Option(help="Event column, 1 = event.")] = "EVENT",
    strata: Annotated[str | None, typer.Option(help="Stratum column.")] = None,
) -> None:
    """Log-rank test (R survdiff, rho = 0), optionally stratified."""
    df = _read(csv, time, event, group, strata)
    try:
        res = logrank_test(df[time], df[event], df[group],
                           None if strata is None else df[strata])
    except ValueError as exc:
        raise _fail(exc) from None
    _echo(res.summary())


def register(app: typer.Typer) -> None:
    """Attach the ``stats`` group to the main ``oncotrial`` app."""
    app.add_typer(stats_app, name="stats")
