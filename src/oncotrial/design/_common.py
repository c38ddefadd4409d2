"""Shared argument checks and small helpers for the trial-design modules.

Every public design function validates its rates and error probabilities here so that the
messages read the same across methods (STYLE.md #7) and say what *would* be feasible.
"""

from __future__ import annotations

import math

import numpy as np

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._validation import check_probability


def check_rates(p0: float, p1: float, func: str, names: tuple[str, str] = ("p0", "p1")) -> tuple[float, float]:
    """Check ``0 < p0 < p1 < 1`` (null rate below the target rate).

    Examples
    --------
    >>> check_rates(0.1, 0.25, "f")
    (0.1, 0.25)
    >>> check_rates(0.3, 0.2, "f")
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `p1` of `f` must be greater than `p0` (0.3); got 0.2. \
A design tests H0: p <= p0 against H1: p >= p1 with p1 > p0; swap the values or raise p1.
    """
    a = check_probability(p0, func, names[0])
    b = check_probability(p1, func, names[1])
    if not b > a:
        raise bad_value(
            names[1], func, f"greater than `{names[0]}` ({a!r})", p1,
            f"A design tests H0: p <= {names[0]} against H1: p >= {names[1]} with "
            f"{names[1]} > {names[0]}; swap the values or raise {names[1]}.",
        )
    return a, b


def check_alpha_power(alpha: float, power: float, func: str) -> tuple[float, float]:
    """Check ``0 < alpha < power < 1``.

    Examples
    --------
    >>> check_alpha_power(0.05, 0.8, "f")
    (0.05, 0.8)
    """
    a = check_probability(alpha, func, "alpha")
    b = check_probability(power, func, "power")
    if not b > a:
        raise bad_value("power", func, f"greater than `alpha` ({a!r})", power,
                        "A test whose power does not exceed its size is useless; use e.g. 0.8.")
    return a, b


def check_positive_int(x: object, func: str, param: str, *, minimum: int = 1,
                       maximum: int | None = None) -> int:
    """Check an integer in ``[minimum, maximum]``.

    Examples
    --------
    >>> check_positive_int(100, "f", "nmax")
    100
    """
    try:
        v = int(x)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise bad_value(param, func, "an integer", x) from None
    if v != x or v < minimum or (maximum is not None and v > maximum):
        rng = f">= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
        raise bad_value(param, func, rng, x)
    return v


def check_positive(x: object, func: str, param: str, *, allow_zero: bool = False) -> float:
    """Check a finite number > 0 (or >= 0 with ``allow_zero``).

    Examples
    --------
    >>> check_positive(24, "f", "accrual")
    24.0
    """
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_value(param, func, "a number", x) from None
    ok = (v >= 0.0) if allow_zero else (v > 0.0)
    if not ok or not math.isfinite(v):
        raise bad_value(param, func, ">= 0" if allow_zero else "> 0 and finite", x)
    return v


def infeasible(func: str, what: str, hint: str) -> OncotrialValueError:
    """Error for a request with no feasible design; ``hint`` says what would be feasible."""
    return OncotrialValueError(f"`{func}` found no feasible design: {what}. {hint}")


def binom_tables(nmax: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Binomial pmf and upper-tail tables for every size ``m <= nmax``.

    Returns ``pmf[m, x] = P(Bin(m, p) = x)`` and ``sf[m, k + 1] = P(Bin(m, p) > k)`` for
    ``k = -1, ..., nmax`` (column 0 is the ``k = -1`` column, identically 1). Rows are built
    by the recursion ``pmf[m] = (1-p) pmf[m-1] + p pmf[m-1] shifted``, which is exact up to
    rounding and needs no special functions.

    Examples
    --------
    >>> pmf, sf = binom_tables(3, 0.5)
    >>> pmf[3].tolist()
    [0.125, 0.375, 0.375, 0.125]
    >>> sf[3, :5].tolist()  # P(X > -1), P(X > 0), P(X > 1), P(X > 2), P(X > 3)
    [1.0, 0.875, 0.5, 0.125, 0.0]
    """
    pmf = np.zeros((nmax + 1, nmax + 1))
    pmf[0, 0] = 1.0
    q = 1.0 - p
    for m in range(1, nmax + 1):
        pmf[m, : m + 1] = q * pmf[m - 1, : m + 1]
        pmf[m, 1 : m + 1] += p * pmf[m - 1, :m]
    sf = np.zeros((nmax + 1, nmax + 2))
    # upper tail by reverse cumulative sums (small terms first: accurate tails)
    sf[:, : nmax + 1] = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
    sf[:, 0] = 1.0
    np.clip(sf, 0.0, 1.0, out=sf)
    return pmf, sf
