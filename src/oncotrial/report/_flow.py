"""Participant flow chart (CONSORT-style): a vertical chain of boxes (enrolled -> treated ->
evaluable) with the exclusions and their reasons in side boxes between stages.

Renderer only: the counts come from the analysis layer, which accounts for every subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.figure import Figure

from oncotrial.report._figure_base import new_figure, styled


@dataclass(frozen=True, slots=True)
class FlowStage:
    """One box of the main chain and the exclusions that lead out of it to the next stage."""

    label: str
    n: int
    excluded: Sequence[tuple[str, int]] = field(default_factory=tuple)


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
    k = len(stages)
    fig = new_figure(6.5, 1.25 * k + 0.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 2 * k)
    box = {"boxstyle": "round,pad=0.45", "fc": "#f2f6fb", "ec": "#2b5d8a", "lw": 1.0}
    side = {"boxstyle": "round,pad=0.35", "fc": "#fff7ec", "ec": "#b35806", "lw": 0.8}
    ys = [2 * k - 1 - 2 * i for i in range(k)]
    for i, st in enumerate(stages):
        ax.text(3.2, ys[i], f"{st.label}\nn = {st.n}", ha="center", va="center", fontsize=9, bbox=box)
        if i + 1 < k:
            ax.annotate("", xy=(3.2, ys[i + 1] + 0.45), xytext=(3.2, ys[i] - 0.45),
                        arrowprops={"arrowstyle": "-|>", "lw": 1.0, "color": "#2b5d8a"})
            if st.excluded:
                total = sum(n for _, n in st.excluded)
                lines = [f"Excluded, n = {total}"] + [f"  {r}: {n}" for r, n in st.excluded]
                ax.text(5.4, ys[i] - 1.0, "\n".join(lines), ha="left", va="center", fontsize=8, bbox=side)
                ax.plot([3.2, 5.3], [ys[i] - 1.0, ys[i] - 1.0], lw=0.8, color="#b35806")
    if title:
        ax.set_title(title, loc="left")
    return fig
