"""Kaplan-Meier at a landmark, log-rank and one-covariate Cox fitted to many trials at once.

Each function takes a ``(trials, patients)`` matrix and works row-wise with numpy, with no
Python loop over trials: the rows are sorted once and the risk sets follow from positions
(position ``i`` of ``m`` included patients has ``m - i`` at risk). That holds when a row has no
tied times; rows whose sorted times are within ``survival::aeqSurv``'s tolerance of each other
(continuous simulated times almost never are) are sent to the library estimators
:func:`oncotrial.stats.kaplan_meier`, :func:`oncotrial.stats.logrank_test` and
:func:`oncotrial.stats.cox_ph` one by one, so every row gets exactly the number those give.
Hand-written because no library fits a log-rank test or a Cox model to 10^4 data sets in one
vectorised call; the tests check the rows against the library estimators.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cox_batch", "km_landmark_batch", "landmark_z", "logrank_batch"]


def _tied_rows(ys: np.ndarray) -> np.ndarray:
    """Rows of a row-sorted matrix (``inf`` = excluded) that may hold ``aeqSurv`` ties.

    ``aeqSurv`` ties ``y[i]`` to ``y[i-1]`` when the gap is ``<= tol`` or ``<= tol`` times the
    mean absolute distinct time; since that mean is at most the row maximum, flagging gaps
    ``<= tol * max(1, max |y|)`` catches every tie (and, rarely, a row that has none, which the
    exact fallback then handles correctly anyway).
    """
    from oncotrial.stats._timefix import TIMEFIX_TOL  # lazy: keeps `import oncotrial.design` light

    fin = np.isfinite(ys)
    big = np.where(fin, np.abs(ys), 0.0).max(axis=1)
    with np.errstate(invalid="ignore"):
        gap = np.diff(ys, axis=1)
    both = fin[:, 1:] & fin[:, :-1]
    return np.any(both & (gap <= TIMEFIX_TOL * np.maximum(1.0, big)[:, None]), axis=1)


def km_landmark_batch(time: np.ndarray, event: np.ndarray, landmark: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Kaplan-Meier ``S(t)`` and Greenwood ``var(log S(t))`` at ``t = landmark``, per row.

    Equal to ``kaplan_meier(time[i], event[i]).at([t], extend=True)`` row by row:
    ``S = prod_{t_j <= t} (1 - d_j / n_j)``, ``V = sum_{t_j <= t} d_j / (n_j (n_j - d_j))``
    (``inf`` once ``S = 0``, as R).

    Examples
    --------
    >>> s, v = km_landmark_batch(np.array([[1.0, 2, 3, 4]]), np.array([[True, False, True, True]]), 3.5)
    >>> round(float(s[0]), 6), round(float(v[0]), 6)
    (0.375, 0.583333)
    """
    order = np.argsort(time, axis=1, kind="stable")
    ys = np.take_along_axis(time, order, axis=1)
    es = np.take_along_axis(event, order, axis=1) & (ys <= landmark)
    n = time.shape[1]
    risk = (n - np.arange(n)).astype(float)
    s = np.where(es, (risk - 1.0) / risk, 1.0).prod(axis=1)
    with np.errstate(divide="ignore"):
        inc = 1.0 / (risk * (risk - 1.0))
    v = np.where(es, inc, 0.0).sum(axis=1)
    for i in np.flatnonzero(_tied_rows(ys)):
        s[i], v[i] = _km_exact(time[i], event[i], landmark)
    return s, v


def _km_exact(time: np.ndarray, event: np.ndarray, landmark: float) -> tuple[float, float]:
    from oncotrial.stats import kaplan_meier

    fit = kaplan_meier(time, event.astype(int))
    j = int(np.searchsorted(fit.time, landmark, side="right")) - 1
    if j < 0:
        return 1.0, 0.0
    return float(fit.surv[j]), float(fit.std_err_log[j]) ** 2


