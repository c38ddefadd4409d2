"""Random-effects meta-analysis of single-arm proportions (ORR, DCR, landmark rates).

Reproduces R metafor 3.8-1 [1]_: ``rma(measure="PLO"|"PFT", method="REML"|"DL")`` followed by
``predict(res, transf=transf.ilogit)`` / ``predict(res, transf=transf.ipft.hm, targs=list(ni=n))``,
and ``rma.glmm(measure="PLO")`` (random-intercept logistic GLMM, see :mod:`._glmm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from oncotrial._errors import OncotrialValueError
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import check_choice, check_level, check_same_length

__all__ = ["MetaProportionResult", "meta_proportion"]

Measure = Literal["PLO", "PFT"]
Method = Literal["REML", "DL", "GLMM"]

#: metafor ``escalc(add=1/2, to="only0")``: added to both cells of a study with x = 0 or x = n
#: (PLO only; metafor sets ``add = 0`` for PFT).
ZERO_CELL_ADD = 0.5
#: metafor ``rma(control=list(threshold=1e-5, maxiter=100))``: Fisher-scoring stopping rule.
REML_THRESHOLD = 1e-5
REML_MAXITER = 100
#: metafor ``control$tol`` (``.Machine$double.eps^0.25``) used by its ``ll0check``.
LL0_TOL = np.finfo(float).eps ** 0.25


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class MetaProportionResult(Result):
    """Pooled proportion from a random-effects meta-analysis.

    Attributes
    ----------
    estimate : float
        Back-transformed pooled proportion (metafor ``predict(...)$pred``).
    ci : ConfidenceInterval
        Back-transformed Wald interval of the pooled proportion (``ci.lb``, ``ci.ub``).
    pi : ConfidenceInterval
        Back-transformed prediction interval (``pi.lb``, ``pi.ub``): ``b ± z sqrt(se² + tau2)``.
    b, se : float
        Pooled estimate and its standard error on the transformed (logit / double-arcsine) scale.
    tau2 : float
        Between-study variance on the transformed scale.
    i2, h2 : float
        Higgins' I² (in percent, as metafor prints it) and H².
    q, q_df, q_pvalue : float, int, float
        Heterogeneity test: Cochran's Q for ``REML``/``DL``; for ``GLMM`` the likelihood-ratio
        statistic of metafor's ``QE.LRT`` (see ``q_test``).
    q_test : {'cochran', 'lrt'}
    weights : tuple of float
        Per-study weights in percent (metafor ``weights(res)``); for ``GLMM`` ``nan`` (a GLMM has
        no inverse-variance weights; metafor does not report them either).
    yi, vi : tuple of float
        Per-study transformed proportions and sampling variances (metafor ``escalc``).
    """

    measure: str
    method: str
    level: float
    k: int
    x: tuple[int, ...]
    n: tuple[int, ...]
    estimate: float
    ci: ConfidenceInterval
    pi: ConfidenceInterval
    b: float
    se: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_pvalue: float
    q_test: str
    weights: tuple[float, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]

    def summary(self) -> pd.DataFrame:
        """One-row table of the pooled estimate, its intervals and the heterogeneity statistics."""
        return pd.DataFrame(
            [{
                "measure": self.measure, "method": self.method, "k": self.k,
                "estimate": self.estimate, "ci_low": self.ci.low, "ci_high": self.ci.high,
                "pi_low": self.pi.low, "pi_high": self.pi.high, "tau2": self.tau2,
                "i2": self.i2, "q": self.q, "q_df": self.q_df, "q_pvalue": self.q_pvalue,
            }]
        )

    def studies(self) -> pd.DataFrame:
        """Per-study table: x, n, observed proportion, transformed yi, vi and weight (%)."""
        x = np.asarray(self.x, dtype=float)
        n = np.asarray(self.n, dtype=float)
        return pd.DataFrame({"x": self.x, "n": self.n, "proportion": x / n, "yi": self.yi,
                             "vi": self.vi, "weight": self.weights})


# ----------------------------------------------------------------------------- transforms
def escalc_proportion(x: np.ndarray, n: np.ndarray, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """Transformed proportions and sampling variances as metafor ``escalc`` computes them.

    ``PLO``: ``yi = log(x'/(n'-x'))``, ``vi = 1/x' + 1/(n'-x')`` with ``x' = x + 1/2``,
    ``n' = n + 1`` for studies with ``x = 0`` or ``x = n`` (``add=1/2, to="only0"``).
    ``PFT``: ``yi = (asin(sqrt(x/(n+1))) + asin(sqrt((x+1)/(n+1))))/2``, ``vi = 1/(4n+2)``.

    Examples
    --------
    >>> yi, vi = escalc_proportion(np.array([0.0, 5.0]), np.array([10.0, 20.0]), "PLO")
    >>> [round(float(v), 6) for v in yi], [round(float(v), 6) for v in vi]
    ([-3.044522, -1.098612], [2.095238, 0.266667])
    """
    if measure == "PLO":
        zero = (x == 0) | (x == n)
        xa = np.where(zero, x + ZERO_CELL_ADD, x)
        na = np.where(zero, n + 2 * ZERO_CELL_ADD, n)
        return np.log(xa / (na - xa)), 1.0 / xa + 1.0 / (na - xa)
    yi = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
    return yi, 1.0 / (4.0 * n + 2.0)


def transf_ilogit(z: float) -> float:
    """Inverse logit (metafor ``transf.ilogit``)."""
    return float(1.0 / (1.0 + np.exp(-z)))


def transf_pft(p: float, n: float) -> float:
    """Freeman-Tukey double arcsine of a proportion ``p`` for sample size ``n`` (``transf.pft``)."""
    x = p * n
    return float(0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1)))))


def transf_ipft_hm(z: float, n: np.ndarray) -> float:
    """Miller's inverse of the double arcsine at the harmonic mean of ``n`` (``transf.ipft.hm``).

    ``p = (1 - sgn(cos 2z) sqrt(1 - (sin 2z + (sin 2z - 1/sin 2z)/n_hm)²))/2`` [2]_, with
    ``n_hm = 1/mean(1/n)``; values above ``transf.pft(1, n_hm)`` map to 1, below
    ``transf.pft(0, n_hm)`` to 0, and an undefined square root gives ``nan`` (metafor ``NA``).

    Examples
    --------
    >>> round(transf_ipft_hm(0.5, np.array([20.0, 30.0])), 6)
    0.218911
    """
    nhm = 1.0 / np.mean(1.0 / np.asarray(n, dtype=float))
    if z > transf_pft(1.0, nhm):
        return 1.0
    if z < transf_pft(0.0, nhm):
        return 0.0
    s = np.sin(2 * z)
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = 1 - (s + (s - 1 / s) / nhm) ** 2
        val = 0.5 * (1 - np.sign(np.cos(2 * z)) * np.sqrt(inner))
    return float(val) if np.isfinite(val) else float("nan")


# ----------------------------------------------------------------------------- tau2 estimators
def _tr_p(w: np.ndarray) -> float:
    s = w.sum()
    return float(s - (w**2).sum() / s)


def _tau2_dl(yi: np.ndarray, vi: np.ndarray) -> float:
    w = 1.0 / vi
    ybar = np.sum(w * yi) / w.sum()
    q = float(np.sum(w * (yi - ybar) ** 2))
    return max(0.0, (q - (len(yi) - 1)) / _tr_p(w))


def _reml_loglik(yi: np.ndarray, vi: np.ndarray, tau2: float) -> float:
    w = 1.0 / (vi + tau2)
    ybar = np.sum(w * yi) / w.sum()
    k = len(yi)
    return float(-0.5 * (k - 1) * np.log(2 * np.pi) - 0.5 * np.sum(np.log(vi + tau2))
                 - 0.5 * np.log(w.sum()) - 0.5 * np.sum(w * (yi - ybar) ** 2))


def _reml_score(yi: np.ndarray, vi: np.ndarray, tau2: float) -> float:
    """REML score ``dl/dtau2 = (y'PPy - tr P)/2`` (Viechtbauer 2005, eq. 12)."""
    w = 1.0 / (vi + tau2)
    s = w.sum()
    py = w * (yi - np.sum(w * yi) / s)
    return float(0.5 * (np.sum(py**2) - (s - np.sum(w**2) / s)))


def _fisher_scoring(yi: np.ndarray, vi: np.ndarray) -> tuple[float, bool]:
    """metafor's REML Fisher scoring, step for step (rma.uni, metafor 3.8-1); ``(tau2, converged)``.

    Start: Hedges' estimator ``max(0, (sum (y-ybar)² - (1-1/k) sum v)/(k-1))``. Step:
    ``adj = (y'PPy - tr P)/tr(PP)``, halved while ``tau2 + adj < 0``; stop when
    ``|change| <= 1e-5`` or after 100 iterations (metafor then stops with "Fisher scoring
    algorithm did not converge").
    """
    k = len(yi)
    tau2 = (np.sum((yi - yi.mean()) ** 2) - np.sum(vi) * (1 - 1 / k)) / (k - 1)
    tau2 = max(0.0, float(tau2))
    change, it = REML_THRESHOLD + 1, 0
    while change > REML_THRESHOLD:
        it += 1
        old = tau2
        w = 1.0 / (vi + tau2)
        s = w.sum()
        py = w * (yi - np.sum(w * yi) / s)
        tr_p = s - np.sum(w**2) / s
        tr_pp = np.sum(w**2) - 2 * np.sum(w**3) / s + np.sum(w**2) ** 2 / s**2
        adj = (np.sum(py**2) - tr_p) / tr_pp
        if not np.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if it > REML_MAXITER:
            return tau2, False
    return tau2, True


def _reml_maximise(yi: np.ndarray, vi: np.ndarray) -> float:
    """The REML optimum by bracketing every sign change of the score on ``[0, hi]``.

    Used where Fisher scoring oscillates (its step overshoots around the optimum; metafor stops
    there with an error, and reaches the same optimum with ``control=list(stepadj=0.5)``). The score
    is negative beyond ``hi`` (``y'PPy`` falls as ``1/tau2²``, ``tr P`` as ``1/tau2``); each ``+ -``
    sign change on a 400-point log grid brackets a local maximum, solved by Brent's method to
    machine precision, and the largest REML log-likelihood among them and ``tau2 = 0`` wins.
    """
    hi = max(1.0, 10.0 * (float(np.var(yi)) * len(yi) + float(vi.max())))
    for _ in range(60):
        if _reml_score(yi, vi, hi) < 0:
            break
        hi *= 10.0
    else:
        raise OncotrialValueError(
            f"REML in `meta_proportion` has no finite optimum for yi = {yi.tolist()!r}, "
            f"vi = {vi.tolist()!r} (the score stays positive). Use method='DL' or method='GLMM'.")
    grid = np.concatenate([[0.0], np.geomspace(hi * 1e-12, hi, 400)])
    score = np.array([_reml_score(yi, vi, t) for t in grid])
    candidates = [0.0]
    for i in np.flatnonzero((score[:-1] > 0) & (score[1:] <= 0)):
        candidates.append(float(optimize.brentq(lambda t: _reml_score(yi, vi, t), grid[i],
                                                grid[i + 1], xtol=1e-300, rtol=4 * np.finfo(float).eps)))
    ll = [_reml_loglik(yi, vi, t) for t in candidates]
    return candidates[int(np.argmax(ll))]


def _tau2_reml(yi: np.ndarray, vi: np.ndarray) -> float:
    """REML tau2: metafor's Fisher scoring, and the exact optimum where it does not converge.

    Where metafor's Fisher scoring (:func:`_fisher_scoring`) converges the result is metafor's to
    ~1e-14. Where it does not (metafor 3.8-1 then stops with an error; e.g. x = [1, 1, 1, 1, 2],
    n = [1, 1, 1, 1, 7], PLO), the REML log-likelihood is maximised directly
    (:func:`_reml_maximise`), which is the value metafor reaches with
    ``control=list(stepadj=0.5)`` (to 1e-8, tests/evidence/test_meta_reml.py). Then metafor's
    ``ll0check``: if the likelihood at ``tau2 = 0`` exceeds the one found by more than
    ``eps^0.25`` (and ``tau2 > 1e-5``), ``tau2 = 0``.
    """
    tau2, converged = _fisher_scoring(yi, vi)
    if not converged:
        tau2 = _reml_maximise(yi, vi)
    if _reml_loglik(yi, vi, 0.0) - _reml_loglik(yi, vi, tau2) > LL0_TOL and tau2 > REML_THRESHOLD:
        tau2 = 0.0
    return max(0.0, tau2)


def heterogeneity(yi: np.ndarray, vi: np.ndarray, tau2: float) -> tuple[float, float, float]:
    """Cochran's Q and metafor's I² (percent) and H² for a given tau2.

    ``Q = sum w (y - ybar_w)²`` with ``w = 1/v``; typical within-study variance
    ``vt = (k-1)/tr(P)``, ``tr P = sum w - sum w²/sum w`` [3]_; ``I² = 100 tau2/(vt + tau2)``,
    ``H² = tau2/vt + 1``.
    """
    w = 1.0 / vi
    ybar = np.sum(w * yi) / w.sum()
    q = float(np.sum(w * (yi - ybar) ** 2))
    vt = (len(yi) - 1) / _tr_p(w)
    return q, 100.0 * tau2 / (vt + tau2), tau2 / vt + 1.0


# ----------------------------------------------------------------------------- public API
def meta_proportion(
    x, n, *, measure: Measure = "PLO", method: Method = "REML", level: float = 0.95
) -> MetaProportionResult:
    """Pool single-arm proportions with a random-effects model, as R metafor does.

    Parameters
    ----------
    x, n : array-like of int
        Events (responders) and sample sizes, one per study; ``0 <= x <= n``, ``n >= 1``,
        at least two studies.
    measure : {'PLO', 'PFT'}, default='PLO'
        Scale of the model: logit (``PLO``) or Freeman-Tukey double arcsine (``PFT``).
        ``method='GLMM'`` requires ``'PLO'``.
    method : {'REML', 'DL', 'GLMM'}, default='REML'
        ``REML`` (metafor's default, Fisher scoring exactly as metafor iterates it), ``DL``
        (DerSimonian-Laird) or ``GLMM`` (random-intercept logistic model fitted by maximum
        likelihood with 7-point adaptive Gauss-Hermite quadrature, ≙ ``rma.glmm(measure="PLO")``).
    level : float, default=0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    MetaProportionResult

    Notes
    -----
    Model: ``y_i = mu + u_i + e_i``, ``u_i ~ N(0, tau2)``, ``e_i ~ N(0, v_i)`` with ``y_i, v_i``
    from :func:`escalc_proportion`. Weights ``w_i = 1/(v_i + tau2)``; ``b = sum w y/sum w``,
    ``se = sqrt(1/sum w)``; CI ``b ± z se``; prediction interval ``b ± z sqrt(se² + tau2)``
    (metafor ``predict``, ``test="z"``). Back-transformation: inverse logit (``PLO``) or Miller's
    inverse double arcsine at the harmonic mean of ``n`` (``PFT``, ≙ ``transf.ipft.hm``) [2]_.
    DL: ``tau2 = max(0, (Q - (k-1))/tr P)`` [4]_. REML: see :func:`_tau2_reml` [5]_.

    Edge rules (as metafor): with ``PLO`` a study with ``x = 0`` or ``x = n`` gets 1/2 added to
    both cells (``escalc(add=1/2, to="only0")``); ``PFT`` needs no correction; the GLMM uses the
    raw counts (the corrected ``y_i, v_i`` enter only its I²).

    References
    ----------
    .. [1] Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw
       2010;36(3):1-48.
    .. [2] Miller JJ. The inverse of the Freeman-Tukey double arcsine transformation. Am Stat
       1978;32(4):138.
    .. [3] Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med
       2002;21:1539-58.
    .. [4] DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
       1986;7:177-88.
    .. [5] Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the
       random-effects model. J Educ Behav Stat 2005;30:261-93.

    Examples
    --------
    ORR of three single-arm trials (metafor: pred 0.2685055, ci 0.1712992-0.3946066, tau2 0):

    >>> res = meta_proportion([2, 5, 9], [10, 20, 30])
    >>> round(res.estimate, 6), round(res.ci.low, 6), round(res.ci.high, 6), res.tau2
    (0.268505, 0.171299, 0.394607, 0.0)
    >>> round(meta_proportion([0, 3, 7, 1], [10, 15, 20, 12], method="DL").tau2, 6)
    0.307759
    """
    func = "meta_proportion"
    check_choice(measure, ("PLO", "PFT"), func, "measure")
    check_choice(method, ("REML", "DL", "GLMM"), func, "method")
    level = check_level(level, func)
    xa, na = _check_counts(x, n, func)
    if method == "GLMM" and measure != "PLO":
        raise OncotrialValueError(
            f"`measure` of `{func}` must be 'PLO' when method='GLMM'; got {measure!r}. "
            "The GLMM is a logistic model (metafor rma.glmm supports only measure='PLO' here)."
        )
    z = float(stats.norm.isf((1 - level) / 2))
    if method == "GLMM":
        from oncotrial.evidence._glmm import fit_glmm

        return fit_glmm(xa, na, level=level, z=z)

    yi, vi = escalc_proportion(xa, na, measure)
    tau2 = _tau2_reml(yi, vi) if method == "REML" else _tau2_dl(yi, vi)
    w = 1.0 / (vi + tau2)
    b = float(np.sum(w * yi) / w.sum())
    se = float(np.sqrt(1.0 / w.sum()))
    q, i2, h2 = heterogeneity(yi, vi, tau2)
    k = len(yi)
    back = transf_ilogit if measure == "PLO" else (lambda v: transf_ipft_hm(v, na))
    ci_lo, ci_hi = sorted((back(b - z * se), back(b + z * se)))
    pi_sd = np.sqrt(se**2 + tau2)
    pi_lo, pi_hi = sorted((back(b - z * pi_sd), back(b + z * pi_sd)))
    return MetaProportionResult(
        measure=measure, method=method, level=level, k=k,
        x=tuple(int(v) for v in xa), n=tuple(int(v) for v in na),
        estimate=back(b), ci=ConfidenceInterval(ci_lo, ci_hi, level, "wald"),
        pi=ConfidenceInterval(pi_lo, pi_hi, level, "prediction"),
        b=b, se=se, tau2=float(tau2), i2=float(i2), h2=float(h2),
        q=q, q_df=k - 1, q_pvalue=float(stats.chi2.sf(q, k - 1)), q_test="cochran",
        weights=tuple(float(v) for v in 100 * w / w.sum()),
        yi=tuple(float(v) for v in yi), vi=tuple(float(v) for v in vi),
    )


def _check_counts(x, n, func: str) -> tuple[np.ndarray, np.ndarray]:
    from oncotrial._validation import as_float_array

    xa = as_float_array(x, func, "x", nonnegative=True)
    na = as_float_array(n, func, "n", nonnegative=True)
    check_same_length(func, x=xa, n=na)
    for name, arr in (("x", xa), ("n", na)):
        frac = arr != np.round(arr)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise OncotrialValueError(
                f"`{name}` of `{func}` must hold integer counts; got {arr[i]!r} at index {i}. "
                "Pass numbers of patients, not percentages."
            )
    bad = na < 1
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OncotrialValueError(f"`n` of `{func}` must be >= 1; got {na[i]!r} at index {i}.")
    over = xa > na
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise OncotrialValueError(
            f"`x` of `{func}` must be <= `n`; got x={xa[i]!r} > n={na[i]!r} at index {i}."
        )
    if len(xa) < 2:
        raise OncotrialValueError(
            f"`x` of `{func}` must hold at least 2 studies; got {len(xa)}. "
            "A single study needs no pooling: use its own binomial confidence interval."
        )
    return xa, na
