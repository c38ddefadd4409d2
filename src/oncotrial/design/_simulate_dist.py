"""Event-time distributions, accrual and dropout for trial simulation.

Every event-time model is given by its cumulative hazard ``H(t)`` and the inverse ``H^{-1}``, and
is sampled by inversion, ``T = H^{-1}(E)`` with ``E ~ Exp(1)``. This single mechanism covers the
exponential, Weibull, piecewise-exponential and cure-fraction models and any of them under a
piecewise-constant hazard ratio (:class:`HazardRatio`: proportional hazards, a delayed effect, or
crossing hazards), so the experimental arm of a two-arm trial is its control distribution with
``H_E(t) = sum_j HR_j [H_C(t ^ b_{j+1}) - H_C(t ^ b_j)]``.

Hand-written rather than ``scipy.stats`` because scipy has no piecewise-exponential or
cure-mixture law, no hazard-ratio transform of an arbitrary law, and its ``rvs`` cannot be
driven by the one standard-exponential stream per chunk that keeps simulations reproducible.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._validation import check_probability
from oncotrial.design._common import check_positive

__all__ = ["Accrual", "CureFraction", "Distribution", "Dropout", "Exponential", "HazardRatio",
           "PiecewiseExponential", "Weibull"]


class Distribution(Protocol):
    """An event-time law given by its cumulative hazard and its inverse."""

    def cumhaz(self, t: np.ndarray) -> np.ndarray: ...  # pragma: no cover

    def inv_cumhaz(self, h: np.ndarray) -> np.ndarray: ...  # pragma: no cover

    def describe(self) -> str: ...  # pragma: no cover


class _Base:
    __slots__ = ()

    def survival(self, t: float | np.ndarray) -> np.ndarray | float:
        """``S(t) = exp(-H(t))``."""
        out = np.exp(-self.cumhaz(np.asarray(t, dtype=float)))  # type: ignore[attr-defined]
        return float(out) if np.ndim(out) == 0 else out

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Draw event times by inversion of ``H`` (``inf`` = never, e.g. cured)."""
        return self.inv_cumhaz(rng.standard_exponential(size))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Exponential(_Base):
    """Exponential event times with constant ``hazard``: ``H(t) = hazard t``.

    Examples
    --------
    >>> d = Exponential.from_survival(0.5, 12)
    >>> round(d.hazard * 12 / math.log(2), 12), round(d.survival(12), 12)
    (1.0, 0.5)
    """

    hazard: float

    def __post_init__(self) -> None:
        check_positive(self.hazard, "Exponential", "hazard")

    @classmethod
    def from_median(cls, median: float) -> Exponential:
        """Hazard ``log 2 / median``."""
        return cls(math.log(2) / check_positive(median, "Exponential.from_median", "median"))

    @classmethod
    def from_survival(cls, s: float, t: float) -> Exponential:
        """Hazard with ``S(t) = s``: ``-log(s) / t``."""
        s = check_probability(s, "Exponential.from_survival", "s")
        return cls(-math.log(s) / check_positive(t, "Exponential.from_survival", "t"))

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        return self.hazard * np.asarray(t, dtype=float)

    def inv_cumhaz(self, h: np.ndarray) -> np.ndarray:
        return np.asarray(h, dtype=float) / self.hazard

    def describe(self) -> str:
        return f"exponential(hazard={self.hazard:.6g}, median={math.log(2) / self.hazard:.4g})"


@dataclass(frozen=True, slots=True)
class Weibull(_Base):
    """Weibull event times: ``H(t) = (t / scale)^shape`` (R ``rweibull(shape, scale)``).

    Examples
    --------
    >>> d = Weibull.from_median(1.5, 10)
    >>> round(d.survival(10), 12)
    0.5
    """

    shape: float
    scale: float

    def __post_init__(self) -> None:
        check_positive(self.shape, "Weibull", "shape")
        check_positive(self.scale, "Weibull", "scale")

    @classmethod
    def from_median(cls, shape: float, median: float) -> Weibull:
        """Scale with median ``median``: ``median / log(2)^(1/shape)``."""
        shape = check_positive(shape, "Weibull.from_median", "shape")
        median = check_positive(median, "Weibull.from_median", "median")
        return cls(shape, median / math.log(2) ** (1.0 / shape))

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        return (np.asarray(t, dtype=float) / self.scale) ** self.shape

    def inv_cumhaz(self, h: np.ndarray) -> np.ndarray:
        return self.scale * np.asarray(h, dtype=float) ** (1.0 / self.shape)

    def describe(self) -> str:
        return f"weibull(shape={self.shape:.4g}, scale={self.scale:.4g})"


