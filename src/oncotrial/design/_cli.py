"""CLI group ``oncotrial design``: one command per design method (thin layer over the API)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from oncotrial._errors import OncotrialValueError

design_app = typer.Typer(name="design", help="Phase II trial designs with exact operating "
                         "characteristics.", no_args_is_help=True)

P0 = Annotated[float, typer.Option("--p0", help="Response rate under H0.")]
P1 = Annotated[float, typer.Option("--p1", help="Response rate under H1 (> p0).")]
JSON = Annotated[bool, typer.Option("--json", help="Print the design as JSON.")]
PLOT = Annotated[Path | None, typer.Option("--plot", help="Write the OC curve (PNG) to FILE.")]


def _fmt(x: object) -> str:
    return f"{x:.4f}" if isinstance(x, float) else str(x)


def _emit(res: object, as_json: bool, lines: list[str], table: pd.DataFrame | None = None) -> None:
    if as_json:
        typer.echo(json.dumps(res.to_dict(), indent=2, default=_json_default))  # type: ignore[attr-defined]
        return
    for ln in lines:
        typer.echo(ln)
    if table is not None:
        with pd.option_context("display.width", 120, "display.max_columns", 20,
                               "display.float_format", "{:.4f}".format):
            typer.echo(table.to_string())


def _json_default(o: object) -> object:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(type(o).__name__)


def _run(fn):  # fn: a zero-argument callable returning a design
    try:
        return fn()
    except OncotrialValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None


def _oc_lines(d: object) -> list[str]:
    return [f"actual alpha = {_fmt(d.alpha)}, power = {_fmt(d.power)}, "  # type: ignore[attr-defined]
            f"EN(p0) = {d.en0:.2f}, PET(p0) = {d.pet0:.4f}"]  # type: ignore[attr-defined]


@design_app.command("single-stage")
def single_stage_cmd(p0: P0 = 0.1, p1: P1 = 0.25,
                     alpha: Annotated[float, typer.Option(help="One-sided alpha.")] = 0.05,
                     power: Annotated[float, typer.Option(help="Power at p1.")] = 0.9,
                     nmax: Annotated[int, typer.Option(help="Largest n searched.")] = 1000,
                     as_json: JSON = False, plot: PLOT = None) -> None:
    """Exact single-stage design (A'Hern 2001), with normal and arcsine approximations."""
    from oncotrial.design import single_stage_design
    from oncotrial.design._plot import plot_oc

    d = _run(lambda: single_stage_design(p0, p1, alpha, power, nmax=nmax))
    _emit(d, as_json, [
        f"Single-stage exact binomial design (A'Hern 2001): p0={p0:g}, p1={p1:g}, "
        f"alpha={alpha:g}, power={power:g}",
        f"rule: {d.rule}",
        f"actual alpha = {d.alpha:.4f}, power = {d.power:.4f}, EN(p0) = {d.n}, PET(p0) = 0",
        f"every n >= {d.n_all_feasible} is feasible (feasibility is not monotone in n)",
    ], d.summary())
    if plot:
        plot_oc(d, plot, title=f"A'Hern single stage: n={d.n}, reject if X >= {d.r}")


@design_app.command("simon")
def simon_cmd(p0: P0 = 0.1, p1: P1 = 0.3,
              alpha: Annotated[float, typer.Option(help="One-sided alpha.")] = 0.05,
              power: Annotated[float, typer.Option(help="Power at p1 (1 - beta).")] = 0.8,
              nmax: Annotated[int, typer.Option(help="Largest maximum sample size.")] = 100,
              as_json: JSON = False, plot: PLOT = None) -> None:
    """Simon two-stage designs: optimal, minimax and admissible (Jung et al. 2004)."""
    from oncotrial.design import simon_design
    from oncotrial.design._plot import plot_oc

    s = _run(lambda: simon_design(p0, p1, alpha, power, nmax=nmax))
    lines = [f"Simon two-stage designs: p0={p0:g}, p1={p1:g}, alpha={alpha:g}, power={power:g}, "
             f"nmax={nmax}"]
    for d in (s.optimal, s.minimax):
        lines += [f"{d.kind}: {d.rule}", *("  " + line for line in _oc_lines(d))]
    _emit(s, as_json, lines, s.summary())
    if plot:
        o = s.optimal
        plot_oc(o, plot, title=f"Simon optimal {o.r1}/{o.n1}, {o.r}/{o.n}")


@design_app.command("simon-inference")
def simon_inference_cmd(x: Annotated[int, typer.Option(help="Total responses observed.")],
                        r1: Annotated[int, typer.Option()], n1: Annotated[int, typer.Option()],
                        r: Annotated[int, typer.Option()], n: Annotated[int, typer.Option()],
                        p0: Annotated[float | None, typer.Option("--p0")] = None,
                        level: Annotated[float, typer.Option()] = 0.95,
                        as_json: JSON = False) -> None:
    """UMVUE, stage-wise p-value and exact CI after a completed two-stage trial."""
    from oncotrial.design import simon_inference

    res = _run(lambda: simon_inference(x, r1, n1, r, n, p0=p0, level=level))
    _emit(res, as_json, [f"Inference after Simon design {r1}/{n1}, {r}/{n} "
                         "(Jung & Kim 2004; Koyama & Chen 2008)"], res.summary())


@design_app.command("bayes-posterior")
def bayes_posterior_cmd(
        p0: P0 = 0.2, p1: P1 = 0.4,
        nmax: Annotated[int, typer.Option(help="Maximum sample size.")] = 40,
        looks: Annotated[str | None, typer.Option(help="Comma-separated look sizes.")] = None,
        p_futility: Annotated[float, typer.Option(help="Futility posterior cutoff.")] = 0.05,
        p_efficacy: Annotated[float, typer.Option(help="Efficacy posterior cutoff.")] = 0.95,
        as_json: JSON = False, plot: PLOT = None) -> None:
    """Thall & Simon (1994) posterior monitoring boundaries with exact OCs."""
    from oncotrial.design import posterior_monitoring
    from oncotrial.design._plot import plot_oc

    lk = None if looks is None else [int(v) for v in looks.split(",")]
    m = _run(lambda: posterior_monitoring(p0, p1, nmax=nmax, looks=lk, p_futility=p_futility,
                                          p_efficacy=p_efficacy))
    _emit(m, as_json, [
        f"Thall-Simon monitoring: theta_S = {p0:g}, delta = {p1 - p0:g}, prior_E = "
        f"Beta{tuple(round(v, 4) for v in m.prior_e)}, stop if P(E > S + delta) < {p_futility:g}"
        f", promising if P(E > S) > {p_efficacy:g}", *_oc_lines(m)], m.summary())
    if plot:
        plot_oc(m, plot, title="Thall-Simon posterior monitoring")


@design_app.command("bayes-predictive")
def bayes_predictive_cmd(
        p0: P0 = 0.2, p1: P1 = 0.4,
        alpha: Annotated[float, typer.Option(help="Type I error bound.")] = 0.1,
        power: Annotated[float, typer.Option(help="Power bound.")] = 0.9,
        nmin: Annotated[int, typer.Option(help="Smallest Nmax searched.")] = 10,
        nmax: Annotated[int, typer.Option(help="Largest Nmax searched.")] = 60,
        first_look: Annotated[int, typer.Option(help="First interim size.")] = 10,
        as_json: JSON = False, plot: PLOT = None) -> None:
    """Lee & Liu (2008) predictive-probability design (search Nmax, theta_T, theta_L)."""
    from oncotrial.design import predictive_design
    from oncotrial.design._plot import plot_oc

    d = _run(lambda: predictive_design(p0, p1, alpha, power, nmin=nmin, nmax=nmax,
                                       first_look=first_look))
    _emit(d, as_json, [
        f"Predictive-probability design (Lee & Liu 2008): Nmax = {d.n}, theta_T = {d.theta_t:g},"
        f" theta_L = {d.theta_l:g}, prior Beta({d.a:g}, {d.b:g})",
        f"rule: stop for futility when PP < theta_L; reject H0 at Nmax if responses >= {d.r_final}",
        *_oc_lines(d)], d.summary())
    if plot:
        plot_oc(d, plot, title=f"Predictive design, Nmax = {d.n}")


@design_app.command("bop2")
def bop2_cmd(p0: P0 = 0.2, p1: P1 = 0.4,
             alpha: Annotated[float, typer.Option(help="Type I error bound.")] = 0.1,
             nmax: Annotated[int, typer.Option(help="Maximum sample size N.")] = 40,
             looks: Annotated[str | None, typer.Option(help="Comma-separated interim sizes.")]
             = None, as_json: JSON = False, plot: PLOT = None) -> None:
    """BOP2 (Zhou, Lee & Yuan 2017), binary endpoint: (lambda, gamma) grid search."""
    from oncotrial.design import bop2_design
    from oncotrial.design._plot import plot_oc

    lk = None if looks is None else [int(v) for v in looks.split(",")]
    d = _run(lambda: bop2_design(p0, p1, alpha, nmax=nmax, looks=lk))
    _emit(d, as_json, [
        f"BOP2: N = {d.n}, lambda = {d.lam:g}, gamma = {d.gamma:g}; stop if "
        f"P(p <= p0 | data) > 1 - lambda (n/N)^gamma",
        *_oc_lines(d)], d.summary())
    if plot:
        plot_oc(d, plot, title=f"BOP2, N = {d.n}")


@design_app.command("survival-landmark")
def survival_landmark_cmd(
        s0: Annotated[float, typer.Option("--s0", help="S(landmark) under H0.")] = 0.9,
        s1: Annotated[float, typer.Option("--s1", help="S(landmark) under H1.")] = 0.96,
        landmark: Annotated[float, typer.Option(help="Landmark time.")] = 18,
        accrual: Annotated[float, typer.Option(help="Uniform accrual duration.")] = 24,
        followup: Annotated[float, typer.Option(help="Follow-up after last entry.")] = 24,
        dropout: Annotated[float, typer.Option(help="Proportion lost.")] = 0.0,
        dropout_method: Annotated[str, typer.Option(help="inflate or exponential.")] = "inflate",
        alpha: Annotated[float, typer.Option()] = 0.05,
        power: Annotated[float, typer.Option()] = 0.8,
        sides: Annotated[int, typer.Option(help="1 or 2.")] = 1,
        as_json: JSON = False, plot: PLOT = None) -> None:
    """Single-arm landmark KM test (Nagashima et al. 2021): n for every transformation."""
    from oncotrial.design import TRANSFORMS, landmark_power, landmark_survival_design
    from oncotrial.design._plot import plot_curve

    d = _run(lambda: landmark_survival_design(
        s0, s1, landmark, accrual, followup, alpha=alpha, power=power, sides=sides,
        dropout=dropout, dropout_method=dropout_method))  # type: ignore[arg-type]
    _emit(d, as_json, [
        f"Landmark survival design (Nagashima et al. 2021): S0={s0:g}, S1={s1:g} at t="
        f"{landmark:g}; accrual {accrual:g}, follow-up {followup:g}, {sides}-sided alpha "
        f"{alpha:g}, power {power:g}, dropout {dropout:g} ({dropout_method})",
        "rule: reject H0 if the transformed KM estimate at t exceeds g(S0) + z tau0/sqrt(n)"],
        d.summary())
    if plot:
        ns = np.arange(5, 2 * max(d.n_evaluable.values()) + 1)
        plot_curve(ns, {tr: np.array([landmark_power(int(k), d, tr) for k in ns])
                        for tr in TRANSFORMS}, plot, xlabel="evaluable patients n",
                   ylabel="approximate power", title="Landmark KM test: power by transform")


@design_app.command("survival-two-arm")
def survival_two_arm_cmd(
        hr: Annotated[float, typer.Option(help="Hazard ratio under H1.")] = 0.7,
        median0: Annotated[float, typer.Option(help="Control median survival.")] = 12,
        accrual: Annotated[float, typer.Option()] = 24,
        followup: Annotated[float, typer.Option()] = 12,
        alpha: Annotated[float, typer.Option()] = 0.05,
        power: Annotated[float, typer.Option()] = 0.8,
        sides: Annotated[int, typer.Option()] = 2,
        ratio: Annotated[float, typer.Option(help="Allocation n_E / n_C.")] = 1.0,
        dropout: Annotated[float, typer.Option()] = 0.0,
        as_json: JSON = False, plot: PLOT = None) -> None:
    """Schoenfeld and Freedman events and sample size with accrual and follow-up."""
    from oncotrial.design import two_arm_survival_design
    from oncotrial.design._plot import plot_curve

    d = _run(lambda: two_arm_survival_design(hr, median0=median0, accrual=accrual,
                                             followup=followup, alpha=alpha, power=power,
                                             sides=sides, ratio=ratio, dropout=dropout))
    _emit(d, as_json, [
        f"Two-arm survival: HR={hr:g}, control median {median0:g}, accrual {accrual:g}, "
        f"follow-up {followup:g}, {sides}-sided alpha {alpha:g}, power {power:g}, "
        f"ratio {ratio:g}; P(event) = {d.prob_event:.4f}"], d.summary())
    if plot:
        from scipy.stats import norm

        ev = np.arange(10, 2 * d.events["freedman"] + 1)
        pi = ratio / (1 + ratio)
        za = norm.ppf(1 - alpha / sides)
        pw = norm.cdf(np.sqrt(ev * pi * (1 - pi)) * abs(math.log(hr)) - za)
        plot_curve(ev, {"Schoenfeld": pw}, plot, xlabel="events", ylabel="power",
                   title=f"Log-rank power at HR = {hr:g}")


def register(app: typer.Typer) -> None:
    """Attach the ``design`` group to the main ``oncotrial`` app."""
    app.add_typer(design_app, name="design")

from oncotrial.design._simulate_cli import register as _register_simulate  # noqa: E402

_register_simulate(design_app)  # `oncotrial design simulate` (issue 17)