def landmark_z(s: np.ndarray, v: np.ndarray, s0: float, transform: str) -> np.ndarray:
    r"""Wald statistic of ``H0: S(t) = s0`` on the ``transform`` scale, signed so ``> 0`` favours ``S > s0``.

    ``Z = sign(g') (g(S) - g(s0)) / (|g'(S)| S sqrt(V))`` with the Greenwood ``V`` -- the
    statistic behind R ``survfit(conf.type=)`` limits (identity = ``"plain"``, ``arcsine`` =
    ``"arcsin"``). Standard errors: identity ``S sqrt V``; log ``sqrt V``; log-log
    ``sqrt V / |log S|``; logit ``sqrt V / (1 - S)``; arcsine ``sqrt(V S / (1 - S)) / 2``.
    Edge rules: ``S = 1`` (no event by ``t``) gives ``+inf``, ``S = 0`` gives ``-inf``.

    Examples
    --------
    >>> z = landmark_z(np.array([0.6, 1.0, 0.0]), np.array([0.04, 0.0, np.inf]), 0.5, "identity")
    >>> [round(float(x), 6) for x in z]
    [0.833333, inf, -inf]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(v)
        if transform == "identity":
            z = (s - s0) / (s * sd)
        elif transform == "log":
            z = (np.log(s) - np.log(s0)) / sd
        elif transform == "log-log":
            z = -(np.log(-np.log(s)) - np.log(-np.log(s0))) / (sd / np.abs(np.log(s)))
        elif transform == "logit":
            z = (np.log(s / (1 - s)) - np.log(s0 / (1 - s0))) / (sd / (1 - s))
        elif transform == "arcsine":
            z = (np.arcsin(np.sqrt(s)) - np.arcsin(np.sqrt(s0))) / (0.5 * np.sqrt(v * s / (1 - s)))
        else:  # pragma: no cover - validated by the spec
            raise ValueError(transform)
    return np.where(s >= 1.0, np.inf, np.where(s <= 0.0, -np.inf, z))


def _sorted(time: np.ndarray, event: np.ndarray, arm: np.ndarray, include: np.ndarray):
    t = np.where(include, time, np.inf)
    order = np.argsort(t, axis=1, kind="stable")
    ys = np.take_along_axis(t, order, axis=1)
    es = np.take_along_axis(event & include, order, axis=1)
    xs = np.take_along_axis(arm & include, order, axis=1)
    m = include.sum(axis=1)
    n_risk = (m[:, None] - np.arange(time.shape[1])[None, :]).astype(float)
    n1 = np.cumsum(xs[:, ::-1], axis=1)[:, ::-1].astype(float)  # experimental at risk
    return ys, es, xs, n_risk, n1


def logrank_batch(time: np.ndarray, event: np.ndarray, arm: np.ndarray,
                  include: np.ndarray) -> np.ndarray:
    r"""Signed log-rank statistic ``Z = (O_1 - E_1) / sqrt(V)`` per row (arm 1 = experimental).

    ``Z^2`` is R ``survdiff``'s chi-square; ``Z > 0`` means more events than expected on arm 1.
    Without ties, ``E_1 = sum_events n_1/n`` and ``V = sum_events n_1 n_0 / n^2``. ``include``
    marks patients in the analysis (entered before the look); ``Z = 0`` when ``V = 0``.

    Examples
    --------
    >>> t = np.array([[9.0, 13, 13.5, 18, 23, 5, 5.5, 8, 8.5, 12]])
    >>> e = np.array([[1, 1, 0, 1, 1, 1, 1, 1, 1, 1]], bool)
    >>> x = np.array([[0] * 5 + [1] * 5], bool)
    >>> round(float(logrank_batch(t, e, x, np.ones_like(e))[0] ** 2), 4)
    7.4294
    """
    ys, es, xs, n_risk, n1 = _sorted(time, event, arm, include)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(es, n1 / n_risk, 0.0)
    u = np.where(es, xs - frac, 0.0).sum(axis=1)
    v = np.where(es, frac * (1.0 - frac), 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(v > 0, u / np.sqrt(v), 0.0)
    for i in np.flatnonzero(_tied_rows(ys)):
        z[i] = _logrank_exact(time[i], event[i], arm[i], include[i])
    return z


def _logrank_exact(time, event, arm, include) -> float:
    from oncotrial.stats import logrank_test

    r = logrank_test(time[include], event[include].astype(int), arm[include].astype(int))
    if r.observed.size < 2:
        return 0.0
    return float(np.sign(r.observed[1] - r.expected[1]) * np.sqrt(r.chisq))


def cox_batch(time: np.ndarray, event: np.ndarray, arm: np.ndarray, include: np.ndarray,
              *, max_iter: int = 50) -> tuple[np.ndarray, np.ndarray]:
    r"""Cox log hazard ratio (arm 1 vs 0) and Wald ``z = beta / se`` per row, by Newton-Raphson.

    With one binary covariate and no ties (Efron = Breslow), at each event
    ``p_1 = n_1 e^b / (n_0 + n_1 e^b)``; score ``U = sum (x - p_1)``, information
    ``I = sum p_1 (1 - p_1)``, ``b <- b + U / I`` from ``b = 0`` until ``|step| < 1e-10``.
    ``se = I(b)^{-1/2}``. A row whose estimate runs away (all events in one arm: R's
    infinite coefficient) gets ``z = 0``. Equal to :func:`oncotrial.stats.cox_ph` (tested).

    Examples
    --------
    >>> t = np.array([[9.0, 13, 13.5, 18, 23, 5, 5.5, 8, 8.5, 12]])
    >>> e = np.array([[1, 1, 0, 1, 1, 1, 1, 1, 1, 1]], bool)
    >>> x = np.array([[0] * 5 + [1] * 5], bool)
    >>> b, z = cox_batch(t, e, x, np.ones_like(e))
    >>> round(float(b[0]), 4), round(float(z[0]), 4)
    (2.4971, 2.2271)
    """
    ys, es, xs, n_risk, n1 = _sorted(time, event, arm, include)
    n0 = n_risk - n1
    beta = np.zeros(time.shape[0])
    active = np.ones(beta.shape, dtype=bool)
    for _ in range(max_iter):
        eb = np.exp(beta)[:, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p1 = np.where(es, n1 * eb / (n0 + n1 * eb), 0.0)
        u = np.where(es, xs - p1, 0.0).sum(axis=1)
        info = np.where(es, p1 * (1.0 - p1), 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(active & (info > 0), u / info, 0.0)
        step = np.clip(step, -5.0, 5.0)
        beta = beta + step
        active &= np.abs(step) >= 1e-10
        if not active.any():
            break
    eb = np.exp(beta)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p1 = np.where(es, n1 * eb / (n0 + n1 * eb), 0.0)
        info = np.where(es, p1 * (1.0 - p1), 0.0).sum(axis=1)
        z = np.where((info > 0) & (np.abs(beta) < 20), beta * np.sqrt(info), 0.0)
    for i in np.flatnonzero(_tied_rows(ys)):
        beta[i], z[i] = _cox_exact(time[i], event[i], arm[i], include[i])
    return beta, z


def _cox_exact(time, event, arm, include) -> tuple[float, float]:
    import warnings

    import pandas as pd

    from oncotrial.stats import cox_ph

    df = pd.DataFrame({"time": time[include], "event": event[include].astype(int),
                       "arm": arm[include].astype(int)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cox_ph(df, "time", "event", ["arm"])
    row = fit.table.iloc[0]
    if fit.infinite:
        return float(row["coef"]), 0.0
    return float(row["coef"]), float(row["z"])
