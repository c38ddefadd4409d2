"""Generic forest plot: one row per label with a point estimate, an interval and an optional weight.

Pure rendering (no statistics): callers pass estimates and limits already computed — pooled
proportions from :func:`oncotrial.evidence.meta_proportion`, Cox hazard ratios, subgroup effects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncotrial._errors import OncotrialValueError
from oncotrial.report._figure_base import GROUP_COLORS, new_figure, styled

__all__ = ["forest_plot"]

ROW_KINDS = ("study", "summary", "new")


_LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0, 50.0, 100.0)
#: which plain ticks to keep first when the range would give more than ``_MAX_TICKS``
_TICK_TIERS = ((1.0,), (0.5, 2.0), (0.1, 10.0), (0.25, 4.0), (0.01, 100.0), (0.02, 0.05, 20.0, 50.0))
_MAX_TICKS = 6


def _tick_subset(ticks: list[float]) -> list[float]:
    """At most ``_MAX_TICKS`` of ``ticks``, whole tiers at a time, 1 first, then 0.5 and 2, ...

    Examples
    --------
    >>> _tick_subset([0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0])
    [0.1, 0.25, 0.5, 1.0, 2.0, 4.0]
    >>> _tick_subset([0.25, 0.5, 1.0, 2.0])
    [0.25, 0.5, 1.0, 2.0]
    """
    if len(ticks) <= _MAX_TICKS:
        return ticks
    keep: set[float] = set()
    for tier in _TICK_TIERS:
        new = keep | {t for t in tier if t in ticks}
        if len(new) > _MAX_TICKS:
            break
        keep = new
    return sorted(keep)


def _plain_log_ticks(ax, values: np.ndarray) -> None:
    """Log x axis with plain-number ticks (0.25, 0.5, 1, 2, 4), never "4x10^-1" or "10^0"."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.set_xscale("log")
    v = values[np.isfinite(values) & (values > 0)]
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.5, 2.0)
    lo, hi = min(lo, 0.9), max(hi, 1.1)
    ticks = _tick_subset([t for t in _LOG_TICKS if lo / 1.6 <= t <= hi * 1.6])
    ax.set_xlim(min(lo / 1.15, ticks[0]), max(hi * 1.15, ticks[-1]))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


@styled
def forest_plot(rows: pd.DataFrame | Sequence[dict], *, xlabel: str = "Estimate",
                ref_line: float | None = None, log_scale: bool = False,
                title: str | None = None, value_format: str = "{:.2f}",
                width: float = 7.0) -> Figure:
    """Draw a forest plot.

    Parameters
    ----------
    rows : DataFrame or sequence of dict
        Columns/keys ``label``, ``estimate``, ``low``, ``high``; optional ``weight`` (marker area
        is proportional to it, as in metafor's ``forest``) and ``kind`` in
        ``{'study', 'summary', 'new'}`` (default ``'study'``): ``summary`` rows are drawn as a
        diamond spanning ``[low, high]``, ``new`` rows in a contrasting colour. Top to bottom in
        the given order. NaN limits draw no interval (e.g. a CI not reported). Optional
        ``detail`` (text, e.g. ``"n 40 (25 events) vs 30 (20)"``) is printed after the row's
        estimate at the right.
    xlabel : str, default='Estimate'
    ref_line : float, optional
        A vertical reference line (e.g. 1 for hazard ratios, a historical rate).
    log_scale : bool, default=False
        Logarithmic x axis (hazard/odds ratios); then all numbers must be > 0.
    title : str, optional
    value_format : str, default='{:.2f}'
        Format of the ``estimate [low, high]`` text printed at the right of each row.
    width : float, default=7.0
        Figure width in inches; height grows with the number of rows.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = forest_plot([{"label": "A", "estimate": 0.3, "low": 0.2, "high": 0.4},
    ...                    {"label": "Pooled", "estimate": 0.3, "low": 0.25, "high": 0.35,
    ...                     "kind": "summary"}], ref_line=0.25)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'Pooled']
    >>> fig = forest_plot([{"label": "Cohort: A vs B", "estimate": 0.8, "low": 0.3, "high": 2.1}],
    ...                   log_scale=True)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['0.25', '0.5', '1', '2']
    """
    df = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows).copy()
    func = "forest_plot"
    missing = [c for c in ("label", "estimate", "low", "high") if c not in df.columns]
    if missing or df.empty:
        raise OncotrialValueError(
            f"`rows` of `{func}` must have columns label, estimate, low, high and at least one "
            f"row; missing {missing!r}.")
    if "kind" not in df.columns:
        df["kind"] = "study"
    df["kind"] = df["kind"].fillna("study")
    bad_kind = ~df["kind"].isin(ROW_KINDS)
    if bad_kind.any():
        i = int(np.flatnonzero(bad_kind)[0])
        raise OncotrialValueError(f"`rows` of `{func}`: kind must be one of {ROW_KINDS}; got "
                                  f"{df['kind'].iloc[i]!r} at row {i}.")
    est, lo, hi = (df[c].astype(float).to_numpy() for c in ("estimate", "low", "high"))
    order = (lo <= est + 1e-12) & (est <= hi + 1e-12)
    bad = ~(order | np.isnan(lo) | np.isnan(hi)) | np.isnan(est)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OncotrialValueError(
            f"`rows` of `{func}` must satisfy low <= estimate <= high; got "
            f"({lo[i]!r}, {est[i]!r}, {hi[i]!r}) at row {i} ({df['label'].iloc[i]!r}).")
    if log_scale and (np.nanmin(np.concatenate([est, lo, hi])) <= 0):
        raise OncotrialValueError(f"`rows` of `{func}` must be > 0 with log_scale=True.")
    n = len(df)
    fig = new_figure(width, 1.0 + 0.28 * n)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1].astype(float)
    w = df["weight"].astype(float).to_numpy() if "weight" in df.columns else np.full(n, np.nan)
    wmax = np.nanmax(w) if np.isfinite(w).any() else 1.0
    for i in range(n):
        kind = df["kind"].iloc[i]
        color = {"study": "#333333", "summary": GROUP_COLORS[0], "new": GROUP_COLORS[1]}[kind]
        if kind == "summary" and np.isfinite(lo[i]) and np.isfinite(hi[i]):
            ax.fill([lo[i], est[i], hi[i], est[i]], [y[i], y[i] + 0.3, y[i], y[i] - 0.3],
                    color=color, zorder=3)
            continue
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=color, lw=1.2, zorder=2)
        size = 20 + 80 * (w[i] / wmax) if np.isfinite(w[i]) else 36
        ax.scatter([est[i]], [y[i]], s=size, marker="s" if kind == "study" else "D",
                   color=color, zorder=3)
    if ref_line is not None:
        ax.axvline(ref_line, color="#999999", ls="--", lw=0.8, zorder=1)
    if log_scale:
        _plain_log_ticks(ax, np.concatenate([est, lo, hi]))
    ax.set_yticks(y, labels=[str(v) for v in df["label"]])
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    txt = ax.secondary_yaxis("right")
    detail = (["" if pd.isna(v) or not str(v) else f"   {v}" for v in df["detail"]]
              if "detail" in df.columns else [""] * n)
    txt.set_yticks(y, labels=[
        value_format.format(est[i]) + ("" if np.isnan(lo[i]) else
                                       f" [{value_format.format(lo[i])}, "
                                       f"{value_format.format(hi[i])}]") + detail[i]
        for i in range(n)])
    txt.tick_params(length=0)
    txt.spines["right"].set_visible(False)
    return fig
