"""CLI group ``oncotrial design``: one command per design method (thin layer over the API).

Every command prints the design, its OC table and the decision rule; ``--text`` prints the
protocol paragraph instead, ``--json`` the design with ``text`` and ``oc`` keys, ``--plot FILE``
writes the OC plot (an existing file is kept unless ``--force``). Option values that typer
cannot check (comma-separated lists, paths) are parsed here into clean errors (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncotrial._errors import OncotrialValueError, bad_value

if TYPE_CHECKING:
    from oncotrial.design._table import Table

# numpy is imported inside the commands: the group loads in a blink for `oncotrial design
# --help` and each command imports only its method (issue 21). The commands print the
# designs' tables as `Table`s (what `summary()`/`oc_table()` turn into DataFrames), so no
# command imports pandas, and the designs use `design._dist`, so none imports scipy.stats:
# tests/design/test_cli_startup.py checks both.

design_app = typer.Typer(name="design", help="Phase II trial designs with exact operating "
                         "characteristics.", no_args_is_help=True)

P0 = Annotated[float, typer.Option("--p0", help="Response rate under H0.")]
P1 = Annotated[float, typer.Option("--p1", help="Response rate under H1 (> p0).")]
JSON = Annotated[bool, typer.Option("--json", help="Print the design as JSON.")]
PLOT = Annotated[Path | None, typer.Option("--plot", help="Write the OC plot (PNG) to FILE.")]
FORCE = Annotated[bool, typer.Option("--force", help="Overwrite an existing --plot file.")]
TEXT = Annotated[bool, typer.Option("--text", help="Print the protocol paragraph only.")]
PER = Annotated[str | None, typer.Option("--per", help="Unit of the sample size in --text, "
                                         "e.g. 'cohort' (\"55 patients per cohort\").")]
GRID = Annotated[str | None, typer.Option("--grid", help="Comma-separated true rates (or S(t) "
                                          "values) of the OC table.")]


def _numbers(value: str | None, option: str, cmd: str, kind: type = float) -> list | None:
    """Parse a comma-separated option into numbers, or a clean error naming the option."""
    if value is None:
        return None
    parts = [v.strip() for v in value.split(",")]
    try:
        out = [kind(v) for v in parts]
    except ValueError:
        what = "integers" if kind is int else "numbers"
        example = "10,20,30" if kind is int else "0.1,0.2,0.3"
        raise bad_value(option, f"design {cmd}", f"comma-separated {what}", value,
                        f"Write e.g. {option} {example}.") from None
    return out


def _check_plot(plot: Path | None, force: bool, cmd: str) -> None:
    if plot is None:
        return
    if not plot.parent.exists():
        raise bad_value("--plot", f"design {cmd}", "a file in an existing folder", str(plot),
                        "Create the folder first.")
    if plot.exists() and not force:
        raise bad_value("--plot", f"design {cmd}", "a new file", str(plot),
                        "Pass --force to overwrite it, or choose another name.")


def _fmt(x: object) -> str:
    return f"{x:.4f}" if isinstance(x, float) else str(x)


_FLOAT = "{:.4f}".format  # the printed tables' float format


def _oc(design: object, grid: list | None) -> Table:
    """A binary design's OC table (``design.oc_table(grid)`` before it becomes a DataFrame)."""
    from oncotrial.design._oc import oc_columns
    from oncotrial.design._table import Table

    return Table(oc_columns(design, grid))


def _emit(res: object, as_json: bool, lines: list[str], table: Table | None = None, *,
          text: str = "", text_only: bool = False, oc: Table | None = None,
          oc_title: str = "Operating characteristics (exact) over true response rates p:") -> None:
    if as_json:
        d = res.to_dict()  # type: ignore[attr-defined]
        d["text"] = text
        if oc is not None:
            d["oc"] = oc.records()
        typer.echo(json.dumps(d, indent=2, default=_json_default))
        return
    if text_only:
        typer.echo(text)
        return
    for ln in lines:
        typer.echo(ln)
    if table is not None:
        typer.echo(table.to_string(float_format=_FLOAT))
    if oc is not None:
        typer.echo(oc_title)
        typer.echo(oc.to_string(index=False, float_format=_FLOAT))


