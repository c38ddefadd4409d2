"""A reader's check of every report figure of the three bundled twin reports (issue 13): no two
pieces of text overlap (titles, axis labels, tick labels, risk-table counts, flow-chart boxes,
legends), and no legend sits on a data panel. Bounding boxes come from the Agg renderer
(``Artist.get_window_extent``), as drawn at 100 dpi."""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox

from oncotrial.report._figures import build_figures

TWINS = ("nice-nec", "regomune", "talent")
STEMS = {"flow", "km_os", "km_pfs", "waterfall", "spider", "swimmer", "forest_cox", "ae_bars",
         "gmi"}


@pytest.fixture(scope="module")
def twin_figures(twin_analyses):
    figs = {}
    for name in TWINS:
        analysis = twin_analyses[name]
        figs[name] = build_figures(analysis)
        assert not analysis.results.get("errors"), analysis.results.get("errors")
    return figs


def _text_box(t, renderer) -> Bbox:
    box = t.get_window_extent(renderer)
    patch = t.get_bbox_patch()
    return Bbox.union([box, patch.get_window_extent(renderer)]) if patch is not None else box


def _tick_labels(axis) -> list:
    lo, hi = sorted(axis.get_view_interval())
    return [tk.label1 for tk in axis.get_major_ticks()
            if tk.label1.get_visible() and tk.label1.get_text()
            and lo - 1e-9 <= tk.get_loc() <= hi + 1e-9]


def layout_boxes(fig) -> tuple[list[tuple[str, Bbox]], list[Bbox], list[tuple[str, Bbox]]]:
    """(texts, data-panel boxes, legends) as drawn."""
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(100)
    canvas.draw()
    r = canvas.get_renderer()
    texts = [(t.get_text(), _text_box(t, r)) for t in fig.texts  # suptitle included
             if t.get_visible() and t.get_text()]
    panels = []
    for ax in fig.axes:
        if ax.axison:
            panels.append(ax.get_window_extent(r))
        parts = [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                 *_tick_labels(ax.xaxis), *_tick_labels(ax.yaxis), *ax.texts]
        for child in ax.child_axes:
            parts += _tick_labels(child.yaxis) + _tick_labels(child.xaxis)
        texts += [(t.get_text(), _text_box(t, r)) for t in parts
                  if t.get_visible() and t.get_text()]
    legends = [("legend", lg.get_window_extent(r)) for lg in fig.legends]
    legends += [("legend", ax.get_legend().get_window_extent(r)) for ax in fig.axes
                if ax.get_legend() is not None]
    return texts, panels, legends


def _overlap(a: Bbox, b: Bbox, tol: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


@pytest.mark.parametrize("twin", TWINS)
def test_figure_layout_1_no_text_or_legend_overlaps(twin_figures, twin):
    figs = twin_figures[twin]
    assert set(figs) <= STEMS and {"flow", "km_os", "km_pfs", "waterfall", "swimmer"} <= set(figs)
    for stem, fig in figs.items():
        texts, panels, legends = layout_boxes(fig)
        boxes = texts + legends
        clashes = [(a[0], b[0]) for a, b in combinations(boxes, 2) if _overlap(a[1], b[1])]
        assert not clashes, f"{twin}/{stem}: overlapping text {clashes[:5]}"
        on_data = [stem for _, lg in legends for p in panels if _overlap(lg, p)]
        assert not on_data, f"{twin}/{stem}: a legend sits on a data panel"
        w, h = fig.get_size_inches()
        assert w <= 10.0 and h <= 20.0  # fits a page at print size


def test_figure_layout_2_the_check_catches_an_overlap():
    """The check is not vacuous: a legend on the curves and clashing labels are reported."""
    from oncotrial.report._figure_base import new_figure

    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="curve")
    ax.legend(loc="center")
    ax.text(0.5, 0.5, "panNET")
    ax.text(0.52, 0.5, "55")
    texts, panels, legends = layout_boxes(fig)
    assert any(_overlap(lg, p) for _, lg in legends for p in panels)
    assert any(_overlap(a[1], b[1]) for a, b in combinations(texts, 2))


def test_figure_layout_3_talent_panels_per_cohort_and_plain_forest_ticks(twin_figures):
    figs = twin_figures["talent"]
    for stem in ("waterfall", "spider", "swimmer", "flow"):
        titles = sorted(ax.get_title(loc="left").split(" (")[0] for ax in figs[stem].axes)
        assert titles == ["GI-NET", "panNET"], stem
        assert figs[stem].axes[0].get_title(loc="left").startswith("panNET")  # study order
    forest = figs["forest_cox"].axes[0]
    ticks = [t.get_text() for t in forest.get_xticklabels()]
    assert "1" in ticks and set(ticks) <= {"0.125", "0.25", "0.5", "1", "2", "4", "8"}, ticks
    labels = [t.get_text() for t in forest.get_yticklabels()]
    assert labels[0] == "Cohort: panNET vs GI-NET" and "Sex: M vs F" in labels
    right = [t.get_text() for t in forest.child_axes[0].get_yticklabels()]  # HR [CI], n (events)
    assert len(right) == len(labels)
    assert all(re.fullmatch(r"\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\]   \d+ \(\d+\)( vs \d+ \(\d+\))?", r)
               for r in right), right
    # the cohort levels add up to the model's n in the title (complete cases of the Cox set)
    n_lv, n_ref = map(int, re.search(r"   (\d+) \(\d+\) vs (\d+)", right[0]).groups())
    title = forest.get_title() or figs["forest_cox"].get_suptitle()
    assert f"n = {n_lv + n_ref}," in title, (n_lv, n_ref, title)
    km = figs["km_pfs"]
    tab = km.axes[1]
    assert [float(t) for t in km.axes[0].get_xticks()] == [0, 6, 12, 18, 24, 30, 36]
    assert [t.get_text() for t in tab.get_yticklabels()] == ["GI-NET", "panNET"]
    assert "p = 0.857" in km.get_suptitle()
