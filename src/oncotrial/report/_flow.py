"""Participant flow chart (CONSORT-style): a vertical chain of boxes (enrolled -> treated ->
evaluable) with the exclusions and their reasons in side boxes between stages; one panel per
cohort side by side when the study has cohorts (TALENT's Figure 1).

Renderer only: the counts come from the analysis layer, which accounts for every subject.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.figure import Figure

from oncotrial.report._figure_base import figure_title, new_figure, styled


@dataclass(frozen=True, slots=True)
class FlowStage:
    """One box of the main chain and the exclusions that lead out of it to the next stage."""

    label: str
    n: int
    excluded: Sequence[tuple[str, int]] = field(default_factory=tuple)


_BOX = {"boxstyle": "round,pad=0.45", "fc": "#f2f6fb", "ec": "#0072B2", "lw": 1.0}
_SIDE = {"boxstyle": "round,pad=0.35", "fc": "#fff7ec", "ec": "#D55E00", "lw": 0.8}


def _draw(ax, stages: Sequence[FlowStage], wrap: int) -> None:
    k = len(stages)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 2 * k)
    ys = [2 * k - 1 - 2 * i for i in range(k)]
    for i, st in enumerate(stages):
        label = "\n".join(textwrap.wrap(st.label, 22)) or st.label
        ax.text(2.6, ys[i], f"{label}\nn = {st.n}", ha="center", va="center", fontsize=8,
                bbox=_BOX)
        if i + 1 < k:
            ax.annotate("", xy=(2.6, ys[i + 1] + 0.5), xytext=(2.6, ys[i] - 0.5),
                        arrowprops={"arrowstyle": "-|>", "lw": 1.0, "color": "#0072B2"})
            if st.excluded:
                total = sum(n for _, n in st.excluded)
                lines = [f"Excluded, n = {total}"]
                for r, n in st.excluded:
                    lines += textwrap.wrap(f"{r}: {n}", wrap, initial_indent="  ",
                                           subsequent_indent="    ")
                ax.text(5.3, ys[i] - 1.0, "\n".join(lines), ha="left", va="center", fontsize=7,
                        bbox=_SIDE)
                ax.plot([2.6, 5.2], [ys[i] - 1.0, ys[i] - 1.0], lw=0.8, color="#D55E00")


@styled
def plot_flow(stages: Sequence[FlowStage], *, title: str = "") -> Figure:
    """Draw the flow chart; exclusions of stage *i* sit beside the arrow to stage *i + 1*.

    Examples
    --------
    >>> fig = plot_flow([FlowStage("Enrolled", 111, [("Withdrew consent", 4)]),
    ...                  FlowStage("Evaluable", 107)])
    >>> sum(1 for t in fig.axes[0].texts if "n = " in t.get_text())
    3
    """
    return plot_flow_panels([("", stages)], title=title)


@styled
def plot_flow_panels(panels: Sequence[tuple[str, Sequence[FlowStage]]], *,
                     title: str = "") -> Figure:
    """One flow chart per ``(cohort, stages)`` pair, side by side with the cohort as the panel
    title (TALENT Figure 1: one column per cohort).

    Examples
    --------
    >>> fig = plot_flow_panels([("A", [FlowStage("Enrolled", 5), FlowStage("Treated", 5)]),
    ...                         ("B", [FlowStage("Enrolled", 6), FlowStage("Treated", 6)])])
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['A', 'B']
    """
    k = max(len(st) for _, st in panels)
    m = len(panels)
    width = 6.5 if m == 1 else min(3.6 * m, 10.0)
    fig = new_figure(width, 1.15 * k + 0.7)
    axes = fig.subplots(1, m, squeeze=False)[0]
    wrap = 34 if m == 1 else 26
    for ax, (name, stages) in zip(axes, panels, strict=True):
        _draw(ax, stages, wrap)
        if name:
            ax.set_title(name, loc="left", fontsize=9)
    figure_title(fig, title)
    return fig
