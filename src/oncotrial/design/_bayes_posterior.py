"""Bayesian posterior monitoring of a single-arm trial (Thall & Simon 1994)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import betainc

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import check_probability
from oncotrial.design._bayes_common import check_looks, forward_oc
from oncotrial.design._common import check_positive, check_positive_int, check_rates
from oncotrial.design._dist import beta_ppf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PosteriorMonitoring", "posterior_monitoring"]

_NODES = 2000  # quantile-midpoint nodes for the standard-therapy prior


@dataclass(frozen=True, slots=True, repr=False)
class PosteriorMonitoring(Result):
    """Thall-Simon stopping boundaries for a look schedule, with exact OCs.

    Attributes
    ----------
    looks : tuple of int
        Cumulative sample sizes at the analyses (the last is ``n``).
    futility : tuple of int
        Stop for futility at look k if responses ``<= futility[k]`` (-1: never).
    efficacy : tuple of int
        Stop and declare promising at look k if responses ``>= efficacy[k]``
        (``looks[k] + 1``: never).
    alpha, power : float
        Exact ``P(declare promising)`` at ``p0`` and ``p1``.
    en0, pet0, en1, pet1 : float
        Expected sample size and probability of stopping before ``n`` at ``p0`` / ``p1``.
    """

    p0: float
    p1: float
    prior_e: tuple
    prior_s: tuple | None
    p_futility: float
    p_efficacy: float | None
    n: int
    looks: tuple
    futility: tuple
    efficacy: tuple
    alpha: float
    power: float
    en0: float
    pet0: float
    en1: float
    pet1: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready design."""
        return {"method": "bayes-posterior", "p0": self.p0, "p1": self.p1,
                "prior_e": list(self.prior_e),
                "prior_s": None if self.prior_s is None else list(self.prior_s),
                "p_futility": self.p_futility, "p_efficacy": self.p_efficacy, "n": self.n,
                "alpha": self.alpha, "power": self.power, "en0": self.en0, "pet0": self.pet0,
                "en1": self.en1, "pet1": self.pet1,
                "boundary": [{"n": n, "stop_if_responses_le": f if f >= 0 else None,
                              "promising_if_responses_ge": e if e <= n else None}
                             for n, f, e in zip(self.looks, self.futility, self.efficacy,
                                                strict=True)]}

    def summary(self) -> pd.DataFrame:
        """Boundary table, one row per look."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        return Table({
            "n": self.looks,
            "stop if responses <=": [f if f >= 0 else "no stop" for f in self.futility],
            "promising if responses >=": [e if e <= n else "no stop"
                                          for n, e in zip(self.looks, self.efficacy, strict=True)]})

    def _bounds(self) -> tuple[list[int], list[int], list[int]]:
        return list(self.looks), list(self.futility), list(self.efficacy)

    def oc_table(self, p: object = None) -> pd.DataFrame:
        """Exact OCs over a grid of true rates: per-look stop/reject, P(reject), PET, EN.

        See :func:`oncotrial.design._oc.oc_table` (default grid: ``p0 - 0.1 .. p1 + 0.15``).
        """
        from oncotrial.design._oc import oc_table

        return oc_table(self, p)

    def reject_probability(self, p: np.ndarray | float) -> np.ndarray:
        """Exact ``P(declare promising | p)`` over an array of rates."""
        looks = np.array(self.looks)
        fut = np.array([self.futility])
        eff = np.array([self.efficacy])
        return np.array([forward_oc(looks, fut, eff, float(q))["reject"][0]
                         for q in np.atleast_1d(p)])


def _prob_exceeds(n: int, a_e: float, b_e: float, delta: float,
                  s_nodes: np.ndarray) -> np.ndarray:
    """P(theta_E > theta_S + delta | x) for x = 0..n, averaging over theta_S nodes."""
    return _prob_at(np.arange(n + 1), np.full(n + 1, n), a_e, b_e, delta, s_nodes)


def _prob_at(x: np.ndarray, n: np.ndarray, a_e: float, b_e: float, delta: float,
             s_nodes: np.ndarray) -> np.ndarray:
    """P(theta_E > theta_S + delta | x_j of n_j) for pairs ``(x_j, n_j)``, averaging over nodes.

    Elementwise the same floating-point operations as over a whole look (``betainc`` per
    element, then the mean down the node axis), so the values, and the boundaries read off
    them, are identical to those of :func:`_prob_exceeds`.
    """
    t = np.clip(s_nodes[:, None] + delta, 0.0, 1.0)
    # Beta upper tail via the regularised incomplete beta: I_{1-t}(b, a) = P(Beta(a, b) > t)
    return betainc(b_e + n[None, :] - x[None, :], a_e + x[None, :], 1.0 - t).mean(axis=0)


def _last_below(ns: np.ndarray, a_e: float, b_e: float, delta: float, s_nodes: np.ndarray,
                threshold: float, *, strict: bool) -> np.ndarray:
    """Per look, the largest ``x`` in ``-1..n`` with ``P(x) < threshold`` (``<=`` if not strict).

    ``P(theta_E > theta_S + delta | x of n)`` increases with ``x``, so the rule holds for
    ``x = 0..f`` and fails above: ``f`` is found by bisection on ``x``, vectorised over all
    looks at once, starting from a normal-approximation guess and its neighbour (usually
    the answer), instead of evaluating all ``n + 1`` counts at each look (``O(K log n)``
    probabilities rather than ``O(K n)``; each is the 2000-node average). The answer equals
    ``searchsorted`` over the whole monotone sequence (issue 21: same boundaries).
    """
    from scipy.special import ndtr

    ns = np.asarray(ns, dtype=np.int64)
    lo = np.full(ns.size, -1, dtype=np.int64)    # the rule holds at lo (x = -1: vacuously)
    hi = ns + 1                                  # the rule fails at hi (x = n + 1: vacuously)
    # guess: normal approximation of theta_E - theta_S
    x_all = np.arange(int(ns.max()) + 1)
    a_n = a_e + x_all[None, :]
    b_n = b_e + np.maximum(ns[:, None] - x_all[None, :], 0)  # x > n: masked below
    m_e = a_n / (a_n + b_n)
    v_e = m_e * (1 - m_e) / (a_n + b_n + 1)
    z = (m_e - float(np.mean(s_nodes)) - delta) / np.sqrt(v_e + float(np.var(s_nodes)))
    valid = x_all[None, :] <= ns[:, None]
    approx = ndtr(z)
    below = (approx < threshold) if strict else (approx <= threshold)
    guess = np.clip((below & valid).sum(axis=1) - 1, 0, ns)

    def probe(idx: np.ndarray, x: np.ndarray) -> None:
        pr = _prob_at(x, ns[idx], a_e, b_e, delta, s_nodes)
        ok = pr < threshold if strict else pr <= threshold
        lo[idx[ok]] = x[ok]
        hi[idx[~ok]] = x[~ok]

    idx = np.arange(ns.size)
    probe(idx, guess)
    nxt = np.where(lo == guess, guess + 1, guess - 1)
    sel = (nxt > lo) & (nxt < hi)
    probe(idx[sel], nxt[sel])
    while True:
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            return lo
        probe(open_, (lo[open_] + hi[open_]) // 2)


def posterior_monitoring(p0: float, p1: float, *, nmax: int = 40, looks: object = None,
                         p_futility: float = 0.05, p_efficacy: float | None = 0.95,
                         prior_e: tuple[float, float] | None = None,
                         prior_s: tuple[float, float] | None = None) -> PosteriorMonitoring:
    r"""Thall & Simon (1994) continuous/group monitoring boundaries with exact OCs.

    Parameters
    ----------
    p0 : float
        Response rate of the standard therapy (``theta_S``; prior mean if ``prior_s`` given).
    p1 : float
        Target rate; the futility rule uses the improvement ``delta = p1 - p0``.
    nmax : int, default=40
    looks : sequence of int, optional
        Cumulative sample sizes of the analyses; default every 5 patients, ending at ``nmax``.
    p_futility : float, default=0.05
        Stop for futility if ``P(theta_E > theta_S + delta | x) < p_futility``.
    p_efficacy : float or None, default=0.95
        Stop (declare promising) if ``P(theta_E > theta_S | x) > p_efficacy``; ``None``: no
        efficacy stopping (then "promising" means not stopped for futility by ``nmax``).
    prior_e : (a, b), optional
        Beta prior of ``theta_E``; default mean ``p0`` with concentration 2, ``Beta(2 p0,
        2 (1 - p0))`` (Thall & Simon recommend a vague prior with the standard's mean).
    prior_s : (a, b), optional
        Beta prior of ``theta_S``; default ``None`` = ``theta_S`` known and equal to ``p0``.

    Returns
    -------
    PosteriorMonitoring

    Notes
    -----
    With ``theta_E | x_n ~ Beta(a_E + x_n, b_E + n - x_n)`` and ``theta_S`` independent [1]_,
    ``P(theta_E > theta_S + delta | x) = E_S[P(theta_E > theta_S + delta | x)]``, evaluated at
    2000 quantile midpoints of the ``theta_S`` prior (exact when ``theta_S`` is known). Both
    probabilities increase with ``x``, so each rule is a boundary on the response count:
    futility ``x <= f_n`` and efficacy ``x >= e_n``. At the last look the efficacy region is
    the success region. OCs (probability of declaring promising, early stopping, expected
    size) are exact via forward recursion over looks.

    References
    ----------
    .. [1] Thall PF, Simon R. Practical Bayesian guidelines for phase IIB clinical trials.
       Biometrics 1994;50:337-349.

    Examples
    --------
    >>> m = posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40])
    >>> m.futility
    (1, 4, 8, 11)
    """
    func = "posterior_monitoring"
    p0, p1 = check_rates(p0, p1, func)
    nmax = check_positive_int(nmax, func, "nmax", minimum=1, maximum=1000)
    lk = list(range(5, nmax, 5)) if looks is None else list(looks)  # type: ignore[call-overload]
    all_looks = check_looks(lk, nmax, func) if lk else np.array([nmax])
    p_futility = check_probability(p_futility, func, "p_futility")
    if p_efficacy is not None:
        p_efficacy = check_probability(p_efficacy, func, "p_efficacy")
        if p_efficacy <= p_futility:
            raise bad_value("p_efficacy", func, f"> p_futility ({p_futility})", p_efficacy)
    a_e, b_e = (2 * p0, 2 * (1 - p0)) if prior_e is None else (
        check_positive(prior_e[0], func, "prior_e[0]"), check_positive(prior_e[1], func, "prior_e[1]"))
    if prior_s is None:
        nodes = np.array([p0])
    else:
        a_s = check_positive(prior_s[0], func, "prior_s[0]")
        b_s = check_positive(prior_s[1], func, "prior_s[1]")
        nodes = beta_ppf((np.arange(_NODES) + 0.5) / _NODES, a_s, b_s)
    delta = p1 - p0
    ns = np.asarray(all_looks, dtype=np.int64)
    fut_a = _last_below(ns, a_e, b_e, delta, nodes, p_futility, strict=True)
    if p_efficacy is None:
        eff_a = ns + 1
        eff_a[-1] = fut_a[-1] + 1
    else:  # smallest x with P(theta_E > theta_S | x) > p_efficacy
        eff_a = _last_below(ns, a_e, b_e, 0.0, nodes, p_efficacy, strict=False) + 1
    fut_a[-1] = min(fut_a[-1], eff_a[-1] - 1)
    fut = [int(v) for v in fut_a]
    eff = [int(v) for v in eff_a]
    futa = np.array([fut])
    effa = np.array([eff])
    oc0 = forward_oc(all_looks, futa, effa, p0)
    oc1 = forward_oc(all_looks, futa, effa, p1)
    return PosteriorMonitoring(
        p0=p0, p1=p1, prior_e=(a_e, b_e), prior_s=prior_s, p_futility=p_futility,
        p_efficacy=p_efficacy, n=nmax, looks=tuple(int(v) for v in all_looks),
        futility=tuple(fut), efficacy=tuple(eff), alpha=float(oc0["reject"][0]),
        power=float(oc1["reject"][0]), en0=float(oc0["en"][0]), pet0=float(oc0["pet"][0]),
        en1=float(oc1["en"][0]), pet1=float(oc1["pet"][0]))
