"""Single-arm landmark survival design with a transformed Kaplan-Meier test (Nagashima 2021)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import check_choice, check_probability
from oncotrial.design._common import check_alpha_power, check_positive
from oncotrial.design._dist import norm_cdf, norm_ppf
from oncotrial.design._table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TRANSFORMS", "LandmarkDesign", "landmark_n_table", "landmark_power",
           "landmark_survival_design"]

Transform = Literal["identity", "log", "log-log", "logit", "arcsine"]
TRANSFORMS: tuple[str, ...] = ("identity", "log", "log-log", "logit", "arcsine")
DropoutMethod = Literal["inflate", "exponential"]


def _g(s: float, transform: str) -> float:
    """Transformation g(S)."""
    return {
        "identity": s,
        "log": math.log(s),
        "log-log": math.log(-math.log(s)),
        "logit": math.log(s / (1 - s)),
        "arcsine": math.asin(math.sqrt(s)),
    }[transform]


def _ginv(y: float, transform: str) -> float:
    """Inverse transformation: the survival probability whose g is ``y``."""
    return {
        "identity": lambda: y,
        "log": lambda: math.exp(y),
        "log-log": lambda: math.exp(-math.exp(y)),
        "logit": lambda: 1.0 / (1.0 + math.exp(-y)),
        "arcsine": lambda: math.sin(min(max(y, 0.0), math.pi / 2)) ** 2,
    }[transform]()


def _gprime(s: float, transform: str) -> float:
    """Derivative g'(S) (absolute value is what enters the variance)."""
    return {
        "identity": 1.0,
        "log": 1.0 / s,
        "log-log": 1.0 / (s * math.log(s)),
        "logit": 1.0 / (s * (1 - s)),
        "arcsine": 1.0 / (2.0 * math.sqrt(s * (1 - s))),
    }[transform]


def km_variance_integral(hazard: float, landmark: float, accrual: float, followup: float,
                         dropout_hazard: float = 0.0) -> float:
    r"""Asymptotic Greenwood integral ``sigma^2 = int_0^t lambda / pi(u) du`` (exponential).

    ``n Var(S_hat(t)) -> S(t)^2 sigma^2``, with ``pi(u) = exp(-lambda u) G(u)`` the probability
    of being at risk at time ``u`` after entry, ``G(u) = G_adm(u) exp(-eta u)``, and, for
    uniform accrual over ``[0, a]`` followed by ``f`` of follow-up,
    ``G_adm(u) = 1`` for ``u <= f`` and ``(a + f - u)/a`` for ``f < u < a + f``.
    On ``[0, min(t, f)]`` the integral is closed-form,
    ``lambda (exp((lambda + eta) u) - 1) / (lambda + eta)``; beyond ``f`` it is integrated
    numerically (``scipy.integrate.quad``).

    Examples
    --------
    Without censoring before ``t`` the KM variance is binomial: ``S^2 sigma^2 = S (1 - S)``.

    >>> lam = -math.log(0.9) / 18
    >>> round(0.9 ** 2 * km_variance_integral(lam, 18, 24, 24), 10)
    0.09
    """
    lam, eta, a, f, t = hazard, dropout_hazard, accrual, followup, landmark
    k = lam + eta
    t1 = min(t, f)
    val = lam * math.expm1(k * t1) / k
    if t > f:
        from scipy.integrate import quad  # lazy: only a landmark beyond the follow-up needs it

        val += quad(lambda u: lam * math.exp(k * u) * a / (a + f - u), f, t,
                    epsabs=0, epsrel=1e-12, limit=200)[0]
    return val


