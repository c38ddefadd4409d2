"""Every report figure, drawn from a :class:`~oncotrial.analysis.StudyAnalysis` (no statistics).

The Kaplan-Meier step functions, bands and numbers at risk are those of the fitted
:class:`~oncotrial.stats.KMResult` objects; response, swimmer and GMI values are the per-subject
numbers in ``results.json``; hazard ratios come from the Cox results.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncotrial.report._figure_base import figure_title, new_figure, save_figure, styled
from oncotrial.report._flow import FlowStage, plot_flow, plot_flow_panels
from oncotrial.report._forest import forest_plot
from oncotrial.report._km_plot import KMCurve, plot_km, risk_times
from oncotrial.report._response_plots import _bars, plot_spider, plot_swimmer, plot_waterfall
from oncotrial.report._safety_plots import plot_ae_bars
from oncotrial.report._tables import hr_text

GMI_ACTIVE = 1.33  # Von Hoff 1998 activity threshold, drawn as a guide (value from results)


def km_curve(label: str, fit) -> KMCurve:
    """Map a fitted KMResult to the renderer's :class:`KMCurve` (censor marks at S(t))."""
    cens = fit.n_censor > 0
    return KMCurve(label, fit.time, fit.surv, fit.lower, fit.upper, fit.time[cens],
                   fit.surv[cens], float(fit.median().estimate))


def n_at_risk(fit, times) -> list[int]:
    """Number at risk just before each of ``times`` (subjects with follow-up >= t), read off
    the fitted KMResult's ``n_risk`` (R ``summary(survfit, times = ...)$n.risk``).

    Examples
    --------
    >>> from oncotrial.stats import kaplan_meier
    >>> fit = kaplan_meier([1.0, 2.0, 2.0, 5.0], [True, False, True, False])
    >>> n_at_risk(fit, [0, 2, 3, 6])
    [4, 3, 1, 0]
    """
    t = np.asarray(fit.time, float)
    nr = np.asarray(fit.n_risk, float)
    out = []
    for x in times:
        i = int(np.searchsorted(t, float(x), side="left"))
        out.append(int(fit.n) if float(x) <= 0 else (int(nr[i]) if i < len(t) else 0))
    return out


def _flow_stages(results: dict, key: str) -> list[FlowStage]:
    fl = results["flow"][key]
    if "sets" in fl:
        used = set(results["study"]["analysis_sets"].values()) | {"enrolled", "treated"}
        chain = [(n, st) for n, st in fl["sets"].items()
                 if n in used or not st.get("builtin", False)]
        prev = "registered"
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
        return stages
    stages = [FlowStage("Registered", fl["registered"], tuple(fl["not_enrolled"].items())),
              FlowStage("Enrolled", fl["enrolled"], tuple(fl["not_treated"].items())),
              FlowStage("Treated (safety population)", fl["treated"],
                        tuple(fl["not_evaluable"].items())),
              FlowStage("Efficacy-evaluable", fl["evaluable"])]
    if not fl["not_enrolled"] and fl["registered"] == fl["enrolled"]:
        stages = stages[1:]
    return stages


def flow_figure(results: dict) -> Figure:
    """Registered -> enrolled -> treated -> each analysis set an analysis uses, with the
    exclusions (reasons from the data) between stages; one panel per cohort when the study has
    several (TALENT Figure 1), the pooled flow when it has one."""
    keys = [k for k in results["study"].get("flow_cohorts", results["study"]["cohorts"])
            if k in results["flow"]]
    cohorts = [k for k in keys if k != "All"] if len(keys) > 2 else keys[-1:]
    if len(cohorts) == 1:
        return plot_flow(_flow_stages(results, cohorts[0]),
                         title=f"Participant flow ({cohorts[0]})")
    return plot_flow_panels([(k, _flow_stages(results, k)) for k in cohorts],
                            title="Participant flow by cohort")


def _fmt(v) -> str:
    return "NR" if v is None or not np.isfinite(v) else f"{v:.2f}"


