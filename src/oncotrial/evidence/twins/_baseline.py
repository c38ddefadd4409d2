"""Baseline characteristics whose counts (and median/range) equal a published Table 1.

Categorical counts are assigned by a random permutation, so each category holds exactly the
published number of subjects. Continuous variables with a published median and range get
exactly that minimum, maximum and median (both middle order statistics set to the median
when n is even); the other values are drawn uniformly between them, inside the category bins
when the variable is also tabulated by category (e.g. Ki-67 0-5 %, 5-10 %, >10 %). Bins are
``(low, high]``; drawn values avoid bin edges, so the category of each value is unambiguous.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["assign_baseline", "category_value"]

_INT_VARS = ("ecog", "prior_lines")


def category_value(variable: str, key: str) -> Any:
    """Stored value of a category key (``'MISSING'`` -> None; ECOG keys -> int).

    Examples
    --------
    >>> category_value("ecog", "1"), category_value("sex", "MISSING")
    (1, None)
    """
    if key.upper() == "MISSING":
        return None
    if variable in _INT_VARS:
        return int(key)
    return key


def _edges(spec: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {k: (float(v[0]), float(v[1])) for k, v in spec.get("edges", {}).items()}


def _fill(rng: np.random.Generator, n: int, lo: np.ndarray, hi: np.ndarray, fixed: dict[int, float],
          integer: bool) -> np.ndarray:
    """Sorted values: position p in (lo[p], hi[p]) (open) unless fixed."""
    out = np.empty(n)
    for p in range(n):
        if p in fixed:
            out[p] = fixed[p]
            continue
        a, b = lo[p], hi[p]
        if integer:
            ia, ib = int(np.floor(a)) + 1, int(np.ceil(b)) - 1
            out[p] = rng.integers(ia, ib + 1) if ib >= ia else round((a + b) / 2)
        else:
            out[p] = round(float(rng.uniform(a, b)), 1)
            if out[p] <= a or out[p] >= b:
                out[p] = round((a + b) / 2, 2)
    return np.sort(out)


def assign_baseline(rng: np.random.Generator, n: int, categorical: list[tuple[str, dict[str, int], dict]],
                    continuous: list[tuple[str, dict[str, Any]]]) -> dict[str, list[Any]]:
    """Per-variable value lists of length ``n`` (subjects in the baseline population order).

    Parameters
    ----------
    categorical : list of (variable, counts, options)
        ``options`` may hold ``edges = {key: [low, high]}`` for a numeric variable tabulated by bins.
    continuous : list of (variable, {'median', 'min', 'max'})

    Examples
    --------
    >>> out = assign_baseline(np.random.default_rng(0), 4, [("sex", {"M": 3, "F": 1}, {})],
    ...                       [("age", {"median": 60, "min": 40, "max": 70})])
    >>> sorted(out["sex"]), sorted(out["age"])[0], sorted(out["age"])[-1], float(np.median(out["age"]))
    (['F', 'M', 'M', 'M'], 40.0, 70.0, 60.0)
    """
    out: dict[str, list[Any]] = {}
    cont = dict(continuous)
    for var, counts, opts in categorical:
        edges = _edges(opts)
        keys = [k for k in counts for _ in range(counts[k])]
        perm = rng.permutation(n)
        if not edges:
            vals: list[Any] = [None] * n
            for i, k in zip(perm, keys, strict=True):
                vals[i] = category_value(var, k)
            out[var] = vals
            continue
        # numeric variable by bins: values per sorted position, bins ordered by lower edge
        present = [k for k in sorted(counts, key=lambda k: edges.get(k, (np.inf, np.inf))[0])
                   if k in edges]
        m = sum(counts[k] for k in present)
        lo = np.concatenate([[edges[k][0]] * counts[k] for k in present]) if m else np.array([])
        hi = np.concatenate([[edges[k][1]] * counts[k] for k in present]) if m else np.array([])
        fixed: dict[int, float] = {}
        c = cont.pop(var, None)
        if c is not None and m:
            med = float(c["median"])
            mids = [m // 2] if m % 2 else [m // 2 - 1, m // 2]
            for p in range(m):
                if p < mids[0]:
                    hi[p] = min(hi[p], med)
                elif p > mids[-1]:
                    lo[p] = max(lo[p], med)
            lo = np.maximum(lo, float(c["min"]))
            hi = np.minimum(hi, float(c["max"]))
            fixed = {0: float(c["min"]), m - 1: float(c["max"])} | {p: med for p in mids}
        vals_sorted = _fill(rng, m, lo, hi, fixed, integer=False)
        vals = [None] * n
        idx = iter(perm)
        for v in vals_sorted:
            vals[next(idx)] = float(v)
        out[var] = vals
    for var, c in cont.items():
        med, lo_v, hi_v = float(c["median"]), float(c["min"]), float(c["max"])
        mids = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
        lo = np.array([lo_v if p < mids[0] else med for p in range(n)])
        hi = np.array([med if p < mids[0] else hi_v for p in range(n)])
        fixed = {0: lo_v, n - 1: hi_v} | {p: med for p in mids}
        vals_sorted = _fill(rng, n, lo, hi, fixed, integer=var == "age")
        perm = rng.permutation(n)
        vals = [None] * n
        for i, v in zip(perm, vals_sorted, strict=True):
            vals[i] = float(v)
        out[var] = vals
    return out
