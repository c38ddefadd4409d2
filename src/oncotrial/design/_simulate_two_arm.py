"""Simulated randomised two-arm time-to-event trials with interim looks (log-rank or Cox).

A trial enrols ``n`` patients over the accrual period, ``n_E = round(n k / (1 + k))`` to the
experimental arm (1:k allocation, fixed as with permuted blocks). Event times of the control
arm follow the scenario's control law; the experimental arm follows it under the scenario's
piecewise hazard ratio (proportional hazards, a delayed effect or crossing hazards,
:class:`oncotrial.design._simulate_dist.HazardRatio`). Looks are event-driven: look ``k``
happens at the calendar time of the ``D_k``-th event, ``D_k = max(1, round(f_k D))`` for
information fractions ``f_k`` of the target ``D`` events (a trial that never reaches ``D_k``
events is analysed at its last event). Without a target, the single analysis is at
``accrual + followup``. At each look the data are cut at that calendar time and analysed as the
real trial would be: log-rank (R ``survdiff``) or the Cox Wald test (R ``coxph``) on the
patients enrolled so far.

Decisions use ``Z_b``, the standardised statistic signed so that ``Z_b > 0`` favours the
experimental arm. One-sided: reject at look ``k`` if ``Z_b >= e_k``; two-sided: if
``|Z_b| >= e_k``. Futility: stop at interim ``k`` if ``Z_b < f_k``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._validation import check_probability
from oncotrial.design._common import check_positive, check_positive_int
from oncotrial.design._dist import norm_cdf, norm_ppf
from oncotrial.design._simulate_dist import Accrual, Distribution, Dropout, Exponential, HazardRatio
from oncotrial.design._simulate_engine import Moments, moments
from oncotrial.design._simulate_estimators import cox_batch, logrank_batch

__all__ = ["TwoArmScenario", "TwoArmTrial"]


@dataclass(frozen=True, slots=True)
class TwoArmScenario:
    """Control law and the hazard ratio (experimental / control), piecewise constant in time.

    Examples
    --------
    >>> sc = TwoArmScenario(Exponential.from_median(12), hr=(1.0, 0.6), breaks=(3.0,))
    >>> sc.describe()
    'control exponential(hazard=0.0577623, median=12); HR [1.0, 0.6] (breaks [3.0])'
    """

    control: Distribution
    hr: tuple[float, ...] = (1.0,)
    breaks: tuple[float, ...] = ()

    @property
    def experimental(self) -> HazardRatio:
        return HazardRatio(self.control, tuple(self.hr), tuple(self.breaks))

    def describe(self) -> str:
        hr = f"HR {self.hr[0]:g}" if not self.breaks else f"HR {list(self.hr)} (breaks {list(self.breaks)})"
        return f"control {self.control.describe()}; {hr}"


@dataclass(frozen=True, slots=True)
class TwoArmTrial:
    """A randomised two-arm trial with optional interim looks at information fractions.

    Attributes
    ----------
    n : int
        Patients enrolled (both arms).
    accrual : Accrual
    ratio : float, default=1
        Allocation ``k``: control:experimental = 1:k.
    events : int or None
        Target number of events ``D`` for the final analysis (event-driven design, e.g.
        Schoenfeld's); ``None``: a single analysis at ``accrual + followup``.
    followup : float, default=0
        Follow-up after accrual for the calendar-time analysis (used when ``events`` is None).
    looks : tuple of float, default=()
        Information fractions of the interim analyses, in (0, 1), e.g. ``(0.5,)``.
    efficacy : tuple of float or None
        Efficacy critical values on the ``Z_b`` scale, one per analysis (interims then final);
        ``None``: no efficacy interim and ``z_{1 - alpha/sides}`` at the final analysis.
    futility : tuple of float or None
        Futility bounds, one per interim: stop if ``Z_b < futility[k]``.
    test : {'logrank', 'cox'}, default='logrank'
    alpha : float, default=0.05
    sides : {1, 2}, default=2
    dropout : Dropout, default none
    control : Distribution, default exponential with median 12
        Control law used when a scenario is given as a bare hazard ratio.

    Examples
    --------
    >>> tr = TwoArmTrial(n=200, accrual=Accrual(24), events=120, looks=(0.5,),
    ...                  efficacy=(2.797, 1.977))
    >>> tr.event_targets
    (60, 120)
    """

    n: int
    accrual: Accrual
    ratio: float = 1.0
    events: int | None = None
    followup: float = 0.0
    looks: tuple[float, ...] = ()
    efficacy: tuple[float, ...] | None = None
    futility: tuple[float, ...] | None = None
    test: str = "logrank"
    alpha: float = 0.05
    sides: int = 2
    dropout: Dropout = field(default_factory=Dropout)
    control: Distribution = field(default_factory=lambda: Exponential.from_median(12.0))
    chunk_size: int = 5_000

    def __post_init__(self) -> None:
        func = "TwoArmTrial"
        check_positive_int(self.n, func, "n", minimum=2, maximum=100_000)
        check_positive(self.ratio, func, "ratio")
        check_positive(self.followup, func, "followup", allow_zero=True)
        check_probability(self.alpha, func, "alpha")
        if self.sides not in (1, 2):
            raise bad_value("sides", func, "1 or 2", self.sides)
        if self.test not in ("logrank", "cox"):
            raise bad_value("test", func, "'logrank' or 'cox'", self.test)
        if self.events is not None:
            check_positive_int(self.events, func, "events", minimum=1, maximum=self.n)
        elif self.looks:
            raise bad_value("looks", func, "empty when `events` is None", self.looks,
                            "Interim looks at information fractions need a target number of events.")
        elif self.followup == 0:
            raise bad_value("followup", func, "> 0 when `events` is None", self.followup,
                            "Give the target events (event-driven) or the follow-up after accrual.")
        fr = tuple(float(f) for f in self.looks)
        if any(not 0 < f < 1 for f in fr) or any(b <= a for a, b in itertools.pairwise(fr)):
            raise bad_value("looks", func, "increasing information fractions in (0, 1)", self.looks)
        k = len(fr) + 1
        if self.efficacy is not None and len(self.efficacy) != k:
            raise bad_value("efficacy", func, f"{k} critical values (interims then final)", self.efficacy)
        if self.futility is not None and len(self.futility) != k - 1:
            raise bad_value("futility", func, f"{k - 1} bounds (one per interim)", self.futility)
        if self.n_experimental in (0, self.n):
            raise bad_value("ratio", func, "such that both arms have patients", self.ratio)

    @property
    def n_experimental(self) -> int:
        return round(self.n * self.ratio / (1 + self.ratio))

    @property
    def event_targets(self) -> tuple[int, ...]:
        """``D_k = max(1, round(f_k D))`` per analysis (empty without ``events``)."""
        if self.events is None:
            return ()
        return (*tuple(max(1, round(f * self.events)) for f in self.looks), int(self.events))

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Efficacy critical values (all analyses) and futility bounds (interims; -inf: none)."""
        k = len(self.looks) + 1
        z = norm_ppf(1 - self.alpha / self.sides)
        eff = np.array(self.efficacy, dtype=float) if self.efficacy is not None else np.r_[
            np.full(k - 1, np.inf), z]
        fut = np.array(self.futility, dtype=float) if self.futility is not None else np.full(k - 1, -np.inf)
        return eff, fut

    def check_scenario(self, sc: object) -> TwoArmScenario:
        """A :class:`TwoArmScenario`, or a number: that HR under PH with the trial's control law."""
        if isinstance(sc, (int, float)) and not isinstance(sc, bool):
            return TwoArmScenario(self.control, (check_positive(sc, "simulate", "scenarios"),))
        if not isinstance(sc, TwoArmScenario):
            raise bad_value("scenarios", "simulate", "TwoArmScenario objects or hazard ratios", sc)
        HazardRatio(sc.control, tuple(sc.hr), tuple(sc.breaks))  # validates
        return sc

    def x_value(self, sc: TwoArmScenario) -> float:
        """The scenario's last-piece hazard ratio (the long-term effect)."""
        return float(sc.hr[-1])

    def describe_scenario(self, sc: TwoArmScenario) -> str:
        return sc.describe()

    def exact(self, sc: TwoArmScenario) -> dict[str, float]:
        """Schoenfeld's power at ``D`` events for a PH scenario without interim looks."""
        if self.events is None or self.looks or len(sc.hr) != 1:
            return {}
        pi = self.n_experimental / self.n
        z = norm_ppf(1 - self.alpha / self.sides)
        delta = math.sqrt(self.events * pi * (1 - pi)) * abs(math.log(sc.hr[0]))
        pw = norm_cdf(delta - z) + (norm_cdf(-delta - z) if self.sides == 2 else 0.0)
        return {"reject": float(pw)}

    def reference_source(self) -> str:
        return "Schoenfeld"

    def _times(self, sc: TwoArmScenario, m: int, rng: np.random.Generator):
        ne = self.n_experimental
        nc = self.n - ne
        entry = self.accrual.sample(rng, (m, self.n))
        t_c = sc.control.sample(rng, (m, nc))  # type: ignore[attr-defined]
        t_e = sc.experimental.sample(rng, (m, ne))
        t_event = np.hstack([t_c, t_e])
        t_drop = self.dropout.sample(rng, (m, self.n))
        return entry, t_event, t_drop

    def simulate_chunk(self, sc: TwoArmScenario, m: int, rng: np.random.Generator) -> Moments:
        """Simulate ``m`` trials and run their looks; stopped trials leave the later looks."""
        entry, t_event, t_drop = self._times(sc, m, rng)
        arm = np.zeros((m, self.n), dtype=bool)
        arm[:, self.n - self.n_experimental:] = True
        possible = t_event <= t_drop
        cal_event = np.where(possible, entry + t_event, np.inf)
        end_fu = entry + np.minimum(t_event, t_drop)          # calendar end of follow-up
        eff_b, fut_b = self.bounds
        n_looks = len(eff_b)
        if self.events is not None:
            sorted_ev = np.sort(cal_event, axis=1)
            n_possible = possible.sum(axis=1)
            last_ev = np.where(n_possible > 0, sorted_ev[np.arange(m), np.maximum(n_possible - 1, 0)],
                               np.where(np.isfinite(end_fu), end_fu, entry).max(axis=1))
        alive = np.arange(m)
        res = {k: np.zeros(m) for k in ("reject", "reject_benefit", "stop_efficacy", "stop_futility",
                                        "duration", "events", "enrolled")}
        stop_look = np.full(m, n_looks - 1)
        for k in range(n_looks):
            if self.events is not None:
                dk = self.event_targets[k]
                tau = np.where(n_possible[alive] >= dk, sorted_ev[alive, dk - 1], last_ev[alive])
            else:
                tau = np.full(alive.size, self.accrual.duration + self.followup)
            ent = entry[alive]
            inc = ent <= tau[:, None]
            fu = tau[:, None] - ent
            # compare calendar times (entry + T <= tau), not T <= tau - entry: the D_k-th event
            # itself must count whatever the rounding of the subtraction
            event = cal_event[alive] <= tau[:, None]
            te = t_event[alive]
            time = np.where(event, te, np.minimum(np.minimum(te, t_drop[alive]), fu))
            if self.test == "logrank":
                zb = -logrank_batch(time, event, arm[alive], inc)
            else:
                zb = -cox_batch(time, event, arm[alive], inc)[1]
            stat = np.abs(zb) if self.sides == 2 else zb
            last = k == n_looks - 1
            rej = stat >= eff_b[k]
            fut = np.zeros_like(rej) if last else (zb < fut_b[k]) & ~rej
            stop = np.ones_like(rej) if last else (rej | fut)
            idx = alive[stop]
            res["reject"][idx] = rej[stop]
            res["reject_benefit"][idx] = (rej & (zb > 0))[stop]
            if not last:
                res["stop_efficacy"][idx] = rej[stop]
                res["stop_futility"][idx] = fut[stop]
            res["duration"][idx] = tau[stop]
            res["events"][idx] = (event & inc).sum(axis=1)[stop]
            res["enrolled"][idx] = inc.sum(axis=1)[stop]
            stop_look[idx] = k
            alive = alive[~stop]
            if alive.size == 0:
                break
        out = {name: moments(v) for name, v in res.items()}
        if n_looks > 1:
            for k in range(n_looks):
                out[f"stop_at_look{k + 1}"] = moments(stop_look == k)
        return out

    def to_dict(self) -> dict[str, object]:
        eff, fut = self.bounds
        return {"type": "two-arm", "n": self.n, "n_experimental": self.n_experimental,
                "ratio": self.ratio, "accrual": self.accrual.duration, "ramp": self.accrual.ramp,
                "events": self.events, "event_targets": list(self.event_targets),
                "followup": self.followup, "looks": list(self.looks),
                "efficacy": [float(v) for v in eff], "futility": [float(v) for v in fut],
                "test": self.test, "alpha": self.alpha, "sides": self.sides,
                "dropout_rate": self.dropout.rate}