def km_figure(analysis, endpoint: str) -> Figure:
    """KM of one endpoint by cohort (the pooled curve only for a single cohort) with CI bands,
    censor marks, medians, the comparison (log-rank p, HR) and numbers at risk at nice times
    chosen from the data range."""
    res = analysis.results["survival"][endpoint]
    fits = analysis.curves[endpoint]
    labels = list(fits)
    if len(labels) > 2 and labels[-1] == "All":  # draw the cohorts only, as the seed figures
        labels = labels[:-1]
    curves = [km_curve(c, fits[c]) for c in labels]
    tmax = max((float(np.max(fits[c].time)) for c in labels if len(fits[c].time)), default=0.0)
    times = risk_times(tmax)
    risk = pd.DataFrame([n_at_risk(fits[c], times) for c in labels], index=labels,
                        columns=[float(t) for t in times])
    unit = analysis.results["study"]["time_unit"]
    name = {"OS": "Overall survival", "PFS": "Progression-free survival"}[endpoint]
    legend = []
    for c in labels:
        r = res.get(c, {})
        med = r.get("median")
        med_s = "NR" if med is None or not np.isfinite(med) else f"{med:.1f}"
        legend.append(f"{c} (n = {fits[c].n}, median {med_s} {unit})")
    sub = []
    for p in (analysis.results.get("comparisons") or {}).get("pairs", []):
        t = p.get(endpoint)
        if t:
            hr = hr_text(t, lambda v, ci, _s, _d: f"{_fmt(v)} ({_fmt(ci[0])}-{_fmt(ci[1])})")
            sub.append(f"{p['arm']} vs {p['reference']}: log-rank p = {t['logrank']['p']:.3f}, {hr}")
    lr = (analysis.results.get("logrank") or {}).get(endpoint)
    if not sub and lr and len(labels) > 1:
        sub.append(f"Log-rank test across {', '.join(lr['groups'])}: p = {lr['p']:.3f}")
    return plot_km(curves, risk_table=risk, xlabel=f"{unit.capitalize()} since start of treatment",
                   title=name, subtitle="; ".join(sub), ylabel=f"{name} probability",
                   xmax=float(times[-1]) * 1.03 if tmax > 0 else None, legend_labels=legend)


def _human(name: str) -> str:
    return {"ecog": "ECOG PS", "ki67": "Ki-67", "age": "Age", "sex": "Sex"}.get(
        name, name.replace("_", " ").capitalize())


def _level(v: str) -> str:
    v = str(v)  # "SMALL INTESTINE" -> "Small intestine"; codes such as "GI-NET" stay
    return v.capitalize() if v.isupper() and v.replace(" ", "").isalpha() and len(v) > 3 else v


def cox_term_labels(results: dict, adsl: pd.DataFrame | None = None) -> dict[str, str]:
    """Readable forest-plot labels for Cox model terms: "Cohort: GI-NET vs panNET",
    "Primary site: Small intestine vs Colon", "Age: >=65 vs <65", "Ki-67 (per unit)". The
    reference level is the one results.json stores per term, else the covariate's level in
    ``adsl`` that has no term of its own.

    Examples
    --------
    >>> r = {"cox": {"covariates": ["cohort", "ki67"], "univariable": [
    ...     {"term": "cohortpanNET"}, {"term": "ki67"}]}}
    >>> adsl = pd.DataFrame({"cohort": ["GI-NET", "panNET"], "ki67": [1.0, 2.0]})
    >>> cox_term_labels(r, adsl)
    {'cohortpanNET': 'Cohort: panNET vs GI-NET', 'ki67': 'Ki-67 (per unit)'}
    """
    cx = results["cox"]
    covs = sorted(cx.get("covariates", []), key=len, reverse=True)
    rows = cx["univariable"] + cx.get("multivariable", [])
    terms = [r["term"] for r in rows]
    stored = {r["term"]: r["reference"] for r in rows if r.get("reference") is not None}
    out: dict[str, str] = {}
    for term in terms:
        cov = next((c for c in covs if term.startswith(c)), None)
        if cov is None:
            out[term] = term
            continue
        lvl = term[len(cov):]
        if not lvl:
            out[term] = f"{_human(cov)} (per unit)"
        elif lvl.startswith((">=", ">")):
            cut = lvl.lstrip(">=")
            out[term] = f"{_human(cov)}: {lvl} vs <{cut}"
        else:
            ref = stored.get(term, "")  # results.json names it (analysis/_survival.py)
            if not ref and adsl is not None and cov in adsl:
                own = {t[len(cov):] for t in terms if t.startswith(cov) and t != cov}
                rest = sorted({str(v) for v in adsl[cov].dropna().unique()} - own)
                ref = rest[0] if len(rest) == 1 else ""
            out[term] = f"{_human(cov)}: {_level(lvl)} vs {_level(ref) if ref else 'others'}"
    return out


