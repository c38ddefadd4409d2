"""Cox partial likelihood (Breslow, Efron, exact) and R's Newton-Raphson driver.

Private engine behind :func:`oncotrial.stats.cox_ph`. Everything here works on a design
matrix that is already validated, centred and split by stratum.

Formulas (one stratum; strata add their log-likelihoods, scores and informations)
--------------------------------------------------------------------------------
Let :math:`r_i = \\exp(x_i^T\\beta)`, :math:`R(t) = \\{i: t_i \\ge t\\}` the risk set and
:math:`D(t)` the :math:`d` subjects with an event at the event time :math:`t`. With
:math:`S_k(t) = \\sum_{R(t)} r_i x_i^{\\otimes k}` and :math:`D_k(t) = \\sum_{D(t)} r_i x_i^{\\otimes k}`
(:math:`k = 0, 1, 2`), the Efron [2]_ term of each event time uses, for :math:`j = 0..d-1`,
:math:`f_j = j/d` and the denominators :math:`\\phi_j = S_0 - f_j D_0`:

.. math::

   \\ell = \\sum_t \\Big[\\sum_{D(t)} x_i^T\\beta - \\sum_j \\log \\phi_j\\Big], \\quad
   U = \\sum_t \\Big[\\sum_{D(t)} x_i - \\sum_j a_j\\Big], \\quad
   \\mathcal{I} = \\sum_t \\sum_j \\Big[\\frac{S_2 - f_j D_2}{\\phi_j} - a_j a_j^T\\Big],

with :math:`a_j = (S_1 - f_j D_1)/\\phi_j`. Breslow [3]_ sets every :math:`f_j = 0`; with
:math:`d = 1` both coincide with Cox's [1]_ partial likelihood. The exact partial likelihood
(R ``ties="exact"``, the conditional-logistic likelihood of [4]_) replaces the denominator by
the elementary symmetric polynomial :math:`e_d(r_i: i \\in R(t))`, the sum over all
:math:`d`-subsets of the risk set of :math:`\\exp(\\sum_{s} x_s^T\\beta)`. It is computed with the
prefix recursion :math:`E_k[m] = \\sum_{j \\le m} r_j E_{k-1}[j-1]` over subjects sorted by
decreasing time (a cumulative sum per level), differentiated twice; every term is positive, so
no cancellation occurs. Cost: :math:`O(d_{max}\\, n\\, p^2)` per iteration.

All sums are vectorised: subjects are sorted once by decreasing time, risk-set sums are one
cumulative sum over rows read at the end of each tie group, event sums use
:func:`numpy.add.reduceat`, and the Efron terms are expanded with :func:`numpy.repeat` and
reduced back per event time, so the per-iteration cost is :math:`O(n p^2)` with no Python loop
over event times.

The Newton-Raphson driver is a transcription of R survival's ``coxfit6.c`` (Breslow/Efron) and
``coxexact.c`` (exact): start at 0, score test at the start, convergence when
:math:`|1 - \\ell_{best}/\\ell_{new}| \\le \\varepsilon` (``eps=1e-9``), step halving when the
log-likelihood decreases, at most ``iter_max=20`` iterations [5]_.

References
----------
.. [1] Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
.. [2] Efron B (1977). The efficiency of Cox's likelihood function for censored data.
       JASA 72:557-565.
.. [3] Breslow N (1974). Covariance analysis of censored survival data. Biometrics 30:89-99.
.. [4] Gail MH, Lubin JH, Rubinstein LV (1981). Likelihood calculations for matched
       case-control studies and survival studies with tied death times. Biometrika 68:703-707.
.. [5] Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
       Springer, ch. 3; R package survival 3.5, files src/coxfit6.c and src/coxexact.c.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

EPS = 1e-9
ITER_MAX = 20
TOLER_INF = EPS**0.5

Evaluator = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


@dataclass(frozen=True, slots=True)
class _Stratum:
    """Precomputed, beta-independent arrays of one stratum (rows sorted by decreasing time)."""

    x: np.ndarray           # (n, p) centred covariates
    wt: np.ndarray          # (1 + p, n): rows 1, x_1, ..., x_p (contiguous per covariate)
    gid: np.ndarray         # unique-time index of each row (0 = largest time)
    starts: np.ndarray      # first row of each unique time
    ev_group: np.ndarray    # index (into unique times) of the times with >= 1 event
    d: np.ndarray           # number of events at those times
    ev_rows: np.ndarray     # rows of the events, grouped by time
    ev_starts: np.ndarray   # first position (in ev_rows) of each event time
    ev_end_row: np.ndarray  # last row (inclusive) of each event time's tie group
    x_event_sum: np.ndarray  # (p,) sum of x over events


def _triu(p: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(p)


def _unpack(vec: np.ndarray, p: int) -> np.ndarray:
    i0, i1 = _triu(p)
    out = np.empty((p, p))
    out[i0, i1] = vec
    out[i1, i0] = vec
    return out


def prepare_stratum(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> _Stratum:
    """Sort one stratum by decreasing time and precompute the tie structure.

    Examples
    --------
    >>> s = prepare_stratum(np.array([1., 2., 2.]), np.array([1, 1, 0], bool), np.zeros((3, 1)))
    >>> s.d.tolist(), s.starts.tolist()
    ([1, 1], [0, 2])
    """
    order = np.argsort(-time)  # decreasing time; the order inside ties is irrelevant
    t, e, xs = time[order], event[order], x[order]
    n = xs.shape[0]
    wt = np.ascontiguousarray(np.concatenate([np.ones((n, 1)), xs], axis=1).T)
    new = np.ones(n, bool)
    new[1:] = t[1:] != t[:-1]
    starts = np.flatnonzero(new)
    gid = np.cumsum(new) - 1
    ends = np.append(starts[1:], n) - 1
    d_all = np.add.reduceat(e.astype(np.int64), starts) if n else np.zeros(0, np.int64)
    ev_group = np.flatnonzero(d_all > 0)
    ev_rows = np.flatnonzero(e)  # already grouped by time because rows are time-sorted
    ev_gid = gid[ev_rows]
    ev_new = np.ones(len(ev_rows), bool)
    ev_new[1:] = ev_gid[1:] != ev_gid[:-1]
    return _Stratum(
        x=xs, wt=wt, gid=gid, starts=starts, ev_group=ev_group, d=d_all[ev_group],
        ev_rows=ev_rows, ev_starts=np.flatnonzero(ev_new), ev_end_row=ends[ev_group],
        x_event_sum=xs[ev_rows].sum(axis=0),
    )


def _linear_predictor(s: _Stratum, beta: np.ndarray) -> np.ndarray:
    # column-wise sum: avoids a multi-threaded BLAS gemv, slow on a busy machine
    eta = s.wt[1] * beta[0]
    for j in range(1, len(beta)):
        eta += s.wt[j + 1] * beta[j]
    return eta


def _efron_breslow(s: _Stratum, beta: np.ndarray, efron: bool) -> tuple[float, np.ndarray, np.ndarray]:
    # Second-moment sums are never formed per time: sum_t c0_t S2(t) equals
    # sum_i r_i C0_i x_i x_i^T with C0_i the sum of c0_t over the risk sets containing i,
    # one BLAS product instead of an (n, p^2) cumulative sum.
    p = s.x.shape[1]
    if len(s.ev_rows) == 0:
        return 0.0, np.zeros(p), np.zeros((p, p))
    eta = _linear_predictor(s, beta)
    c = float(eta.max())
    r = np.exp(eta - c)
    rw = s.wt * r
    cum = np.cumsum(rw, axis=1)[:, s.ev_end_row].T     # risk-set sums at each event time
    rwe = rw[:, s.ev_rows]
    single = len(s.ev_starts) == len(s.ev_rows)
    dsum = (rwe if single else np.add.reduceat(rwe, s.ev_starts, axis=1)).T  # event sums
    efron = efron and not single
    d = s.d
    s0, s1 = cum[:, 0], cum[:, 1:]
    d0, d1 = dsum[:, 0], dsum[:, 1:]
    nev = int(d.sum())
    if efron:
        first = np.cumsum(d) - d
        f = (np.arange(nev) - np.repeat(first, d)) / np.repeat(d, d)
        phi = np.repeat(s0, d) - f * np.repeat(d0, d)
        inv = 1.0 / phi
        c0 = np.add.reduceat(inv, first)
        c1 = np.add.reduceat(f * inv, first)
        e0 = np.add.reduceat(inv * inv, first)
        e1 = np.add.reduceat(f * inv * inv, first)
        e2 = np.add.reduceat(f * f * inv * inv, first)
        logden = float(np.log(phi).sum())
    else:
        c0 = d / s0
        c1 = e1 = e2 = np.zeros_like(c0)
        e0 = d / (s0 * s0)
        logden = float((d * np.log(s0)).sum())
    loglik = float(eta[s.ev_rows].sum()) - logden - nev * c
    u = s.x_event_sum - c0 @ s1 + c1 @ d1
    cg = np.zeros(len(s.starts))
    cg[s.ev_group] = c0
    c0_row = np.cumsum(cg[::-1])[::-1][s.gid]      # sum of c0 over risk sets holding the row
    info = (s.x * (r * c0_row)[:, None]).T @ s.x
    if efron:
        xe = s.x[s.ev_rows]
        info -= (xe * (r[s.ev_rows] * np.repeat(c1, d))[:, None]).T @ xe
    cross = (s1 * e1[:, None]).T @ d1
    info -= (s1 * e0[:, None]).T @ s1 - cross - cross.T + (d1 * e2[:, None]).T @ d1
    return loglik, u, info


def _exact(s: _Stratum, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    n, p = s.x.shape
    if len(s.ev_rows) == 0:
        return 0.0, np.zeros(p), np.zeros((p, p))
    i0, i1 = _triu(p)
    x = s.x
    xx = x[:, i0] * x[:, i1]
    eta = _linear_predictor(s, beta)
    c = float(eta.max())
    r = np.exp(eta - c)
    loglik = float(eta[s.ev_rows].sum()) - int(s.d.sum()) * c
    u = s.x_event_sum.copy()
    info_vec = np.zeros(len(i0))
    info_outer = np.zeros((p, p))
    e_prev = np.ones(n)           # level 0: E_0 = 1 for every prefix, including the empty one
    g_prev = np.zeros((n, p))
    h_prev = np.zeros((n, len(i0)))
    logscale = 0.0
    for k in range(1, int(s.d.max()) + 1):
        first = 1.0 if k == 1 else 0.0
        es = np.concatenate([[first], e_prev[:-1]])
        gs = np.concatenate([np.zeros((1, p)), g_prev[:-1]])
        hs = np.concatenate([np.zeros((1, len(i0))), h_prev[:-1]])
        e_k = np.cumsum(r * es)
        g_k = np.cumsum(r[:, None] * (x * es[:, None] + gs), axis=0)
        h_k = np.cumsum(r[:, None] * (xx * es[:, None] + x[:, i0] * gs[:, i1]
                                      + x[:, i1] * gs[:, i0] + hs), axis=0)
        scale = e_k[-1]
        e_prev, g_prev, h_prev = e_k / scale, g_k / scale, h_k / scale
        logscale += np.log(scale)
        at = s.ev_end_row[s.d == k]
        if at.size:
            e0 = e_prev[at]
            g = g_prev[at] / e0[:, None]
            loglik -= float(np.log(e0).sum()) + at.size * logscale
            u -= g.sum(axis=0)
            info_vec += (h_prev[at] / e0[:, None]).sum(axis=0)
            info_outer += g.T @ g
    return loglik, u, _unpack(info_vec, p) - info_outer


def make_evaluator(strata: list[_Stratum], ties: str) -> Evaluator:
    """Return ``beta -> (loglik, score, information)`` summed over strata.

    Examples
    --------
    >>> s = prepare_stratum(np.array([1., 2.]), np.array([True, True]), np.array([[0.], [1.]]))
    >>> ll, u, i = make_evaluator([s], "breslow")(np.zeros(1))
    >>> round(ll, 6), u.tolist()   # log(1/2) + log(1/1); U = 0 - 1/2
    (-0.693147, [-0.5])
    """
    def evaluate(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        p = len(beta)
        ll, u, info = 0.0, np.zeros(p), np.zeros((p, p))
        for s in strata:
            if ties == "exact":
                a, b, c = _exact(s, beta)
            else:
                a, b, c = _efron_breslow(s, beta, ties == "efron")
            ll += a
            u += b
            info += c
        return ll, u, info
    return evaluate


@dataclass(frozen=True, slots=True)
class NewtonFit:
    """Outcome of the Newton-Raphson iterations (internal)."""

    beta: np.ndarray
    var: np.ndarray
    loglik0: float
    loglik: float
    score_test: float
    score: np.ndarray
    iterations: int
    converged: bool
    halved: bool


def _solve(info: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.linalg.solve(info, u)


def _finite(ll: float, u: np.ndarray, info: np.ndarray) -> bool:
    return bool(np.isfinite(ll) and np.isfinite(u).all() and np.isfinite(info).all())


def newton_raphson(evaluate: Evaluator, p: int, *, exact_style: bool = False,
                   eps: float = EPS, iter_max: int = ITER_MAX) -> NewtonFit:
    """R survival's Newton-Raphson iteration with step halving, started at beta = 0.

    ``exact_style=False`` follows ``coxfit6.c`` (Breslow/Efron: accept convergence even while
    halving; halving moves ``h/(h+1)`` of the way back to the last good beta and grows ``h``);
    ``exact_style=True`` follows ``coxexact.c`` (plain halving; converge only when not halving).

    Examples
    --------
    >>> s = prepare_stratum(np.array([1., 2., 3.]), np.array([True, True, False]),
    ...                     np.array([[1.], [0.], [1.]]))
    >>> fit = newton_raphson(make_evaluator([s], "breslow"), 1)
    >>> fit.converged, round(float(fit.beta[0]), 6), round(-float(np.log(2)) / 2, 6)  # 1 - 2 r^2 = 0
    (True, -0.346574, -0.346574)
    """
    beta = np.zeros(p)
    ll0, u, info = evaluate(beta)
    step = _solve(info, u)
    sctest = float(u @ step)
    best = ll0
    halving = 0
    if not exact_style:
        newbeta = beta + step
        for it in range(1, iter_max + 1):
            newlk, u, info = evaluate(newbeta)
            finite = _finite(newlk, u, info)
            if finite and abs(1.0 - best / newlk) <= eps:
                return NewtonFit(newbeta, np.linalg.inv(info), ll0, newlk, sctest, u, it,
                                 True, halving > 0)
            if not finite or newlk < best:
                halving += 1
                newbeta = (newbeta + halving * beta) / (halving + 1.0)
            else:
                halving = 0
                best = newlk
                step = _solve(info, u)
                beta, newbeta = newbeta, newbeta + step
        # ran out of iterations: R recomputes at the last good beta
        ll, u, info = evaluate(beta)
        return NewtonFit(beta, np.linalg.inv(info), ll0, ll, sctest, u, iter_max, False,
                         halving > 0)
    oldbeta, beta = beta, beta + step
    newlk = ll0
    for it in range(1, iter_max + 1):
        newlk, u, info = evaluate(beta)
        if abs(1.0 - best / newlk) <= eps and halving == 0:
            return NewtonFit(beta, np.linalg.inv(info), ll0, newlk, sctest, u, it, True, False)
        if it == iter_max:
            break
        if newlk < best:
            halving = 1
            beta = (oldbeta + beta) / 2.0
        else:
            halving = 0
            best = newlk
            step = _solve(info, u)
            oldbeta, beta = beta, beta + step
    return NewtonFit(beta, np.linalg.inv(info), ll0, newlk, sctest, u, iter_max, False,
                     halving > 0)


def infinite_coefficients(fit: NewtonFit, eps: float = EPS) -> np.ndarray:
    """Flags of R's "Loglik converged before variable ..." rule (``coxph.fit``).

    A coefficient is flagged when ``|U^T V|_j > eps`` and ``> sqrt(eps) * |beta_j|``, i.e. one
    more Newton step would still move it noticeably although the log-likelihood has stopped
    changing: the hallmark of a monotone likelihood (separation).

    Examples
    --------
    >>> f = NewtonFit(np.array([20.]), np.array([[1e4]]), -3., -1., 2., np.array([1e-3]), 9,
    ...               True, False)
    >>> infinite_coefficients(f).tolist()
    [True]
    """
    infs = np.abs(fit.score @ fit.var)
    return ~np.isfinite(fit.score) | ((infs > eps) & (infs > TOLER_INF * np.abs(fit.beta)))
