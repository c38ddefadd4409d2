"""Adverse-event figure: horizontal bars of the share of patients by worst CTCAE grade band per
term (grade 1-2 and 3-4, plus 5 when present), the figure companion of seed 004 Table 3.

Renderer only: worst grade per patient and term comes from ``oncotrial.derive``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncotrial.report._figure_base import GRADE_COLORS, figure_title, new_figure, outside_legend, styled


@styled
def plot_ae_bars(data: pd.DataFrame, *, n_patients: int, term: str = "term",
                 bands: tuple[str, ...] = ("1-2", "3-4", "5"), title: str = "") -> Figure:
    """Stacked horizontal bars: % of ``n_patients`` whose worst grade for the term is in each band.

    ``data`` has one row per term and one count column per band (missing bands count 0). Rows are
    drawn in the order given (sort before calling; the most frequent term on top).

    Examples
    --------
    >>> df = pd.DataFrame({"term": ["Fatigue", "Rash"], "1-2": [30, 5], "3-4": [8, 1]})
    >>> len(plot_ae_bars(df, n_patients=55).axes[0].patches)
    4
    """
    d = data.reset_index(drop=True)
    present = [b for b in bands if b in d and d[b].fillna(0).sum() > 0] or [bands[0]]
    fig = new_figure(6.5, max(2.5, 0.22 * len(d) + 1.5))
    ax = fig.add_subplot()
    y = np.arange(len(d))[::-1]
    left = np.zeros(len(d))
    for b in present:
        pct = 100.0 * d[b].fillna(0).to_numpy(float) / n_patients if b in d else np.zeros(len(d))
        ax.barh(y, pct, left=left, color=GRADE_COLORS.get(b, "#777777"), height=0.7)
        left += pct
    ax.set_yticks(y)
    ax.set_yticklabels(d[term].astype(str), fontsize=7)
    ax.set_xlabel(f"Patients (%), N = {n_patients}")
    ax.set_xlim(0, max(10.0, float(left.max()) * 1.1) if len(left) else 10.0)
    outside_legend(fig, [Patch(color=GRADE_COLORS.get(b, "#777777"), label=f"Grade {b}")
                         for b in present], title="Worst CTCAE grade")
    figure_title(fig, title)
    return fig
