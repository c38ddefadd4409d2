"""Report figures: content drawn, not blank, reproducible bytes."""

from __future__ import annotations

import io

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from oncotrial.report._figure_base import BOR_COLORS, save_figure
from oncotrial.report._flow import FlowStage, plot_flow
from oncotrial.report._km_plot import KMCurve, plot_km
from oncotrial.report._response_plots import plot_spider, plot_swimmer, plot_waterfall
from oncotrial.report._safety_plots import plot_ae_bars


def ink_share(fig) -> float:
    """Share of pixels that are not (near-)white background."""
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    buf.seek(0)
    img = mpimg.imread(buf)[..., :3]
    return float((img.min(axis=2) < 0.95).mean())


@pytest.fixture
def km_curves():
    t = np.array([1.0, 2.0, 4.0, 6.0])
    s = np.array([0.9, 0.7, 0.5, 0.3])
    return [
        KMCurve("panNET", t, s, s - 0.15, np.minimum(s + 0.1, 1), np.array([3.0, 7.0]), np.array([0.7, 0.3]), 4.0),
        KMCurve("GI-NET", t + 0.5, s + 0.05, s - 0.1, np.minimum(s + 0.15, 1), np.array([]), np.array([]), np.nan),
    ]


def test_plot_km_1_draws_each_curve_band_and_risk_table(km_curves):
    risk = pd.DataFrame({0: [55, 56], 3: [40, 45], 6: [20, 25]}, index=["panNET", "GI-NET"])
    fig = plot_km(km_curves, risk_table=risk)
    ax, ax_tab = fig.axes
    legend = [t.get_text() for t in fig.legends[0].get_texts()]  # outside the curves (issue 13)
    assert legend[:2] == ["panNET", "GI-NET"] and "Censored" in legend
    assert sorted(t.get_text() for t in ax_tab.texts) == sorted(["55", "56", "40", "45", "20", "25"])
    assert len(ax.collections) == 2  # one confidence band per curve
    assert ink_share(fig) > 0.03


def test_plot_km_2_median_guide_only_when_reached(km_curves):
    fig = plot_km(km_curves)
    dotted = [ln for ln in fig.axes[0].lines if ln.get_linestyle() == ":"]
    assert len(dotted) == 2  # horizontal + vertical guide for the one reached median
    assert dotted[1].get_xdata()[0] == 4.0


def test_plot_waterfall_1_sorted_descending_and_coloured_by_bor():
    df = pd.DataFrame({"best_pct": [-40.0, 25.0, 0.0, -100.0], "bor": ["PR", "PD", "SD", "CR"]})
    fig = plot_waterfall(df)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [25.0, 0.0, -40.0, -100.0]
    hlines = sorted(ln.get_ydata()[0] for ln in fig.axes[0].lines)
    assert hlines == [-30.0, 0.0, 20.0]
    assert ink_share(fig) > 0.02


def test_plot_spider_and_swimmer_not_blank():
    spider = pd.DataFrame({"subject_id": list("aabbcc"), "time": [0, 2, 0, 3, 0, 1],
                           "pct_change": [0, -45, 0, 30, 0, 5], "bor": ["PR"] * 2 + ["PD"] * 2 + ["SD"] * 2})
    assert ink_share(plot_spider(spider)) > 0.01
    swim = pd.DataFrame({"subject_id": ["a", "b", "c"], "duration": [12.0, 3.0, 7.5], "bor": ["PR", "PD", "SD"],
                         "response_start": [2.0, np.nan, np.nan], "response_end": [11.0, np.nan, np.nan],
                         "ongoing": [True, False, False]})
    fig = plot_swimmer(swim)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths == [3.0, 7.5, 12.0]
    assert ink_share(fig) > 0.02


def test_plot_ae_bars_percentages():
    df = pd.DataFrame({"term": ["Hypertension", "Fatigue"], "1-2": [20, 11], "3-4": [10, 0]})
    fig = plot_ae_bars(df, n_patients=50)
    widths = [round(p.get_width(), 6) for p in fig.axes[0].patches]
    assert widths == [40.0, 22.0, 20.0, 0.0]  # band 1-2 for both terms, then band 3-4
    assert ink_share(fig) > 0.02


def test_plot_flow_counts_every_box():
    fig = plot_flow([FlowStage("Enrolled", 111, [("Withdrew consent", 4)]), FlowStage("Treated", 107),
                     FlowStage("Evaluable", 107)])
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for needle in ("Enrolled\nn = 111", "Treated\nn = 107", "Withdrew consent: 4", "Excluded, n = 4"):
        assert needle in texts
    assert ink_share(fig) > 0.01


def test_save_figure_is_byte_identical_across_runs(tmp_path, km_curves):
    a = save_figure(plot_km(km_curves), tmp_path / "a" / "km")
    b = save_figure(plot_km(km_curves), tmp_path / "b" / "km")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()


def test_bor_colours_cover_every_recist_code():
    assert set(BOR_COLORS) == {"CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"}
