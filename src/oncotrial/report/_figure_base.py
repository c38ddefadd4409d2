"""Figure plumbing shared by every report figure: object-oriented matplotlib, fixed styling,
reproducible files.

Figures are built on :class:`matplotlib.figure.Figure` directly (no ``pyplot`` global state), so
they are thread-safe and never pop up a window. :func:`save_figure` writes PNG and SVG with the
metadata that would change between runs (creation date, software version, SVG id salt) fixed,
so two runs on the same input give byte-identical files.
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
GRADE_COLORS: dict[str, str] = {"1-2": "#9ecae1", "3-4": "#de2d26", "5": "#000000"}

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


def save_figure(fig: Figure, stem: str | Path, *, formats: tuple[str, ...] = ("png", "svg"),
                dpi: int = 150) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` with run-independent metadata.

    Returns the written paths.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = new_figure(2, 2); _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, pathlib.Path(d) / "line")]
    ['.png', '.svg']
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


def color_for(category: str) -> str:
    """Colour of a BOR category (grey for anything unknown).

    Examples
    --------
    >>> color_for("PR")
    '#56B4E9'
    """
    return BOR_COLORS.get(str(category), "#999999")
