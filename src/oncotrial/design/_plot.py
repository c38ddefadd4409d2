"""Operating-characteristic plots for the designs (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_oc(design: object, path: str | Path, *, title: str = "") -> Path:
    """Draw the OC curves of one design, or of several, and save them to ``path`` (PNG).

    Three panels against the true rate ``p``: ``P(reject H0)``, the probability of early
    termination ``PET`` and the expected sample size ``EN``. ``design`` is a design with
    ``_bounds()`` and ``p0``/``p1`` (single-stage, Simon, Bayesian designs) or a mapping
    ``label -> design`` (e.g. Simon's optimal, minimax and admissible designs), drawn as one
    line each. The nominal ``p0`` and ``p1`` are marked, with each design's values there.

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

    from oncotrial.design._oc import stagewise_oc

    designs = dict(design) if isinstance(design, dict) else {"": design}
    first = next(iter(designs.values()))
    p0, p1 = first.p0, first.p1  # type: ignore[attr-defined]
    p = np.linspace(0.0, 1.0, 201)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for i, (label, d) in enumerate(designs.items()):
        looks, fut, eff = d._bounds()  # type: ignore[attr-defined]
        looks = [int(v) for v in np.asarray(looks).reshape(-1)]
        oc = stagewise_oc(looks, np.asarray(fut).reshape(-1), np.asarray(eff).reshape(-1), p)
        at = stagewise_oc(looks, np.asarray(fut).reshape(-1), np.asarray(eff).reshape(-1),
                          np.array([p0, p1]))
        col = f"C{i % 10}"
        for ax, key in zip(axes, ("reject_total", "pet", "en"), strict=True):
            ax.plot(p, oc[key], color=col, label=label or None, lw=1.5 if i < 2 else 1.0)
            ax.plot([p0, p1], at[key], "o", color=col, ms=4)
        if len(designs) == 1:
            for q, v in zip((p0, p1), at["reject_total"], strict=True):
                axes[0].annotate(f"{v:.3f}", (q, v), textcoords="offset points", xytext=(5, -12))
    for ax, lab in zip(axes, ("P(reject H0)", "PET (stop before the last look)",
                              "expected sample size EN"), strict=True):
        for q, name in ((p0, "p0"), (p1, "p1")):
            ax.axvline(q, color="grey", ls=":", lw=1)
            ax.annotate(name, (q, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -12),
                        textcoords="offset points", color="grey")
        ax.set_xlabel("true response rate p")
        ax.set_title(lab, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylim(-0.02, 1.02)
    axes[1].set_ylim(-0.02, 1.02)
    if len(designs) > 1:
        axes[0].legend(fontsize=8)
    fig.suptitle(title or type(first).__name__)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
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
