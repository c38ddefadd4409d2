"""Random-intercept logistic GLMM for single-arm proportions (≙ metafor ``rma.glmm(measure="PLO")``).

Model: ``x_i ~ Binomial(n_i, expit(beta + tau u_i))``, ``u_i ~ N(0, 1)``; ``tau2 = tau²``.
Maximum likelihood with the marginal likelihood integrated by adaptive Gauss-Hermite quadrature
with 7 nodes, which is what metafor asks of ``lme4::glmer(..., nAGQ = 7)`` [1]_ [2]_. Written by
hand on numpy/scipy (no Python library fits lme4's AGQ deviance).
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import optimize, stats

from oncotrial._errors import OncotrialValueError
from oncotrial._result import ConfidenceInterval

__all__ = ["agq_deviance", "fit_glmm"]

#: metafor ``rma.glmm(nAGQ = 7)`` default.
N_AGQ = 7
_Z, _W = hermegauss(N_AGQ)
_W = _W / np.sqrt(2 * np.pi)  # weights for ∫ f(z) φ(z) dz
#: An optimum with tau below this is reported as tau = 0 (a singular fit, as lme4 flags it); the
#: deviance is then flat in tau to within ~1e-8 and the standard error is taken in beta alone.
TAU_ZERO = 1e-4


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0) / b), 0.0)


def _devres(x: np.ndarray, n: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Binomial deviance contribution ``2[x log(x/(n p)) + (n-x) log((n-x)/(n(1-p)))]``."""
    p = 1.0 / (1.0 + np.exp(-eta))
    q = 1.0 / (1.0 + np.exp(eta))
    return 2.0 * (_xlogy(x, n * p) + _xlogy(n - x, n * q))


def _modes(x: np.ndarray, n: np.ndarray, beta: float, tau: float) -> np.ndarray:
    """Conditional modes of ``g(u) = devres(beta + tau u) + u²`` by damped Newton (g is convex)."""
    u = np.zeros_like(x)
    if tau == 0:
        return u
    g = _devres(x, n, beta + tau * u) + u**2
    for _ in range(200):
        p = 1.0 / (1.0 + np.exp(-(beta + tau * u)))
        grad = -2.0 * tau * (x - n * p) + 2.0 * u
        hess = 2.0 * tau**2 * n * p * (1 - p) + 2.0
        step = grad / hess
        t = np.ones_like(u)
        for _ in range(60):
            unew = u - t * step
            gnew = _devres(x, n, beta + tau * unew) + unew**2
            worse = gnew > g + 1e-14 * (1 + np.abs(g))
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        u, g = unew, gnew
        if np.max(np.abs(t * step)) < 1e-13:
            break
    return u


def agq_deviance(params: np.ndarray, x: np.ndarray, n: np.ndarray) -> float:
    """lme4's nAGQ = 7 deviance of the random-intercept logistic model at ``(tau, beta)``.

    For each study, with ``g(u) = devres_i(beta + tau u) + u²`` minimised at ``û`` and
    ``s = 1/sqrt(1 + tau² n p̂(1-p̂))``:
    ``dev_i = g(û) - 2 log(s sum_k w_k exp(-(g(û + s z_k) - g(û))/2 + z_k²/2))``
    with (z_k, w_k) the 7-point Gauss-Hermite rule for the standard normal [2]_.

    Examples
    --------
    With ``tau = 0`` the deviance is the binomial deviance of a common proportion:

    >>> round(agq_deviance(np.array([0.0, np.log(16 / 44)]), np.array([2.0, 5, 9]),
    ...                    np.array([10.0, 20, 30])), 6)
    0.436508
    """
    tau, beta = float(params[0]), float(params[1])
    u0 = _modes(x, n, beta, tau)
    g0 = _devres(x, n, beta + tau * u0) + u0**2
    if tau == 0:
        return float(g0.sum())
    p = 1.0 / (1.0 + np.exp(-(beta + tau * u0)))
    s = 1.0 / np.sqrt(1.0 + tau**2 * n * p * (1 - p))
    uk = u0[:, None] + s[:, None] * _Z[None, :]
    gk = _devres(x[:, None], n[:, None], beta + tau * uk) + uk**2
    mult = np.sum(_W[None, :] * np.exp(-(gk - g0[:, None]) / 2 + _Z[None, :] ** 2 / 2), axis=1)
    return float(np.sum(g0 - 2.0 * np.log(s * mult)))