@dataclass(frozen=True, slots=True, repr=False)
class LandmarkDesign(Result):
    """Sample sizes for a one-arm test of ``S(landmark)`` for every transformation.

    Attributes
    ----------
    s0, s1, landmark, accrual, followup, alpha, power, dropout : float
        The request (``alpha`` is the total alpha; split in two when ``sides = 2``).
    sides : int
        1 or 2.
    dropout_method : {'inflate', 'exponential'}
        How ``dropout`` entered: ``n / (1 - dropout)`` or an exponential censoring hazard.
    n_evaluable : dict
        Transformation name -> sample size before dropout inflation.
    n : dict
        Transformation name -> sample size to enrol (after dropout inflation).
    sigma2_0, sigma2_1 : float
        Greenwood integrals under H0 and H1.
    """

    s0: float
    s1: float
    landmark: float
    accrual: float
    followup: float
    alpha: float
    power: float
    sides: int
    dropout: float
    dropout_method: str
    n_evaluable: dict
    n: dict
    sigma2_0: float
    sigma2_1: float

    def to_dict(self) -> dict[str, object]:
        """JSON: ``n`` per transform keyed by the transform's name, plus the request."""
        return {"method": "survival-landmark", "s0": self.s0, "s1": self.s1,
                "landmark": self.landmark, "accrual": self.accrual, "followup": self.followup,
                "alpha": self.alpha, "power": self.power, "sides": self.sides,
                "dropout": self.dropout, "dropout_method": self.dropout_method,
                "n": dict(self.n), "n_evaluable": dict(self.n_evaluable)}

    def _tau(self, s: float, transform: str, sigma2: float | None = None) -> float:
        if sigma2 is None:
            sigma2 = km_variance_integral(-math.log(s) / self.landmark, self.landmark,
                                          self.accrual, self.followup, self._eta())
        return abs(_gprime(s, transform)) * s * math.sqrt(sigma2)

    def _eta(self) -> float:
        return (-math.log1p(-self.dropout) / self.landmark
                if self.dropout_method == "exponential" else 0.0)

    def critical_value(self, transform: Transform = "arcsine", n: int | None = None) -> float:
        """The Kaplan-Meier estimate of ``S(landmark)`` above which H0 is rejected.

        ``c = g^{-1}(g(S0) + sgn(g') z_{1-alpha/sides} tau_0 / sqrt(n))`` at ``n`` evaluable
        patients (default: the planned ``n_evaluable[transform]``); H0 is rejected when
        ``S_hat(t) > c`` (for the log-log transform, which decreases, this is
        ``g(S_hat) < g(S0) - z tau_0 / sqrt(n)``, the same event).

        Examples
        --------
        >>> d = landmark_survival_design(0.90, 0.96, 18, 24, 24)
        >>> round(d.critical_value("arcsine"), 4)
        0.9425
        """
        check_choice(transform, TRANSFORMS, "LandmarkDesign.critical_value", "transform")
        m = self.n_evaluable[transform] if n is None else int(n)
        za = norm_ppf(1 - self.alpha / self.sides)
        sgn = 1.0 if transform != "log-log" else -1.0
        tau0 = self._tau(self.s0, transform, self.sigma2_0)
        return _ginv(_g(self.s0, transform) + sgn * za * tau0 / math.sqrt(m), transform)

    def oc_table(self, s: object = None) -> pd.DataFrame:
        """Approximate ``P(reject H0)`` at the planned n of each transform, over true ``S(t)``.

        ``Phi((sqrt(n) sgn(g') (g(S) - g(S0)) - z tau_0) / tau(S))`` with ``tau(S)`` from the
        Greenwood integral under exponential survival with ``S(t) = S`` (same accrual,
        follow-up and dropout). Default scenarios: ``S0 - 0.1`` to ``S1 + 0.05`` by 0.05 with
        ``S0`` and ``S1``. Columns: ``S(t)``, then ``P(reject) <transform>``.

        Examples
        --------
        >>> d = landmark_survival_design(0.90, 0.96, 18, 24, 24)
        >>> d.oc_table([0.9, 0.96])["P(reject) arcsine"].round(3).tolist()
        [0.05, 0.801]
        """
        return self._oc_table(s).to_frame()

    def _oc_table(self, s: object = None) -> Table:
        from oncotrial._validation import as_float_array

        if s is None:
            g = np.round(np.arange(0.05, 0.991, 0.05), 4)
            g = g[(g >= self.s0 - 0.1 - 1e-9) & (g <= self.s1 + 0.05 + 1e-9)]
            grid = np.unique(np.round(np.concatenate([g, [self.s0, self.s1]]), 6))
        else:
            grid = as_float_array(s, "LandmarkDesign.oc_table", "s")
            if np.any((grid <= 0) | (grid >= 1)):
                raise bad_value("s", "LandmarkDesign.oc_table", "survival probabilities in (0, 1)", s)
        za = norm_ppf(1 - self.alpha / self.sides)
        out: dict[str, object] = {"S(t)": grid}
        for tr in TRANSFORMS:
            sgn = 1.0 if tr != "log-log" else -1.0
            n = self.n_evaluable[tr]
            tau0 = self._tau(self.s0, tr, self.sigma2_0)
            out[f"P(reject) {tr}"] = [
                float(norm_cdf((math.sqrt(n) * sgn * (_g(v, tr) - _g(self.s0, tr)) - za * tau0)
                               / self._tau(float(v), tr))) for v in grid]
        return Table(out)

    def summary(self) -> pd.DataFrame:
        """One row per transformation: n evaluable, n to enrol, critical KM value at t."""
        return self._summary_table().to_frame()

    def _summary_table(self) -> Table:
        return Table({
            "n (evaluable)": [self.n_evaluable[tr] for tr in TRANSFORMS],
            "n (enrol)": [self.n[tr] for tr in TRANSFORMS],
            "reject H0 if KM S(t) >": [round(self.critical_value(tr), 4)  # type: ignore[arg-type]
                                       for tr in TRANSFORMS]}, index=TRANSFORMS,
            index_name="transform")


