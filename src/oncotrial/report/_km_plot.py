"""Kaplan-Meier figure: step curves with confidence bands, censor marks, median lines and a
numbers-at-risk table under the x axis (the layout of the seed papers' survival figures).

The renderer computes nothing: the analysis layer passes the step function, bands, censor points
and risk table it got from :func:`oncotrial.stats.kaplan_meier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncotrial.report._figure_base import GROUP_COLORS, new_figure, styled


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


@styled
def plot_km(curves: Sequence[KMCurve], *, risk_table: pd.DataFrame | None = None,
            xlabel: str = "Months", ylabel: str = "Survival probability", title: str = "",
            band: bool = True, median_lines: bool = True, xmax: float | None = None) -> Figure:
    """Draw Kaplan-Meier curves with an optional numbers-at-risk table.

    Parameters
    ----------
    curves : sequence of KMCurve
        One per group, drawn in order with the house colours.
    risk_table : DataFrame, optional
        Index = curve labels, columns = times (x positions), values = number at risk.
    band : bool, default=True
        Shade the pointwise confidence band (step-wise, like R ``plot(survfit, conf.int=TRUE)``).
    median_lines : bool, default=True
        Dashed guide at S = 0.5 down to each reached median.

    Examples
    --------
    >>> c = KMCurve("All", np.array([1., 2.]), np.array([.5, .25]), np.array([.2, .05]),
    ...             np.array([.9, .7]), np.array([3.]), np.array([.25]), median=1.0)
    >>> fig = plot_km([c], risk_table=pd.DataFrame({0: [4], 2: [2]}, index=["All"]))
    >>> len(fig.axes)
    2
    """
    fig = new_figure(7.0, 5.2 if risk_table is not None else 4.2)
    if risk_table is not None:
        gs = fig.add_gridspec(2, 1, height_ratios=[4, 0.45 + 0.28 * len(risk_table)])
        ax = fig.add_subplot(gs[0])
        ax_tab = fig.add_subplot(gs[1], sharex=ax)
    else:
        ax = fig.add_subplot()
        ax_tab = None
    for i, c in enumerate(curves):
        color = GROUP_COLORS[i % len(GROUP_COLORS)]
        x, y = _steps(c.time, c.surv)
        ax.step(x, y, where="post", color=color, lw=1.6, label=c.label)
        if band and len(c.time):
            _, lo = _steps(c.time, c.lower)
            _, hi = _steps(c.time, c.upper)
            lo = np.nan_to_num(lo, nan=0.0)
            hi = np.nan_to_num(hi, nan=1.0)
            ax.fill_between(x, lo, hi, step="post", color=color, alpha=0.15, lw=0)
        if len(c.censor_time):
            ax.plot(c.censor_time, c.censor_surv, ls="none", marker="|", ms=7, mew=1.2, color=color)
        if median_lines and np.isfinite(c.median):
            ax.plot([0, c.median], [0.5, 0.5], ls=":", lw=0.8, color="grey")
            ax.plot([c.median, c.median], [0, 0.5], ls=":", lw=0.8, color=color)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, xmax if xmax is not None else None)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left")
    if len(curves) > 1 or (curves and curves[0].label):
        ax.legend(frameon=False, loc="upper right")
    if ax_tab is None:
        ax.set_xlabel(xlabel)
        return fig
    ax.tick_params(labelbottom=False)
    ax_tab.set_xlabel(xlabel)
    ax_tab.set_yticks(range(len(risk_table)))
    ax_tab.set_yticklabels(list(risk_table.index)[::-1])
    ax_tab.set_ylim(-0.6, len(risk_table) - 0.4)
    ax_tab.spines[["left", "top", "right"]].set_visible(False)
    ax_tab.tick_params(axis="y", length=0)
    for row, label in enumerate(list(risk_table.index)[::-1]):
        color = GROUP_COLORS[(len(risk_table) - 1 - row) % len(GROUP_COLORS)]
        for t, n in risk_table.loc[label].items():
            ax_tab.text(float(t), row, f"{int(n)}", ha="center", va="center", fontsize=8, color=color)
    ax_tab.set_title("Number at risk", loc="left", fontsize=8)
    return fig
