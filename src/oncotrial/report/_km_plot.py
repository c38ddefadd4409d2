"""Kaplan-Meier figure: step curves with confidence bands, censor marks, median lines and a
numbers-at-risk table under the x axis (the layout of the seed papers' survival figures, and of
survminer's ``ggsurvplot(risk.table = TRUE)``).

Layout: the legend (arm, n, median) sits under the figure, outside the curves; the comparison
(log-rank p, HR) is the subtitle; the risk table shares the x axis so each count sits under its
tick, with the arm names coloured to its left, padded so that a count at time 0 never touches
its label. Overlapping bands stay readable: a light fill plus dashed band edges in the arm's
colour. The renderer computes nothing: the analysis layer passes the step function, bands,
censor points and risk table it got from :func:`oncotrial.stats.kaplan_meier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncotrial.report._figure_base import DENSE, GROUP_COLORS, figure_title, new_figure, outside_legend, styled


@dataclass(frozen=True, slots=True)
class KMCurve:
    """One group's Kaplan-Meier step function, ready to draw.

    ``time``/``surv``/``lower``/``upper`` are the values *after* each jump (as R's
    ``summary.survfit``); the renderer adds the (0, 1) start. ``median`` is NaN when not reached.
    """

    label: str
    time: np.ndarray
    surv: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    censor_time: np.ndarray
    censor_surv: np.ndarray
    median: float = float("nan")


def _steps(t: np.ndarray, y: np.ndarray, start: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([[0.0], np.asarray(t, float)]), np.concatenate([[start], np.asarray(y, float)])


_STEPS = (0.1, 0.2, 0.25, 0.5, 1, 2, 3, 6, 12, 24, 36, 48, 60, 120, 180, 240, 365, 730)


def risk_times(tmax: float, *, min_points: int = 4, max_points: int = 8) -> np.ndarray:
    """Times of the numbers-at-risk table and x ticks: multiples of the smallest nice step
    (0.1 ... 1, 2, 3, 6, 12, 24, ... — months fall on quarters and years) that gives at most
    ``max_points`` times from 0 to ``tmax``; never fewer than ``min_points`` (a 4-month PFS gets
    0, 1, 2, 3, 4 instead of 0 and 3).

    Examples
    --------
    >>> risk_times(4.2).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0]
    >>> risk_times(43.0).tolist()
    [0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0]
    """
    if not np.isfinite(tmax) or tmax <= 0:
        return np.array([0.0])
    for step in _STEPS:
        k = int(np.floor(tmax / step + 1e-9))
        if min_points <= k + 1 <= max_points:
            return np.round(np.arange(k + 1) * float(step), 10)
    return np.linspace(0.0, float(tmax), min_points)


@styled
def plot_km(curves: Sequence[KMCurve], *, risk_table: pd.DataFrame | None = None,
            xlabel: str = "Months", ylabel: str = "Survival probability", title: str = "",
            subtitle: str = "", band: bool = True, median_lines: bool = True,
            xmax: float | None = None, legend_labels: Sequence[str] | None = None) -> Figure:
    """Draw Kaplan-Meier curves with an optional numbers-at-risk table.

    Parameters
    ----------
    curves : sequence of KMCurve
        One per group, drawn in order with the house colours.
    risk_table : DataFrame, optional
        Index = curve labels, columns = times (x positions and ticks), values = number at risk.
    subtitle : str, optional
        Second title line (the comparison: log-rank p, HR and its CI).
    band : bool, default=True
        Shade the pointwise confidence band (step-wise, like R ``plot(survfit, conf.int=TRUE)``)
        with dashed edges, so overlapping bands stay apart.
    median_lines : bool, default=True
        Dotted guide at S = 0.5 down to each reached median.
    legend_labels : sequence of str, optional
        Legend text per curve (default: the curve labels).

    Examples
    --------
    >>> c = KMCurve("All", np.array([1., 2.]), np.array([.5, .25]), np.array([.2, .05]),
    ...             np.array([.9, .7]), np.array([3.]), np.array([.25]), median=1.0)
    >>> fig = plot_km([c], risk_table=pd.DataFrame({0: [4], 2: [2]}, index=["All"]))
    >>> len(fig.axes)
    2
    """
    n_tab = 0 if risk_table is None else len(risk_table)
    fig = new_figure(6.5, 4.4 + 0.22 * n_tab + (0.35 if subtitle else 0.0))
    if risk_table is not None:
        gs = fig.add_gridspec(2, 1, height_ratios=[4, 0.55 + 0.3 * n_tab])
        ax = fig.add_subplot(gs[0])
        ax_tab = fig.add_subplot(gs[1], sharex=ax)
    else:
        ax = fig.add_subplot()
        ax_tab = None
    handles = []
    labels = list(legend_labels) if legend_labels is not None else [c.label for c in curves]
    for i, c in enumerate(curves):
        color = GROUP_COLORS[i % len(GROUP_COLORS)]
        x, y = _steps(c.time, c.surv)
        ax.step(x, y, where="post", color=color, lw=1.6, zorder=3)
        if band and len(c.time):
            _, lo = _steps(c.time, c.lower)
            _, hi = _steps(c.time, c.upper)
            lo = np.nan_to_num(lo, nan=0.0)
            hi = np.nan_to_num(hi, nan=1.0)
            poly = ax.fill_between(x, lo, hi, step="post", color=color, alpha=0.12, lw=0)
            edges = [ax.step(x, v, where="post", color=color, lw=0.6, ls="--", alpha=0.8)[0]
                     for v in (lo, hi)]
            if len(x) > DENSE:
                for art in [poly, *edges]:
                    art.set_rasterized(True)
        if len(c.censor_time):
            (marks,) = ax.plot(c.censor_time, c.censor_surv, ls="none", marker="|", ms=6, mew=1.0,
                               color=color, zorder=4)
            marks.set_rasterized(len(c.censor_time) > DENSE)
        if median_lines and np.isfinite(c.median):
            ax.plot([0, c.median], [0.5, 0.5], ls=":", lw=0.8, color="grey")
            ax.plot([c.median, c.median], [0, 0.5], ls=":", lw=0.8, color=color)
        handles.append(Line2D([], [], color=color, lw=1.6, label=labels[i]))
    if any(len(c.censor_time) for c in curves):
        handles.append(Line2D([], [], color="#555555", ls="none", marker="|", ms=6, mew=1.0,
                              label="Censored"))
    if band:
        handles.append(Line2D([], [], color="#555555", lw=0.6, ls="--",
                              label="95% CI (band, dashed edges)"))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, xmax if xmax is not None else None)
    ax.set_ylabel(ylabel)
    figure_title(fig, title, subtitle)
    outside_legend(fig, handles, ncols=2)
    if ax_tab is None:
        ax.set_xlabel(xlabel)
        return fig
    times = [float(t) for t in risk_table.columns]
    ax.set_xticks(times)
    ax.tick_params(labelbottom=False)
    ax_tab.set_xlabel(xlabel)
    rows = list(risk_table.index)
    ax_tab.set_yticks(range(len(rows)))
    ax_tab.set_yticklabels(rows[::-1])
    digits = max((len(f"{int(v)}") for v in risk_table.to_numpy().ravel()), default=1)
    ax_tab.tick_params(axis="y", length=0, pad=4 + 2.6 * digits)  # count at t = 0 clears the label
    for lab, row in zip(ax_tab.get_yticklabels(), range(len(rows)), strict=True):
        lab.set_color(GROUP_COLORS[(len(rows) - 1 - row) % len(GROUP_COLORS)])
    ax_tab.set_ylim(-0.6, len(rows) - 0.4)
    ax_tab.spines[["left", "top", "right"]].set_visible(False)
    for row, label in enumerate(rows[::-1]):
        color = GROUP_COLORS[(len(rows) - 1 - row) % len(GROUP_COLORS)]
        for t, n in risk_table.loc[label].items():
            ax_tab.text(float(t), row, f"{int(n)}", ha="center", va="center", fontsize=8,
                        color=color)
    ax_tab.set_title("Number at risk", loc="left", fontsize=8)
    return fig
