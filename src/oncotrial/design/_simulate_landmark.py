"""Simulated single-arm landmark-survival trials analysed with the transformed KM test.

Each simulated trial enrols ``n`` patients over the accrual period (uniform or ramp-up), draws
event times from the scenario's law and dropout times from an exponential, and is analysed at
``accrual + followup`` exactly as the real trial: the Kaplan-Meier estimate at the landmark with
its Greenwood standard error and the Wald test on each transformation scale of Nagashima et al.
(2021) (:func:`oncotrial.design._simulate_estimators.landmark_z`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._validation import check_probability
from oncotrial.design._common import check_positive, check_positive_int
from oncotrial.design._dist import norm_ppf
from oncotrial.design._landmark import TRANSFORMS, LandmarkDesign
from oncotrial.design._simulate_dist import Accrual, Distribution, Dropout, Exponential
from oncotrial.design._simulate_engine import Moments, moments
from oncotrial.design._simulate_estimators import km_landmark_batch, landmark_z

__all__ = ["LandmarkTrial"]


@dataclass(frozen=True, slots=True)
class LandmarkTrial:
    """A single-arm trial testing ``H0: S(landmark) <= s0`` with the transformed KM estimate.

    Attributes
    ----------
    n : int
        Patients enrolled.
    s0 : float
        Null survival probability at the landmark.
    landmark : float
        Landmark time ``t``.
    accrual : Accrual
        Entry-time law (uniform or ramp-up).
    followup : float
        Follow-up after the end of accrual; the analysis is at ``accrual.duration + followup``.
    dropout : Dropout, default no dropout
    transforms : tuple of str, default all five
        Scales on which each simulated trial is tested (identity, log, log-log, logit,
        arcsine); every trial is analysed on all of them.
    alpha : float, default=0.05
        Total type I error; critical value ``z_{1 - alpha / sides}``.
    sides : {1, 2}, default=1
        One-sided: reject if ``Z > z``; two-sided: if ``|Z| > z``.

    Examples
    --------
    >>> tr = LandmarkTrial(n=38, s0=0.5, landmark=12, accrual=Accrual(18), followup=12, sides=2)
    >>> tr.critical_value
    1.959963984540054
    """

    n: int
    s0: float
    landmark: float
    accrual: Accrual
    followup: float
    dropout: Dropout = field(default_factory=Dropout)
    transforms: tuple[str, ...] = TRANSFORMS
    alpha: float = 0.05
    sides: int = 1
    chunk_size: int = 20_000

    def __post_init__(self) -> None:
        func = "LandmarkTrial"
        check_positive_int(self.n, func, "n", minimum=2, maximum=100_000)
        check_probability(self.s0, func, "s0")
        check_positive(self.landmark, func, "landmark")
        check_positive(self.followup, func, "followup", allow_zero=True)
        check_probability(self.alpha, func, "alpha")
        if self.sides not in (1, 2):
            raise bad_value("sides", func, "1 or 2", self.sides)
        bad = [t for t in self.transforms if t not in TRANSFORMS]
        if bad or not self.transforms:
            raise bad_value("transforms", func, f"a non-empty subset of {TRANSFORMS}", self.transforms)
        if self.landmark >= self.accrual.duration + self.followup:
            raise bad_value("landmark", func, f"< accrual + followup "
                            f"({self.accrual.duration + self.followup:g})", self.landmark,
                            "Nobody would be followed to the landmark; lengthen follow-up.")

    @classmethod
    def from_design(cls, design: LandmarkDesign, *, transform: str = "arcsine", n: int | None = None,
                    ramp: float = 0.0, dropout: Dropout | None = None,
                    transforms: tuple[str, ...] = TRANSFORMS) -> LandmarkTrial:
        """The trial a :class:`LandmarkDesign` plans: ``n = design.n[transform]`` enrolled.

        The design's dropout proportion becomes an exponential loss with
        ``P(lost before the landmark) = dropout`` unless ``dropout`` is given.
        """
        if transform not in design.n:
            raise bad_value("transform", "LandmarkTrial.from_design", f"one of {tuple(design.n)}", transform)
        drop = dropout if dropout is not None else (
            Dropout.from_proportion(design.dropout, by=design.landmark) if design.dropout else Dropout())
        return cls(n=int(design.n[transform]) if n is None else int(n), s0=design.s0,
                   landmark=design.landmark, accrual=Accrual(design.accrual, ramp),
                   followup=design.followup, dropout=drop, transforms=transforms,
                   alpha=design.alpha, sides=design.sides)

    @property
    def critical_value(self) -> float:
        """``z_{1 - alpha / sides}``."""
        return float(norm_ppf(1 - self.alpha / self.sides))

    def check_scenario(self, sc: object) -> Distribution:
        """A law of the event times, or a number: exponential with that ``S(landmark)``."""
        if isinstance(sc, (int, float)) and not isinstance(sc, bool):
            return Exponential.from_survival(float(sc), self.landmark)
        if not hasattr(sc, "inv_cumhaz"):
            raise bad_value("scenarios", "simulate", "event-time laws (Exponential, Weibull, "
                            "PiecewiseExponential, CureFraction) or S(landmark) values", sc)
        return sc  # type: ignore[return-value]

    def x_value(self, sc: Distribution) -> float:
        """True ``S(landmark)`` of the scenario."""
        return float(np.exp(-sc.cumhaz(np.array(self.landmark))))

    def describe_scenario(self, sc: Distribution) -> str:
        return f"{sc.describe()}; S({self.landmark:g}) = {self.x_value(sc):.4f}"

    def exact(self, sc: Distribution) -> dict[str, float]:
        """Nominal alpha for the rejection rates when the scenario is the null ``S(t) = s0``."""
        if math.isclose(self.x_value(sc), self.s0, rel_tol=1e-9):
            return {f"reject[{t}]": self.alpha for t in self.transforms}
        return {}

    def reference_source(self) -> str:
        return "nominal alpha"

    def simulate_chunk(self, sc: Distribution, m: int, rng: np.random.Generator) -> Moments:
        """Simulate and analyse ``m`` trials (one matrix of ``m x n`` patients)."""
        shape = (m, self.n)
        entry = self.accrual.sample(rng, shape)
        t_event = sc.sample(rng, shape)  # type: ignore[attr-defined]
        t_drop = self.dropout.sample(rng, shape)
        cens = np.minimum(t_drop, self.accrual.duration + self.followup - entry)
        time = np.minimum(t_event, cens)
        event = t_event <= cens
        s, v = km_landmark_batch(time, event, self.landmark)
        z_crit = self.critical_value
        out: Moments = {}
        for tr in self.transforms:
            z = landmark_z(s, v, self.s0, tr)
            rej = (np.abs(z) > z_crit) if self.sides == 2 else (z > z_crit)
            out[f"reject[{tr}]"] = moments(rej)
        out["km_estimate"] = moments(s)
        out["events_by_landmark"] = moments((event & (time <= self.landmark)).sum(axis=1))
        out["at_risk_at_landmark"] = moments((time >= self.landmark).sum(axis=1))
        out["events_total"] = moments(event.sum(axis=1))
        return out

    def to_dict(self) -> dict[str, object]:
        return {"type": "landmark", "n": self.n, "s0": self.s0, "landmark": self.landmark,
                "accrual": self.accrual.duration, "ramp": self.accrual.ramp,
                "followup": self.followup, "dropout_rate": self.dropout.rate,
                "transforms": list(self.transforms), "alpha": self.alpha, "sides": self.sides}
