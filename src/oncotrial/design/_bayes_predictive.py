"""Bayesian predictive-probability design for a single-arm phase II trial (Lee & Liu 2008)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from oncotrial._result import Result
from oncotrial._validation import check_count, check_probability
from oncotrial.design._bayes_common import forward_oc
from oncotrial.design._common import (
    check_alpha_power,
    check_positive,
    check_positive_int,
    check_rates,
    infeasible,
)
from oncotrial.design._dist import beta_sf, betabinom_sf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PredictiveDesign", "predictive_design", "predictive_probability"]


def _k_target(nmax: int, p0: float, a: float, b: float, theta_t: float) -> int:
    """Smallest total k with P(p > p0 | k of nmax) > theta_T (nmax + 1 if none)."""
    k = np.arange(nmax + 1)
    ok = beta_sf(p0, a + k, b + nmax - k) > theta_t
    return int(k[ok][0]) if ok.any() else nmax + 1


def predictive_probability(x: int, n: int, nmax: int, p0: float, theta_t: float, *,
                           a: float, b: float) -> float:
    r"""Predictive probability of trial success at ``nmax`` given ``x`` responses in ``n``.

    ``PP = sum_{y=0}^{m} P(Y = y | x) 1{P(p > p0 | x + y, nmax) > theta_T}`` with
    ``m = nmax - n`` and ``Y | x ~ BetaBinomial(m, a + x, b + n - x)`` under the prior
    ``Beta(a, b)`` (Lee & Liu 2008, eq. 1).

    Examples
    --------
    Lee & Liu's worked example (p0 0.6, prior Beta(0.6, 0.4), theta_T 0.9):

    >>> round(predictive_probability(16, 23, 40, 0.6, 0.9, a=0.6, b=0.4), 4)
    0.5656
    """
    func = "predictive_probability"
    nmax = check_positive_int(nmax, func, "nmax")
    n = check_count(n, func, "n", upper=nmax, upper_name="nmax")
    x = check_count(x, func, "x", upper=n, upper_name="n")
    p0 = check_probability(p0, func, "p0")
    theta_t = check_probability(theta_t, func, "theta_t")
    a = check_positive(a, func, "a")
    b = check_positive(b, func, "b")
    k = _k_target(nmax, p0, a, b, theta_t)
    return float(betabinom_sf(k - x - 1, nmax - n, a + x, b + n - x))


@dataclass(frozen=True, slots=True, repr=False)
class PredictiveDesign(Result):
    """A predictive-probability design and its exact operating characteristics.

    Attributes
    ----------
    n : int
        Maximum sample size ``Nmax``.
    theta_t, theta_l : float
        Final posterior threshold and futility threshold on the predictive probability.
    r_final : int
        Reject H0 at ``Nmax`` if responses ``>= r_final``.
    boundary : tuple of (int, int)
        ``(n, f_n)``: stop for futility after ``n`` patients if responses ``<= f_n``
        (``-1``: no stop possible at that look).
    alpha, power, en0, pet0 : float
        Exact ``P(reject | p0)``, ``P(reject | p1)``, ``E(N | p0)`` and ``P(early stop | p0)``.
    """

    p0: float
    p1: float
    a: float
    b: float
    n: int
    theta_t: float
    theta_l: float
    r_final: int
    boundary: tuple
    alpha: float
    power: float
    en0: float
    pet0: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design keyed by ``n``, ``r``, ``alpha``, ``power``, ``en0``, ``pet0``."""
        return {"method": "bayes-predictive", "p0": self.p0, "p1": self.p1,
                "prior": [self.a, self.b], "n": self.n, "r": self.r_final,
                "theta_t": self.theta_t, "theta_l": self.theta_l, "alpha": self.alpha,
                "power": self.power, "en0": self.en0, "pet0": self.pet0,
                "boundary": [{"n": n, "stop_if_responses_le": f if f >= 0 else None}
                             for n, f in self.boundary]}

    def summary(self) -> pd.DataFrame:
        """One row per look with the futility boundary; OCs in the last row's columns."""
        df = self._summary_table().to_frame()
        df.attrs.update(alpha=self.alpha, power=self.power, en0=self.en0, pet0=self.pet0)
        return df

    def _summary_table(self) -> Table:
        return Table({"n": [n for n, _ in self.boundary],
                      "stop if responses <=": [f if f >= 0 else "no stop"
                                               for _, f in self.boundary]})

    def reject_probability(self, p: np.ndarray | float) -> np.ndarray:
        """Exact ``P(reject H0 | p)`` over an array of rates."""
        looks, fut, eff = self._bounds()
        return np.array([forward_oc(looks, fut, eff, float(q))["reject"][0]
                         for q in np.atleast_1d(p)])

    def oc_table(self, p: object = None) -> pd.DataFrame:
        """Exact OCs over a grid of true rates: per-look stop/reject, P(reject), PET, EN.

        See :func:`oncotrial.design._oc.oc_table` (default grid: ``p0 - 0.1 .. p1 + 0.15``).
        """
        from oncotrial.design._oc import oc_table

        return oc_table(self, p)

    def _bounds(self):
        looks = np.array([n for n, _ in self.boundary] + [self.n])
        fut = np.array([[f for _, f in self.boundary] + [-1]])
        eff = np.array([[n + 1 for n, _ in self.boundary] + [self.r_final]])
        return looks, fut, eff


