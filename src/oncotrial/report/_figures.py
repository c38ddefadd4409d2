"""Every report figure, drawn from a :class:`~oncotrial.analysis.StudyAnalysis` (no statistics).

The Kaplan-Meier step functions, bands and numbers at risk are those of the fitted
:class:`~oncotrial.stats.KMResult` objects; response, swimmer and GMI values are the per-subject
numbers in ``results.json``; hazard ratios come from the Cox results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncotrial.report._figure_base import new_figure, save_figure, styled
from oncotrial.report._flow import FlowStage, plot_flow
from oncotrial.report._forest import forest_plot
from oncotrial.report._km_plot import KMCurve, plot_km
from oncotrial.report._response_plots import plot_spider, plot_swimmer, plot_waterfall
from oncotrial.report._safety_plots import plot_ae_bars

GMI_ACTIVE = 1.33  # Von Hoff 1998 activity threshold, drawn as a guide (value from results)


def km_curve(label: str, fit) -> KMCurve:
    """Map a fitted KMResult to the renderer's :class:`KMCurve` (censor marks at S(t))."""
    cens = fit.n_censor > 0
    return KMCurve(label, fit.time, fit.surv, fit.lower, fit.upper, fit.time[cens],
                   fit.surv[cens], float(fit.median().estimate))


def flow_figure(results: dict) -> Figure:
    """Registered -> enrolled -> treated -> each analysis set an analysis uses, with the
    exclusions (reasons from the data) between stages (all cohorts together)."""
    key = results["study"].get("flow_cohorts", results["study"]["cohorts"])[-1]
    fl = results["flow"][key]
    if "sets" in fl:
        used = set(results["study"]["analysis_sets"].values()) | {"enrolled", "treated"}
        chain = [(n, st) for n, st in fl["sets"].items()
                 if n in used or not st.get("builtin", False)]
        stages, prev = [], "registered"
        labels = ["Registered"] + [st["label"] for _, st in chain]
        counts = [fl["registered"]] + [st["n"] for _, st in chain]
        excl: list[tuple] = []
        for name, st in chain:
            excl.append(tuple((r if st["within"] == prev else f"{r} (from {st['within']})", n)
                              for r, n in st["excluded"].items()))
            prev = name
        excl.append(())
        stages = [FlowStage(lab, n, ex) for lab, n, ex in zip(labels, counts, excl,
                                                              strict=True)]
        if fl["registered"] == counts[1] and not excl[0]:
            stages = stages[1:]
        return plot_flow(stages, title=f"Participant flow ({key})")
    stages = [FlowStage("Registered", fl["registered"], tuple(fl["not_enrolled"].items())),
              FlowStage("Enrolled", fl["enrolled"], tuple(fl["not_treated"].items())),
              FlowStage("Treated (safety population)", fl["treated"],
                        tuple(fl["not_evaluable"].items())),
              FlowStage("Efficacy-evaluable", fl["evaluable"])]
    if not fl["not_enrolled"] and fl["registered"] == fl["enrolled"]:
        stages = stages[1:]
    return plot_flow(stages, title=f"Participant flow ({key})")


def km_figure(analysis, endpoint: str) -> Figure:
    """KM of one endpoint by cohort (plus all patients) with CI band and numbers at risk."""
    res = analysis.results["survival"][endpoint]
    fits = analysis.curves[endpoint]
    labels = list(fits)
    if len(labels) > 2 and labels[-1] == "All":  # draw the cohorts only, as the seed figures
        labels = labels[:-1]
    curves = [km_curve(c, fits[c]) for c in labels]
    times = [float(t) for t in res[labels[0]]["risk_table"]]
    risk = pd.DataFrame([[res[c]["risk_table"][f"{t:g}"] for t in times] for c in labels],
                        index=labels, columns=times)
    unit = analysis.results["study"]["time_unit"].capitalize()
    name = {"OS": "Overall survival", "PFS": "Progression-free survival"}[endpoint]
    title = name
    for p in (analysis.results.get("comparisons") or {}).get("pairs", []):
        t = p.get(endpoint)
        if t:
            f2 = [("NR" if v is None else f"{v:.2f}") for v in (t["hr"], *t["ci"])]
            title += (f"\n{p['arm']} vs {p['reference']}: log-rank p = {t['logrank']['p']:.3f}, "
                      f"HR {f2[0]} ({f2[1]}-{f2[2]})")
    return plot_km(curves, risk_table=risk, xlabel=unit, title=title,
                   ylabel=f"{name} probability", xmax=max(times) * 1.02 if times else None)


def forest_figure(results: dict) -> Figure:
    """Forest plot of univariable and multivariable Cox hazard ratios (log scale)."""
    cx = results["cox"]
    rows = []
    for r in cx["univariable"] + cx.get("multivariable", []):
        if r["hr"] is None or r["ci"][0] is None or r["ci"][1] is None:
            continue
        rows.append({"label": f"{r['term']} ({r['model'][:5]}.)", "estimate": r["hr"],
                     "low": r["ci"][0], "high": r["ci"][1],
                     "kind": "new" if r["model"] == "multivariable" else "study"})
    return forest_plot(rows, xlabel=f"Hazard ratio ({cx['endpoint']})", ref_line=1.0,
                       log_scale=True, title=f"Cox regression, {cx['endpoint']}")


