"""Exact single-stage phase II design (A'Hern 2001) with normal and arcsine approximations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from oncotrial._result import Result
from oncotrial.design._common import (
    check_alpha_power,
    check_positive_int,
    check_rates,
    infeasible,
)
from oncotrial.design._dist import binom_isf, binom_sf, norm_ppf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SingleStageDesign", "single_stage_design"]


@dataclass(frozen=True, slots=True, repr=False)
class SingleStageDesign(Result):
    """Exact single-stage design: treat ``n`` patients, call the drug active if ``X >= r``.

    Attributes
    ----------
    p0, p1, alpha_target, power_target : float
        The request.
    n : int
        Smallest sample size with a cutoff meeting both error constraints exactly.
    r : int
        Minimum number of responses to reject H0 (A'Hern's convention: reject if ``X >= r``).
    alpha, power : float
        Exact ``P(X >= r | p0)`` and ``P(X >= r | p1)``.
    n_all_feasible : int or None
        Smallest ``m`` such that every size in ``[m, nmax]`` is feasible (A'Hern's remark that
        feasibility is not monotone in ``n``); ``None`` if the size ``nmax`` is not feasible.
    n_normal, n_arcsine : int
        Normal-approximation (Fleming 1982) and arcsine-approximation sample sizes.
    """

    p0: float
    p1: float
    alpha_target: float
    power_target: float
    n: int
    r: int
    alpha: float
    power: float
    n_all_feasible: int | None
    n_normal: int
    n_arcsine: int

    def reject_probability(self, p: np.ndarray | float) -> np.ndarray:
        """``P(X >= r | p)``: the operating-characteristic curve."""
        return np.asarray(binom_sf(self.r - 1, self.n, np.asarray(p, dtype=float)))

    def _bounds(self) -> tuple[list[int], list[int], list[int]]:
        return [self.n], [-1], [self.r]

    def oc_table(self, p: object = None) -> pd.DataFrame:
        """Exact OCs over a grid of true rates: per-look stop/reject, P(reject), PET, EN.

        See :func:`oncotrial.design._oc.oc_table` (default grid: ``p0 - 0.1 .. p1 + 0.15``).
        """
        from oncotrial.design._oc import oc_table

        return oc_table(self, p)

    @property
    def rule(self) -> str:
        """The decision rule in words."""
        return f"treat {self.n} patients; reject H0 (p <= {self.p0:g}) if responses >= {self.r}"

    def to_dict(self) -> dict[str, object]:
        """Machine-readable design, keyed by the usual symbols (``n``, ``r``, ``alpha``, ``power``)."""
        return {
            "method": "single-stage", "p0": self.p0, "p1": self.p1,
            "alpha_target": self.alpha_target, "power_target": self.power_target,
            "n": self.n, "r": self.r, "rule": "reject H0 if X >= r",
            "alpha": self.alpha, "power": self.power, "en0": float(self.n), "pet0": 0.0,
            "n_all_feasible": self.n_all_feasible,
            "n_normal": self.n_normal, "n_arcsine": self.n_arcsine,
        }

    def summary(self) -> pd.DataFrame:
        """One row per method: exact (A'Hern), normal and arcsine approximations."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        """:meth:`summary` before it becomes a DataFrame (the CLI prints it without pandas)."""
        rows: list[dict[str, object]] = [
            {"method": "exact binomial (A'Hern)", "n": self.n, "r": self.r,
             "alpha": self.alpha, "power": self.power, "EN(p0)": float(self.n), "PET(p0)": 0.0},
        ]
        for name, m in (("normal approximation", self.n_normal),
                        ("arcsine approximation", self.n_arcsine)):
            r = _cutoff(m, self.p0, self.alpha_target)
            rows.append({"method": name, "n": m, "r": r,
                         "alpha": float(binom_sf(r - 1, m, self.p0)),
                         "power": float(binom_sf(r - 1, m, self.p1)),
                         "EN(p0)": float(m), "PET(p0)": 0.0})
        return Table.from_records(rows, index="method")


def _cutoff(n: int, p0: float, alpha: float) -> int:
    """Smallest r with P(Bin(n, p0) >= r) <= alpha."""
    r = np.arange(n + 2)
    return int(r[binom_sf(r - 1, n, p0) <= alpha][0])


def single_stage_design(p0: float, p1: float, alpha: float = 0.05, power: float = 0.9,
                        *, nmax: int = 1000) -> SingleStageDesign:
    r"""Exact single-stage phase II design of A'Hern (2001).

    Parameters
    ----------
    p0 : float
        Response rate under H0 (uninteresting), in (0, 1).
    p1 : float
        Response rate under H1 (worth pursuing), in (p0, 1).
    alpha : float, default=0.05
        One-sided type I error bound.
    power : float, default=0.9
        Power bound at ``p1``.
    nmax : int, default=1000
        Largest sample size searched.

    Returns
    -------
    SingleStageDesign

    Notes
    -----
    With ``X ~ Bin(n, p)``, the design rejects H0 when ``X >= r`` [1]_. For each ``n`` the
    cutoff ``r_n = min{r : P(X >= r | p0) <= alpha}`` maximises power among level-alpha
    cutoffs, so ``n`` is feasible iff ``P(X >= r_n | p1) >= power``. Because of discreteness
    feasibility is **not monotone** in ``n`` (a feasible ``n`` may be followed by an infeasible
    ``n + 1``), so every ``n`` in ``[1, nmax]`` is evaluated and the smallest feasible one is
    returned; ``n_all_feasible`` reports the size from which all larger ones work.
    Constraints are exact inequalities ``<= alpha`` and ``>= power`` without tolerance.

    Approximations printed for comparison (rounded up):

    * normal [2]_: ``n = (z_{1-a} sqrt(p0 q0) + z_{1-b} sqrt(p1 q1))^2 / (p1 - p0)^2``;
    * arcsine: ``n = (z_{1-a} + z_{1-b})^2 / (4 (asin sqrt(p1) - asin sqrt(p0))^2)``.

    References
    ----------
    .. [1] A'Hern RP. Sample size tables for exact single-stage phase II designs.
       Stat Med 2001;20:859-866.
    .. [2] Fleming TR. One-sample multiple testing procedure for phase II clinical trials.
       Biometrics 1982;38:143-151.

    Examples
    --------
    The TALENT trial's per-cohort size (p0 10%, p1 25%, alpha 5%, power 90%):

    >>> d = single_stage_design(0.10, 0.25, 0.05, 0.90)
    >>> d.n, d.r, round(d.alpha, 4), round(d.power, 4)
    (55, 10, 0.0444, 0.9112)
    """
    func = "single_stage_design"
    p0, p1 = check_rates(p0, p1, func)
    alpha, power = check_alpha_power(alpha, power, func)
    nmax = check_positive_int(nmax, func, "nmax", maximum=100_000)

    n = np.arange(1, nmax + 1)
    # critical value via the quantile, then fix the (rare) off-by-one from rounding
    r = binom_isf(alpha, n, p0).astype(int) + 1
    r = np.clip(r, 0, n + 1)
    a = binom_sf(r - 1, n, p0)
    while np.any(a > alpha):
        r = np.where(a > alpha, r + 1, r)
        a = binom_sf(r - 1, n, p0)
    prev = binom_sf(r - 2, n, p0)
    while np.any((prev <= alpha) & (r > 0)):
        r = np.where((prev <= alpha) & (r > 0), r - 1, r)
        a = binom_sf(r - 1, n, p0)
        prev = binom_sf(r - 2, n, p0)
    pw = binom_sf(r - 1, n, p1)
    ok = (pw >= power) & (r <= n)
    if not ok.any():
        best = int(np.argmax(np.where(r <= n, pw, -1.0)))
        raise infeasible(
            func, f"no n <= nmax={nmax} reaches power {power} at level {alpha} "
            f"(best power {pw[best]:.4f} at n={n[best]})",
            "Increase nmax, lower power, raise alpha, or widen p1 - p0.")
    i = int(np.argmax(ok))
    tail_bad = np.flatnonzero(~ok)
    n_all = None if not ok[-1] else int(n[tail_bad[-1] + 1]) if tail_bad.size else 1

    z = norm_ppf(1 - alpha), norm_ppf(power)
    n_norm = math.ceil((z[0] * math.sqrt(p0 * (1 - p0)) + z[1] * math.sqrt(p1 * (1 - p1))) ** 2
                       / (p1 - p0) ** 2)
    n_arc = math.ceil((z[0] + z[1]) ** 2
                      / (4 * (math.asin(math.sqrt(p1)) - math.asin(math.sqrt(p0))) ** 2))
    return SingleStageDesign(
        p0=p0, p1=p1, alpha_target=alpha, power_target=power, n=int(n[i]), r=int(r[i]),
        alpha=float(a[i]), power=float(pw[i]), n_all_feasible=n_all,
        n_normal=n_norm, n_arcsine=n_arc,
    )
