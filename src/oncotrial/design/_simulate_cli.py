"""``oncotrial design simulate DESIGN``: the CLI over :func:`oncotrial.design.simulate` (thin layer).

Imports of numpy/pandas/the simulator happen inside the command so that ``oncotrial --help``
stays fast.
"""

from __future__ import annotations

import itertools
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
#: event-time law and dropout options, read by both survival designs
_LAW = {"law", "shape", "breaks", "relative_hazards", "cure", "dropout", "dropout_rate"}
_SURV = {"n", "accrual", "ramp", "followup", "sides", "alpha", "power"} | _LAW
#: options each design reads; any other option given on the command line is an error, not ignored
APPLIES: dict[str, set[str]] = {
    "single-stage": _BINARY | {"alpha", "power"},
    "simon": _BINARY | {"alpha", "power", "nmax", "simon_kind"},
    "thall-simon": _BINARY | {"nmax", "looks"},
    "lee-liu": _BINARY | {"alpha", "power", "nmin", "nmax"},
    "bop2": _BINARY | {"alpha", "nmax", "looks"},
    "landmark": _SURV | {"s0", "s1", "landmark", "transform", "true_s"},
    "two-arm": _SURV | {"hr", "median0", "events", "followup_only", "ratio", "info", "efficacy",
                        "futility", "test", "delay", "early_hr", "dropout_by"},
}
LAWS = ("exponential", "weibull", "piecewise", "cure")
#: law -> the options it needs (``--law weibull --shape 1.5``); they apply to that law only
LAW_OPTIONS = {"weibull": ("shape",), "piecewise": ("breaks", "relative_hazards"), "cure": ("cure",)}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_applicable(ctx: typer.Context, design: str, o: dict) -> None:
    # compare by name: typer may vendor its own click (a different ParameterSource enum)
    given = {name for name in o if name in ctx.params
             and getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"}
    extra = sorted(given - APPLIES[design] - _COMMON - {"design"})
    if extra:
        flags = ", ".join(_flag(e) for e in extra)
        raise ValueError(f"{flags} do(es) not apply to `{design}`; remove them. "
                         f"`{design}` reads: {', '.join(sorted(_flag(a) for a in APPLIES[design]))}.")
    if o["law"] not in LAWS:
        raise ValueError(f"`--law` must be one of {', '.join(repr(v) for v in LAWS)}; got {o['law']!r}.")
    for law, names in LAW_OPTIONS.items():
        for name in names:
            if name in given and o["law"] != law:
                raise ValueError(f"`{_flag(name)}` applies to `--law {law}` only.")
    if o["law"] == "piecewise" and o["relative_hazards"] is None:
        raise ValueError("`--law piecewise` needs `--relative-hazards` (and `--breaks`), e.g. "
                         "--breaks 6 --relative-hazards 1,0.5 (hazard halves after month 6).")
    if o["law"] == "cure" and o["cure"] is None:
        raise ValueError("`--law cure` needs `--cure`, the cured proportion, e.g. --cure 0.2.")
    if "dropout" in given and "dropout_rate" in given:
        raise ValueError("give `--dropout` (proportion lost) or `--dropout-rate` (hazard), not both.")
    if "dropout_by" in given and "dropout" not in given:
        raise ValueError("`--dropout-by` is the time by which `--dropout` is lost; give `--dropout` too.")
    if "early_hr" in given and not o["delay"]:
        raise ValueError("`--early-hr` is the hazard ratio before `--delay`; give `--delay T` too.")
    if o["simon_kind"] not in ("optimal", "minimax"):
        raise ValueError(f"`--simon-kind` must be 'optimal' or 'minimax'; got {o['simon_kind']!r}.")


def _cli_error(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _law(o: dict, s: float, t: float) -> object:
    """The event-time law of ``--law`` calibrated to ``S(t) = s`` (landmark: ``--true-s`` at the
    landmark; two-arm control: 0.5 at ``--median0``)."""
    from oncotrial.design import CureFraction, Exponential, PiecewiseExponential, Weibull

    law = o["law"]
    if law == "exponential":
        return Exponential.from_survival(s, t)
    if law == "weibull":
        return Weibull(o["shape"], t / (-math.log(s)) ** (1 / o["shape"]))
    if law == "piecewise":
        rel = _floats(o["relative_hazards"], "--relative-hazards") or []
        brk = _floats(o["breaks"], "--breaks") or []
        if len(rel) != len(brk) + 1:
            _cli_error(f"`--relative-hazards` must have one value more than `--breaks` (one per piece); "
                       f"got {len(rel)} and {len(brk)}. E.g. --breaks 6 --relative-hazards 1,0.5.")
        if any(not (v > 0 and math.isfinite(v)) for v in rel):
            _cli_error(f"`--relative-hazards` must be positive numbers; got {o['relative_hazards']!r}.")
        if any(v <= 0 for v in brk) or any(b <= a for a, b in itertools.pairwise(brk)):
            _cli_error(f"`--breaks` must be increasing positive times; got {o['breaks']!r}.")
        shape = PiecewiseExponential(tuple(brk), tuple(rel))
        c = -math.log(s) / float(shape.cumhaz(t))     # scale the shape so that S(t) = s
        return PiecewiseExponential(tuple(brk), tuple(c * v for v in rel))
    cure = o["cure"]
    if not 0 <= cure < 1:
        _cli_error(f"`--cure` must be a proportion in [0, 1); got {cure!r}.")
    if s <= cure:
        _cli_error(f"`--cure` ({cure:g}) must be below S({t:g}) = {s:g}: the cured never fail, so S "
                   f"never drops below the cure fraction. Lower `--cure`"
                   + (" or raise `--true-s`." if o["design"] == "landmark" else " (< 0.5, so that the "
                      "control median `--median0` exists)."))
    return CureFraction(cure, Exponential.from_survival((s - cure) / (1 - cure), t))


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
        rate = o["dropout_rate"]
        # a dropout hazard enters the design's n as its proportion lost by the landmark
        drop_p = o["dropout"] if not rate else -math.expm1(-rate * o["landmark"])
        ld = D.landmark_survival_design(o["s0"], o["s1"], o["landmark"], o["accrual"], o["followup"],
                                        alpha=o["alpha"], power=o["power"], sides=o["sides"],
                                        dropout=drop_p, dropout_method="exponential")
        trial = D.LandmarkTrial.from_design(ld, transform=o["transform"], n=o["n"], ramp=o["ramp"],
                                            dropout=D.Dropout(rate) if rate else None)
        true_s = _floats(o["true_s"], "--true-s") or [o["s0"], o["s1"]]
        bad = [v for v in true_s if not 0 < v < 1]
        if bad:
            _cli_error(f"`--true-s` must be survival probabilities in (0, 1); got {bad}.")
        if o["law"] == "exponential":
            scen = {f"{s:g}": s for s in true_s}
        else:
            scen = {f"{s:g}": _law(o, s, o["landmark"]) for s in true_s}
        return trial, scen
    hrs = _floats(o["hr"], "--hr") or [1.0, 0.7]
    if any(not (h > 0 and math.isfinite(h)) for h in hrs):
        _cli_error(f"`--hr` must be positive hazard ratios; got {o['hr']!r}.")
    if not (o["early_hr"] > 0 and math.isfinite(o["early_hr"])):
        _cli_error(f"`--early-hr` must be a positive hazard ratio; got {o['early_hr']!r}.")
    ctrl = (D.Exponential.from_median(o["median0"]) if o["law"] == "exponential"
            else _law(o, 0.5, o["median0"]))
    dropout = (D.Dropout.from_proportion(o["dropout"], by=o["dropout_by"]) if o["dropout"]
               else D.Dropout(o["dropout_rate"]))
    n, events = o["n"], o["events"]
    if n is None or (events is None and not o["followup_only"]):
        alt = next((h for h in hrs if h != 1.0), 0.7)
        tad = D.two_arm_survival_design(alt, median0=o["median0"], accrual=o["accrual"],
                                        followup=o["followup"], alpha=o["alpha"], power=o["power"],
                                        sides=o["sides"], ratio=o["ratio"], dropout=o["dropout"])
        n = tad.n["schoenfeld"] if n is None else n
        events = tad.events["schoenfeld"] if events is None else events
    trial = D.TwoArmTrial(
        n=n, accrual=D.Accrual(o["accrual"], o["ramp"]), ratio=o["ratio"],
        events=None if o["followup_only"] else events, followup=o["followup"],
        looks=tuple(_floats(o["info"], "--info") or ()), efficacy=(
            None if o["efficacy"] is None else tuple(_floats(o["efficacy"], "--efficacy") or ())),
        futility=None if o["futility"] is None else tuple(_floats(o["futility"], "--futility") or ()),
        test=o["test"], alpha=o["alpha"], sides=o["sides"], dropout=dropout, control=ctrl)
    delay, early = o["delay"], o["early_hr"]
    if delay:
        # HR `early` (1: a delayed effect; > 1 then < 1: crossing hazards) before `delay`, then h;
        # h = 1 stays the null (HR 1 throughout)
        def label(h: float) -> str:
            if h == 1.0:
                return "HR 1"
            return f"HR {h:g} after {delay:g}" if early == 1.0 else f"HR {early:g} then {h:g} after {delay:g}"

        scen = {label(h): (D.TwoArmScenario(ctrl, (early, h), (delay,)) if h != 1.0 else h) for h in hrs}
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
        law: Annotated[str, typer.Option(help="Event times (landmark; two-arm control): exponential, "
                                         "weibull (--shape), piecewise (--breaks, --relative-hazards) "
                                         "or cure (--cure), calibrated to --true-s at the landmark "
                                         "or to the control median --median0.")] = "exponential",
        shape: Annotated[float, typer.Option(help="--law weibull: shape (> 1: rising hazard).")] = 1.0,
        breaks: Annotated[str | None, typer.Option(help="--law piecewise: times where the hazard "
                                                   "changes, e.g. 6,12.")] = None,
        relative_hazards: Annotated[str | None, typer.Option(
            "--relative-hazards", help="--law piecewise: hazard of each piece, relative (one more "
            "than --breaks; scaled to the calibration), e.g. 1,0.5.")] = None,
        cure: Annotated[float | None, typer.Option(help="--law cure: cured proportion (never fail).")] = None,
        dropout: Annotated[float, typer.Option(help="Proportion lost to follow-up (exponential loss): "
                                               "landmark by the landmark, two-arm by --dropout-by.")] = 0.0,
        dropout_rate: Annotated[float, typer.Option(help="Exponential dropout hazard (instead of "
                                                    "--dropout).")] = 0.0,
        dropout_by: Annotated[float, typer.Option(help="Two-arm: time by which --dropout is "
                                                  "lost.")] = 12.0,
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
        delay: Annotated[float, typer.Option(help="Two-arm: the --hr apply after this time "
                                             "(before it: --early-hr).")] = 0.0,
        early_hr: Annotated[float, typer.Option("--early-hr", help="Two-arm: HR before --delay (1: "
                                                "delayed effect; > 1: crossing hazards).")] = 1.0,
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
