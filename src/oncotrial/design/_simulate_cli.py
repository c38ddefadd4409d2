"""``oncotrial design simulate DESIGN``: the CLI over :func:`oncotrial.design.simulate` (thin layer).

Imports of numpy/pandas/the simulator happen inside the command so that ``oncotrial --help``
stays fast.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "simulate_cmd"]


class SimDesign(StrEnum):
    """Designs the command can build and simulate."""

    single_stage = "single-stage"
    simon = "simon"
    thall_simon = "thall-simon"
    lee_liu = "lee-liu"
    bop2 = "bop2"
    landmark = "landmark"
    two_arm = "two-arm"


def _floats(text: str | None, opt: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        typer.echo(f"error: `{opt}` must be comma-separated numbers; got {text!r}.", err=True)
        raise typer.Exit(2) from None


_COMMON = {"n_sim", "seed", "backend", "workers", "scheduler", "chunk_size", "as_json", "out", "csv",
           "plot", "force", "progress"}
_BINARY = {"p0", "p1", "rates"}
_SURV = {"n", "accrual", "ramp", "followup", "sides", "alpha", "power"}
#: options each design reads; any other option given on the command line is an error, not ignored
APPLIES: dict[str, set[str]] = {
    "single-stage": _BINARY | {"alpha", "power"},
    "simon": _BINARY | {"alpha", "power", "nmax", "simon_kind"},
    "thall-simon": _BINARY | {"nmax", "looks"},
    "lee-liu": _BINARY | {"alpha", "power", "nmin", "nmax"},
    "bop2": _BINARY | {"alpha", "nmax", "looks"},
    "landmark": _SURV | {"s0", "s1", "landmark", "transform", "true_s", "law", "shape", "dropout"},
    "two-arm": _SURV | {"hr", "median0", "events", "followup_only", "ratio", "info", "efficacy",
                        "futility", "test", "delay", "dropout_rate"},
}


def _check_applicable(ctx: typer.Context, design: str, o: dict) -> None:
    # compare by name: typer may vendor its own click (a different ParameterSource enum)
    given = {name for name in o if name in ctx.params
             and getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"}
    extra = sorted(given - APPLIES[design] - _COMMON - {"design"})
    if extra:
        flags = ", ".join("--" + e.replace("_", "-") for e in extra)
        raise ValueError(f"{flags} do(es) not apply to `{design}`; remove them. "
                         f"`{design}` reads: {', '.join(sorted('--' + a.replace('_', '-') for a in APPLIES[design]))}.")
    if o["law"] not in ("exponential", "weibull"):
        raise ValueError(f"`--law` must be 'exponential' or 'weibull'; got {o['law']!r}.")
    if "shape" in given and o["law"] != "weibull":
        raise ValueError("`--shape` applies to `--law weibull` only.")
    if o["simon_kind"] not in ("optimal", "minimax"):
        raise ValueError(f"`--simon-kind` must be 'optimal' or 'minimax'; got {o['simon_kind']!r}.")


def _build(design: SimDesign, o: dict) -> tuple[object, object]:
    """The design object and the scenarios, from the options."""
    from oncotrial import design as D

    p0, p1 = o["p0"], o["p1"]
    looks = None if o["looks"] is None else [int(v) for v in _floats(o["looks"], "--looks") or []]
    rates = _floats(o["rates"], "--rates") or [p0, p1]
    if design is SimDesign.single_stage:
        return D.single_stage_design(p0, p1, o["alpha"], o["power"]), rates
    if design is SimDesign.simon:
        s = D.simon_design(p0, p1, o["alpha"], o["power"], nmax=o["nmax"])
        return (s.minimax if o["simon_kind"] == "minimax" else s.optimal), rates
    if design is SimDesign.thall_simon:
        return D.posterior_monitoring(p0, p1, nmax=o["nmax"], looks=looks), rates
    if design is SimDesign.lee_liu:
        return D.predictive_design(p0, p1, o["alpha"], o["power"], nmin=o["nmin"], nmax=o["nmax"]), rates
    if design is SimDesign.bop2:
        return D.bop2_design(p0, p1, o["alpha"], nmax=o["nmax"], looks=looks), rates
    if design is SimDesign.landmark:
        ld = D.landmark_survival_design(o["s0"], o["s1"], o["landmark"], o["accrual"], o["followup"],
                                        alpha=o["alpha"], power=o["power"], sides=o["sides"],
                                        dropout=o["dropout"], dropout_method="exponential")
        trial = D.LandmarkTrial.from_design(ld, transform=o["transform"], n=o["n"], ramp=o["ramp"])
        true_s = _floats(o["true_s"], "--true-s") or [o["s0"], o["s1"]]
        if o["law"] == "weibull":
            scen = {f"{s:g}": D.Weibull(o["shape"], o["landmark"] / (-math.log(s)) ** (1 / o["shape"]))
                    for s in true_s}
        else:
            scen = {f"{s:g}": s for s in true_s}
        return trial, scen
    hrs = _floats(o["hr"], "--hr") or [1.0, 0.7]
    ctrl = D.Exponential.from_median(o["median0"])
    n, events = o["n"], o["events"]
    if n is None or (events is None and not o["followup_only"]):
        alt = next((h for h in hrs if h != 1.0), 0.7)
        tad = D.two_arm_survival_design(alt, median0=o["median0"], accrual=o["accrual"],
                                        followup=o["followup"], alpha=o["alpha"], power=o["power"],
                                        sides=o["sides"], ratio=o["ratio"])
        n = tad.n["schoenfeld"] if n is None else n
        events = tad.events["schoenfeld"] if events is None else events
    trial = D.TwoArmTrial(
        n=n, accrual=D.Accrual(o["accrual"], o["ramp"]), ratio=o["ratio"],
        events=None if o["followup_only"] else events, followup=o["followup"],
        looks=tuple(_floats(o["info"], "--info") or ()), efficacy=(
            None if o["efficacy"] is None else tuple(_floats(o["efficacy"], "--efficacy") or ())),
        futility=None if o["futility"] is None else tuple(_floats(o["futility"], "--futility") or ()),
        test=o["test"], alpha=o["alpha"], sides=o["sides"], dropout=D.Dropout(o["dropout_rate"]),
        control=ctrl)
    if o["delay"]:
        scen = {f"HR {h:g}" + (f" after {o['delay']:g}" if h != 1.0 else ""):
                (D.TwoArmScenario(ctrl, (1.0, h), (o["delay"],)) if h != 1.0 else h) for h in hrs}
    else:
        scen = {f"HR {h:g}": h for h in hrs}
    return trial, scen


def simulate_cmd(
        ctx: typer.Context,
        design: Annotated[SimDesign, typer.Argument(help="Design to simulate.")],
        n_sim: Annotated[int, typer.Option("--n-sim", help="Simulated trials per scenario.")] = 10_000,
        seed: Annotated[int, typer.Option(help="Root seed (SeedSequence).")] = 20261201,
        backend: Annotated[str, typer.Option(help="local or dask.")] = "local",
        workers: Annotated[int, typer.Option(help="Processes (local) or LocalCluster workers (dask).")] = 1,
        scheduler: Annotated[str | None, typer.Option(help="Dask scheduler, e.g. tcp://HOST:8786.")] = None,
        chunk_size: Annotated[int | None, typer.Option("--chunk-size", help="Trials per chunk.")] = None,
        p0: Annotated[float, typer.Option("--p0", help="Binary: rate under H0.")] = 0.2,
        p1: Annotated[float, typer.Option("--p1", help="Binary: rate under H1.")] = 0.4,
        rates: Annotated[str | None, typer.Option(help="Binary: true rates, comma-separated "
                                                  "(default p0,p1).")] = None,
        alpha: Annotated[float, typer.Option(help="Type I error.")] = 0.05,
        power: Annotated[float, typer.Option(help="Target power.")] = 0.8,
        nmax: Annotated[int, typer.Option(help="Binary: maximum sample size.")] = 40,
        nmin: Annotated[int, typer.Option(help="Lee-Liu: smallest Nmax searched.")] = 10,
        looks: Annotated[str | None, typer.Option(help="Thall-Simon/BOP2: interim sizes.")] = None,
        simon_kind: Annotated[str, typer.Option(help="Simon: optimal or minimax.")] = "optimal",
        s0: Annotated[float, typer.Option("--s0", help="Landmark: S(t) under H0.")] = 0.5,
        s1: Annotated[float, typer.Option("--s1", help="Landmark: S(t) under H1.")] = 0.72,
        landmark: Annotated[float, typer.Option(help="Landmark time.")] = 12.0,
        transform: Annotated[str, typer.Option(help="Landmark: transform whose n is enrolled.")] = "log-log",
        true_s: Annotated[str | None, typer.Option(help="Landmark: true S(t) values (default s0,s1).")] = None,
        law: Annotated[str, typer.Option(help="Landmark: exponential or weibull event times.")] = "exponential",
        shape: Annotated[float, typer.Option(help="Landmark: Weibull shape.")] = 1.0,
        dropout: Annotated[float, typer.Option(help="Landmark: proportion lost by the landmark.")] = 0.0,
        n: Annotated[int | None, typer.Option(help="Patients (default: the design's n).")] = None,
        accrual: Annotated[float, typer.Option(help="Accrual duration.")] = 18.0,
        ramp: Annotated[float, typer.Option(help="Linear ramp-up of accrual (0: uniform).")] = 0.0,
        followup: Annotated[float, typer.Option(help="Follow-up after accrual.")] = 12.0,
        sides: Annotated[int, typer.Option(help="1 or 2.")] = 2,
        hr: Annotated[str | None, typer.Option(help="Two-arm: hazard ratios (default 1,0.7).")] = None,
        median0: Annotated[float, typer.Option(help="Two-arm: control median.")] = 12.0,
        events: Annotated[int | None, typer.Option(help="Two-arm: target events (default Schoenfeld).")] = None,
        followup_only: Annotated[bool, typer.Option("--calendar", help="Two-arm: analyse at accrual + "
                                                    "follow-up instead of at target events.")] = False,
        ratio: Annotated[float, typer.Option(help="Two-arm: allocation 1:k.")] = 1.0,
        info: Annotated[str | None, typer.Option(help="Two-arm: interim information fractions.")] = None,
        efficacy: Annotated[str | None, typer.Option(help="Two-arm: efficacy z bounds per analysis.")] = None,
        futility: Annotated[str | None, typer.Option(help="Two-arm: futility z bounds per interim.")] = None,
        test: Annotated[str, typer.Option(help="Two-arm: logrank or cox.")] = "logrank",
        delay: Annotated[float, typer.Option(help="Two-arm: HR = 1 before this time.")] = 0.0,
        dropout_rate: Annotated[float, typer.Option(help="Two-arm: exponential dropout hazard.")] = 0.0,
        as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
        out: Annotated[Path | None, typer.Option(help="Write the JSON results to FILE.")] = None,
        csv: Annotated[Path | None, typer.Option(help="Write the tidy table (CSV) to FILE.")] = None,
        plot: Annotated[Path | None, typer.Option(help="Write power vs scenario (PNG) to FILE.")] = None,
        force: Annotated[bool, typer.Option(help="Overwrite existing output files.")] = False,
        progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                      help="Progress bar (default: on a terminal).")] = None,
) -> None:
    """Operating characteristics by simulation, analysed as the real trial (see docs/simulate.md)."""
    import pandas as pd

    from oncotrial._errors import OncotrialValueError
    from oncotrial.design import simulate
    from oncotrial.design._simulate import _write

    opts = dict(locals())
    try:
        _check_applicable(ctx, design.value, opts)
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    try:
        for path in (out, csv, plot):
            if path is not None and path.exists() and not force:
                raise OncotrialValueError(f"`{path}` exists; pass --force to overwrite it.")
        trial, scen = _build(design, opts)
        res = simulate(trial, scen, n_sim=n_sim, seed=seed, backend=backend,  # type: ignore[arg-type]
                       workers=workers, scheduler=scheduler, chunk_size=chunk_size, progress=progress)
        if out is not None:
            res.to_json(out, force=force)
        if csv is not None:
            _write(csv, res.table.to_csv(index=False).encode(), force, "simulate")
        if plot is not None:
            res.plot(plot, force=force)
    except OncotrialValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(res.to_json())
        return
    typer.echo(f"Simulated {design.value}: {res.n_sim} trials per scenario, seed {res.seed}, "
               f"chunk {res.chunk_size}, backend {res.backend} x {res.workers}")
    for lab, desc in res.scenarios.items():
        typer.echo(f"  {lab}: {desc}")
    t = res.table.copy()
    t["estimate (MC SE)"] = [f"{e:.4f} ({s:.4f})" for e, s in zip(t["estimate"], t["mc_se"], strict=True)]
    t["reference"] = [("" if pd.isna(r) else f"{r:.4f} {src}")
                      for r, src in zip(t["reference"], t["reference_source"], strict=True)]
    with pd.option_context("display.width", 140, "display.max_rows", 500, "display.max_colwidth", 40):
        typer.echo(t[["scenario", "metric", "estimate (MC SE)", "reference"]].to_string(index=False))


def register(app: typer.Typer) -> None:
    """Attach ``simulate`` to the ``oncotrial design`` group."""
    app.command("simulate")(simulate_cmd)