def _profile_beta(x: np.ndarray, n: np.ndarray, tau: float, start: float) -> tuple[float, float]:
    res = optimize.minimize_scalar(
        lambda b: agq_deviance(np.array([tau, b]), x, n),
        bracket=(start - 1.0, start + 1.0), method="brent", options={"xtol": 1e-12},
    )
    return float(res.x), float(res.fun)


def _hessian(f, p: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian with one Richardson extrapolation step."""

    def fd(step: float) -> np.ndarray:
        d = len(p)
        H = np.empty((d, d))
        for i in range(d):
            for j in range(i, d):
                ei = np.zeros(d)
                ej = np.zeros(d)
                ei[i] = step
                ej[j] = step
                H[i, j] = H[j, i] = (f(p + ei + ej) - f(p + ei - ej) - f(p - ei + ej)
                                     + f(p - ei - ej)) / (4 * step * step)
        return H

    return (4 * fd(h / 2) - fd(h)) / 3


def fit_glmm(x: np.ndarray, n: np.ndarray, *, level: float, z: float):
    """Fit the GLMM and assemble a :class:`~oncotrial.evidence.MetaProportionResult`.

    Optimisation: ``beta`` is profiled out by Brent's method for each ``tau``; ``tau >= 0`` is
    located by a 12-point grid on ``[0, 10]`` refined by bounded Brent (``xatol = 1e-10``). Standard error:
    inverse of half the numerical Hessian of the deviance in ``(tau, beta)`` (what lme4's
    ``vcov`` computes, by finite differences) — in ``beta`` alone when ``tau = 0``.
    The heterogeneity test is metafor's ``QE.LRT``: the deviance of the common-proportion
    logistic model against the saturated one, on ``k - 1`` df.
    """
    from oncotrial.evidence._meta import MetaProportionResult, escalc_proportion, heterogeneity

    pooled = np.clip(x.sum() / n.sum(), 1e-6, 1 - 1e-6)
    start = float(np.log(pooled / (1 - pooled)))

    def prof(tau: float) -> float:
        return _profile_beta(x, n, tau, start)[1]

    grid = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.5, 6.5, 10.0])
    vals = np.array([prof(t) for t in grid])
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if i == len(grid) - 1:
        raise OncotrialValueError(
            "The GLMM in `meta_proportion` has its maximum at tau >= 10 on the logit scale "
            "(near-separated data). Use method='REML' or 'DL'."
        )
    res = optimize.minimize_scalar(prof, bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-10})
    tau = float(res.x) if res.fun < vals[i] else float(grid[i])
    if prof(0.0) <= min(res.fun, vals[i]):
        tau = 0.0
    if tau < TAU_ZERO:
        tau = 0.0
    beta = _profile_beta(x, n, tau, start)[0]
    if tau == 0.0:
        H = _hessian(lambda b: agq_deviance(np.array([0.0, b[0]]), x, n), np.array([beta]))
        se = float(np.sqrt(1.0 / (H[0, 0] / 2)))
    else:
        H = _hessian(lambda p: agq_deviance(p, x, n), np.array([tau, beta]))
        V = np.linalg.inv(H / 2)
        se = float(np.sqrt(V[1, 1]))
    tau2 = tau**2
    k = len(x)
    yi, vi = escalc_proportion(x, n, "PLO")
    _, i2, h2 = heterogeneity(yi, vi, tau2)
    phat = x.sum() / n.sum()
    lrt = float(np.sum(2.0 * (_xlogy(x, n * phat) + _xlogy(n - x, n * (1 - phat)))))
    lrt = max(lrt, 0.0)

    def ilogit(v: float) -> float:
        return float(1.0 / (1.0 + np.exp(-v)))

    pi_sd = np.sqrt(se**2 + tau2)
    return MetaProportionResult(
        measure="PLO", method="GLMM", level=level, k=k,
        x=tuple(int(v) for v in x), n=tuple(int(v) for v in n),
        estimate=ilogit(beta),
        ci=ConfidenceInterval(ilogit(beta - z * se), ilogit(beta + z * se), level, "wald"),
        pi=ConfidenceInterval(ilogit(beta - z * pi_sd), ilogit(beta + z * pi_sd), level,
                              "prediction"),
        b=beta, se=se, tau2=tau2, i2=float(i2), h2=float(h2),
        q=lrt, q_df=k - 1, q_pvalue=float(stats.chi2.sf(lrt, k - 1)), q_test="lrt",
        weights=tuple(float("nan") for _ in range(k)),
        yi=tuple(float(v) for v in yi), vi=tuple(float(v) for v in vi),
    )