def _boundaries(nmax: int, looks: np.ndarray, p0: float, a: float, b: float, k: int,
                theta_l: np.ndarray) -> np.ndarray:
    """(L, K) futility boundaries: largest x at each look with PP(x) < theta_L."""
    out = np.full((theta_l.size, looks.size), -1)
    for j, n in enumerate(looks):
        x = np.arange(n + 1)
        pp = betabinom_sf(k - x - 1, nmax - n, a + x, b + n - x)  # nondecreasing in x
        out[:, j] = np.searchsorted(pp, theta_l, side="left") - 1
    return out


def predictive_design(p0: float, p1: float, alpha: float = 0.1, power: float = 0.9, *,
                      nmin: int = 10, nmax: int = 60, first_look: int = 10,
                      a: float | None = None, b: float | None = None,
                      theta_t: np.ndarray | None = None,
                      theta_l: np.ndarray | None = None) -> PredictiveDesign:
    r"""Search Lee & Liu's predictive-probability design over ``Nmax``, theta_T and theta_L.

    Parameters
    ----------
    p0, p1 : float
        Null and target response rates.
    alpha, power : float, default=0.1, 0.9
        Constraints on the exact type I error and power (Lee & Liu's example values).
    nmin, nmax : int, default=10, 60
        Range of maximum sample sizes searched.
    first_look : int, default=10
        Monitoring is continuous (after every patient) from ``first_look`` to ``Nmax - 1``.
    a, b : float, optional
        Beta prior; default ``Beta(p0, 1 - p0)`` (mean p0, one patient's worth of information).
    theta_t : array, default ``0.80, 0.81, ..., 0.99``
    theta_l : array, default ``0.001, 0.01, 0.02, ..., 0.20``

    Returns
    -------
    PredictiveDesign

    Notes
    -----
    After ``n`` patients with ``x`` responses, the predictive probability ``PP`` is that of
    :func:`predictive_probability`. The trial stops for futility if ``PP < theta_L``; at
    ``Nmax`` H0 is rejected if ``P(p > p0 | x) > theta_T`` (no efficacy stopping,
    ``theta_U = 1``) [1]_. Operating characteristics are exact (forward recursion over
    ``x``). Among all ``(Nmax, theta_T, theta_L)`` on the grids with ``alpha <= alpha`` and
    ``power >= power``, the design with the smallest ``Nmax`` is returned; ties by smallest
    ``E(N | p0)``, then largest power.

    References
    ----------
    .. [1] Lee JJ, Liu DD. A predictive probability design for phase II cancer clinical trials.
       Clin Trials 2008;5:93-106.

    Examples
    --------
    >>> d = predictive_design(0.2, 0.4, 0.1, 0.9, nmin=20, nmax=50)
    >>> d.alpha <= 0.1 and d.power >= 0.9
    True
    """
    func = "predictive_design"
    p0, p1 = check_rates(p0, p1, func)
    alpha, power = check_alpha_power(alpha, power, func)
    nmax = check_positive_int(nmax, func, "nmax", minimum=2, maximum=500)
    nmin = check_positive_int(nmin, func, "nmin", minimum=1, maximum=nmax)
    first_look = check_positive_int(first_look, func, "first_look")
    a = p0 if a is None else check_positive(a, func, "a")
    b = 1 - p0 if b is None else check_positive(b, func, "b")
    tts = np.round(np.arange(0.80, 0.995, 0.01), 2) if theta_t is None else np.asarray(theta_t, float)
    tls = (np.concatenate([[0.001], np.round(np.arange(0.01, 0.205, 0.01), 2)])
           if theta_l is None else np.sort(np.asarray(theta_l, float)))
    best = None
    for big_n in range(nmin, nmax + 1):
        looks = np.arange(min(first_look, big_n), big_n)
        all_looks = np.append(looks, big_n)
        seen: dict[int, float] = {}
        for tt in tts:
            k = _k_target(big_n, p0, a, b, float(tt))
            if k in seen or k > big_n:
                continue
            seen[k] = float(tt)
            fut = _boundaries(big_n, looks, p0, a, b, k, tls)
            fut = np.hstack([fut, np.full((tls.size, 1), -1)])
            eff = np.hstack([np.tile(looks + 1, (tls.size, 1)), np.full((tls.size, 1), k)])
            oc0 = forward_oc(all_looks, fut, eff, p0)
            oc1 = forward_oc(all_looks, fut, eff, p1)
            ok = (oc0["reject"] <= alpha) & (oc1["reject"] >= power)
            for i in np.flatnonzero(ok):
                cand = (big_n, float(oc0["en"][i]), -float(oc1["reject"][i]))
                if best is None or cand < best[0]:
                    best = (cand, float(tt), float(tls[i]), k, fut[i, :-1].copy(), looks,
                            float(oc0["reject"][i]), float(oc1["reject"][i]),
                            float(oc0["pet"][i]))
        if best is not None:
            break
    if best is None:
        raise infeasible(func, f"no Nmax in [{nmin}, {nmax}] with alpha <= {alpha} and power >= "
                         f"{power} on the theta grids", "Increase nmax or relax alpha/power.")
    (big_n, en0, _), tt, tl, k, fut, looks, a0, pw, pet0 = best
    return PredictiveDesign(p0=p0, p1=p1, a=a, b=b, n=big_n, theta_t=tt, theta_l=tl, r_final=k,
                            boundary=tuple(zip(looks.tolist(), fut.tolist(), strict=True)),
                            alpha=a0, power=pw, en0=en0, pet0=pet0)
