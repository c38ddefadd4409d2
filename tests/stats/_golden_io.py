"""Read the R goldens written by ``tools/golden_stats.R`` (no R needed at test time)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN = Path(__file__).resolve().parent / "golden"


@cache
def load(name: str) -> dict[str, Any]:
    """Parsed JSON golden ``tests/stats/golden/<name>``."""
    return json.loads((GOLDEN / name).read_text())


def arr(v: Any) -> np.ndarray:
    """R vector -> float array; R's "NA"/"NaN"/"Inf" strings become nan/inf; scalars -> 1-D."""
    items = v if isinstance(v, list) else [v]
    return np.array([np.nan if x in ("NA", None) else float(x) for x in items], dtype=float)


def assert_r_equal(got: Any, want: Any, rtol: float = 1e-10, what: str = "") -> None:
    """Equal to R within ``rtol`` (relative), NA positions equal."""
    g = np.asarray(got, dtype=float).reshape(-1)
    w = arr(want) if not isinstance(want, np.ndarray) else want.reshape(-1)
    assert g.shape == w.shape, f"{what}: shape {g.shape} != R {w.shape}"
    np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True, err_msg=what)