def _check_breaks(breaks: tuple[float, ...], n_values: int, func: str, values: str) -> tuple[float, ...]:
    b = tuple(float(v) for v in breaks)
    if len(b) != n_values - 1 or any(not (v > 0 and math.isfinite(v)) for v in b) or any(
            y <= x for x, y in itertools.pairwise(b)):
        raise bad_value("breaks", func, f"{n_values - 1} increasing positive times (one fewer than "
                        f"`{values}`)", breaks,
                        f"Give the times where the {values} change, e.g. breaks=(6,) for two pieces.")
    return b


@dataclass(frozen=True, slots=True)
class PiecewiseExponential(_Base):
    """Piecewise-constant hazard: ``hazards[j]`` on ``[breaks[j-1], breaks[j])``.

    Examples
    --------
    >>> d = PiecewiseExponential(breaks=(6.0,), hazards=(0.1, 0.05))
    >>> round(float(d.cumhaz(np.array(10.0))), 12), round(float(d.inv_cumhaz(np.array(0.8))), 12)
    (0.8, 10.0)
    """

    breaks: tuple[float, ...]
    hazards: tuple[float, ...]

    def __post_init__(self) -> None:
        hz = tuple(check_positive(h, "PiecewiseExponential", "hazards") for h in self.hazards)
        if not hz:
            raise bad_value("hazards", "PiecewiseExponential", "at least one hazard", self.hazards)
        object.__setattr__(self, "hazards", hz)
        object.__setattr__(self, "breaks", _check_breaks(self.breaks, len(hz), "PiecewiseExponential",
                                                         "hazards"))

    def _knots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        b = np.concatenate(([0.0], self.breaks))
        h = np.asarray(self.hazards)
        hb = np.concatenate(([0.0], np.cumsum(h[:-1] * np.diff(b))))  # H at each piece start
        return b, h, hb

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        b, h, hb = self._knots()
        t = np.asarray(t, dtype=float)
        j = np.searchsorted(b, t, side="right") - 1
        return hb[j] + h[j] * (t - b[j])

    def inv_cumhaz(self, x: np.ndarray) -> np.ndarray:
        b, h, hb = self._knots()
        x = np.asarray(x, dtype=float)
        j = np.searchsorted(hb, x, side="right") - 1
        return b[j] + (x - hb[j]) / h[j]

    def describe(self) -> str:
        return f"piecewise-exponential(breaks={list(self.breaks)}, hazards={list(self.hazards)})"


@dataclass(frozen=True, slots=True)
class CureFraction(_Base):
    """Mixture cure model: ``S(t) = cure + (1 - cure) S_u(t)``; cured patients never fail.

    Examples
    --------
    >>> d = CureFraction(0.2, Exponential(0.1))
    >>> round(d.survival(1e9), 12), bool(np.isinf(d.inv_cumhaz(np.array([5.0]))[0]))
    (0.2, True)
    """

    cure: float
    base: Distribution

    def __post_init__(self) -> None:
        check_probability(self.cure, "CureFraction", "cure")

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        su = np.exp(-self.base.cumhaz(t))
        return -np.log(self.cure + (1.0 - self.cure) * su)

    def inv_cumhaz(self, h: np.ndarray) -> np.ndarray:
        s = np.exp(-np.asarray(h, dtype=float))
        with np.errstate(divide="ignore", invalid="ignore"):
            hu = -np.log((s - self.cure) / (1.0 - self.cure))
        return np.where(s > self.cure, self.base.inv_cumhaz(np.where(s > self.cure, hu, 0.0)), np.inf)

    def describe(self) -> str:
        return f"cure-fraction(cure={self.cure:g}, {self.base.describe()})"


