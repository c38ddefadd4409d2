"""BOP2: Bayesian optimal phase II design for a binary endpoint (Zhou, Lee & Yuan 2017)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import as_float_array
from oncotrial.design._bayes_common import check_looks, forward_oc
from oncotrial.design._common import (
    check_alpha_power,
    check_positive,
    check_positive_int,
    check_rates,
    infeasible,
)
from oncotrial.design._dist import beta_sf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Bop2Design", "bop2_design"]


def _search(looks: np.ndarray, fut: np.ndarray, eff: np.ndarray, p0: float, p1: float,
            progress: Callable[[float], None] | None, time_budget: float | None,
            func: str) -> tuple[dict, dict]:
    """Exact OCs of every grid design at p0 and p1, in blocks (progress, time budget).

    Many ``(lambda, gamma)`` pairs give the same integer boundaries (a 500 x 301 grid with
    20 looks has a few thousand distinct designs among 150,500), and the OCs depend on the
    boundaries only: the recursion runs once per distinct design (rows of ``forward_oc``
    are independent, so each value is bit-for-bit what the whole grid would give) and is
    mapped back to the grid (issue 21). Progress and the time budget count distinct designs.
    """
    t0 = time.perf_counter()
    first, inverse = _distinct_rows(fut, eff)
    fut, eff = fut[first], eff[first]
    blocks = np.array_split(np.arange(fut.shape[0]), min(20, fut.shape[0]))
    parts: list[tuple[dict, dict]] = []
    for i, idx in enumerate(blocks):
        parts.append((forward_oc(looks, fut[idx], eff[idx], p0),
                      forward_oc(looks, fut[idx], eff[idx], p1)))
        done = (i + 1) / len(blocks)
        if progress is not None:
            progress(done)
        spent = time.perf_counter() - t0
        if time_budget is not None and spent > time_budget and done < 1:
            raise OncotrialValueError(
                f"`time_budget` of `{func}` must cover the grid search; got {time_budget:g} s, "
                f"spent {spent:.1f} s on {100 * done:.0f}% of the grid (estimated total "
                f"{spent / done:.0f} s). Use fewer looks, a coarser lam_grid/gamma_grid, a "
                "smaller nmax, or a larger time_budget.")
    keys = ("reject", "pet", "en", "stop_fut", "by_look")
    return tuple({k: np.concatenate([p[j][k] for p in parts])[inverse]  # type: ignore[return-value]
                  for k in keys} for j in (0, 1))


def _distinct_rows(fut: np.ndarray, eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the distinct ``(fut, eff)`` rows and, per row, the index of its distinct row.

    Rows are grouped by a 64-bit multiplicative hash (a 1-D sort: milliseconds, where
    ``np.unique(axis=0)`` sorts row records in seconds); the grouping is then checked row
    by row and, should two different rows ever share a hash, redone exactly.
    """
    rows = np.hstack([fut, eff]).astype(np.uint64)
    mult = np.random.default_rng(21).integers(1, 2**63, size=rows.shape[1], dtype=np.uint64) | 1
    key = (rows * mult).sum(axis=1, dtype=np.uint64)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not np.array_equal(rows[first][inverse], rows):  # a hash collision: group exactly
        _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    return first, inverse


