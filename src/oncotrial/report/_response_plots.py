"""Tumour-response figures: waterfall (best % change in target sum), spider (% change over time)
and swimmer (time on study with response events) — the layouts of seed 004 Fig. 1 and 2.

Renderers only: best % change, BOR and durations come from ``oncotrial.derive``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncotrial.report._figure_base import BOR_COLORS, color_for, new_figure, styled

PD_LINE = 20.0  # RECIST 1.1 section 4.3.1: >= 20 % increase (from nadir) for PD — drawn as a guide
PR_LINE = -30.0  # RECIST 1.1 section 4.3.1: >= 30 % decrease (from baseline) for PR


def _legend(ax, categories) -> None:
    present = [c for c in BOR_COLORS if c in set(categories)]
    ax.legend(handles=[Patch(color=color_for(c), label=c) for c in present], frameon=False,
              loc="upper right", title="Best overall response", fontsize=8, title_fontsize=8)


@styled
def plot_waterfall(data: pd.DataFrame, *, value: str = "best_pct", category: str = "bor",
                   title: str = "", ylabel: str = "Best change in sum of target lesions (%)") -> Figure:
    """Waterfall: one bar per subject, sorted from largest increase to largest decrease.

    ``data`` has one row per subject with ``value`` (percent) and ``category`` (BOR code).
    Dashed guides at +20 % and -30 % (RECIST 1.1 PD/PR thresholds).

    Examples
    --------
    >>> df = pd.DataFrame({"best_pct": [25.0, -40.0, 0.0], "bor": ["PD", "PR", "SD"]})
    >>> fig = plot_waterfall(df)
    >>> len(fig.axes[0].patches)
    3
    """
    d = data.sort_values(value, ascending=False, kind="stable").reset_index(drop=True)
    fig = new_figure(7.5, 4.0)
    ax = fig.add_subplot()
    ax.bar(np.arange(len(d)), d[value].to_numpy(float), color=[color_for(c) for c in d[category]],
           width=0.85)
    ax.axhline(PD_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(PR_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(0, lw=0.6, color="black")
    ax.set_xticks([])
    ax.set_xlabel(f"Patients (n = {len(d)})")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left")
    _legend(ax, d[category])
    return fig


@styled
def plot_spider(data: pd.DataFrame, *, subject: str = "subject_id", time: str = "time",
                value: str = "pct_change", category: str = "bor", title: str = "",
                xlabel: str = "Months since start of treatment") -> Figure:
    """Spider plot: one line per subject of % change from baseline over time, coloured by BOR.

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": ["a", "a", "b", "b"], "time": [0, 2, 0, 2],
    ...                    "pct_change": [0, -35, 0, 22], "bor": ["PR", "PR", "PD", "PD"]})
    >>> len(plot_spider(df).axes[0].lines) >= 2
    True
    """
    fig = new_figure(7.0, 4.2)
    ax = fig.add_subplot()
    for _sid, g in data.sort_values([subject, time], kind="stable").groupby(subject, sort=True):
        ax.plot(g[time].to_numpy(float), g[value].to_numpy(float), marker="o", ms=2.5, lw=1,
                color=color_for(g[category].iloc[0]), alpha=0.9)
    ax.axhline(PD_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(PR_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(0, lw=0.6, color="black")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Change in sum of target lesions (%)")
    if title:
        ax.set_title(title, loc="left")
    _legend(ax, data[category])
    return fig


@styled
def plot_swimmer(data: pd.DataFrame, *, subject: str = "subject_id", duration: str = "duration",
                 category: str = "bor", response_start: str | None = "response_start",
                 response_end: str | None = "response_end", ongoing: str | None = "ongoing",
                 title: str = "", xlabel: str = "Months since start of treatment") -> Figure:
    """Swimmer plot: one horizontal bar per subject (time on study), coloured by BOR, with the
    response period drawn as a black line and ongoing subjects marked with an arrow.

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": ["a", "b"], "duration": [10.0, 4.0], "bor": ["PR", "PD"],
    ...                    "response_start": [2.0, np.nan], "response_end": [9.0, np.nan],
    ...                    "ongoing": [True, False]})
    >>> len(plot_swimmer(df).axes[0].patches)
    2
    """
    d = data.sort_values(duration, ascending=True, kind="stable").reset_index(drop=True)
    fig = new_figure(7.0, max(3.0, 0.16 * len(d) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(d))
    ax.barh(y, d[duration].to_numpy(float), color=[color_for(c) for c in d[category]], height=0.7)
    if response_start and response_start in d:
        rs = d[response_start].to_numpy(float)
        re = d[response_end].to_numpy(float) if response_end and response_end in d else rs
        ok = np.isfinite(rs)
        ax.hlines(y[ok], rs[ok], np.where(np.isfinite(re[ok]), re[ok], rs[ok]), color="black", lw=1.6)
        ax.plot(rs[ok], y[ok], ls="none", marker="^", ms=4, color="black", label="Response start")
    if ongoing and ongoing in d:
        on = d[ongoing].fillna(False).to_numpy(bool)
        ax.plot(d[duration].to_numpy(float)[on] + 0.3, y[on], ls="none", marker=">", ms=4,
                color="black", label="Ongoing")
    ax.set_yticks(y)
    ax.set_yticklabels(d[subject].astype(str), fontsize=6)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    _legend(ax, d[category])
    return fig