def _forest_counts(r: dict) -> str:
    """A forest row's n (events), as results.json stores them per term: "40 (25) vs 30 (20)" for
    a level against its reference, "70 (45)" for a per-unit term.

    Examples
    --------
    >>> _forest_counts({"n": 40, "events": 25, "ref_n": 30, "ref_events": 20})
    '40 (25) vs 30 (20)'
    >>> _forest_counts({"n": 70, "events": 45, "ref_n": None})
    '70 (45)'
    >>> _forest_counts({})
    ''
    """
    if r.get("n") is None:
        return ""
    own = f"{r['n']} ({r['events']})"
    return own if r.get("ref_n") is None else f"{own} vs {r['ref_n']} ({r['ref_events']})"


def forest_figure(results: dict, adsl: pd.DataFrame | None = None) -> Figure:
    """Forest plot of univariable and multivariable (orange diamonds) Cox hazard ratios, log
    scale with plain ticks, terms named with their reference level."""
    cx = results["cox"]
    names = cox_term_labels(results, adsl)
    rows = []
    for r in cx["univariable"] + cx.get("multivariable", []):
        if r["hr"] is None or r["ci"][0] is None or r["ci"][1] is None:
            continue
        multi = r["model"] == "multivariable"
        rows.append({"label": names.get(r["term"], r["term"]) + (" [adjusted]" if multi else ""),
                     "estimate": r["hr"], "low": r["ci"][0], "high": r["ci"][1],
                     "kind": "new" if multi else "study", "detail": _forest_counts(r)})
    lvl = round(100 * cx.get("level", 0.95))
    return forest_plot(rows, xlabel=f"Hazard ratio ({cx['endpoint']}, {lvl}% CI)", ref_line=1.0,
                       log_scale=True, width=7.5,
                       title=f"Cox regression, {cx['endpoint']}: n = {cx['n']}, "
                             f"{cx['events']} events; [adjusted] = multivariable\n"
                             f"right: HR [{lvl}% CI]; n (events), level vs reference")


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
    fig = new_figure(6.5, 3.8)
    ax = fig.add_subplot()
    vals = np.array([p["gmi"] for p in d], float)
    colors = ["#009E73" if p["gmifl"] == "Y" else "#999999" for p in d]
    ax.set_yscale("log")
    _bars(ax, np.arange(len(d), dtype=float), vals, colors, bottom=float(np.nanmin(vals)) / 1.5
          if len(vals) and np.nanmin(vals) > 0 else 0.01)
    ax.axhline(g["threshold"], ls="--", lw=0.8, color="grey")
    ax.axhline(1.0, lw=0.6, color="black")
    ax.set_xticks([])
    ax.set_xlabel(f"Patients with prior-line dates (n = {len(d)})")
    ax.set_ylabel("GMI = TTP on study / TTP prior line")
    from matplotlib.patches import Patch

    from oncotrial.report._figure_base import outside_legend
    figure_title(fig, "Growth modulation index")
    outside_legend(fig, [Patch(color="#009E73", label=f"GMI >= {g['threshold']} (active)"),
                         Patch(color="#999999", label=f"GMI < {g['threshold']}"),
                         Line2D([], [], color="grey", ls="--", lw=0.8,
                                label=f"Threshold {g['threshold']}")])
    return fig


def _cohort_of(analysis) -> dict[str, str] | None:
    """Subject -> cohort when the study has several cohorts (for per-cohort panels)."""
    cohorts = [c for c in analysis.results["study"]["cohorts"] if c != "All"]
    adsl = getattr(analysis, "adsl", None)
    if len(cohorts) < 2 or adsl is None or not {"USUBJID", "COHORT"} <= set(adsl.columns):
        return None
    return dict(zip(adsl["USUBJID"].astype(str), adsl["COHORT"].astype(str), strict=True))


def _with_cohort(d: pd.DataFrame, cohort_of: dict[str, str] | None) -> pd.DataFrame:
    if cohort_of is None or "cohort" in d:
        return d
    return d.assign(cohort=d["subject_id"].astype(str).map(cohort_of).fillna("Unknown cohort"))