def landmark_survival_design(s0: float, s1: float, landmark: float, accrual: float,
                             followup: float, *, alpha: float = 0.05, power: float = 0.8,
                             sides: int = 1, dropout: float = 0.0,
                             dropout_method: DropoutMethod = "inflate") -> LandmarkDesign:
    r"""Sample size to test a landmark survival rate with the Kaplan-Meier estimator.

    Parameters
    ----------
    s0, s1 : float
        Survival probability at ``landmark`` under H0 and H1 (``s1 > s0``).
    landmark : float
        Landmark time ``t`` (same unit as accrual and follow-up), ``0 < t < accrual + followup``.
    accrual, followup : float
        Uniform accrual duration ``a`` and additional follow-up ``f`` after the last entry.
    alpha : float, default=0.05
        Type I error (total; ``z_{1 - alpha/sides}`` is used).
    power : float, default=0.8
        Power at ``s1``.
    sides : {1, 2}, default=1
    dropout : float, default=0.0
        Proportion lost to follow-up, in [0, 1).
    dropout_method : {'inflate', 'exponential'}, default='inflate'
        ``'inflate'``: enrol ``ceil(n / (1 - dropout))``. ``'exponential'``: dropout is an
        exponential censoring process with ``P(lost before landmark) = dropout``, entering the
        variance through ``pi(u)``.

    Returns
    -------
    LandmarkDesign

    Notes
    -----
    Exponential survival with hazards ``lambda_k = -log(S_k)/t`` [1]_. By the delta method
    ``sqrt(n) (g(S_hat) - g(S)) -> N(0, tau^2)``, ``tau_k = |g'(S_k)| S_k sigma_k`` with the
    Greenwood integral ``sigma_k^2`` of :func:`km_variance_integral` under each hypothesis. The
    test rejects when ``(g(S_hat) - g(S0)) / (tau_0 / sqrt(n))`` exceeds ``z_{1-alpha/sides}``
    (sign reversed for decreasing ``g``), and

    .. math:: n = \left(\frac{z_{1-\alpha/s}\,\tau_0 + z_{1-\beta}\,\tau_1}{g(S_1) - g(S_0)}\right)^2,

    rounded up. Transformations ``g``: identity ``S``; log ``log S``; log-log
    ``log(-log S)``; logit ``log(S/(1-S))``; arcsine ``asin(sqrt S)`` (the same ``n`` results
    from ``2 asin(sqrt S)``). When ``t <= f`` nobody is censored before ``t`` and
    ``S^2 sigma^2 = S(1 - S)`` (binomial). The arcsine row reproduces R package
    SampleSizeSingleArmSurvival ``calcSampleSizeArcsine`` [2]_ when ``t <= f``; for ``t > f``
    that package integrates a different at-risk function, so the two differ there.

    References
    ----------
    .. [1] Nagashima K, Noma H, Sato Y, Gosho M. Sample size calculations for single-arm
       survival studies using transformations of the Kaplan-Meier estimator.
       Pharm Stat 2021;20:499-511.
    .. [2] Kamal M. SampleSizeSingleArmSurvival: Calculate Sample Size for Single-Arm
       Survival Studies. R package 0.1.0.

    Examples
    --------
    >>> d = landmark_survival_design(0.90, 0.96, 18, 24, 24, alpha=0.05, power=0.8)
    >>> d.n["arcsine"]
    107
    """
    func = "landmark_survival_design"
    s0 = check_probability(s0, func, "s0")
    s1 = check_probability(s1, func, "s1")
    if not s1 > s0:
        raise bad_value("s1", func, f"greater than `s0` ({s0!r})", s1,
                        "The design tests H0: S(t) <= s0 against H1: S(t) >= s1 > s0.")
    alpha, power = check_alpha_power(alpha, power, func)
    t = check_positive(landmark, func, "landmark")
    a = check_positive(accrual, func, "accrual")
    f = check_positive(followup, func, "followup", allow_zero=True)
    if sides not in (1, 2):
        raise bad_value("sides", func, "1 or 2", sides)
    dropout = check_probability(dropout, func, "dropout", open_interval=False)
    if dropout >= 1:
        raise bad_value("dropout", func, "in [0, 1)", dropout)
    check_choice(dropout_method, ("inflate", "exponential"), func, "dropout_method")
    if t >= a + f:
        raise bad_value("landmark", func, f"< accrual + followup ({a + f:g})", landmark,
                        "Nobody is followed to the landmark; lengthen follow-up or pick an "
                        "earlier landmark.")
    eta = -math.log1p(-dropout) / t if dropout_method == "exponential" else 0.0
    lam0, lam1 = -math.log(s0) / t, -math.log(s1) / t
    v0 = km_variance_integral(lam0, t, a, f, eta)
    v1 = km_variance_integral(lam1, t, a, f, eta)
    za = norm_ppf(1 - alpha / sides)
    zb = norm_ppf(power)
    n_eval: dict[str, int] = {}
    n_enrol: dict[str, int] = {}
    for tr in TRANSFORMS:
        tau0 = abs(_gprime(s0, tr)) * s0 * math.sqrt(v0)
        tau1 = abs(_gprime(s1, tr)) * s1 * math.sqrt(v1)
        m = ((za * tau0 + zb * tau1) / (_g(s1, tr) - _g(s0, tr))) ** 2
        ne = math.ceil(m - 1e-9)
        n_eval[tr] = ne
        n_enrol[tr] = math.ceil(ne / (1 - dropout) - 1e-9) if dropout_method == "inflate" else ne
    return LandmarkDesign(s0=s0, s1=s1, landmark=t, accrual=a, followup=f, alpha=alpha,
                          power=power, sides=int(sides), dropout=dropout,
                          dropout_method=dropout_method, n_evaluable=n_eval, n=n_enrol,
                          sigma2_0=v0, sigma2_1=v1)


