"""Figure plumbing shared by every report figure: object-oriented matplotlib, fixed styling,
reproducible files.

Figures are built on :class:`matplotlib.figure.Figure` directly (no ``pyplot`` global state), so
they are thread-safe and never pop up a window. :func:`save_figure` writes PNG (300 dpi), SVG and
PDF with the metadata that would change between runs (creation date, software version, SVG id
salt) fixed, so two runs on the same input give byte-identical files.

Layout rules every figure follows (issue 13): legends sit outside the data (:func:`outside_legend`,
a figure legend in the constrained-layout margin), titles are figure titles above it, one
colour-blind-safe palette (Okabe-Ito, https://jfly.uni-koeln.de/color/) and fonts that stay
readable at a journal's column width. Dense artists (thousands of bars or lines) are drawn as one
collection and rasterized in the vector formats, so a figure costs the same at n = 100 and
n = 10,000 (issue 21).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib.figure import Figure

# Colours per best-overall-response category (RECIST 1.1 codes). Colour-blind safe (Okabe-Ito).
BOR_COLORS: dict[str, str] = {
    "CR": "#009E73",
    "PR": "#56B4E9",
    "SD": "#E69F00",
    "NON-CR/NON-PD": "#F0E442",
    "PD": "#D55E00",
    "NE": "#999999",
    "MISSING": "#CCCCCC",
}
# Colours for a sequence of groups/cohorts (Okabe-Ito order).
GROUP_COLORS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
GRADE_COLORS: dict[str, str] = {"1-2": "#56B4E9", "3-4": "#D55E00", "5": "#000000"}  # Okabe-Ito
DPI = 300  # journal raster resolution
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
DENSE = 300  # from this many bars/lines on, draw one collection, rasterized in SVG/PDF

P = ParamSpec("P")
R = TypeVar("R")

_RC = {
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "svg.hashsalt": "oncotrial",
    "svg.fonttype": "path",
    "text.parse_math": False,  # cohort names and terms are data, never mathtext ($\\x$)
}


def new_figure(width: float = 7.0, height: float = 4.5) -> Figure:
    """Create a detached figure with the house style (inches).

    Examples
    --------
    >>> fig = new_figure(4, 3)
    >>> [float(v) for v in fig.get_size_inches()]
    [4.0, 3.0]
    """
    return Figure(figsize=(width, height), layout="constrained")


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run a plotting function under the house rcParams (fonts, spines), so every
    artist it creates gets the style without touching global matplotlib state.

    Examples
    --------
    >>> @styled
    ... def f():
    ...     return new_figure().add_subplot().spines["top"].get_visible()
    >>> f()
    False
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


def save_figure(fig: Figure, stem: str | Path, *, formats: tuple[str, ...] = FORMATS,
                dpi: int = DPI) -> list[Path]:
    """Write ``fig`` as ``stem.png``, ``stem.svg`` and ``stem.pdf`` with run-independent metadata.

    Returns the written paths.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = new_figure(2, 2); _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, pathlib.Path(d) / "line")]
    ['.png', '.svg', '.pdf']
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with mpl.rc_context(_RC):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            metadata: dict[str, str | None]
            if fmt == "png":
                metadata = {"Software": None}
            elif fmt == "svg":
                metadata = {"Date": None, "Creator": None}
            elif fmt == "pdf":
                metadata = {"CreationDate": None, "Producer": None, "Creator": None}
            else:
                metadata = {}
            with warnings.catch_warnings():  # a data label's missing glyph is cosmetic, and
                warnings.filterwarnings(      # its warning would echo raw control characters
                    "ignore", message="Glyph .* missing from font", category=UserWarning)
                fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
            paths.append(path)
    return paths


def outside_legend(fig: Figure, handles: list, *, title: str | None = None,
                   where: str = "lower", ncols: int | None = None) -> None:
    """Put one legend for the whole figure in the constrained-layout margin under the axes
    (``where='lower'``; ``'right'`` beside them), never on the data.

    Examples
    --------
    >>> from matplotlib.patches import Patch
    >>> fig = new_figure(3, 2); _ = fig.add_subplot()
    >>> outside_legend(fig, [Patch(color="k", label="A")])
    >>> fig.legends[0].get_texts()[0].get_text()
    'A'
    """
    if not handles:
        return
    ncols = ncols or min(len(handles), 6)
    fig.legend(handles=handles, loc=f"outside {where} center", ncols=ncols, frameon=False,
               title=title, fontsize=8, title_fontsize=8, handlelength=1.4, columnspacing=1.2)


def figure_title(fig: Figure, title: str, subtitle: str = "") -> None:
    """Left-aligned figure title (and a smaller second line), above any upper legend.

    Examples
    --------
    >>> fig = new_figure(3, 2); figure_title(fig, "Overall survival", "log-rank p = 0.07")
    >>> fig.get_suptitle().splitlines()
    ['Overall survival', 'log-rank p = 0.07']
    """
    if title or subtitle:
        text = title + (f"\n{subtitle}" if subtitle else "")
        fig.suptitle(text, x=0.01, ha="left", fontsize=10 if not subtitle else 9)


def color_for(category: str) -> str:
    """Colour of a BOR category (grey for anything unknown).

    Examples
    --------
    >>> color_for("PR")
    '#56B4E9'
    """
    return BOR_COLORS.get(str(category), "#999999")