@dataclass(frozen=True, slots=True)
class HazardRatio(_Base):
    """``base`` under a piecewise-constant hazard ratio: ``h(t) = hr[j] h_base(t)`` on piece j.

    ``hr=(0.7,)`` is proportional hazards; ``breaks=(3,), hr=(1.0, 0.6)`` a delayed effect after
    3 months; ``hr=(1.3, 0.6)`` crossing hazards.

    Examples
    --------
    >>> d = HazardRatio(Exponential(0.1), breaks=(3.0,), hr=(1.0, 0.5))
    >>> round(float(d.cumhaz(np.array(5.0))), 12), round(float(d.inv_cumhaz(np.array(0.4))), 12)
    (0.4, 5.0)
    """

    base: Distribution
    hr: tuple[float, ...] = (1.0,)
    breaks: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        hr = tuple(check_positive(h, "HazardRatio", "hr") for h in self.hr)
        if not hr:
            raise bad_value("hr", "HazardRatio", "at least one hazard ratio", self.hr)
        object.__setattr__(self, "hr", hr)
        object.__setattr__(self, "breaks", _check_breaks(self.breaks, len(hr), "HazardRatio", "hr"))

    def _knots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        b = np.concatenate(([0.0], self.breaks))
        r = np.asarray(self.hr)
        hbase = self.base.cumhaz(b)                                        # H_base at piece starts
        hcum = np.concatenate(([0.0], np.cumsum(r[:-1] * np.diff(hbase))))  # H at piece starts
        return b, r, hbase, hcum

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        b, r, hbase, hcum = self._knots()
        t = np.asarray(t, dtype=float)
        j = np.searchsorted(b, t, side="right") - 1
        return hcum[j] + r[j] * (self.base.cumhaz(t) - hbase[j])

    def inv_cumhaz(self, x: np.ndarray) -> np.ndarray:
        _b, r, hbase, hcum = self._knots()
        x = np.asarray(x, dtype=float)
        j = np.searchsorted(hcum, x, side="right") - 1
        return self.base.inv_cumhaz(hbase[j] + (x - hcum[j]) / r[j])

    def describe(self) -> str:
        if not self.breaks:
            return f"{self.base.describe()} x HR {self.hr[0]:g}"
        return f"{self.base.describe()} x HR {list(self.hr)} (breaks {list(self.breaks)})"


@dataclass(frozen=True, slots=True)
class Accrual:
    """Entry times over ``[0, duration]``: uniform, or a linear ramp-up over the first ``ramp``.

    The entry density is proportional to ``min(u / ramp, 1)`` (``ramp = 0``: uniform), so the
    rate rises linearly to its plateau at ``ramp`` and stays there; entries are drawn by
    inverting the CDF ``F(u) = u^2 / (2 r M)`` for ``u <= r`` and ``(u - r/2) / M`` after,
    ``M = duration - r/2``.

    Examples
    --------
    >>> a = Accrual(24, ramp=6)
    >>> [round(float(v), 10) for v in a.quantile(np.array([0.0, 1 / 7, 1.0]))]
    [0.0, 6.0, 24.0]
    """

    duration: float
    ramp: float = 0.0

    def __post_init__(self) -> None:
        check_positive(self.duration, "Accrual", "duration")
        check_positive(self.ramp, "Accrual", "ramp", allow_zero=True)
        if self.ramp > self.duration:
            raise bad_value("ramp", "Accrual", f"<= duration ({self.duration:g})", self.ramp,
                            "The ramp-up phase is part of the accrual period.")

    def quantile(self, q: np.ndarray) -> np.ndarray:
        """Inverse CDF of the entry time."""
        r, a = float(self.ramp), float(self.duration)
        if r == 0.0:
            return q * a
        m = a - r / 2
        return np.where(q * m <= r / 2, np.sqrt(2.0 * r * m * q), q * m + r / 2)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Entry times (calendar time from the first entry)."""
        return self.quantile(rng.random(size))

    def describe(self) -> str:
        return f"accrual {self.duration:g}" + (f" (ramp-up {self.ramp:g})" if self.ramp else " (uniform)")


@dataclass(frozen=True, slots=True)
class Dropout:
    """Exponential loss to follow-up with hazard ``rate`` (0: none).

    Examples
    --------
    >>> d = Dropout.from_proportion(0.1, by=12)
    >>> round(1 - math.exp(-d.rate * 12), 12)
    0.1
    """

    rate: float = 0.0

    def __post_init__(self) -> None:
        check_positive(self.rate, "Dropout", "rate", allow_zero=True)

    @classmethod
    def from_proportion(cls, proportion: float, *, by: float) -> Dropout:
        """Rate such that ``P(lost before by) = proportion`` (the design's ``'exponential'``)."""
        p = check_probability(proportion, "Dropout.from_proportion", "proportion", open_interval=False)
        if p >= 1:
            raise bad_value("proportion", "Dropout.from_proportion", "in [0, 1)", proportion)
        return cls(-math.log1p(-p) / check_positive(by, "Dropout.from_proportion", "by"))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Dropout times (``inf`` when ``rate = 0``; the stream is consumed either way)."""
        e = rng.standard_exponential(size)
        return e / self.rate if self.rate > 0 else np.full(e.shape, np.inf)

    def describe(self) -> str:
        return f"dropout rate {self.rate:.4g}" if self.rate else "no dropout"