def landmark_n_table(design: LandmarkDesign) -> pd.DataFrame:
    """Sample size by transform x dropout handling, for a design's inputs.

    Columns: ``no dropout`` (evaluable n), ``inflate`` (``ceil(n / (1 - dropout))``) and
    ``exponential`` (dropout as an exponential censoring hazard with ``P(lost by t) =
    dropout``), each at the design's ``dropout``. Tells which assumption reproduces a
    published n (see :func:`matching_assumptions`).

    Examples
    --------
    NICE-NEC (seed 002): 12-month OS 50 % vs 72 %, accrual 18, follow-up 12, two-sided 5 %,
    80 %, 10 % dropout; the paper enrols 38.

    >>> d = landmark_survival_design(0.5, 0.72, 12, 18, 12, alpha=0.05, power=0.8, sides=2,
    ...                              dropout=0.1)
    >>> landmark_n_table(d).loc["log-log"].tolist()
    [36, 40, 38]
    """
    return _landmark_n_table(design).to_frame()


def _landmark_n_table(design: LandmarkDesign) -> Table:
    kw = dict(alpha=design.alpha, power=design.power, sides=design.sides)
    args = (design.s0, design.s1, design.landmark, design.accrual, design.followup)
    none = landmark_survival_design(*args, **kw)  # type: ignore[arg-type]
    infl = landmark_survival_design(*args, dropout=design.dropout, dropout_method="inflate",
                                    **kw)  # type: ignore[arg-type]
    expo = landmark_survival_design(*args, dropout=design.dropout,
                                    dropout_method="exponential", **kw)  # type: ignore[arg-type]
    return Table({"no dropout": [none.n[tr] for tr in TRANSFORMS],
                  "inflate": [infl.n[tr] for tr in TRANSFORMS],
                  "exponential": [expo.n[tr] for tr in TRANSFORMS]}, index=TRANSFORMS,
                 index_name="transform")


def matching_assumptions(design: LandmarkDesign, n: int) -> list[str]:
    """The (transform, dropout handling) cells of :func:`landmark_n_table` equal to ``n``.

    Examples
    --------
    >>> d = landmark_survival_design(0.5, 0.72, 12, 18, 12, alpha=0.05, power=0.8, sides=2,
    ...                              dropout=0.1)
    >>> matching_assumptions(d, 38)
    ['log-log, exponential dropout', 'logit, no dropout', 'arcsine, no dropout']
    """
    t = _landmark_n_table(design)
    labels = {"no dropout": "no dropout", "inflate": "dropout by inflation",
              "exponential": "exponential dropout"}
    return [f"{tr}, {labels[c]}" for i, tr in enumerate(t.index or ()) for c in t.columns
            if t.columns[c][i] == n]


def landmark_power(n: int, design: LandmarkDesign, transform: Transform = "arcsine") -> float:
    """Approximate power of ``n`` evaluable patients under the design's assumptions.

    ``Phi((sqrt(n) |g(S1) - g(S0)| - z tau_0) / tau_1)``.

    Examples
    --------
    >>> d = landmark_survival_design(0.90, 0.96, 18, 24, 24)
    >>> round(landmark_power(107, d), 3)
    0.801
    """
    s0, s1 = design.s0, design.s1
    tau0 = abs(_gprime(s0, transform)) * s0 * math.sqrt(design.sigma2_0)
    tau1 = abs(_gprime(s1, transform)) * s1 * math.sqrt(design.sigma2_1)
    za = norm_ppf(1 - design.alpha / design.sides)
    diff = abs(_g(s1, transform) - _g(s0, transform))
    return float(norm_cdf((np.sqrt(n) * diff - za * tau0) / tau1))
