"""Simon (1989) two-stage designs: optimal, minimax and admissible (Jung et al. 2004)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import as_float_array, check_count
from oncotrial.design._common import (
    binom_tables,
    check_alpha_power,
    check_positive_int,
    check_rates,
    infeasible,
)
from oncotrial.design._dist import binom_cdf, binom_pmf, binom_sf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SimonDesign", "SimonSearch", "simon_design", "simon_oc"]

Kind = Literal["optimal", "minimax", "admissible", "candidate"]


@dataclass(frozen=True, slots=True, repr=False)
class SimonDesign(Result):
    """One two-stage design ``r1/n1, r/n``.

    Stage 1 treats ``n1`` patients and stops for futility if ``X1 <= r1``; otherwise ``n - n1``
    more are treated and H0 is rejected if the total ``X > r`` (Simon's convention).

    Attributes
    ----------
    r1, n1, r, n : int
        Boundaries and sizes.
    alpha, power : float
        Exact ``P(X1 > r1, X > r)`` at ``p0`` and at ``p1``.
    en0, pet0 : float
        Expected sample size and probability of early termination at ``p0``.
    en1, pet1 : float
        The same at ``p1``.
    kind : {'optimal', 'minimax', 'admissible', 'candidate'}
        Why the design was reported.
    q_low, q_high : float
        For admissible designs, the weights ``q`` for which the design minimises
        ``q n + (1 - q) EN(p0)`` (Jung et al. 2004); ``nan`` otherwise.
    """

    p0: float
    p1: float
    r1: int
    n1: int
    r: int
    n: int
    alpha: float
    power: float
    en0: float
    pet0: float
    en1: float
    pet1: float
    kind: str = "candidate"
    q_low: float = float("nan")
    q_high: float = float("nan")

    @property
    def rule(self) -> str:
        """The decision rule in words."""
        return (f"stage 1: treat {self.n1}, stop if responses <= {self.r1}; "
                f"stage 2: treat {self.n - self.n1} more, reject H0 if total responses > {self.r}")

    def reject_probability(self, p: np.ndarray | float) -> np.ndarray:
        """``P(reject H0 | p)`` for an array of true rates (the OC curve)."""
        return simon_oc(self.r1, self.n1, self.r, self.n, p)[0]

    def _bounds(self) -> tuple[list[int], list[int], list[int]]:
        return [self.n1, self.n], [self.r1, -1], [self.n1 + 1, self.r + 1]

    def oc_table(self, p: object = None) -> pd.DataFrame:
        """Exact OCs over a grid of true rates: per-look stop/reject, P(reject), PET, EN.

        See :func:`oncotrial.design._oc.oc_table` (default grid: ``p0 - 0.1 .. p1 + 0.15``).
        """
        from oncotrial.design._oc import oc_table

        return oc_table(self, p)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design keyed by ``r1, n1, r, n, en0, pet0, alpha, power``."""
        d: dict[str, object] = {
            "kind": self.kind, "r1": self.r1, "n1": self.n1, "r": self.r, "n": self.n,
            "en0": self.en0, "pet0": self.pet0, "alpha": self.alpha, "power": self.power,
            "en1": self.en1, "pet1": self.pet1, "rule": self.rule,
        }
        if self.kind == "admissible" or not np.isnan(self.q_low):
            d["q_range"] = [self.q_low, self.q_high]
        return d

    def summary(self) -> pd.DataFrame:
        """One-row table of the design."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        return Table.from_records([{
            "r1/n1": f"{self.r1}/{self.n1}", "r/n": f"{self.r}/{self.n}",
            "EN(p0)": self.en0, "PET(p0)": self.pet0, "alpha": self.alpha, "power": self.power,
        }], index=[self.kind])


@dataclass(frozen=True, slots=True, repr=False)
class SimonSearch(Result):
    """Result of :func:`simon_design`: the optimal, minimax and admissible designs.

    Attributes
    ----------
    p0, p1, alpha_target, power_target : float
        The request (``power_target = 1 - beta``).
    nmax : int
        Largest maximum sample size searched.
    optimal, minimax : SimonDesign
        Minimum ``EN(p0)`` design, and minimum ``n`` design (ties: minimum ``EN(p0)``).
    admissible : tuple of SimonDesign
        Designs minimising ``q n + (1 - q) EN(p0)`` for some ``q`` in [0, 1], from minimax
        (``q = 1``) to optimal (``q = 0``).
    by_n : tuple of SimonDesign
        For every feasible maximum size ``n``, the design with minimum ``EN(p0)``
        (R clinfun ``ph2simon()$out``).
    """

    p0: float
    p1: float
    alpha_target: float
    power_target: float
    nmax: int
    optimal: SimonDesign
    minimax: SimonDesign
    admissible: tuple[SimonDesign, ...]
    by_n: tuple[SimonDesign, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the request plus ``optimal``, ``minimax`` and ``admissible`` designs."""
        return {
            "method": "simon", "p0": self.p0, "p1": self.p1, "alpha_target": self.alpha_target,
            "power_target": self.power_target, "nmax": self.nmax,
            "optimal": self.optimal.to_dict(), "minimax": self.minimax.to_dict(),
            "admissible": [d.to_dict() for d in self.admissible],
        }

    def summary(self) -> pd.DataFrame:
        """Optimal, minimax and admissible designs in one table."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        rows = [self.optimal, self.minimax] + [d for d in self.admissible
                                              if (d.n, d.n1) not in {(self.optimal.n, self.optimal.n1),
                                                                     (self.minimax.n, self.minimax.n1)}]
        parts = [d._summary_table() for d in rows]
        out = Table({k: [v for t in parts for v in t.columns[k]] for k in parts[0].columns},
                    index=[v for t in parts for v in t.index or ()])
        out.columns["q range"] = [("" if np.isnan(d.q_low) else f"[{d.q_low:.3f}, {d.q_high:.3f}]")
                                  for d in rows]
        return out


def simon_oc(r1: int, n1: int, r: int, n: int, p: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Exact operating characteristics of the two-stage design ``r1/n1, r/n``.

    Returns ``(reject, pet, en)`` arrays over ``p``, with
    ``reject = sum_{x1 = r1+1}^{n1} b(x1; n1, p) P(Bin(n - n1, p) > r - x1)``,
    ``pet = P(Bin(n1, p) <= r1)`` and ``en = n1 + (1 - pet)(n - n1)`` (Simon 1989).

    Examples
    --------
    >>> rej, pet, en = simon_oc(1, 10, 5, 29, [0.1, 0.3])
    >>> [round(float(v), 4) for v in rej], round(float(pet[0]), 4), round(float(en[0]), 2)
    ([0.0471, 0.8051], 0.7361, 15.01)
    >>> simon_oc(11, 10, 5, 29, 0.2)
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `r1` of `simon_oc` must be <= `n1` (10); got 11.
    """
    func = "simon_oc"
    n = check_count(n, func, "n")
    n1 = check_count(n1, func, "n1", upper=n - 1, upper_name="n - 1")
    if n1 < 1:
        raise bad_value("n1", func, "at least 1", n1, "Stage 1 needs patients.")
    r1 = check_count(r1, func, "r1", upper=n1, upper_name="n1")
    r = check_count(r, func, "r", upper=n, upper_name="n")
    if r < r1:
        raise bad_value("r", func, f">= `r1` ({r1})", r,
                        "The final boundary counts responses over both stages.")
    p = as_float_array(p, func, "p")
    if ((p < 0) | (p > 1)).any():
        i = int(np.flatnonzero((p < 0) | (p > 1))[0])
        raise bad_value("p", func, "in [0, 1]", float(p[i]), f"(index {i}) Rates are "
                        "probabilities.")
    x1 = np.arange(r1 + 1, n1 + 1)
    rej = (binom_pmf(x1[None, :], n1, p[:, None])
           * binom_sf(r - x1[None, :], n - n1, p[:, None])).sum(axis=1)
    pet = binom_cdf(r1, n1, p)
    return rej, pet, n1 + (1 - pet) * (n - n1)


def _best_by_n(p0: float, p1: float, alpha: float, power: float, nmax: int,
               full_table: bool = False) -> list[tuple]:
    """For each n, the feasible ``(n1, r1, r)`` with minimum EN(p0); vectorised search.

    Notation: ``A(r1, r) = P(X1 > r1, X1 + X2 > r)`` for stage sizes ``n1``, ``n2 = n - n1``.
    For fixed ``n`` the search broadcasts over ``n1 = 1..n-1``, ``r`` and ``r1`` at once, for
    ``p0`` and ``p1`` together (no Python loop below the level of ``n``). Pruning that cannot
    lose the minimum-EN design:

    * ``A(r1, r; p1) <= P(Bin(n, p1) > r)``, so ``r <= R(n) = max{r : P(Bin(n, p1) > r) >= power}``
      and, since ``r1 <= r`` is needed for a non-degenerate design, ``r1 <= R(n)``; stage-1
      counts ``x1 > R`` contribute ``P(X1 > R)`` in one piece.
    * ``r1 + n2 < r`` (clinfun does not search it) has the same rejection region as
      ``r1' = r - n2``, which stops more often, so it is never the minimum-EN design;
      ``r < r1`` gives the same rejection region as ``r = r1``; ``r1 >= n1`` has power 0.
      These cases therefore need no mask.

    With ``x1`` listed in descending order ``j = 0..R+1`` (``j = 0`` holding ``P(X1 > R)``),
    ``A(R - j, r) = sum_{j' <= j} b(x1_j') P(X2 > r - x1_j')`` is a forward cumulative sum
    along the contiguous last axis of a Hankel view of the stage-2 tail table.

    Sizes ``n`` are skipped when no design can exist or matter (both bounds are exact):

    * Neyman-Pearson: a two-stage test on ``n`` patients is a level-alpha test of p0 vs p1,
      so its power is at most that of the randomised UMP test on ``X ~ Bin(n, p)``; sizes
      where that power is below ``power`` have no feasible design.
    * Unless ``full_table``: every feasible design of size ``n`` has
      ``EN(p0) >= LB(n) = min_{n1 < n} [n1 + g(n1) (n - n1)]`` with
      ``g(n1) = min{P(X1 > r1 | p0) : P(X1 > r1 | p1) >= power}`` (stage 1 alone must have
      the power). A size with ``LB(n)`` above the smallest EN found at smaller sizes is
      dominated in both ``n`` and ``EN`` and can be neither optimal, minimax nor admissible.
    """
    t0, t1 = binom_tables(nmax, p0), binom_tables(nmax, p1)
    pmf = np.stack([t0[0], t1[0]])
    sf = np.stack([t0[1], t1[1]])
    sw = np.lib.stride_tricks.sliding_window_view
    sizes = np.arange(nmax + 1)
    # randomised UMP power for every n (row-wise): reject if X > c, randomise at X = c
    c = (sf[0, :, 1:] > alpha).sum(axis=1)          # c = min{c : P0(X > c) <= alpha}
    p0_eq = pmf[0, sizes, np.minimum(c, nmax)]
    gam = np.where(p0_eq > 0, (alpha - sf[0, sizes, c + 1]) / np.where(p0_eq > 0, p0_eq, 1), 0)
    np_power = sf[1, sizes, c + 1] + gam * pmf[1, sizes, np.minimum(c, nmax)]
    # stage-1 bound g(n1) and LB(n)
    last = (sf[1, :, 1:] >= power)                  # [n1, r1]: P1(X1 > r1) >= power
    has = last.any(axis=1)
    r1hi = np.where(has, last.shape[1] - 1 - np.argmax(last[:, ::-1], axis=1), 0)
    g = np.where(has, sf[0, sizes, r1hi + 1], np.inf)
    g[0] = np.inf
    n1g = sizes[:, None]
    ng = sizes[None, :]
    with np.errstate(invalid="ignore"):
        lb_mat = np.where(n1g < ng, n1g + g[:, None] * (ng - n1g), np.inf)
    lb = lb_mat.min(axis=0)
    best_en = np.inf
    out: list[tuple] = []
    for n in range(2, nmax + 1):
        if np_power[n] < power or (not full_table and lb[n] > best_en):
            continue
        ok_r = np.flatnonzero(sf[1, n, 1 : n + 1] >= power)  # r with P(X > r | p1) >= power
        if ok_r.size == 0:
            continue
        big_r = int(ok_r[-1])
        n1 = np.arange(1, n)
        n2 = n - n1
        kk = n - 1
        # q[:, k, i] = P(X2 > i - R - 1), i = 0..2R+1 (1 for i <= R)
        q = np.ones((2, kk, 2 * big_r + 2))
        q[:, :, big_r + 1 :] = sf[:, n2, 1 : big_r + 2]
        h = sw(q, big_r + 2, axis=2)[:, :, : big_r + 1, :]     # h[., k, r, j] = q[., k, r + j]
        w = np.empty((2, kk, big_r + 2))                      # w[., k, j] = b(x1 = R + 1 - j)
        w[:, :, 0] = sf[:, n1, big_r + 1]
        w[:, :, 1:] = pmf[:, n1, big_r::-1]
        a = w[:, :, None, :] * h                              # (2, K, r, j)
        np.cumsum(a, axis=3, out=a)                           # a[., k, r, j] = A(R - j, r)
        feas = (a[0, :, :, : big_r + 1] <= alpha) & (a[1, :, :, : big_r + 1] >= power)
        any_r = feas.any(axis=1)                              # (K, j)
        if not any_r.any():
            continue
        r1 = big_r - np.arange(big_r + 1)
        pet = 1.0 - sf[0, n1[:, None], r1[None, :] + 1]       # P(X1 <= r1 | p0)
        en = np.where(any_r, n1[:, None] + (1.0 - pet) * n2[:, None], np.inf)
        # clinfun order on ties: n1 ascending, then r1 descending (j ascending), first wins
        i1, jj = divmod(int(np.argmin(en)), big_r + 1)
        rr = int(np.flatnonzero(feas[i1, :, jj])[-1])         # largest feasible r (clinfun)
        out.append((n, int(n1[i1]), int(r1[jj]), rr, float(en[i1, jj]), float(pet[i1, jj]),
                    float(a[0, i1, rr, jj]), float(a[1, i1, rr, jj])))
        best_en = min(best_en, float(en[i1, jj]))
    return out


def _make(p0: float, p1: float, row: tuple, kind: str, q: tuple[float, float] | None = None) -> SimonDesign:
    n, n1, r1, r, en0, pet0, a, pw = row
    pet1 = float(binom_cdf(r1, n1, p1))
    return SimonDesign(
        p0=p0, p1=p1, r1=r1, n1=n1, r=r, n=n, alpha=a, power=pw, en0=en0, pet0=pet0,
        en1=n1 + (1 - pet1) * (n - n1), pet1=pet1, kind=kind,
        q_low=float("nan") if q is None else q[0], q_high=float("nan") if q is None else q[1],
    )


def _admissible(rows: list[tuple]) -> list[tuple[tuple, float, float]]:
    """Vertices of the lower convex hull of (n, EN) between minimax and optimal, with q ranges.

    Walking from ``q = 1`` (minimax) down to ``q = 0``: design ``j`` overtakes the current
    design ``c`` when ``q < q_j = (E_c - E_j) / ((n_j - n_c) + (E_c - E_j))``; the next vertex
    is the one with the largest ``q_j`` (ties: the larger ``n``, i.e. the farther collinear point).
    """
    cur = rows[0]
    q_hi = 1.0
    out = []
    while True:
        best, best_q = None, -1.0
        for row in rows:
            if row[0] > cur[0] and row[4] < cur[4]:
                qj = (cur[4] - row[4]) / ((row[0] - cur[0]) + (cur[4] - row[4]))
                if qj > best_q or (qj == best_q and best is not None and row[0] > best[0]):
                    best, best_q = row, qj
        if best is None:
            out.append((cur, 0.0, q_hi))
            return out
        out.append((cur, best_q, q_hi))
        cur, q_hi = best, best_q


def simon_design(p0: float, p1: float, alpha: float = 0.05, power: float = 0.8,
                 *, nmax: int = 100, full_table: bool = False) -> SimonSearch:
    r"""Simon's optimal and minimax two-stage designs and the admissible designs between them.

    Parameters
    ----------
    p0 : float
        Response rate under H0, in (0, 1).
    p1 : float
        Response rate under H1, in (p0, 1).
    alpha : float, default=0.05
        Bound on the one-sided type I error ``P(reject | p0)``.
    power : float, default=0.8
        Bound on ``P(reject | p1)`` (``1 - beta``; clinfun's ``ep2 = 1 - power``).
    nmax : int, default=100
        Largest maximum sample size searched (``ph2simon(nmax=)``), up to 1000.
    full_table : bool, default=False
        Evaluate every ``n <= nmax`` so that ``by_n`` is clinfun's whole ``out`` table. By
        default sizes that provably cannot be optimal, minimax or admissible are skipped (see
        ``_best_by_n``); the reported designs are identical either way.

    Returns
    -------
    SimonSearch

    Notes
    -----
    Stage 1 treats ``n1`` patients and stops if ``X1 <= r1``; otherwise ``n2 = n - n1`` more
    are treated and H0 is rejected if ``X1 + X2 > r`` [1]_. Exactly,

    .. math:: \alpha(p) = \sum_{x_1=r_1+1}^{n_1} b(x_1; n_1, p)\,P(\mathrm{Bin}(n_2, p) > r - x_1),
              \quad PET(p) = B(r_1; n_1, p), \quad EN(p) = n_1 + (1 - PET(p)) n_2.

    Every ``(n, n1, r1, r)`` with ``1 <= n1 < n <= nmax``, ``0 <= r1 < n1``,
    ``r1 <= r <= r1 + n2`` is considered (with the lossless pruning described in the source);
    a design is feasible if ``alpha(p0) <= alpha`` and ``alpha(p1) >= power`` exactly, with no
    tolerance. For each ``n`` the feasible design with minimum ``EN(p0)`` is kept, as in R
    clinfun ``ph2simon`` [3]_, including its tie rules: ties in EN go to the smaller ``n1``
    then the larger ``r1``, and among feasible ``r`` for one ``(n1, r1)`` the largest is
    reported (it has the smallest alpha). *Minimax* is the design kept at the smallest
    feasible ``n``; *optimal* has the smallest ``EN(p0)`` (ties: smaller ``n``). *Admissible*
    designs [2]_ minimise ``q n + (1 - q) EN(p0)`` for some ``q`` in [0, 1]; each carries its
    interval of ``q``.

    References
    ----------
    .. [1] Simon R. Optimal two-stage designs for phase II clinical trials.
       Control Clin Trials 1989;10:1-10.
    .. [2] Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II cancer
       clinical trials. Stat Med 2004;23:561-569.
    .. [3] Seshan VE. clinfun: Clinical Trial Design and Data Analysis Functions
       (``ph2simon``). R package.

    Examples
    --------
    Simon (1989) Table 1, p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20:

    >>> s = simon_design(0.10, 0.30, 0.05, 0.80)
    >>> o, m = s.optimal, s.minimax
    >>> (o.r1, o.n1, o.r, o.n, round(o.en0, 1), round(o.pet0, 2))
    (1, 10, 5, 29, 15.0, 0.74)
    >>> (m.r1, m.n1, m.r, m.n, round(m.en0, 1), round(m.pet0, 2))
    (1, 15, 5, 25, 19.5, 0.55)
    """
    func = "simon_design"
    p0, p1 = check_rates(p0, p1, func)
    alpha, power = check_alpha_power(alpha, power, func)
    nmax = check_positive_int(nmax, func, "nmax", minimum=2, maximum=1000)
    rows = _best_by_n(p0, p1, alpha, power, nmax, full_table)
    if not rows:
        from oncotrial.design._single_stage import single_stage_design
        try:
            ss = single_stage_design(p0, p1, alpha, power, nmax=5000)
            hint = (f"The exact single-stage design needs n = {ss.n}; a two-stage design needs "
                    f"a similar maximum size, so try nmax >= {ss.n + 10}.")
        except ValueError:
            hint = "Increase nmax, lower power, raise alpha or widen p1 - p0."
        raise infeasible(func, f"no two-stage design with n <= nmax={nmax} has alpha <= {alpha} "
                         f"and power >= {power}", hint)
    minimax_row = rows[0]
    opt_row = min(rows, key=lambda t: t[4])
    adm = _admissible(rows[: rows.index(opt_row) + 1])
    admissible = tuple(_make(p0, p1, row, "admissible", (ql, qh)) for row, ql, qh in adm)
    q_of = {row[0]: (ql, qh) for row, ql, qh in adm}
    return SimonSearch(
        p0=p0, p1=p1, alpha_target=alpha, power_target=power, nmax=nmax,
        optimal=_make(p0, p1, opt_row, "optimal", q_of.get(opt_row[0])),
        minimax=_make(p0, p1, minimax_row, "minimax", q_of.get(minimax_row[0])),
        admissible=admissible,
        by_n=tuple(_make(p0, p1, row, "candidate") for row in rows),
    )
