"""Shared helpers of the analysis layer: JSON-ready numbers, cohorts, populations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._result import ConfidenceInterval

ALL = "All"
BASELINE_COLUMNS = ("age", "sex", "ecog", "primary_site", "grade", "differentiation", "ki67",
                    "chromogranin_a", "prior_lines")


def num(x: Any) -> float | int | None:
    """A JSON-ready number: ints stay ints, floats get 12 significant digits, NaN -> None.

    Twelve significant digits make ``results.json`` independent of the last-bit noise of
    floating-point summation order while keeping every printed value exact.

    Examples
    --------
    >>> num(0.1 + 0.2), num(3), num(float("nan"))
    (0.3, 3, None)
    """
    if x is None or x is pd.NA:
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.12g}")


def fisher_pvalue(table: np.ndarray) -> float:
    """Two-sided p-value of Fisher's exact test, as ``oncotrial.stats.fisher_exact(table).pvalue``.

    The report prints only the p-value; :func:`oncotrial.stats.fisher_exact` also computes the
    conditional-MLE odds ratio and its exact CI for a 2 x 2 table, which costs ~1 s at
    n = 10,000 (issue 21). For a 2 x 2 table of counts this calls the same
    ``scipy.stats.fisher_exact`` that ``fisher_exact`` calls for its p-value, so the number is
    the same float; other shapes go through ``fisher_exact``.

    Examples
    --------
    >>> round(fisher_pvalue(np.array([[3, 1], [1, 3]])), 6)
    0.485714
    """
    from scipy import stats as sps

    from oncotrial.stats import fisher_exact

    m = np.asarray(table)
    if m.shape == (2, 2) and m.dtype.kind in "iu" and m.min() >= 0:
        return float(sps.fisher_exact(m.astype(np.int64, copy=False)).pvalue)
    return fisher_exact(m).pvalue


def ci_dict(ci: ConfidenceInterval) -> dict:
    """``{"ci": [low, high], "level", "method"}`` of a :class:`ConfidenceInterval`."""
    return {"ci": [num(ci.low), num(ci.high)], "level": num(ci.level), "method": ci.method}


def cohorts_of(adsl: pd.DataFrame, order: tuple[str, ...], overall: bool,
               exclude: tuple[str, ...] = ()) -> list[str]:
    """Cohort labels in report order (spec order first, then sorted), plus ``All`` when the
    spec asks for it (``[cohorts].overall``). Cohorts in ``exclude`` and cohorts without an
    enrolled subject (``ANLENRL``, e.g. a screen-failure arm) are left out.

    Examples
    --------
    >>> adsl = pd.DataFrame({"COHORT": ["B", "A", "SF"], "ANLENRL": ["Y", "Y", "N"]})
    >>> cohorts_of(adsl, ("B",), True)
    ['B', 'A', 'All']
    """
    d = adsl[adsl["ANLENRL"].eq("Y")] if "ANLENRL" in adsl else adsl
    present = sorted(str(c) for c in d["COHORT"].dropna().unique() if str(c) not in exclude)
    out = [c for c in order if c in present] + [c for c in present if c not in order]
    if overall and len(out) != 1:
        out.append(ALL)
    return out


def in_cohort(adsl: pd.DataFrame, cohort: str) -> pd.Series:
    """Boolean mask of ADSL rows in ``cohort`` (``All``: every row)."""
    if cohort == ALL:
        return pd.Series(True, index=adsl.index)
    return adsl["COHORT"].astype(str).eq(cohort)
