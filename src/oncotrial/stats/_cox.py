"""Cox proportional-hazards regression, numerically identical to R ``survival::coxph``.

Public entry point: :func:`cox_ph`. The likelihood engine lives in ``_cox_fit.py`` and the
concordance in ``_cox_concordance.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as _st

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._result import ConfidenceInterval, Result
from oncotrial._validation import as_event_array, as_float_array, check_choice, check_level
from oncotrial.stats import _cox_concordance as _conc
from oncotrial.stats import _cox_fit as _fit
from oncotrial.stats._timefix import timefix as apply_timefix

__all__ = ["CoxConvergenceWarning", "CoxResult", "CoxTest", "cox_ph"]

Ties = Literal["efron", "breslow", "exact"]
_TIES = ("efron", "breslow", "exact")
#: Largest number of tied events at one time accepted by ``ties="exact"`` (cost grows linearly).
EXACT_MAX_TIES = 200


class CoxConvergenceWarning(UserWarning):
    """Emitted when a Cox fit did not converge or a coefficient may be infinite (as R)."""


@dataclass(frozen=True, slots=True, repr=False)
class CoxTest(Result):
    """A chi-square test of a Cox model (likelihood ratio, Wald or score).

    Examples
    --------
    >>> t = CoxTest("Wald", 3.84, 1, 0.05)
    >>> int(t.summary().loc["Wald", "df"])
    1
    """

    name: str
    statistic: float
    df: int
    pvalue: float

    def summary(self) -> pd.DataFrame:
        """One-row table: test, statistic, df, p."""
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df],
                             "p": [self.pvalue]}, index=pd.Index([self.name], name="test"))


def _chi2_test(name: str, stat: float, df: int) -> CoxTest:
    return CoxTest(name, float(stat), int(df), float(_st.chi2.sf(stat, df)))


@dataclass(frozen=True, slots=True, repr=False)
class CoxResult(Result):
    """Fitted Cox proportional-hazards model (see :func:`cox_ph`).

    Attributes
    ----------
    table : DataFrame
        One row per coefficient (R names, e.g. ``ecog1``): ``coef``, ``hr`` = exp(coef),
        ``se``, ``z``, ``p`` (two-sided Wald), ``hr_lower``, ``hr_upper`` (Wald CI at ``level``).
    var : ndarray
        Inverse information matrix at the estimate (R ``fit$var``).
    loglik_null, loglik : float
        Partial log-likelihood at beta = 0 and at the estimate (R ``fit$loglik``).
    lr_test, wald_test, score_test : CoxTest
        As printed by R ``summary(coxph)`` (score = log-rank for one categorical covariate).
    concordance, concordance_se : float
        Harrell's C and its infinitesimal-jackknife se, as R ``fit$concordance``.
    concordance_counts : dict
        ``concordant``, ``discordant``, ``tied.x``, ``tied.y``, ``tied.xy`` pair counts.
    n, n_events : int
    iterations : int
        Newton-Raphson iterations (R ``fit$iter``).
    converged : bool
        False when ``iter_max`` was reached (R warns "Ran out of iterations").
    infinite : tuple of str
        Coefficients flagged by R's "Loglik converged before variable ..." rule.
    warnings : tuple of str
        The warnings emitted while fitting, in R's wording.
    ties, level : str, float
        Conventions echoed.
    terms : tuple of (covariate, tuple of coefficient names)
        How each covariate maps to columns (categorical covariates have several).
    reference : tuple of (covariate, level)
        Reference level used for each categorical covariate.
    strata : tuple of str
        Stratification columns (empty when unstratified).
    means : ndarray
        Column means used for centring (R ``fit$means``).
    """

    table: pd.DataFrame
    var: np.ndarray
    loglik_null: float
    loglik: float
    lr_test: CoxTest
    wald_test: CoxTest
    score_test: CoxTest
    concordance: float
    concordance_se: float
    concordance_counts: dict
    n: int
    n_events: int
    iterations: int
    converged: bool
    infinite: tuple[str, ...]
    warnings: tuple[str, ...]
    ties: str
    level: float
    terms: tuple[tuple[str, tuple[str, ...]], ...]
    reference: tuple[tuple[str, str], ...]
    strata: tuple[str, ...]
    means: np.ndarray

    def summary(self) -> pd.DataFrame:
        """Coefficient table (a copy of :attr:`table`)."""
        return self.table.copy()

    @property
    def coef(self) -> pd.Series:
        """Log hazard ratios indexed by coefficient name."""
        return self.table["coef"].copy()

    def tests(self) -> pd.DataFrame:
        """Likelihood-ratio, Wald and score tests as one table (R ``summary(coxph)`` footer)."""
        return pd.concat([t.summary() for t in (self.lr_test, self.wald_test, self.score_test)])

    def hazard_ratio_ci(self, name: str) -> ConfidenceInterval:
        """Wald CI of one hazard ratio: ``exp(coef -/+ z_{1-a/2} se)`` (R ``confint``, exp'd)."""
        if name not in self.table.index:
            raise bad_value("name", "CoxResult.hazard_ratio_ci",
                            f"one of {list(self.table.index)}", name)
        row = self.table.loc[name]
        return ConfidenceInterval(float(row["hr_lower"]), float(row["hr_upper"]), self.level,
                                  "wald")

    def term_test(self, covariate: str) -> CoxTest:
        """Joint Wald test that all coefficients of one covariate are 0 (df = its columns).

        :math:`W = b^T V_{bb}^{-1} b` with :math:`b` the covariate's coefficients and
        :math:`V_{bb}` their block of :attr:`var`; for a numeric covariate :math:`W = z^2`.
        """
        names = dict(self.terms).get(covariate)
        if names is None:
            raise bad_value("covariate", "CoxResult.term_test",
                            f"one of {[t for t, _ in self.terms]}", covariate)
        idx = [self.table.index.get_loc(c) for c in names]
        b = self.table["coef"].to_numpy()[idx]
        stat = float(b @ np.linalg.solve(self.var[np.ix_(idx, idx)], b))
        return _chi2_test(f"Wald {covariate}", stat, len(idx))


# ----------------------------------------------------------------------------- design matrix

def _column(data: pd.DataFrame, name: object, func: str, param: str) -> pd.Series:
    if not isinstance(name, str) or name not in data.columns:
        raise bad_value(param, func, "a column name of `data`", name,
                        f"Available columns: {list(map(str, data.columns))}.")
    return data[name]


def _is_categorical(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or \
        pd.api.types.is_string_dtype(s.dtype)


def _first_missing(s: pd.Series, func: str, param: str) -> None:
    miss = s.isna().to_numpy()
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        val = s.iloc[i]
        val = val.item() if isinstance(val, np.generic) else val
        raise OncotrialValueError(
            f"`{param}` of `{func}` must not contain missing values; got {val!r} at "
            f"index {i}. Drop incomplete rows first (R coxph's na.omit), e.g. data.dropna().")


def _design(data: pd.DataFrame, covariates: Sequence[str], reference: Mapping[str, object],
            func: str) -> tuple[np.ndarray, list[str], list[tuple[str, tuple[str, ...]]],
                                list[tuple[str, str]]]:
    cols: list[np.ndarray] = []
    names: list[str] = []
    terms: list[tuple[str, tuple[str, ...]]] = []
    refs: list[tuple[str, str]] = []
    for cov in covariates:
        s = _column(data, cov, func, "covariates")
        param = f"data[{cov!r}]"
        if _is_categorical(s):
            _first_missing(s, func, param)
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels = [c for c in s.cat.categories if (s == c).any()]  # R droplevels
            else:
                levels = sorted(s.unique().tolist(), key=str)
            labels = [str(v) for v in levels]
            ref = reference.get(cov, labels[0])
            if str(ref) not in labels:
                raise bad_value("reference", func, f"a level of `{cov}` ({labels})", ref)
            strv = s.astype(str).to_numpy()
            tnames = []
            for lab in labels:
                if lab == str(ref):
                    continue
                cols.append((strv == lab).astype(float))
                names.append(f"{cov}{lab}")
                tnames.append(f"{cov}{lab}")
            if not tnames:
                raise bad_value("covariates", func, "covariates with at least two levels",
                                cov, f"`{cov}` has the single level {labels[0]!r}; drop it.")
            terms.append((cov, tuple(tnames)))
            refs.append((cov, str(ref)))
        else:
            cols.append(as_float_array(s.to_numpy(dtype=float, na_value=np.nan), func, param))
            names.append(str(cov))
            terms.append((cov, (str(cov),)))
    # keys naming other columns of `data` are allowed and unused (like relevel() on a column
    # left out of the formula); unknown columns and numeric covariates are errors
    cats = {c for c, _ in refs}
    bad = sorted(k for k in reference
                 if k not in cats and (k in covariates or k not in data.columns))
    if bad:
        raise bad_value("reference", func, "keyed by categorical covariates or other columns "
                        "of `data`", bad)
    return np.column_stack(cols), names, terms, refs


def _check_rank(xc: np.ndarray, names: list[str], func: str) -> None:
    """Raise on a constant or collinear column (R would return NA for it).

    Column j is aliased when its residual sum of squares after regression on the columns
    before it is <= 1e-10 of its own sum of squares (Gram matrix of the centred columns).
    """
    scale = np.abs(xc).max(axis=0)
    xs = xc / np.where(scale > 0, scale, 1.0)
    gram = xs.T @ xs
    for j in range(xc.shape[1]):
        resid = gram[j, j]
        if j:
            try:
                resid -= gram[j, :j] @ np.linalg.solve(gram[:j, :j], gram[:j, j])
            except np.linalg.LinAlgError:  # pragma: no cover - earlier columns were checked
                resid = 0.0
        if scale[j] == 0 or resid <= 1e-10 * gram[j, j]:
            raise OncotrialValueError(
                f"`covariates` of `{func}` must give linearly independent columns; column "
                f"{names[j]!r} is constant or a linear combination of {names[:j]}. "
                "Drop it (R coxph would report NA for it).")


# ----------------------------------------------------------------------------- public API

def cox_ph(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str], *,
           ties: Ties = "efron", strata: str | Sequence[str] | None = None,
           reference: Mapping[str, object] | None = None, level: float = 0.95,
           timefix: bool = True) -> CoxResult:
    """Fit a Cox proportional-hazards model by Newton-Raphson, as R ``coxph``.

    Parameters
    ----------
    data : DataFrame
        One row per subject, no missing values in the columns used.
    duration, event : str
        Columns with the follow-up time (>= 0) and the event indicator (1/True = event).
    covariates : sequence of str
        Columns entering the model. Numeric columns enter as they are; categorical
        (pandas ``category``, ``object`` or string) columns are expanded to treatment-contrast
        dummies named ``<column><level>`` (R's naming). Levels are the category order for a
        pandas categorical (unused ones dropped) and the sorted values otherwise (R ``factor``;
        Python string order, which equals R's for ASCII digits and letters of one case).
    ties : {'efron', 'breslow', 'exact'}, default='efron'
        Handling of tied event times; ``'efron'`` is R's default. ``'exact'`` is R
        ``ties="exact"`` (exact partial likelihood = conditional logistic likelihood); it is
        limited to at most :data:`EXACT_MAX_TIES` (200) tied events at one time.
    strata : str or sequence of str, optional
        Stratification columns: a separate baseline hazard per combination (R ``strata()``).
    reference : mapping, optional
        Reference level per categorical covariate, e.g. ``{"ecog": "0"}``; default the first
        level (R ``relevel``). Keys naming columns of ``data`` that are not covariates are
        ignored, so one mapping can serve several models.
    level : float, default=0.95
        Level of the hazard-ratio confidence intervals.
    timefix : bool, default=True
        Merge times that differ only by floating-point noise (R ``aeqSurv`` with tolerance
        ``sqrt(eps)``, R ``coxph.control(timefix=TRUE)``, R's default).

    Returns
    -------
    CoxResult

    Warns
    -----
    CoxConvergenceWarning
        "Loglik converged before variable ...; coefficient may be infinite." (monotone
        likelihood, e.g. no events in one group) or "Ran out of iterations and did not
        converge", with R's rules; recorded in ``result.warnings`` and ``result.infinite``.

    Notes
    -----
    Partial likelihoods (Cox [1]_; Breslow [3]_ and Efron [2]_ ties; exact [4]_), score and
    information are given in ``oncotrial/stats/_cox_fit.py`` and ``docs/cox.md``. Newton-Raphson
    starts at 0 and follows R ``coxfit6.c``/``coxexact.c`` [5]_: convergence when the relative
    change of the log-likelihood is <= 1e-9 (``coxph.control(eps=1e-9)``), step halving, at
    most 20 iterations. Tests: LR = 2(l(b) - l(0)), Wald = b^T V^-1 b, score = U(0)^T I(0)^-1
    U(0), each on p df. Coefficient p-values are two-sided Wald, HR CIs ``exp(b -/+ z se)``.
    Concordance: Harrell's C with R's conventions and se (``_cox_concordance.py``).
    Differences from R: missing values, constant or collinear covariates raise instead of being
    dropped/NA; no case weights, offsets, clusters or robust variance.

    References
    ----------
    .. [1] Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    .. [2] Efron B (1977). The efficiency of Cox's likelihood function for censored data.
           JASA 72:557-565.
    .. [3] Breslow N (1974). Covariance analysis of censored survival data. Biometrics 30:89-99.
    .. [4] Gail MH, Lubin JH, Rubinstein LV (1981). Likelihood calculations for matched
           case-control studies and survival studies with tied death times. Biometrika 68:703.
    .. [5] Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
           Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
    ...                    "arm": ["A", "B", "A", "B", "A", "B"]})
    >>> fit = cox_ph(df, "t", "e", ["arm"])
    >>> fit.table.index.tolist(), round(float(fit.table.loc["armB", "coef"]), 4)
    (['armB'], -0.2739)
    >>> round(fit.concordance, 4)   # R: summary(coxph(Surv(t, e) ~ arm, df))
    0.5417
    """
    func = "cox_ph"
    if not isinstance(data, pd.DataFrame):
        raise bad_value("data", func, "a pandas DataFrame", type(data).__name__)
    ties = check_choice(ties, _TIES, func, "ties")
    level = check_level(level, func)
    if not isinstance(timefix, bool):
        raise bad_value("timefix", func, "True or False", timefix)
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    if not covariates:
        raise bad_value("covariates", func, "a non-empty list of column names", covariates)
    if len(set(covariates)) != len(covariates):
        raise bad_value("covariates", func, "free of duplicates", covariates)
    reference = dict(reference or {})
    time = as_float_array(_column(data, duration, func, "duration").to_numpy(dtype=float,
                          na_value=np.nan), func, f"data[{duration!r}]", nonnegative=True)
    if timefix:
        time = apply_timefix(time)
    ev_col = _column(data, event, func, "event")
    _first_missing(ev_col, func, f"data[{event!r}]")
    ev = as_event_array(ev_col.to_numpy(dtype=float), func, f"data[{event!r}]")
    if not ev.any():
        raise bad_value("event", func, "1 for at least one row", "no events",
                        "A Cox model needs at least one event.")
    x, names, terms, refs = _design(data, covariates, reference, func)
    strata_names: tuple[str, ...] = ()
    codes = None
    if strata is not None:
        strata_names = (strata,) if isinstance(strata, str) else tuple(strata)
        scols = [_column(data, s, func, "strata") for s in strata_names]
        for s, c in zip(strata_names, scols, strict=True):
            _first_missing(c, func, f"data[{s!r}]")
        codes = pd.DataFrame({i: c.to_numpy() for i, c in enumerate(scols)}).groupby(
            list(range(len(scols))), sort=True).ngroup().to_numpy()
    means = x.mean(axis=0)
    xc = x - means
    _check_rank(xc, names, func)
    groups = [np.arange(len(time))] if codes is None else [
        np.flatnonzero(codes == k) for k in range(int(codes.max()) + 1)]
    prepared = [_fit.prepare_stratum(time[g], ev[g], xc[g]) for g in groups]
    if ties == "exact":
        dmax = max(int(s.d.max()) if s.d.size else 0 for s in prepared)
        if dmax > EXACT_MAX_TIES:
            raise bad_value("ties", func, f"'efron' or 'breslow' when more than {EXACT_MAX_TIES}"
                            " events share one time", "exact", f"The largest tie has {dmax} events.")
    nf = _fit.newton_raphson(_fit.make_evaluator(prepared, ties), len(names),
                             exact_style=ties == "exact")
    return _assemble(nf, names, terms, refs, strata_names, means, time, ev, xc, codes, ties,
                     level)


def _assemble(nf: _fit.NewtonFit, names: list[str], terms: list, refs: list,
              strata_names: tuple[str, ...], means: np.ndarray, time: np.ndarray,
              ev: np.ndarray, xc: np.ndarray, codes: np.ndarray | None, ties: str,
              level: float) -> CoxResult:
    msgs: list[str] = []
    infinite: tuple[str, ...] = ()
    if not nf.converged:
        msgs.append("Ran out of iterations and did not converge")
    else:
        flags = _fit.infinite_coefficients(nf)
        if flags.any():
            infinite = tuple(n for n, f in zip(names, flags, strict=True) if f)
            idx = ",".join(str(i + 1) for i in np.flatnonzero(flags))
            msgs.append(f"Loglik converged before variable  {idx} ; coefficient may be "
                        f"infinite. ({', '.join(infinite)})")
    for m in msgs:
        warnings.warn(m, CoxConvergenceWarning, stacklevel=3)
    beta = nf.beta
    se = np.sqrt(np.diag(nf.var))
    z = beta / se
    q = _st.norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore"):  # an infinite coefficient gives inf limits, as in R
        table = pd.DataFrame({
            "coef": beta, "hr": np.exp(beta), "se": se, "z": z, "p": 2 * _st.norm.sf(np.abs(z)),
            "hr_lower": np.exp(beta - q * se), "hr_upper": np.exp(beta + q * se),
        }, index=pd.Index(names, name="term"))
    p = len(names)
    wald = float(beta @ np.linalg.solve(nf.var, beta))
    counts, cidx, cse = _conc.concordance(time, ev, xc @ beta, codes)
    return CoxResult(
        table=table, var=nf.var, loglik_null=nf.loglik0, loglik=nf.loglik,
        lr_test=_chi2_test("Likelihood ratio", 2 * (nf.loglik - nf.loglik0), p),
        wald_test=_chi2_test("Wald", wald, p),
        score_test=_chi2_test("Score (logrank)", nf.score_test, p),
        concordance=float(cidx), concordance_se=float(cse),
        concordance_counts={"concordant": counts.concordant, "discordant": counts.discordant,
                            "tied.x": counts.tied_x, "tied.y": counts.tied_y,
                            "tied.xy": counts.tied_xy},
        n=len(time), n_events=int(ev.sum()), iterations=nf.iterations,
        converged=nf.converged, infinite=infinite, warnings=tuple(msgs), ties=ties,
        level=level, terms=tuple(terms), reference=tuple(refs), strata=strata_names,
        means=means,
    )