def figure_makers(analysis) -> dict[str, Callable[[], Figure]]:
    """The report's figures as ``stem -> draw()`` in report order, for the analyses that have
    data (nothing is drawn yet)."""
    r = analysis.results

    def ok(key: str) -> bool:
        part = r.get(key)
        return bool(part) and not (isinstance(part, dict) and set(part) == {"error"})

    makers: dict[str, Callable[[], Figure]] = {"flow": lambda: flow_figure(r)}
    for ep in ("OS", "PFS"):
        if ok("survival") and ep in r["survival"]:
            makers[f"km_{ep.lower()}"] = lambda ep=ep: km_figure(analysis, ep)
    rp = r["response_plots"] if ok("response_plots") else {}
    unit = r["study"]["time_unit"]
    cohort_of = _cohort_of(analysis) if rp else None
    order = r["study"]["cohorts"]
    if rp.get("waterfall"):
        makers["waterfall"] = lambda: plot_waterfall(
            _with_cohort(pd.DataFrame(rp["waterfall"]), cohort_of),
            title="Best change in target lesions", panel_order=order)
    if rp.get("spider"):
        makers["spider"] = lambda: plot_spider(
            _with_cohort(pd.DataFrame(rp["spider"]), cohort_of), title="Change over time",
            panel_order=order,
            xlabel=f"{unit.capitalize()} since start of treatment")
    if rp.get("swimmer"):
        makers["swimmer"] = lambda: plot_swimmer(
            _with_cohort(pd.DataFrame(rp["swimmer"]).astype(
                {"response_start": float, "response_end": float}), cohort_of),
            title="Follow-up and response", panel_order=order,
            xlabel=f"{unit.capitalize()} since start of treatment")
    if ok("cox") and r["cox"].get("univariable"):
        makers["forest_cox"] = lambda: forest_figure(r, getattr(analysis, "adsl", None))
    if ok("safety") and r["safety"]["all"]["terms"]:
        makers["ae_bars"] = lambda: ae_figure(r)
    if ok("gmi"):
        makers["gmi"] = lambda: gmi_figure(r)
    return makers


def _draw(make: Callable[[], Figure]) -> Figure:
    import matplotlib as mpl

    with mpl.rc_context({"text.parse_math": False}):  # data labels are never mathtext
        return make()


def build_figures(analysis) -> dict[str, Figure]:
    """Every report figure by file stem (figures without data, or whose analysis failed, are
    left out; a figure that fails to draw is recorded in ``results["errors"]``)."""
    from oncotrial._errors import error_message

    figs: dict[str, Figure] = {}
    for stem, make in figure_makers(analysis).items():
        try:
            figs[stem] = _draw(make)
        except Exception as exc:  # one broken figure never takes the report down
            analysis.results.setdefault("errors", {})[f"figure:{stem}"] = error_message(exc)
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


_JOB: tuple | None = None  # (makers, fig_dir) inherited by forked workers


def _render_one(stem: str) -> tuple[str, dict[str, Path] | None, str, str]:
    """Draw and save one figure; returns (stem, paths or None, note, error message)."""
    from oncotrial._errors import error_message

    makers, fig_dir = _JOB  # type: ignore[misc]
    try:
        fig = _draw(makers[stem])
    except Exception as exc:  # one broken figure never takes the report down
        return stem, None, "", error_message(exc)
    try:
        paths = save_figure(fig, fig_dir / stem)
    except OSError:
        raise
    except Exception as exc:  # a failing figure becomes a note, the report goes on
        for f in fig_dir.glob(f"{stem}.*"):
            f.unlink()
        return stem, None, "", error_message(exc)
    return stem, {p.suffix.lstrip("."): p for p in paths}, getattr(fig, "oncotrial_note", ""), ""


PARALLEL_FROM = 1000  # subjects from which the figures are drawn in 2 processes


def _workers(analysis) -> int:
    env = os.environ.get("ONCOTRIAL_FIGURE_WORKERS")
    if env:
        return max(1, int(env))
    adsl = getattr(analysis, "adsl", None)
    n = 0 if adsl is None else len(adsl)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # fork only from a single-threaded process (the CLI): a forked copy of a threaded server (the
    # app runs analyses in a worker thread) could inherit a held lock
    ok = "fork" in mp.get_all_start_methods() and threading.active_count() == 1
    return 2 if ok and (cpus or 1) >= 2 and n >= PARALLEL_FROM else 1


