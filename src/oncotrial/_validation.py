"""Argument checks used at public boundaries (STYLE.md #7).

Every check raises :class:`~oncotrial.OncotrialValueError` whose message names the argument,
the function, the constraint, and — for arrays — the first offending index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from oncotrial._errors import OncotrialValueError, bad_value


def check_level(level: float, func: str, param: str = "level") -> float:
    """Check a confidence level lies strictly between 0 and 1.

    Examples
    --------
    >>> check_level(0.95, "f")
    0.95
    """
    try:
        lv = float(level)
    except (TypeError, ValueError):
        raise bad_value(param, func, "a number in (0, 1)", level) from None
    if not (0.0 < lv < 1.0) or np.isnan(lv):
        raise bad_value(param, func, "in (0, 1)", level, "Use e.g. 0.95 for a 95% interval.")
    return lv


def check_probability(p: float, func: str, param: str, *, open_interval: bool = True) -> float:
    """Check a probability lies in (0, 1) (or [0, 1] with ``open_interval=False``).

    Examples
    --------
    >>> check_probability(0.2, "f", "p0")
    0.2
    """
    try:
        v = float(p)
    except (TypeError, ValueError):
        raise bad_value(param, func, "a probability", p) from None
    ok = (0.0 < v < 1.0) if open_interval else (0.0 <= v <= 1.0)
    if not ok or np.isnan(v):
        raise bad_value(param, func, "in (0, 1)" if open_interval else "in [0, 1]", p)
    return v


def check_choice(value: Any, choices: Iterable[str], func: str, param: str) -> str:
    """Check ``value`` is one of ``choices`` (exact string match).

    Examples
    --------
    >>> check_choice("log", ("log", "plain"), "kaplan_meier", "conf_type")
    'log'
    """
    choices = tuple(choices)
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise bad_value(param, func, f"one of {{{opts}}}", value)
    return value


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def as_float_array(x: Any, func: str, param: str, *, nonnegative: bool = False,
                   allow_empty: bool = False) -> np.ndarray:
    """Convert to a 1-D float array; reject NaN/inf (and negatives when asked).

    Examples
    --------
    >>> as_float_array([1, 2.5], "f", "time").tolist()
    [1.0, 2.5]
    >>> as_float_array([1, -2], "f", "time", nonnegative=True)
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `time` of `f` must be non-negative; got -2.0 at index 1.
    """
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise bad_value(param, func, "numeric", type(x).__name__) from None
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        if arr.ndim != 1:
            raise bad_value(param, func, "one-dimensional", f"shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise OncotrialValueError(f"`{param}` of `{func}` must not be empty.")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = _first_bad(bad)
        raise OncotrialValueError(
            f"`{param}` of `{func}` must be finite; got {float(arr[i])!r} at index {i}. "
            "Remove or impute missing values before calling."
        )
    if nonnegative:
        neg = arr < 0
        if neg.any():
            i = _first_bad(neg)
            raise OncotrialValueError(
                f"`{param}` of `{func}` must be non-negative; got {float(arr[i])!r} at index {i}."
            )
    return arr


def as_event_array(event: Any, func: str, param: str = "event") -> np.ndarray:
    """Convert an event indicator to bool; accept only 0/1/True/False.

    ADaM ``CNSR`` (0 = event) is *not* accepted here: convert it once with
    :func:`oncotrial.derive.event_from_cnsr` (STYLE.md #5).

    Examples
    --------
    >>> as_event_array([1, 0, True], "f").tolist()
    [True, False, True]
    """
    try:
        arr = np.asarray(event, dtype=float)
    except (TypeError, ValueError):
        raise bad_value(param, func, "0/1 or boolean", type(event).__name__) from None
    arr = arr.reshape(-1)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        i = _first_bad(bad)
        raise OncotrialValueError(
            f"`{param}` of `{func}` must be 0/1 or boolean (1 = event); got {float(arr[i])!r} at index {i}. "
            "If this is ADaM CNSR (0 = event), pass event = 1 - CNSR."
        )
    return arr.astype(bool)


def check_same_length(func: str, **arrays: np.ndarray) -> int:
    """Check all arrays have one length; return it.

    Examples
    --------
    >>> check_same_length("f", time=np.zeros(3), event=np.zeros(3))
    3
    """
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"`{k}` has {n}" for k, n in lengths.items())
        raise OncotrialValueError(f"Arguments of `{func}` must have the same length; {desc}.")
    return next(iter(lengths.values()))


def check_count(x: Any, func: str, param: str, *, upper: int | None = None,
                upper_name: str = "n") -> int:
    """Check a non-negative integer count, optionally <= ``upper``.

    Examples
    --------
    >>> check_count(3, "proportion_ci", "x", upper=10)
    3
    """
    try:
        v = int(x)
    except (TypeError, ValueError):
        raise bad_value(param, func, "a non-negative integer", x) from None
    if v != x or v < 0:
        raise bad_value(param, func, "a non-negative integer", x)
    if upper is not None and v > upper:
        raise bad_value(param, func, f"<= `{upper_name}` ({upper})", x)
    return v
