"""What the design page shows and downloads: OC table, figure, JSON, CSV, PNG and DOCX.

Every number comes from the design object returned by :mod:`oncotrial.design`
(``summary()``, ``to_dict()``, ``reject_probability()``, ``landmark_power()``); this module
only lays them out. The DOCX is written with python-docx.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.app._design_forms import DesignForm, protocol_text

__all__ = ["design_csv", "design_docx", "design_json", "design_png", "figure", "oc_table", "summary_table"]

P_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)


def _json_default(o: object) -> object:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, tuple | set):
        return list(o)
    return str(o)


def summary_table(design: Any) -> pd.DataFrame:
    """The design's own ``summary()`` with its index as a column (for display and CSV)."""
    s = design.summary()
    return s.reset_index() if s.index.name is not None or not isinstance(s.index, pd.RangeIndex) else s


def oc_table(form: DesignForm, design: Any) -> pd.DataFrame | None:
    """Operating characteristics over a grid of true rates.

    The design's own ``oc_table()`` is used where the API provides it; otherwise
    ``P(reject H0 | p)`` from ``reject_probability`` of each design curve at p = 0, 0.05, ..., 1
    and at p0 and p1. ``None`` for designs without a binary OC curve.
    """
    own = getattr(design, "oc_table", None)
    if callable(own):
        try:
            t = own()
            if isinstance(t, pd.DataFrame):
                return t.reset_index() if not isinstance(t.index, pd.RangeIndex) else t
        except TypeError:
            pass
    curves = form.curves(design)
    if not curves:
        return None
    first = next(iter(curves.values()))
    extra = [getattr(first, "p0", None), getattr(first, "p1", None)]
    grid = np.unique(np.concatenate([P_GRID, [x for x in extra if x is not None]]))
    out = pd.DataFrame({"true rate p": grid})
    for label, d in curves.items():
        out[f"P(reject H0): {label}"] = np.asarray(d.reject_probability(grid), dtype=float)
    return out


def figure(form: DesignForm, design: Any, values: dict[str, Any]):
    """A matplotlib figure: OC curves (binary designs), power by n (landmark), n by HR (two-arm)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), dpi=110)
    ax = fig.subplots()
    curves = form.curves(design)
    if curves:
        p = np.linspace(0.0, 1.0, 101)
        for label, d in curves.items():
            ax.plot(p, d.reject_probability(p), label=label)
        first = next(iter(curves.values()))
        for q, lab, col in ((first.p0, "p0", "C3"), (first.p1, "p1", "C2")):
            ax.axvline(q, color=col, ls=":", lw=1)
            ax.annotate(f"{lab}={q:g}", (q, 0.02), color=col, xytext=(3, 0), textcoords="offset points")
        ax.set_xlabel("true response rate p")
        ax.set_ylabel("P(reject H0)")
        ax.set_ylim(-0.02, 1.02)
    elif form.key == "survival-landmark":
        from oncotrial.design import TRANSFORMS, landmark_power

        ns = np.arange(5, 2 * max(design.n_evaluable.values()) + 1)
        for tr in TRANSFORMS:
            ax.plot(ns, [landmark_power(int(k), design, tr) for k in ns], label=tr)
        ax.axhline(design.power, color="grey", ls=":", lw=1)
        ax.set_xlabel("evaluable patients n")
        ax.set_ylabel("approximate power")
    elif form.key == "survival-two-arm":
        hrs = np.round(np.arange(0.50, 0.901, 0.025), 3)
        args = {k: v for k, v in values.items() if k != "hr"}
        rows = [form.compute({**args, "hr": float(h)}).n for h in hrs]
        for method in rows[0]:
            ax.plot(hrs, [r[method] for r in rows], label=method)
        ax.axvline(design.hr, color="C3", ls=":", lw=1)
        ax.set_xlabel("hazard ratio under H1")
        ax.set_ylabel("patients to enrol")
        ax.set_yscale("log")
    else:
        fig.text(0.5, 0.5, "no plot for this calculator", ha="center")
        ax.set_axis_off()
        return fig
    ax.set_title(form.title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def design_json(form: DesignForm, values: dict[str, Any], design: Any) -> str:
    """The inputs and the design's ``to_dict()`` as JSON (infinite or NaN numbers are null)."""
    body = {"design": form.key, "inputs": values, "result": design.to_dict()}
    return json.dumps(_clean(body), indent=2, default=_json_default, allow_nan=False)


def _clean(o: Any) -> Any:
    if isinstance(o, float | np.floating):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def design_csv(form: DesignForm, design: Any) -> str:
    """The summary table, then the OC table (when there is one), as CSV."""
    parts = [summary_table(design).to_csv(index=False)]
    oc = oc_table(form, design)
    if oc is not None:
        parts.append(oc.to_csv(index=False))
    return "\n".join(parts)


def design_png(form: DesignForm, design: Any, values: dict[str, Any]) -> bytes:
    """The page's figure as PNG bytes."""
    buf = io.BytesIO()
    figure(form, design, values).savefig(buf, format="png", dpi=120)
    return buf.getvalue()


def _add_table(doc: Any, df: pd.DataFrame) -> None:
    t = doc.add_table(rows=1, cols=len(df.columns))
    t.style = "Table Grid"
    for cell, c in zip(t.rows[0].cells, df.columns, strict=True):
        cell.text = str(c)
    for row in df.itertuples(index=False):
        cells = t.add_row().cells
        for cell, v in zip(cells, row, strict=True):
            cell.text = f"{v:.4f}" if isinstance(v, float) else str(v)


def design_docx(form: DesignForm, values: dict[str, Any], design: Any) -> bytes:
    """A Word document: inputs, key numbers, protocol text (where provided), tables, figure."""
    from docx import Document
    from docx.shared import Inches

    from oncotrial.app._design_forms import DESIGN_FORMS

    doc = Document()
    doc.add_heading(f"oncotrial design: {form.title}", level=1)
    doc.add_paragraph(f"Reference: {form.reference}")
    doc.add_heading("Inputs", level=2)
    labels = {f.name: f.label for f in DESIGN_FORMS[form.key].fields}
    _add_table(doc, pd.DataFrame({"input": [labels.get(k, k) for k in values],
                                  "value": [str(v) for v in values.values()]}))
    doc.add_heading("Result", level=2)
    for _key, label, value in form.headline(design):
        doc.add_paragraph(f"{label}: {value}", style="List Bullet")
    text = protocol_text(design)
    if text:
        doc.add_heading("Protocol text", level=2)
        doc.add_paragraph(text)
    doc.add_heading("Summary", level=2)
    _add_table(doc, summary_table(design))
    oc = oc_table(form, design)
    if oc is not None:
        doc.add_heading("Operating characteristics", level=2)
        _add_table(doc, oc)
    doc.add_picture(io.BytesIO(design_png(form, design, values)), width=Inches(6))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