class FigureJob:
    """Report figures being drawn and saved, started by :func:`start_figures`.

    With 2 worker processes the figures render while the caller goes on (``analyze`` writes
    ``adam/`` meanwhile); :meth:`result` waits for them. In one process they are rendered in
    :meth:`result`. Either way :meth:`result` returns what :func:`render_figures` returns and
    records failed figures in ``results["errors"]`` then, in report order.
    """

    def __init__(self, analysis, fig_dir: str | Path) -> None:
        global _JOB
        self._analysis = analysis
        self._dir = Path(fig_dir)
        self._makers = figure_makers(analysis)
        self._pool = None
        self._pending = None
        self._done: dict[str, RenderedFigure] | None = None
        workers = min(_workers(analysis), len(self._makers))
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            # the costliest figures first, so the two processes finish together
            order = sorted(self._makers, key=lambda s: s not in (
                "swimmer", "waterfall", "spider", "km_os", "km_pfs"))
            _JOB = (self._makers, self._dir)
            gc.freeze()  # the workers' collector leaves the inherited heap alone (no COW copies)
            try:  # the workers fork at the first submit and keep their copy of _JOB
                self._pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
                self._pending = [self._pool.submit(_render_one, s) for s in order]
            except BaseException:
                self.cancel()
                raise
            finally:
                gc.unfreeze()
                _JOB = None

    def result(self) -> dict[str, RenderedFigure]:
        """Wait for every figure; ``{stem: RenderedFigure}`` in report order (see
        :func:`render_figures`)."""
        global _JOB
        if self._done is not None:
            return self._done
        if self._pending is not None:
            try:
                got = {f.result()[0]: f.result() for f in self._pending}
            finally:
                self.cancel()
            results = [got[s] for s in self._makers]
        else:
            _JOB = (self._makers, self._dir)
            try:
                results = [_render_one(s) for s in self._makers]
            finally:
                _JOB = None
        errors = self._analysis.results.setdefault("errors", {})
        done: dict[str, RenderedFigure] = {}
        for stem, paths, note, err in results:
            if paths is None:
                errors[f"figure:{stem}"] = err
                continue
            done[stem] = RenderedFigure(stem, paths, note)
        self._done = done
        return done

    def cancel(self) -> None:
        """Stop the worker processes (figures not yet started are dropped); idempotent."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start_figures(analysis, fig_dir: str | Path) -> FigureJob:
    """Start rendering every report figure into ``fig_dir``; :meth:`FigureJob.result` waits.

    From ``PARALLEL_FROM`` subjects on, in a single-threaded process with 2 or more CPUs (or
    with ``ONCOTRIAL_FIGURE_WORKERS=k``), 2 forked processes draw the figures while the caller
    goes on; otherwise nothing is drawn until :meth:`FigureJob.result`.

    Examples
    --------
    >>> import tempfile
    >>> from oncotrial.analysis import analyze_study, example_spec_path
    >>> a = analyze_study(example_spec_path())
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(start_figures(a, d).result())[:2]
    ['ae_bars', 'flow']
    """
    return FigureJob(analysis, fig_dir)


def render_figures(analysis, fig_dir: str | Path) -> dict[str, RenderedFigure]:
    """Build and save every report figure into ``fig_dir``, in report order.

    PNG (300 dpi), SVG and PDF per figure. From ``PARALLEL_FROM`` subjects on, in a
    single-threaded process with 2 or more CPUs (or with ``ONCOTRIAL_FIGURE_WORKERS=k``), figures
    are drawn in 2 forked processes; the files are the same bytes either way. A figure that
    fails to draw or save is left out, its error recorded in
    ``results["errors"]["figure:<stem>"]`` and any partial files removed; an ``OSError`` (disk
    full, permission lost) propagates so that the whole output is abandoned.
    """
    return start_figures(analysis, fig_dir).result()


__all__ = ["FigureJob", "RenderedFigure", "build_figures", "cox_term_labels", "figure_makers",
           "km_curve", "n_at_risk", "render_figures", "start_figures"]
