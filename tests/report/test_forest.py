"""forest_plot: a pure renderer; checks geometry, labels, validation and file output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.report._figure_base import save_figure
from oncotrial.report._forest import forest_plot

ROWS = pd.DataFrame({
    "label": ["Trial A", "Trial B", "Pooled", "New trial"],
    "estimate": [0.2, 0.5, 0.3, 0.45],
    "low": [0.1, 0.3, 0.22, 0.3],
    "high": [0.35, 0.7, 0.4, 0.6],
    "weight": [60.0, 40.0, np.nan, np.nan],
    "kind": ["study", "study", "summary", "new"],
})


def test_forest_plot_1_rows_top_to_bottom_and_values_text() -> None:
    fig = forest_plot(ROWS, xlabel="ORR", ref_line=0.25)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(ROWS.label)
    assert ax.get_yticks().tolist() == [3.0, 2.0, 1.0, 0.0]
    assert ax.get_xlabel() == "ORR"
    right = [t.get_text() for t in ax.child_axes[0].get_yticklabels()]
    assert right[0] == "0.20 [0.10, 0.35]"


def test_forest_plot_2_summary_is_a_diamond_spanning_ci() -> None:
    ax = forest_plot(ROWS).axes[0]
    diamonds = [p for p in ax.patches]
    assert len(diamonds) == 1
    xy = diamonds[0].get_xy()
    assert xy[:, 0].min() == pytest.approx(0.22) and xy[:, 0].max() == pytest.approx(0.4)


def test_forest_plot_3_marker_area_follows_weight() -> None:
    ax = forest_plot(ROWS).axes[0]
    sizes = [c.get_sizes()[0] for c in ax.collections if len(c.get_offsets()) == 1]
    assert sizes[0] == pytest.approx(100.0) and sizes[1] == pytest.approx(20 + 80 * 40 / 60)


def test_forest_plot_4_reference_line_and_log_scale() -> None:
    ax = forest_plot(ROWS.assign(kind="study"), ref_line=1.0, log_scale=True).axes[0]
    assert ax.get_xscale() == "log"
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.lines)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        (ROWS.assign(low=[0.3, 0.3, 0.22, 0.3]), r"low <= estimate <= high.*row 0 \('Trial A'\)"),
        (ROWS.drop(columns="high"), "missing \\['high'\\]"),
        (ROWS.assign(kind=["study", "x", "summary", "new"]), "kind must be one of"),
    ],
)
def test_forest_plot_5_bad_rows(rows: pd.DataFrame, match: str) -> None:
    with pytest.raises(OncotrialValueError, match=match):
        forest_plot(rows)


def test_forest_plot_6_missing_interval_is_allowed_and_file_written(tmp_path: Path) -> None:
    rows = ROWS.assign(low=[np.nan, 0.3, 0.22, 0.3], high=[np.nan, 0.7, 0.4, 0.6])
    fig = forest_plot(rows)
    (png,) = save_figure(fig, tmp_path / "forest", formats=("png",))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
