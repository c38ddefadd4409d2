"""Tumour-response figures: waterfall (best % change in target sum), spider (% change over time)
and swimmer (time on study with response events) — the layouts of seed 004 Fig. 1 and 2, one
panel per cohort when the data have a ``cohort`` column with more than one value.

Cheap and readable at any n (issue 21):

- **Waterfall**: up to ``DENSE`` bars per panel are ordinary bars; beyond, one
  :class:`~matplotlib.collections.PolyCollection` per panel (no per-bar artist), rasterized in
  SVG/PDF. Every patient is drawn.
- **Swimmer and spider**: at most ``SWIMMER_CAP`` (``SPIDER_CAP``) patients per panel. The
  selection rule (:func:`select_patients`): every responder (BOR CR or PR) while they fit, then a
  random sample of the others drawn with a fixed seed (``SELECTION_SEED``) to fill the cap; when
  the responders alone exceed the cap, a seeded sample of them. The rule and the counts are printed
  on the figure and returned as the figure note.

Renderers only: best % change, BOR and durations come from ``oncotrial.derive``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncotrial.report._figure_base import BOR_COLORS, DENSE, color_for, figure_title, new_figure, outside_legend, styled

PD_LINE = 20.0  # RECIST 1.1 section 4.3.1: >= 20 % increase (from nadir) for PD — drawn as a guide
PR_LINE = -30.0  # RECIST 1.1 section 4.3.1: >= 30 % decrease (from baseline) for PR
SWIMMER_CAP = 60  # patients per swimmer panel (one readable row each at journal size)
SPIDER_CAP = 100  # patients per spider panel
SELECTION_SEED = 20211  # fixed: the same patients are shown on every run
RESPONDERS = ("CR", "PR")


def _bor_handles(categories) -> list:
    present = set(map(str, categories))
    return [Patch(color=color_for(c), label=c) for c in BOR_COLORS if c in present]


def _panels(data: pd.DataFrame, facet: str | None,
            order: Sequence[str] | None = None) -> list[tuple[str, pd.DataFrame]]:
    """One (name, rows) per facet value: in ``order`` first, then in order of appearance."""
    if facet and facet in data and data[facet].nunique(dropna=False) > 1:
        groups = [(str(k), g) for k, g in data.groupby(facet, sort=False, dropna=False)]
        rank = {k: i for i, k in enumerate(order or ())}
        return sorted(groups, key=lambda kg: rank.get(kg[0], len(rank)))
    return [("", data)]


def select_patients(subjects: pd.DataFrame, *, cap: int, subject: str = "subject_id",
                    category: str = "bor", seed: int = SELECTION_SEED) -> tuple[pd.Index, str]:
    """Which subjects a capped panel shows, and the sentence that says how they were chosen.

    ``subjects`` has one row per subject. All of them when they fit; else every responder
    (``category`` CR or PR) and a seeded random sample of the others up to ``cap`` (a seeded
    sample of the responders when they alone exceed it). Returns the kept row labels, in input
    order, and the rule ('' when nothing was left out).

    Examples
    --------
    >>> d = pd.DataFrame({"subject_id": list("abcdef"), "bor": ["PR", "SD", "PD", "CR", "SD", "PD"]})
    >>> keep, rule = select_patients(d, cap=4)
    >>> {"a", "d"} <= set(d.loc[keep, "subject_id"]), len(keep)
    (True, 4)
    >>> rule
    'Showing 4 of 6 patients: all 2 responders (CR/PR) and a random sample (seed 20211) of 2 of the 4 others.'
    """
    n = len(subjects)
    if n <= cap:
        return subjects.index, ""
    rng = np.random.default_rng(seed)
    resp = subjects[category].astype(str).isin(RESPONDERS).to_numpy()
    idx_r, idx_o = np.flatnonzero(resp), np.flatnonzero(~resp)
    if len(idx_r) >= cap:
        keep = np.sort(rng.choice(idx_r, size=cap, replace=False))
        rule = (f"Showing {cap} of {n} patients: a random sample (seed {seed}) of {cap} of the "
                f"{len(idx_r)} responders (CR/PR); the {len(idx_o)} others are not shown.")
    else:
        k = cap - len(idx_r)
        keep = np.sort(np.concatenate([idx_r, rng.choice(idx_o, size=k, replace=False)]))
        rule = (f"Showing {cap} of {n} patients: all {len(idx_r)} responders (CR/PR) and a "
                f"random sample (seed {seed}) of {k} of the {len(idx_o)} others.")
    return subjects.index[keep], rule


def _bars(ax, x: np.ndarray, heights: np.ndarray, colors: list[str], width: float = 0.85,
          bottom: float = 0.0) -> None:
    """Vertical bars from ``bottom``: ordinary bars when few, one rasterized collection (no
    per-bar artist) when more than ``DENSE``."""
    if len(x) <= DENSE:
        ax.bar(x, heights - bottom, bottom=bottom, color=colors, width=width)
        return
    h = width / 2
    b = np.full_like(x, bottom)
    verts = np.stack([np.column_stack([x - h, b]), np.column_stack([x - h, heights]),
                      np.column_stack([x + h, heights]), np.column_stack([x + h, b])], axis=1)
    if ax.get_yscale() == "linear" or ax.get_xscale() != "linear":
        ax.add_collection(PolyCollection(verts, facecolors=colors, edgecolors="none",
                                         rasterized=True))
    else:
        # A log (non-affine) y axis would transform the polygons one by one, in Python, at every
        # draw and for the data limits (~0.7 s per format for 10,000 bars). Hand the collection
        # its vertices already in the axis' scaled space, with the affine rest of transData,
        # and give the axes the data limits the bars span, computed as matplotlib computes
        # them (scaled extents mapped back): limits equal to rounding, the same files.
        scale = ax.yaxis.get_transform()
        y = scale.transform_non_affine(verts[..., 1].ravel()).reshape(verts.shape[:2])
        ax.add_collection(PolyCollection(np.stack([verts[..., 0], y], axis=-1),
                                         facecolors=colors, edgecolors="none", rasterized=True,
                                         transform=ax.transLimits + ax.transAxes),
                          autolim=False)
        lo, hi = scale.inverted().transform_non_affine(np.array([np.nanmin(y), np.nanmax(y)]))
        ax.update_datalim([(float(np.min(verts[..., 0])), lo), (float(np.max(verts[..., 0])), hi)])
    ax.autoscale_view()


def _guides(ax) -> None:
    ax.axhline(PD_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(PR_LINE, ls="--", lw=0.8, color="grey")
    ax.axhline(0, lw=0.6, color="black")


@styled
def plot_waterfall(data: pd.DataFrame, *, value: str = "best_pct", category: str = "bor",
                   title: str = "", ylabel: str = "Best change in sum of target lesions (%)",
                   facet: str | None = "cohort", panel_order: Sequence[str] | None = None) -> Figure:
    """Waterfall: one bar per subject, sorted from largest increase to largest decrease, one
    panel per ``facet`` value (shared y axis).

    ``data`` has one row per subject with ``value`` (percent) and ``category`` (BOR code).
    Dashed guides at +20 % and -30 % (RECIST 1.1 PD/PR thresholds).

    Examples
    --------
    >>> df = pd.DataFrame({"best_pct": [25.0, -40.0, 0.0], "bor": ["PD", "PR", "SD"]})
    >>> fig = plot_waterfall(df)
    >>> len(fig.axes[0].patches)
    3
    """
    panels = _panels(data, facet, panel_order)
    fig = new_figure(6.5 if len(panels) == 1 else 3.4 * len(panels), 3.8)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (name, g) in zip(axes, panels, strict=True):
        d = g.sort_values(value, ascending=False, kind="stable")
        _bars(ax, np.arange(len(d), dtype=float), d[value].to_numpy(float),
              [color_for(c) for c in d[category]])
        _guides(ax)
        ax.set_xticks([])
        ax.set_xlabel(f"Patients (n = {len(d)})")
        if name:
            ax.set_title(name, loc="left")
    axes[0].set_ylabel(ylabel)
    figure_title(fig, title)
    outside_legend(fig, _bor_handles(data[category]), title="Best overall response")
    return fig


@styled
def plot_spider(data: pd.DataFrame, *, subject: str = "subject_id", time: str = "time",
                value: str = "pct_change", category: str = "bor", title: str = "",
                xlabel: str = "Months since start of treatment", facet: str | None = "cohort",
                cap: int = SPIDER_CAP, panel_order: Sequence[str] | None = None) -> Figure:
    """Spider plot: one line per subject of % change from baseline over time, coloured by BOR,
    one panel per ``facet`` value; at most ``cap`` subjects per panel (:func:`select_patients`,
    the rule printed under the title and kept in ``fig.oncotrial_note``).

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": ["a", "a", "b", "b"], "time": [0, 2, 0, 2],
    ...                    "pct_change": [0, -35, 0, 22], "bor": ["PR", "PR", "PD", "PD"]})
    >>> len(plot_spider(df).axes[0].collections)
    2
    """
    panels = _panels(data, facet, panel_order)
    fig = new_figure(6.5 if len(panels) == 1 else 3.4 * len(panels), 4.0)
    axes = fig.subplots(1, len(panels), sharey=True, sharex=True, squeeze=False)[0]
    rules = []
    for ax, (name, g) in zip(axes, panels, strict=True):
        g = g.sort_values([subject, time], kind="stable")
        subj = g.groupby(subject, sort=True)[category].first().reset_index()
        keep, rule = select_patients(subj, cap=cap, subject=subject, category=category)
        if rule:
            rules.append(f"{name}: {rule}" if name else rule)
        kept = set(subj.loc[keep, subject])
        g = g[g[subject].isin(kept)]
        segs, cols = [], []
        for _sid, s in g.groupby(subject, sort=True):
            segs.append(np.column_stack([s[time].to_numpy(float), s[value].to_numpy(float)]))
            cols.append(color_for(s[category].iloc[0]))
        lc = LineCollection(segs, colors=cols, lw=1.0, alpha=0.9)
        ax.add_collection(lc)
        pts = ax.scatter(g[time].to_numpy(float), g[value].to_numpy(float), s=5, lw=0,
                         c=[color_for(c) for c in g[category]], zorder=3)
        if len(segs) > DENSE // 3:
            lc.set_rasterized(True)
            pts.set_rasterized(True)
        ax.autoscale_view()
        _guides(ax)
        ax.set_xlabel(xlabel)
        if name:
            ax.set_title(name, loc="left")
    axes[0].set_ylabel("Change in sum of target lesions (%)")
    note = " ".join(rules)
    figure_title(fig, title, note)
    fig.oncotrial_note = note
    outside_legend(fig, _bor_handles(data[category]), title="Best overall response")
    return fig


@styled
def plot_swimmer(data: pd.DataFrame, *, subject: str = "subject_id", duration: str = "duration",
                 category: str = "bor", response_start: str | None = "response_start",
                 response_end: str | None = "response_end", ongoing: str | None = "ongoing",
                 title: str = "", xlabel: str = "Months since start of treatment",
                 facet: str | None = "cohort", cap: int = SWIMMER_CAP,
                 panel_order: Sequence[str] | None = None) -> Figure:
    """Swimmer plot: one horizontal bar per subject (time on study), coloured by BOR, with the
    response period drawn as a black line from a triangle (response start) and subjects still
    on follow-up marked with an arrow; one panel per ``facet`` value, at most ``cap`` subjects
    per panel (:func:`select_patients`; the rule printed under the title and kept in
    ``fig.oncotrial_note``). Every marker is in the legend.

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": ["a", "b"], "duration": [10.0, 4.0], "bor": ["PR", "PD"],
    ...                    "response_start": [2.0, np.nan], "response_end": [9.0, np.nan],
    ...                    "ongoing": [True, False]})
    >>> len(plot_swimmer(df).axes[0].patches)
    2
    """
    panels = _panels(data, facet, panel_order)
    shown = []
    rules = []
    for name, g in panels:
        keep, rule = select_patients(g, cap=cap, subject=subject, category=category)
        shown.append((name, g.loc[keep].sort_values(duration, ascending=True, kind="stable")))
        if rule:
            rules.append(f"{name}: {rule}" if name else rule)
    rows = [max(len(d), 1) for _, d in shown]
    fig = new_figure(6.5, max(3.0, 0.13 * sum(rows) + 0.5 * len(rows) + 1.6))
    axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": rows})[:, 0]
    any_resp = any_on = False
    for ax, (name, d) in zip(axes, shown, strict=True):
        y = np.arange(len(d))
        ax.barh(y, d[duration].to_numpy(float), color=[color_for(c) for c in d[category]],
                height=0.7)
        if response_start and response_start in d:
            rs = d[response_start].to_numpy(float)
            re = d[response_end].to_numpy(float) if response_end and response_end in d else rs
            ok = np.isfinite(rs)
            any_resp |= bool(ok.any())
            ax.hlines(y[ok], rs[ok], np.where(np.isfinite(re[ok]), re[ok], rs[ok]), color="black",
                      lw=1.4)
            ax.plot(rs[ok], y[ok], ls="none", marker="^", ms=3.5, color="black")
        if ongoing and ongoing in d:
            on = d[ongoing].astype("boolean").fillna(False).to_numpy(bool)
            any_on |= bool(on.any())
            xmax = float(np.nanmax(d[duration].to_numpy(float))) if len(d) else 1.0
            ax.plot(d[duration].to_numpy(float)[on] + 0.012 * xmax, y[on], ls="none", marker=">",
                    ms=3.5, color="black")
        ax.set_yticks(y)
        ax.set_yticklabels(d[subject].astype(str), fontsize=5 if len(d) > 40 else 6)
        ax.set_ylim(-0.7, len(d) - 0.3)
        if name:
            ax.set_title(f"{name} (n = {len(d)})", loc="left")
    axes[-1].set_xlabel(xlabel)
    handles = _bor_handles(pd.concat([d[category] for _, d in shown]))
    if any_resp:
        handles.append(Line2D([], [], color="black", lw=1.4, marker="^", ms=3.5,
                              label="Response (start to end)"))
    if any_on:
        handles.append(Line2D([], [], color="black", ls="none", marker=">", ms=3.5,
                              label="Alive, follow-up ongoing"))
    note = " ".join(rules)
    figure_title(fig, title, note)
    fig.oncotrial_note = note
    outside_legend(fig, handles, title="Best overall response")
    return fig
