"""Simulated single-arm binary trials with interim looks (single stage, Simon, Bayesian designs).

Every binary design of :mod:`oncotrial.design` is a set of looks ``n_1 < ... < n_K`` with a
futility boundary ``f_k`` and an efficacy boundary ``e_k`` on the response count -- the
boundaries that the design functions derive from their decision rules (Simon's ``r1``,
Thall-Simon and BOP2 posterior cut-offs, Lee-Liu predictive probability); the posterior and the
predictive probability are monotone in the count, so "posterior below the cut-off" and
"count at or below the boundary" are the same event. A simulated trial draws the responses
of each stage as ``Bin(n_k - n_{k-1}, p)`` and applies the boundaries in order, exactly as the
trial's statistician would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._validation import check_probability
from oncotrial.design._bayes_common import forward_oc
from oncotrial.design._bayes_posterior import PosteriorMonitoring
from oncotrial.design._bayes_predictive import PredictiveDesign
from oncotrial.design._bop2 import Bop2Design
from oncotrial.design._simon import SimonDesign, SimonSearch
from oncotrial.design._simulate_engine import Moments
from oncotrial.design._single_stage import SingleStageDesign

__all__ = ["BinaryTrial"]

BINARY_METRICS = ("reject", "pet", "stop_futility", "stop_efficacy", "en")


@dataclass(frozen=True, slots=True)
class BinaryTrial:
    """A single-arm binary trial: looks and response-count boundaries.

    Attributes
    ----------
    looks : tuple of int
        Cumulative sample sizes at the analyses; the last is ``N``.
    futility : tuple of int
        Stop for futility at look k if responses ``<= futility[k]`` (``-1``: never).
    efficacy : tuple of int
        Stop and declare promising at interim k if responses ``>= efficacy[k]``
        (``looks[k] + 1``: never); at the last look, ``>= efficacy[-1]`` is success.
    name : str
        The design it came from, echoed in the results.

    Examples
    --------
    >>> from oncotrial.design import simon_design
    >>> BinaryTrial.from_design(simon_design(0.1, 0.3).optimal).looks
    (10, 29)
    """

    looks: tuple[int, ...]
    futility: tuple[int, ...]
    efficacy: tuple[int, ...]
    name: str = "binary"
    chunk_size: int = 250_000

    def __post_init__(self) -> None:
        k = len(self.looks)
        if k == 0 or len(self.futility) != k or len(self.efficacy) != k:
            raise bad_value("looks", "BinaryTrial", "as long as `futility` and `efficacy` (>= 1 look)",
                            self.looks)
        if any(b <= a for a, b in zip(self.looks, self.looks[1:], strict=False)) or self.looks[0] < 1:
            raise bad_value("looks", "BinaryTrial", "strictly increasing positive integers", self.looks)

    @classmethod
    def from_design(cls, design: object) -> BinaryTrial:
        """Boundaries of a design object of :mod:`oncotrial.design`.

        Accepts :class:`SingleStageDesign`, :class:`SimonDesign` (a :class:`SimonSearch` gives
        its optimal design), :class:`PosteriorMonitoring` (Thall-Simon),
        :class:`PredictiveDesign` (Lee-Liu) and :class:`Bop2Design`.
        """
        d = design.optimal if isinstance(design, SimonSearch) else design
        if isinstance(d, SingleStageDesign):
            return cls((d.n,), (-1,), (d.r,), "single-stage")
        if isinstance(d, SimonDesign):
            return cls((d.n1, d.n), (d.r1, -1), (d.n1 + 1, d.r + 1), f"simon-{d.kind}")
        if isinstance(d, PosteriorMonitoring):
            fut = list(d.futility)
            fut[-1] = -1  # at the last look only success/failure remains (efficacy[-1] decides)
            return cls(tuple(d.looks), tuple(fut), tuple(d.efficacy), "thall-simon")
        if isinstance(d, (PredictiveDesign, Bop2Design)):
            inter = [n for n, _ in d.boundary]
            fut = [f for _, f in d.boundary] + [-1]
            eff = [n + 1 for n in inter] + [d.r_final]
            name = "lee-liu" if isinstance(d, PredictiveDesign) else "bop2"
            return cls((*tuple(inter), d.n), tuple(fut), tuple(eff), name)
        raise bad_value("design", "simulate", "a binary design of oncotrial.design, a "
                        "LandmarkTrial or a TwoArmTrial", type(design).__name__,
                        "Build one with e.g. simon_design(...), bop2_design(...) or BinaryTrial(...).")

    def check_scenario(self, p: object) -> float:
        """A true response rate in [0, 1]."""
        return check_probability(p, "simulate", "scenarios", open_interval=False)  # type: ignore[arg-type]

    def x_value(self, p: float) -> float:
        return float(p)

    def describe_scenario(self, p: float) -> str:
        return f"p = {p:g}"

    def exact(self, p: float) -> dict[str, float]:
        """Exact OCs by forward recursion (``oncotrial.design._bayes_common.forward_oc``)."""
        try:
            oc = forward_oc(np.array(self.looks), np.array([self.futility]), np.array([self.efficacy]), p)
        except OverflowError:  # scipy's binomial pmf overflows at p = DBL_MIN (2.2e-308): no reference
            return {}
        pet = float(oc["pet"][0])
        sf = float(oc["stop_fut"][0])
        return {"reject": float(oc["reject"][0]), "pet": pet, "stop_futility": sf,
                "stop_efficacy": pet - sf, "en": float(oc["en"][0])}

    def simulate_chunk(self, p: float, n: int, rng: np.random.Generator) -> Moments:
        """Simulate ``n`` trials; only trials still running draw the next stage."""
        x = np.zeros(n, dtype=np.int64)
        prev = 0
        stop_fut = stop_eff = 0
        en_sum = en_sq = 0.0
        last = len(self.looks) - 1
        for k, nk in enumerate(self.looks):
            x += rng.binomial(nk - prev, p, size=x.size)
            prev = nk
            if k == last:
                rej = int(np.count_nonzero(x >= self.efficacy[k]))
                en_sum += float(nk) * x.size
                en_sq += float(nk) ** 2 * x.size
                break
            fut = x <= self.futility[k]
            eff = x >= self.efficacy[k]
            nf, ne = int(np.count_nonzero(fut)), int(np.count_nonzero(eff & ~fut))
            stop_fut += nf
            stop_eff += ne
            en_sum += float(nk) * (nf + ne)
            en_sq += float(nk) ** 2 * (nf + ne)
            if nf or ne:
                x = x[~(fut | eff)]
        reject = rej + stop_eff
        pet = stop_fut + stop_eff
        return {"reject": (float(reject), float(reject)), "pet": (float(pet), float(pet)),
                "stop_futility": (float(stop_fut), float(stop_fut)),
                "stop_efficacy": (float(stop_eff), float(stop_eff)), "en": (en_sum, en_sq)}

    def to_dict(self) -> dict[str, object]:
        return {"type": "binary", "design": self.name, "looks": list(self.looks),
                "futility": list(self.futility), "efficacy": list(self.efficacy)}

    def reference_source(self) -> str:
        return "exact"