def ae_figure(results: dict) -> Figure:
    """AE bars by worst grade (all patients) for the listed terms."""
    sa = results["safety"]["all"]
    key = results["study"]["cohorts"][-1]
    if results["safety"].get("figure"):  # its own kind and threshold (NICE-NEC Fig. 3: > 5 %)
        sa = results["safety"]["figure"]
    d = pd.DataFrame([{"term": t["term"].capitalize(), "1-2": t["by_cohort"][key]["1-2"],
                       "3-4": t["by_cohort"][key]["3-4"], "5": t["by_cohort"][key]["5"]}
                      for t in sa["terms"]])
    return plot_ae_bars(d, n_patients=sa["n_safety"][key],
                        title=f"Adverse events by worst grade ({key})")


@styled
def gmi_figure(results: dict) -> Figure:
    """Waterfall of the growth modulation index, guide at 1.33, log scale."""
    g = results["gmi"]
    d = sorted(g["patients"], key=lambda p: (-p["gmi"], p["subject_id"]))
    fig = new_figure(7.0, 3.8)
    ax = fig.add_subplot()
    vals = np.array([p["gmi"] for p in d], float)
    colors = ["#009E73" if p["gmifl"] == "Y" else "#999999" for p in d]
    ax.bar(np.arange(len(d)), vals, color=colors, width=0.85)
    ax.set_yscale("log")
    ax.axhline(g["threshold"], ls="--", lw=0.8, color="grey")
    ax.axhline(1.0, lw=0.6, color="black")
    ax.set_xticks([])
    ax.set_xlabel(f"Patients with prior-line dates (n = {len(d)})")
    ax.set_ylabel("GMI = TTP on study / TTP prior line")
    ax.set_title(f"Growth modulation index (dashed: {g['threshold']})", loc="left")
    return fig


def build_figures(analysis) -> dict[str, Figure]:
    """Every report figure by file stem (figures without data, or whose analysis failed, are
    left out; a figure that fails to draw is recorded in ``results["errors"]``)."""
    import matplotlib as mpl

    from oncotrial._errors import error_message

    r = analysis.results
    figs: dict[str, Figure] = {}

    def add(stem: str, make) -> None:
        try:
            with mpl.rc_context({"text.parse_math": False}):  # data labels are never mathtext
                figs[stem] = make()
        except Exception as exc:  # one broken figure never takes the report down
            r.setdefault("errors", {})[f"figure:{stem}"] = error_message(exc)

    def ok(key: str) -> bool:
        part = r.get(key)
        return bool(part) and not (isinstance(part, dict) and set(part) == {"error"})

    add("flow", lambda: flow_figure(r))
    for ep in ("OS", "PFS"):
        if ok("survival") and ep in r["survival"]:
            add(f"km_{ep.lower()}", lambda ep=ep: km_figure(analysis, ep))
    rp = r["response_plots"] if ok("response_plots") else {}
    if rp.get("waterfall"):
        add("waterfall", lambda: plot_waterfall(pd.DataFrame(rp["waterfall"]),
                                                title="Best change in target lesions"))
    if rp.get("spider"):
        unit = r["study"]["time_unit"]
        add("spider", lambda: plot_spider(pd.DataFrame(rp["spider"]), title="Change over time",
                                          xlabel=f"{unit.capitalize()} since start of treatment"))
    if rp.get("swimmer"):
        sw = pd.DataFrame(rp["swimmer"]).astype({"response_start": float, "response_end": float})
        add("swimmer", lambda: plot_swimmer(sw, title="Follow-up and response (arrow: alive)"))
    if ok("cox") and r["cox"].get("univariable"):
        add("forest_cox", lambda: forest_figure(r))
    if ok("safety") and r["safety"]["all"]["terms"]:
        add("ae_bars", lambda: ae_figure(r))
    if ok("gmi"):
        add("gmi", lambda: gmi_figure(r))
    return figs


@dataclass(frozen=True)
class RenderedFigure:
    """One report figure as written to disk.

    ``paths`` maps a format ("png", "svg", "pdf") to its file; ``note`` is a sentence the report
    prints under the figure (e.g. the rule that selected the patients shown), empty when none.
    """

    stem: str
    paths: dict[str, Path]
    note: str = ""


def render_figures(analysis, fig_dir: str | Path) -> dict[str, RenderedFigure]:
    """Build and save every report figure into ``fig_dir``, in report order.

    A figure that fails to draw or save is left out, its error recorded in
    ``results["errors"]["figure:<stem>"]`` and any partial files removed; an ``OSError``
    (disk full, permission lost) propagates so that the whole output is abandoned.
    """
    from oncotrial._errors import error_message

    fig_dir = Path(fig_dir)
    errors = analysis.results.setdefault("errors", {})
    done: dict[str, RenderedFigure] = {}
    for stem, fig in build_figures(analysis).items():
        try:
            paths = save_figure(fig, fig_dir / stem)
        except OSError:
            raise
        except Exception as exc:  # a failing figure becomes a note, the report goes on
            errors[f"figure:{stem}"] = error_message(exc)
            for f in fig_dir.glob(f"{stem}.*"):
                f.unlink()
            continue
        done[stem] = RenderedFigure(stem, {p.suffix.lstrip("."): p for p in paths})
    return done


__all__ = ["RenderedFigure", "build_figures", "km_curve", "render_figures"]
