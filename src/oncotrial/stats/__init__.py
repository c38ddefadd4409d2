"""oncotrial.stats: the statistics core, numerically identical to R.

Every quantity the analysis and report layers print is computed here and nowhere else:
binomial proportions and tests, the beta-binomial posterior, Kaplan-Meier estimates with
R ``survfit`` confidence bands and quantiles, reverse-KM follow-up, the log-rank test, and
exact/rank tests. See ``docs/stats.md``.
"""

from oncotrial.stats._bayes import BetaPosteriorResult, beta_posterior
from oncotrial.stats._cox import CoxConvergenceWarning, CoxResult, CoxTest, cox_ph
from oncotrial.stats._km import (
    KMGroupedResult,
    KMResult,
    QuantileEstimate,
    SurvivalQuantiles,
    kaplan_meier,
)
from oncotrial.stats._proportion import (
    BinomialTestResult,
    ProportionResult,
    binomial_test,
    proportion_ci,
)
from oncotrial.stats._select import BackwardSelectionResult, BackwardStep, backward_select

__all__ = [
    "BackwardSelectionResult",
    "BackwardStep",
    "BetaPosteriorResult",
    "BinomialTestResult",
    "CoxConvergenceWarning",
    "CoxResult",
    "CoxTest",
    "KMGroupedResult",
    "KMResult",
    "ProportionResult",
    "QuantileEstimate",
    "SurvivalQuantiles",
    "backward_select",
    "beta_posterior",
    "binomial_test",
    "cox_ph",
    "kaplan_meier",
    "proportion_ci",
]
