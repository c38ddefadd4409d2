"""Backward stepwise selection of Cox covariates, as in the NICE-NEC methods (seed 002).

The rule implemented is the one stated in the NICE-NEC statistical methods [1]_:

    "To obtain the multivariable models, we employed the 'backward' stepwise selection method,
    systematically eliminating non-significant exploratory variables until a significant set
    was achieved. In instances where a significant set could not be reached, the last two
    remaining variables were included for analysis." ... "results with p < 0.05 were considered
    significant" (two-sided).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as _st

from oncotrial._errors import bad_value
from oncotrial._result import Result
from oncotrial._validation import check_choice, check_probability
from oncotrial.stats._cox import CoxResult, CoxTest, Ties, cox_ph

__all__ = ["BackwardSelectionResult", "BackwardStep", "backward_select"]

#: NICE-NEC: "results with p < 0.05 were considered significant" (seed 002, Statistics).
NICE_NEC_ALPHA = 0.05
#: NICE-NEC: "the last two remaining variables were included for analysis" (seed 002).
NICE_NEC_MIN_VARIABLES = 2


@dataclass(frozen=True, slots=True, repr=False)
class BackwardStep(Result):
    """One elimination: the covariate removed and the p-values of the model it was removed from.

    Examples
    --------
    >>> BackwardStep(1, "age", 0.8, 0.06, 1, {"age": 0.8, "sex": 0.01}).summary().iloc[0, 0]
    'age'
    """

    step: int
    removed: str
    pvalue: float
    statistic: float
    df: int
    pvalues: dict

    def summary(self) -> pd.DataFrame:
        """One-row table of the step."""
        return pd.DataFrame({"removed": [self.removed], "p": [self.pvalue],
                             "statistic": [self.statistic], "df": [self.df],
                             "n_candidates": [len(self.pvalues)]},
                            index=pd.Index([self.step], name="step"))


@dataclass(frozen=True, slots=True, repr=False)
class BackwardSelectionResult(Result):
    """Outcome of :func:`backward_select`.

    Attributes
    ----------
    steps : tuple of BackwardStep
        Eliminations in order.
    selected : tuple of str
        Covariates of the final model (candidate order).
    final : CoxResult
        The final model.
    final_pvalues : dict
        Term p-values in the final model.
    reached_significant_set : bool
        True when every selected covariate has p < ``alpha_remove``; False when the
        ``min_variables`` floor stopped the elimination (NICE-NEC: "the last two remaining
        variables were included").
    alpha_remove, min_variables, test : float, int, str
        The rule's settings, echoed.
    """

    steps: tuple[BackwardStep, ...]
    selected: tuple[str, ...]
    final: CoxResult
    final_pvalues: dict
    reached_significant_set: bool
    alpha_remove: float
    min_variables: int
    test: str

    def summary(self) -> pd.DataFrame:
        """Table of the elimination steps (empty when nothing was removed)."""
        if not self.steps:
            return pd.DataFrame(columns=["removed", "p", "statistic", "df", "n_candidates"],
                                index=pd.Index([], name="step"))
        return pd.concat([s.summary() for s in self.steps])


def _term_test(fit: CoxResult, cov: str, test: str, data: pd.DataFrame, duration: str,
               event: str, current: list[str], kw: dict) -> CoxTest:
    if test == "wald":
        return fit.term_test(cov)
    rest = [c for c in current if c != cov]
    ll0 = cox_ph(data, duration, event, rest, **kw).loglik if rest else fit.loglik_null
    stat = 2.0 * (fit.loglik - ll0)
    df = len(dict(fit.terms)[cov])
    return CoxTest(f"LR {cov}", float(stat), df, float(_st.chi2.sf(stat, df)))


def backward_select(data: pd.DataFrame, duration: str, event: str, candidates: Sequence[str], *,
                    alpha_remove: float = NICE_NEC_ALPHA,
                    min_variables: int = NICE_NEC_MIN_VARIABLES,
                    test: Literal["wald", "lr"] = "wald", ties: Ties = "efron",
                    strata: str | Sequence[str] | None = None,
                    reference: Mapping[str, object] | None = None,
                    level: float = 0.95) -> BackwardSelectionResult:
    """Backward stepwise Cox selection with the NICE-NEC rule (seed 002).

    Parameters
    ----------
    data, duration, event : see :func:`cox_ph`
    candidates : sequence of str
        Covariates of the starting (full) model; categorical ones are tested as one term.
    alpha_remove : float, default=0.05
        A covariate is non-significant, hence removable, when its p-value is >= this value
        (NICE-NEC: "p < 0.05 were considered significant").
    min_variables : int, default=2
        Elimination never goes below this many covariates (NICE-NEC: "where a significant set
        could not be reached, the last two remaining variables were included").
    test : {'wald', 'lr'}, default='wald'
        Term p-value: joint Wald chi-square of the term's coefficients (SPSS "Backward: Wald";
        for a numeric covariate the coefficient's z-test), or likelihood ratio against the model
        without the term (R ``drop1(fit, test="Chisq")``). The paper does not say which it used.
    ties, strata, reference, level : see :func:`cox_ph`
        Applied to every model fitted.

    Returns
    -------
    BackwardSelectionResult

    Notes
    -----
    Algorithm (each step on the same rows; missing values must be removed beforehand, as
    listwise deletion over all candidates):

    1. Fit the Cox model with the current covariates; compute each covariate's p-value.
    2. If every p < ``alpha_remove`` stop: a significant set is reached.
    3. If only ``min_variables`` covariates remain, stop: they are kept (not significant).
    4. Otherwise remove the covariate with the largest p-value (first in candidate order on
       ties) and go to 1.

    This is the NICE-NEC rule [1]_ with its thresholds as defaults; stepwise selection is
    exploratory and its p-values are optimistic [2]_.

    References
    ----------
    .. [1] NICE-NEC trial (GETNE), Nature Communications (2024), doi:10.1038/s41467-024-50969-8,
           Methods, Statistical analysis (project seed 002).
    .. [2] Harrell FE (2015). Regression Modeling Strategies, 2nd ed., Springer, sec. 4.3.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [5, 8, 3, 9, 12, 2, 7, 4, 10, 6, 11, 1],
    ...                    "e": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1],
    ...                    "age": [60, 55, 70, 52, 48, 75, 58, 66, 50, 62, 45, 72],
    ...                    "sex": list("MFMFFMMFFMFM"), "ldh": [1, 3, 2, 5, 4, 1, 2, 6, 3, 2, 5, 4]})
    >>> res = backward_select(df, "t", "e", ["age", "sex", "ldh"])
    >>> [s.removed for s in res.steps], res.selected, res.reached_significant_set
    (['sex'], ('age', 'ldh'), False)
    """
    func = "backward_select"
    if isinstance(candidates, str):
        candidates = [candidates]
    current = list(candidates)
    if not current or len(set(current)) != len(current):
        raise bad_value("candidates", func, "a non-empty list of distinct column names",
                        candidates)
    alpha_remove = check_probability(alpha_remove, func, "alpha_remove")
    if isinstance(min_variables, bool) or not isinstance(min_variables, int | np.integer) \
            or min_variables < 1:
        raise bad_value("min_variables", func, "an integer >= 1", min_variables)
    test = check_choice(test, ("wald", "lr"), func, "test")
    ref = dict(reference or {})
    kw = {"ties": ties, "strata": strata, "level": level}
    steps: list[BackwardStep] = []
    while True:
        kw["reference"] = {k: v for k, v in ref.items() if k in current}
        fit = cox_ph(data, duration, event, current, **kw)
        tests = {c: _term_test(fit, c, test, data, duration, event, current, kw)
                 for c in current}
        pvals = {c: t.pvalue for c, t in tests.items()}
        if all(p < alpha_remove for p in pvals.values()) or len(current) <= min_variables:
            break
        worst = max(current, key=lambda c: pvals[c])  # first maximum in candidate order
        t = tests[worst]
        steps.append(BackwardStep(len(steps) + 1, worst, t.pvalue, t.statistic, t.df, pvals))
        current.remove(worst)
    return BackwardSelectionResult(
        steps=tuple(steps), selected=tuple(current), final=fit, final_pvalues=pvals,
        reached_significant_set=all(p < alpha_remove for p in pvals.values()),
        alpha_remove=alpha_remove, min_variables=int(min_variables), test=test)
