"""Report figures stay cheap and readable at any n (issue 21): one collection for thousands of
bars, a documented seeded cap for swimmer and spider plots, 300 dpi PNG + SVG + PDF, and the same
bytes whether the figures are drawn in one process or two."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from PIL import Image

from oncotrial.report._figure_base import save_figure
from oncotrial.report._response_plots import (
    SELECTION_SEED,
    SWIMMER_CAP,
    plot_spider,
    plot_swimmer,
    plot_waterfall,
    select_patients,
)


def _subjects(n: int, n_resp: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    bor = np.array(["PR"] * n_resp + ["SD", "PD"] * ((n - n_resp) // 2) + ["SD"] * ((n - n_resp) % 2))
    return pd.DataFrame({"subject_id": [f"S{i:05d}" for i in range(n)], "bor": bor,
                         "best_pct": rng.uniform(-90, 60, n), "duration": rng.uniform(1, 40, n),
                         "response_start": np.where(bor == "PR", 2.0, np.nan),
                         "response_end": np.where(bor == "PR", 8.0, np.nan),
                         "ongoing": rng.random(n) < 0.3})


def test_figure_scale_1_large_waterfall_is_one_rasterized_collection():
    d = _subjects(5000, 700)
    ax = plot_waterfall(d).axes[0]
    assert len(ax.patches) == 0  # no per-bar artist
    (coll,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(coll.get_paths()) == 5000 and coll.get_rasterized()
    tops = [p.vertices[1, 1] for p in coll.get_paths()]
    assert tops == sorted(tops, reverse=True)  # largest increase first, every patient drawn


def test_select_patients_1_all_responders_then_seeded_sample():
    d = _subjects(500, 20)
    keep, rule = select_patients(d, cap=SWIMMER_CAP)
    shown = d.loc[keep]
    assert len(shown) == SWIMMER_CAP and (shown["bor"] == "PR").sum() == 20
    assert rule == (f"Showing {SWIMMER_CAP} of 500 patients: all 20 responders (CR/PR) and a "
                    f"random sample (seed {SELECTION_SEED}) of 40 of the 480 others.")
    assert list(select_patients(d, cap=SWIMMER_CAP)[0]) == list(keep)  # same patients every run
    keep2, rule2 = select_patients(d, cap=10)
    assert (d.loc[keep2, "bor"] == "PR").all() and "of 10 of the 20 responders" in rule2
    keep3, rule3 = select_patients(d.head(5), cap=10)
    assert list(keep3) == list(d.head(5).index) and rule3 == ""  # nothing left out, no rule


def test_plot_swimmer_1_capped_with_the_rule_on_the_figure():
    d = _subjects(3000, 30)
    fig = plot_swimmer(d)
    ax = fig.axes[0]
    assert len(ax.patches) == SWIMMER_CAP
    assert fig.oncotrial_note.startswith(f"Showing {SWIMMER_CAP} of 3000 patients")
    assert fig.oncotrial_note in fig.get_suptitle()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"PR", "SD", "PD", "Response (start to end)", "Alive, follow-up ongoing"} <= set(legend)


def test_plot_spider_1_capped_per_cohort_panel():
    rows = []
    for i in range(400):
        for t in (0.0, 2.0, 4.0):
            rows.append({"subject_id": f"S{i}", "time": t, "pct_change": -i % 50 * t / 4,
                         "bor": "PR" if i < 10 else "SD", "cohort": "A" if i % 2 else "B"})
    fig = plot_spider(pd.DataFrame(rows), panel_order=["A", "B"])
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["A", "B"]
    assert [len(ax.collections[0].get_segments()) for ax in fig.axes] == [100, 100]
    assert fig.oncotrial_note.startswith("A: Showing 100 of 200 patients: all 5 responders")


def test_save_figure_1_three_formats_png_at_300_dpi(tmp_path):
    fig = plot_waterfall(_subjects(50, 5))
    paths = save_figure(fig, tmp_path / "w")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    with Image.open(paths[0]) as im:
        assert im.size[0] == round(fig.get_size_inches()[0] * 300)
    assert paths[2].read_bytes()[:5] == b"%PDF-"


def test_render_figures_1_same_bytes_in_one_or_two_processes(tmp_path, monkeypatch):
    from oncotrial.analysis import analyze_study, example_spec_path
    from oncotrial.report._figures import render_figures

    a = analyze_study(example_spec_path())
    out = {}
    for k in ("1", "2"):
        monkeypatch.setenv("ONCOTRIAL_FIGURE_WORKERS", k)
        out[k] = render_figures(a, tmp_path / k)
    assert list(out["1"]) == list(out["2"]) and "swimmer" in out["1"]
    for stem, rf in out["1"].items():
        for fmt, p in rf.paths.items():
            assert p.read_bytes() == out["2"][stem].paths[fmt].read_bytes(), (stem, fmt)


def test_figure_scale_2_dense_bars_on_a_log_axis_same_files_as_matplotlib_transforming_them(tmp_path):
    """The GMI waterfall (log y axis, thousands of bars): _bars hands the collection vertices
    already in log space (no per-polygon transform at each draw); the files equal those of the
    plain data-coordinate collection matplotlib would transform itself."""
    from matplotlib.figure import Figure

    from oncotrial.report._figure_base import DENSE
    from oncotrial.report._response_plots import _bars

    rng = np.random.default_rng(4)
    n = DENSE * 4
    vals = np.sort(rng.lognormal(0, 1, n))[::-1]
    vals[5] = np.nan
    colors = ["#009E73" if v >= 1.33 else "#999999" for v in vals]
    x = np.arange(n, dtype=float)
    bottom = float(np.nanmin(vals)) / 1.5

    def fig_with(draw) -> Figure:
        fig = Figure(figsize=(6.5, 3.8))
        ax = fig.add_subplot()
        ax.set_yscale("log")
        draw(ax)
        ax.axhline(1.33, ls="--")
        return fig

    def plain(ax) -> None:   # what _bars drew before: matplotlib transforms every polygon
        h = 0.85 / 2
        b = np.full_like(x, bottom)
        verts = np.stack([np.column_stack([x - h, b]), np.column_stack([x - h, vals]),
                          np.column_stack([x + h, vals]), np.column_stack([x + h, b])], axis=1)
        ax.add_collection(PolyCollection(verts, facecolors=colors, edgecolors="none", rasterized=True))
        ax.autoscale_view()

    new = fig_with(lambda ax: _bars(ax, x, vals, colors, bottom=bottom))
    ax = new.axes[0]
    (coll,) = ax.collections
    assert coll.get_transform().is_affine  # no per-polygon log transform at draw time
    # the limits autoscaling gives the bars' span: margins added in log space (matplotlib 3.8,
    # the lower bound, got them wrong for a collection on a log axis: top at ~2 here)
    lo, hi = np.log10(bottom), np.log10(np.nanmax(vals))
    mx, my = ax.margins()
    np.testing.assert_allclose(ax.get_ylim(), 10 ** np.array([lo - my * (hi - lo), hi + my * (hi - lo)]),
                               rtol=1e-12)
    w = (n - 1) + 0.85
    np.testing.assert_allclose(ax.get_xlim(), [-0.425 - mx * w, n - 1 + 0.425 + mx * w], rtol=1e-12)
    # the same pixels as the collection matplotlib transforms itself, at the same limits
    old = fig_with(plain)
    old.axes[0].set_xlim(ax.get_xlim())
    old.axes[0].set_ylim(ax.get_ylim())
    for name, fig in (("new", new), ("old", old)):
        save_figure(fig, tmp_path / name)
    for fmt in ("png", "svg", "pdf"):
        assert (tmp_path / f"new.{fmt}").read_bytes() == (tmp_path / f"old.{fmt}").read_bytes(), fmt