@dataclass(frozen=True, slots=True, repr=False)
class Bop2Design(Result):
    """A BOP2 design: futility boundaries at each look and the final success cutoff.

    Attributes
    ----------
    n : int
        Maximum sample size ``N``.
    lam, gamma : float
        Tuning parameters of ``C(n) = 1 - lam (n/N)^gamma``.
    boundary : tuple of (int, int)
        ``(n_k, f_k)``: stop for futility at interim ``n_k`` if responses ``<= f_k``.
    r_final : int
        Declare the drug promising at ``N`` if responses ``>= r_final``.
    alpha, power, en0, pet0 : float
        Exact ``P(promising | p0)``, ``P(promising | p1)``, ``E(N | p0)``, ``P(stop early | p0)``.
    a, b : float
        The Beta prior of the response rate, echoed (default ``Beta(p0, 1 - p0)``).
    alpha_target : float
        The requested bound on the type I error.
    """

    p0: float
    p1: float
    n: int
    lam: float
    gamma: float
    boundary: tuple
    r_final: int
    alpha: float
    power: float
    en0: float
    pet0: float
    a: float = float("nan")
    b: float = float("nan")
    alpha_target: float = float("nan")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design."""
        return {"method": "bop2", "p0": self.p0, "p1": self.p1, "n": self.n, "r": self.r_final,
                "lambda": self.lam, "gamma": self.gamma, "prior": [self.a, self.b],
                "alpha_target": self.alpha_target, "alpha": self.alpha,
                "power": self.power, "en0": self.en0, "pet0": self.pet0,
                "boundary": [{"n": n, "stop_if_responses_le": f if f >= 0 else None}
                             for n, f in self.boundary]}

    def summary(self) -> pd.DataFrame:
        """Boundary table: one row per analysis ("no stop" where no count can stop the trial)."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        rows = [{"n": n, "stop if responses <=": f if f >= 0 else "no stop",
                 "promising if responses >=": ""} for n, f in self.boundary]
        rows.append({"n": self.n, "stop if responses <=": "",
                     "promising if responses >=": self.r_final})
        return Table.from_records(rows)

    def _bounds(self) -> tuple[list[int], list[int], list[int]]:
        return ([n for n, _ in self.boundary] + [self.n], [f for _, f in self.boundary] + [-1],
                [n + 1 for n, _ in self.boundary] + [self.r_final])

    def oc_table(self, p: object = None) -> pd.DataFrame:
        """Exact OCs over a grid of true rates: per-look stop/reject, P(reject), PET, EN.

        See :func:`oncotrial.design._oc.oc_table` (default grid: ``p0 - 0.1 .. p1 + 0.15``).
        """
        from oncotrial.design._oc import oc_table

        return oc_table(self, p)

    def scenario_table(self, p: object) -> pd.DataFrame:
        """The BOP2 app's scenario table: per true rate, early stopping and success in %.

        Columns ``p``, ``early stopping (%)``, ``claim promising (%)``, ``average sample size``.

        Examples
        --------
        >>> d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
        >>> d.scenario_table([0.2, 0.4]).round(1).to_dict("list")["claim promising (%)"]
        [8.6, 92.5]
        """
        return self._scenario_table(p).to_frame()

    def _scenario_table(self, p: object) -> Table:
        from oncotrial.design._oc import oc_columns

        t = oc_columns(self, p)
        return Table({"p": t["p"], "early stopping (%)": 100 * t["PET"],
                      "claim promising (%)": 100 * t["P(reject)"],
                      "average sample size": t["EN"]})

    def reject_probability(self, p: np.ndarray | float) -> np.ndarray:
        """Exact ``P(promising | p)`` over an array of rates."""
        looks = np.array([n for n, _ in self.boundary] + [self.n])
        fut = np.array([[f for _, f in self.boundary] + [-1]])
        eff = np.array([[n + 1 for n, _ in self.boundary] + [self.r_final]])
        return np.array([forward_oc(looks, fut, eff, float(q))["reject"][0]
                         for q in np.atleast_1d(p)])


