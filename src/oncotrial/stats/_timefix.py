"""R ``survival::aeqSurv`` (``timefix = TRUE``): survival times that differ only by floating-point
rounding are treated as tied — the one rule shared by Kaplan-Meier, log-rank and Cox.

Rule (R survival >= 2.39, ``aeqSurv``): with ``y`` the sorted distinct times, ``y[i]`` joins the
run of ``y[i-1]`` when ``y[i] - y[i-1] <= tol`` or ``(y[i] - y[i-1]) / mean(|y|) <= tol``,
``tol = sqrt(.Machine$double.eps)``; every time in a run is mapped onto the run's first time.
"""

from __future__ import annotations

import numpy as np

#: ``survival::aeqSurv`` tolerance (``sqrt(.Machine$double.eps)``).
TIMEFIX_TOL = float(np.sqrt(np.finfo(float).eps))


def run_starts(ut: np.ndarray) -> np.ndarray | None:
    """Indices into sorted distinct times ``ut`` where a new run starts; None when nothing merges.

    Examples
    --------
    >>> run_starts(np.array([1.0, 1.0 + 1e-12, 2.0])).tolist()
    [0, 2]
    >>> run_starts(np.array([1.0, 2.0])) is None
    True
    """
    if ut.size < 2:
        return None
    dy = np.diff(ut)
    tied = (dy <= TIMEFIX_TOL) | (dy / np.mean(np.abs(ut)) <= TIMEFIX_TOL)
    if not tied.any():
        return None
    return np.flatnonzero(np.concatenate(([True], ~tied)))


def timefix(t: np.ndarray) -> np.ndarray:
    """Map every time onto the first time of its ``aeqSurv`` run (unchanged when none merge).

    Examples
    --------
    >>> timefix(np.array([2.0, 1.0 + 1e-12, 1.0])).tolist()
    [2.0, 1.0, 1.0]
    """
    ut = np.unique(t)
    starts = run_starts(ut)
    if starts is None:
        return t
    cuts = ut[starts]
    return cuts[np.searchsorted(cuts, t, side="right") - 1]
