"""Operating-characteristic plots for the designs (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_oc(design: object, path: str | Path, *, title: str = "") -> Path:
    """Draw ``P(reject H0 | p)`` against the true rate ``p`` and save it to ``path``.

    ``design`` is any result with ``reject_probability(p)`` and ``p0``/``p1`` attributes
    (single-stage, Simon, Bayesian designs). The nominal alpha and power are marked at
    ``p0`` and ``p1``.

    Examples
    --------
    >>> import tempfile, os
    >>> from oncotrial.design import single_stage_design
    >>> f = os.path.join(tempfile.mkdtemp(), "oc.png")
    >>> plot_oc(single_stage_design(0.1, 0.25, 0.05, 0.9), f).name
    'oc.png'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = np.linspace(0.0, 1.0, 201)
    y = design.reject_probability(p)  # type: ignore[attr-defined]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(p, y, color="C0", label="P(reject H0)")
    p0, p1 = design.p0, design.p1  # type: ignore[attr-defined]
    for q, lab, col in ((p0, "p0", "C3"), (p1, "p1", "C2")):
        yq = float(design.reject_probability(np.array([q]))[0])  # type: ignore[attr-defined]
        ax.axvline(q, color=col, ls=":", lw=1)
        ax.plot([q], [yq], "o", color=col)
        ax.annotate(f"{lab}={q:g}: {yq:.3f}", (q, yq), textcoords="offset points", xytext=(5, -12))
    ax.set_xlabel("true response rate p")
    ax.set_ylabel("probability of rejecting H0")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title or type(design).__name__)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_curve(x: np.ndarray, ys: dict[str, np.ndarray], path: str | Path, *, xlabel: str,
               ylabel: str, title: str) -> Path:
    """Generic multi-line plot (landmark power by transform, two-arm power by HR).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "c.png")
    >>> plot_curve(np.arange(3), {"a": np.arange(3)}, f, xlabel="x", ylabel="y", title="t").name
    'c.png'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for lab, y in ys.items():
        ax.plot(x, y, label=lab)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