def bop2_design(p0: float, p1: float, alpha: float = 0.1, *, nmax: int = 40,
                looks: object = None, a: float | None = None, b: float | None = None,
                lam_grid: np.ndarray | None = None,
                gamma_grid: np.ndarray | None = None,
                progress: Callable[[float], None] | None = None,
                time_budget: float | None = None) -> Bop2Design:
    r"""BOP2 design for a binary endpoint: (lambda, gamma) grid search, exact enumeration.

    Parameters
    ----------
    p0, p1 : float
        Null (``phi``) and target response rates.
    alpha : float, default=0.1
        Bound on the type I error ``P(promising | p0)``.
    nmax : int, default=40
        Maximum sample size ``N``.
    looks : sequence of int, optional
        Interim sample sizes (cumulative); default every 10 patients.
    a, b : float, optional
        Beta prior of the response rate, default ``Beta(p0, 1 - p0)`` (prior mean ``p0``, the
        worth of one patient, as in the BOP2 paper and app); echoed on the result and printed.
    lam_grid : array, default ``0.50, 0.505, ..., 0.995``
    gamma_grid : array, default ``0, 0.05, ..., 3``
    progress : callable, optional
        Called with the fraction of the grid evaluated (0 < f <= 1) after each of up to 20
        blocks of the search.

        .. versionadded:: 0.2
    time_budget : float, optional
        Seconds the search may take; when a block ends past the budget the search stops with
        an :class:`~oncotrial.OncotrialValueError` that gives the estimated total time.
        Default: no limit.

        .. versionadded:: 0.2

    Returns
    -------
    Bop2Design

    Notes
    -----
    With posterior ``p | x_n ~ Beta(a + x_n, b + n - x_n)``, the trial stops for futility at
    interim ``n`` if ``P(p <= p0 | x_n) > C(n) = 1 - lambda (n/N)^gamma`` and declares the drug
    promising at ``N`` if ``P(p <= p0 | x_N) <= C(N) = 1 - lambda`` [1]_. The boundary at each
    look is the largest ``x`` meeting the stopping condition (the posterior is monotone in
    ``x``). Each ``(lambda, gamma)`` on the grid is evaluated exactly (forward recursion over
    looks, vectorised over the grid) and the pair maximising power at ``p1`` subject to
    ``alpha(p0) <= alpha`` is returned (ties: smaller ``E(N | p0)``).

    References
    ----------
    .. [1] Zhou H, Lee JJ, Yuan Y. BOP2: Bayesian optimal design for phase II clinical trials
       with simple and complex endpoints. Stat Med 2017;36:3302-3314.

    Examples
    --------
    >>> d = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    >>> d.alpha <= 0.1, d.n
    (True, 40)
    """
    func = "bop2_design"
    p0, p1 = check_rates(p0, p1, func)
    alpha = check_alpha_power(alpha, 1 - 1e-9, func)[0]
    nmax = check_positive_int(nmax, func, "nmax", minimum=2, maximum=1000)
    if looks is None:
        looks = list(range(10, nmax, 10))
    all_looks = check_looks(list(looks), nmax, func) if len(list(looks)) else np.array([nmax])
    a = p0 if a is None else check_positive(a, func, "a")
    b = 1 - p0 if b is None else check_positive(b, func, "b")
    lams = np.round(np.arange(0.50, 0.9951, 0.005), 3) if lam_grid is None else \
        as_float_array(lam_grid, func, "lam_grid")
    gams = np.round(np.arange(0.0, 3.001, 0.05), 2) if gamma_grid is None else \
        as_float_array(gamma_grid, func, "gamma_grid", nonnegative=True)
    if time_budget is not None:
        time_budget = check_positive(time_budget, func, "time_budget")
    lg, gg = (g.ravel() for g in np.meshgrid(lams, gams, indexing="ij"))
    frac = all_looks / nmax
    fut = np.empty((lg.size, all_looks.size), dtype=int)
    eff = np.empty_like(fut)
    for k, nk in enumerate(all_looks):
        x = np.arange(nk + 1)
        post_gt = beta_sf(p0, a + x, b + nk - x)      # P(p > p0 | x): increasing in x
        thr = lg * frac[k] ** gg                           # stop if P(p > p0 | x) < thr
        fut[:, k] = np.searchsorted(post_gt, thr, side="left") - 1
        eff[:, k] = nk + 1
    # final analysis: promising iff P(p > p0 | x) >= lambda, i.e. x > fut at N
    eff[:, -1] = fut[:, -1] + 1
    fut[:, -1] = -1
    oc0, oc1 = _search(all_looks, fut, eff, p0, p1, progress, time_budget, func)
    ok = oc0["reject"] <= alpha
    if not ok.any():
        raise infeasible(func, f"no (lambda, gamma) on the grid gives alpha <= {alpha} with N = {nmax}",
                         "Raise lambda's grid towards 1, increase nmax or relax alpha.")
    score = np.where(ok, oc1["reject"], -np.inf)
    best = np.flatnonzero(score == score.max())
    i = int(best[np.argmin(oc0["en"][best])])
    inter = all_looks[:-1]
    return Bop2Design(p0=p0, p1=p1, n=nmax, lam=float(lg[i]), gamma=float(gg[i]),
                      boundary=tuple(zip(inter.tolist(), fut[i, :-1].tolist(), strict=True)),
                      r_final=int(eff[i, -1]), alpha=float(oc0["reject"][i]),
                      power=float(oc1["reject"][i]), en0=float(oc0["en"][i]),
                      pet0=float(oc0["pet"][i]), a=float(a), b=float(b), alpha_target=alpha)