def _json_default(o: object) -> object:
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(type(o).__name__)


def _run(fn):  # fn: a zero-argument callable; user errors become "error: ..." and exit 2
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
                     grid: GRID = None, text: TEXT = False, per: PER = None,
                     as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Exact single-stage design (A'Hern 2001), with normal and arcsine approximations."""
    from oncotrial.design import single_stage_design
    from oncotrial.design._plot import plot_oc
    from oncotrial.design._protocol import protocol_text

    def go():
        g = _numbers(grid, "--grid", "single-stage")
        _check_plot(plot, force, "single-stage")
        d = single_stage_design(p0, p1, alpha, power, nmax=nmax)
        return d, _oc(d, g)

    d, oc = _run(go)
    _emit(d, as_json, [
        f"Single-stage exact binomial design (A'Hern 2001): p0={p0:g}, p1={p1:g}, "
        f"alpha={alpha:g}, power={power:g}",
        f"rule: {d.rule}",
        f"actual alpha = {d.alpha:.4f}, power = {d.power:.4f}, EN(p0) = {d.n}, PET(p0) = 0",
        f"every n >= {d.n_all_feasible} is feasible (feasibility is not monotone in n)",
    ], d._summary_table(), text=protocol_text(d, per=per), text_only=text, oc=oc)
    if plot:
        plot_oc(d, plot, title=f"A'Hern single stage: n={d.n}, reject if X >= {d.r}")


@design_app.command("simon")
def simon_cmd(p0: P0 = 0.1, p1: P1 = 0.3,
              alpha: Annotated[float, typer.Option(help="One-sided alpha.")] = 0.05,
              power: Annotated[float, typer.Option(help="Power at p1 (1 - beta).")] = 0.8,
              nmax: Annotated[int, typer.Option(help="Largest maximum sample size.")] = 100,
              choice: Annotated[str, typer.Option(help="Design of the OC table and --text: "
                                                  "optimal or minimax.")] = "optimal",
              grid: GRID = None, text: TEXT = False, per: PER = None,
              as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Simon two-stage designs: optimal, minimax and admissible (Jung et al. 2004)."""
    from oncotrial._validation import check_choice
    from oncotrial.design import simon_design
    from oncotrial.design._plot import plot_oc
    from oncotrial.design._protocol import protocol_text

    def go():
        check_choice(choice, ("optimal", "minimax"), "design simon", "--choice")
        g = _numbers(grid, "--grid", "simon")
        _check_plot(plot, force, "simon")
        s = simon_design(p0, p1, alpha, power, nmax=nmax)
        return s, _oc(getattr(s, choice), g)

    s, oc = _run(go)
    lines = [f"Simon two-stage designs: p0={p0:g}, p1={p1:g}, alpha={alpha:g}, power={power:g}, "
             f"nmax={nmax}"]
    for d in (s.optimal, s.minimax):
        lines += [f"{d.kind}: {d.rule}", *("  " + line for line in _oc_lines(d))]
    _emit(s, as_json, lines, s._summary_table(), text=protocol_text(s, per=per, choice=choice),
          text_only=text, oc=oc, oc_title=f"Operating characteristics of the {choice} design "
          "(exact) over true response rates p:")
    if plot:
        def lab(d):
            return f"{d.r1}/{d.n1}, {d.r}/{d.n}"
        designs = {f"optimal {lab(s.optimal)}": s.optimal, f"minimax {lab(s.minimax)}": s.minimax}
        for d in s.admissible:
            if (d.n, d.n1) not in {(s.optimal.n, s.optimal.n1), (s.minimax.n, s.minimax.n1)}:
                designs[f"admissible {lab(d)}, q in [{d.q_low:.2f}, {d.q_high:.2f}]"] = d
        plot_oc(designs, plot, title=f"Simon two-stage designs, p0={p0:g}, p1={p1:g}")


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
                         "(Jung & Kim 2004; Koyama & Chen 2008)"], res._summary_table())


@design_app.command("bayes-posterior")
def bayes_posterior_cmd(
        p0: P0 = 0.2, p1: P1 = 0.4,
        nmax: Annotated[int, typer.Option(help="Maximum sample size.")] = 40,
        looks: Annotated[str | None, typer.Option(help="Comma-separated look sizes.")] = None,
        p_futility: Annotated[float, typer.Option(help="Futility posterior cutoff.")] = 0.05,
        p_efficacy: Annotated[float, typer.Option(help="Efficacy posterior cutoff.")] = 0.95,
        grid: GRID = None, text: TEXT = False, per: PER = None,
        as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Thall & Simon (1994) posterior monitoring boundaries with exact OCs."""
    from oncotrial.design import posterior_monitoring
    from oncotrial.design._plot import plot_oc
    from oncotrial.design._protocol import protocol_text

    def go():
        lk = _numbers(looks, "--looks", "bayes-posterior", int)
        g = _numbers(grid, "--grid", "bayes-posterior")
        _check_plot(plot, force, "bayes-posterior")
        m = posterior_monitoring(p0, p1, nmax=nmax, looks=lk, p_futility=p_futility,
                                 p_efficacy=p_efficacy)
        return m, _oc(m, g)

    m, oc = _run(go)
    _emit(m, as_json, [
        f"Thall-Simon monitoring: theta_S = {p0:g}, delta = {p1 - p0:g}, prior_E = "
        f"Beta{tuple(round(v, 4) for v in m.prior_e)}, stop if P(E > S + delta) < {p_futility:g}"
        f", promising if P(E > S) > {p_efficacy:g}", *_oc_lines(m)], m._summary_table(),
        text=protocol_text(m, per=per), text_only=text, oc=oc)
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
        grid: GRID = None, text: TEXT = False, per: PER = None,
        as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Lee & Liu (2008) predictive-probability design (search Nmax, theta_T, theta_L)."""
    from oncotrial.design import predictive_design
    from oncotrial.design._plot import plot_oc
    from oncotrial.design._protocol import protocol_text

    def go():
        g = _numbers(grid, "--grid", "bayes-predictive")
        _check_plot(plot, force, "bayes-predictive")
        d = predictive_design(p0, p1, alpha, power, nmin=nmin, nmax=nmax, first_look=first_look)
        return d, _oc(d, g)

    d, oc = _run(go)
    _emit(d, as_json, [
        f"Predictive-probability design (Lee & Liu 2008): Nmax = {d.n}, theta_T = {d.theta_t:g},"
        f" theta_L = {d.theta_l:g}, prior Beta({d.a:g}, {d.b:g})",
        f"rule: stop for futility when PP < theta_L; reject H0 at Nmax if responses >= {d.r_final}",
        *_oc_lines(d)], d._summary_table(), text=protocol_text(d, per=per), text_only=text,
        oc=oc)
    if plot:
        plot_oc(d, plot, title=f"Predictive design, Nmax = {d.n}")


@design_app.command("bop2")
def bop2_cmd(p0: P0 = 0.2, p1: P1 = 0.4,
             alpha: Annotated[float, typer.Option(help="Type I error bound.")] = 0.1,
             nmax: Annotated[int, typer.Option(help="Maximum sample size N.")] = 40,
             looks: Annotated[str | None, typer.Option(help="Comma-separated interim sizes.")]
             = None,
             prior_a: Annotated[float | None, typer.Option(help="Beta prior a (default p0).")]
             = None,
             prior_b: Annotated[float | None, typer.Option(help="Beta prior b (default 1 - p0).")]
             = None,
             scenarios: Annotated[str | None, typer.Option(
                 help="Comma-separated true response rates of the scenario table.")] = None,
             text: TEXT = False, per: PER = None,
             as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """BOP2 (Zhou, Lee & Yuan 2017), binary endpoint: (lambda, gamma) grid search."""
    from oncotrial.design import bop2_design
    from oncotrial.design._plot import plot_oc
    from oncotrial.design._protocol import protocol_text

    def go():
        lk = _numbers(looks, "--looks", "bop2", int)
        sc = _numbers(scenarios, "--scenarios", "bop2")
        _check_plot(plot, force, "bop2")
        d = bop2_design(p0, p1, alpha, nmax=nmax, looks=lk, a=prior_a, b=prior_b)
        grid = sc if sc is not None else sorted({round(v, 4) for v in
                                                (p0 - 0.1, p0, (p0 + p1) / 2, p1, p1 + 0.1)
                                                if 0 < v < 1})
        return d, d._scenario_table(grid), _oc(d, grid)

    d, sc_table, oc = _run(go)
    lines = [f"BOP2: N = {d.n}, prior Beta({d.a:g}, {d.b:g}), lambda = {d.lam:g}, "
             f"gamma = {d.gamma:g}; stop at interim n if P(p <= p0 | data) > "
             f"1 - lambda (n/N)^gamma", *_oc_lines(d)]
    if as_json or text:
        _emit(d, as_json, lines, d._summary_table(), text=protocol_text(d, per=per),
              text_only=text, oc=oc)
    else:
        _emit(d, False, lines, d._summary_table(), oc=sc_table,
              oc_title="Operating characteristics by scenario (exact, as the BOP2 app):")
        typer.echo("Per look (exact):")
        typer.echo(oc.to_string(index=False, float_format=_FLOAT))
    if plot:
        plot_oc(d, plot, title=f"BOP2, N = {d.n}, prior Beta({d.a:g}, {d.b:g})")


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
        transform: Annotated[str, typer.Option(help="Transform quoted by --text.")] = "arcsine",
        published_n: Annotated[int | None, typer.Option(
            help="A published n: print which transform x dropout handling reproduces it.")] = None,
        grid: GRID = None, text: TEXT = False, per: PER = None,
        as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Single-arm landmark KM test (Nagashima et al. 2021): n for every transformation."""
    import numpy as np

    from oncotrial._validation import check_choice
    from oncotrial.design import TRANSFORMS, landmark_survival_design
    from oncotrial.design._landmark import _landmark_n_table, matching_assumptions
    from oncotrial.design._plot import plot_curve
    from oncotrial.design._protocol import protocol_text

    def go():
        check_choice(transform, TRANSFORMS, "design survival-landmark", "--transform")
        g = _numbers(grid, "--grid", "survival-landmark")
        _check_plot(plot, force, "survival-landmark")
        d = landmark_survival_design(s0, s1, landmark, accrual, followup, alpha=alpha,
                                     power=power, sides=sides, dropout=dropout,
                                     dropout_method=dropout_method)  # type: ignore[arg-type]
        return d, d._oc_table(g), _landmark_n_table(d)

    d, oc, ntab = _run(go)
    lines = [
        f"Landmark survival design (Nagashima et al. 2021): S0={s0:g}, S1={s1:g} at t="
        f"{landmark:g}; accrual {accrual:g}, follow-up {followup:g}, {sides}-sided alpha "
        f"{alpha:g}, power {power:g}, dropout {dropout:g} ({dropout_method})",
        f"rule ({transform}): with {d.n_evaluable[transform]} evaluable patients, reject H0 if "
        f"the Kaplan-Meier estimate of S({landmark:g}) > {d.critical_value(transform):.4f}"]  # type: ignore[arg-type]
    if not as_json and not text:
        lines.append(f"n by transform x dropout handling (dropout {dropout:g}):")
        lines += ntab.to_string().splitlines()
        if published_n is not None:
            hits = matching_assumptions(d, published_n)
            lines.append(f"n = {published_n} is reproduced by: "
                         + ("; ".join(hits) if hits else "no transform x dropout handling"))
    _emit(d, as_json, lines, d._summary_table(),
          text=protocol_text(d, per=per, transform=transform),
          text_only=text, oc=oc,
          oc_title="Approximate P(reject H0) at the planned n over true S(t):")
    if plot:  # the OC: P(reject) over true S(t) at each transform's planned n
        s_grid = np.linspace(max(0.01, s0 - 0.2), min(0.99, s1 + 0.15), 121)
        curve = d.oc_table(s_grid)
        plot_curve(s_grid, {f"{tr} (n = {d.n_evaluable[tr]})": curve[f"P(reject) {tr}"].to_numpy()
                            for tr in TRANSFORMS}, plot, xlabel=f"true S({landmark:g})",
                   ylabel="approximate P(reject H0)",
                   title=f"Landmark KM test: OC at the planned n (S0 = {s0:g}, S1 = {s1:g})")


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
        rounding: Annotated[str, typer.Option(help="events (total from the rounded events) or "
                                              "rpact (from the exact events).")] = "events",
        method: Annotated[str, typer.Option(help="Formula quoted by --text: schoenfeld or "
                                            "freedman.")] = "schoenfeld",
        grid: GRID = None, text: TEXT = False, per: PER = None,
        as_json: JSON = False, plot: PLOT = None, force: FORCE = False) -> None:
    """Schoenfeld and Freedman events and sample size with accrual and follow-up."""
    import numpy as np

    from oncotrial._validation import check_choice
    from oncotrial.design import two_arm_survival_design
    from oncotrial.design._plot import plot_curve
    from oncotrial.design._protocol import protocol_text

    def go():
        check_choice(method, ("schoenfeld", "freedman"), "design survival-two-arm", "--method")
        g = _numbers(grid, "--grid", "survival-two-arm")
        _check_plot(plot, force, "survival-two-arm")
        d = two_arm_survival_design(hr, median0=median0, accrual=accrual, followup=followup,
                                    alpha=alpha, power=power, sides=sides, ratio=ratio,
                                    dropout=dropout, rounding=rounding)  # type: ignore[arg-type]
        return d, d._power_table(g)

    d, oc = _run(go)
    _emit(d, as_json, [
        f"Two-arm survival: HR={hr:g}, control median {median0:g}, accrual {accrual:g}, "
        f"follow-up {followup:g}, {sides}-sided alpha {alpha:g}, power {power:g}, "
        f"ratio {ratio:g}; P(event) = {d.prob_event:.4f}; n rounded by '{rounding}'"],
        d._summary_table(), text=protocol_text(d, per=per, method=method), text_only=text, oc=oc,
        oc_title="Approximate log-rank power at the planned events over true HR:")
    if plot:  # the OC: power over the true HR at the planned events
        hr_grid = np.linspace(min(hr, 1 / hr) * 0.8, 1.0, 121) if hr < 1 else np.linspace(
            1.0, max(hr, 1 / hr) * 1.2, 121)
        t = d.power_table(hr_grid)
        plot_curve(hr_grid, {f"Schoenfeld ({d.events['schoenfeld']} events)": t["power schoenfeld"].to_numpy(),
                             f"Freedman ({d.events['freedman']} events)": t["power freedman"].to_numpy()},
                   plot, xlabel="true hazard ratio", ylabel="approximate log-rank power",
                   title=f"Two-arm log-rank test: OC at the planned events (HR = {hr:g})")


def register(app: typer.Typer) -> None:
    """Attach the ``design`` group to the main ``oncotrial`` app."""
    app.add_typer(design_app, name="design")

from oncotrial.design._simulate_cli import register as _register_simulate  # noqa: E402

_register_simulate(design_app)  # `oncotrial design simulate` (issue 17)
