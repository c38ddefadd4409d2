"""oncotrial.stats: the statistics core, numerically identical to R.

Every quantity the analysis and report layers print is computed here and nowhere else:
binomial proportions and tests, the beta-binomial posterior, Kaplan-Meier estimates with
R ``survfit`` confidence bands and quantiles, reverse-KM follow-up, the log-rank test, and
exact/rank tests. See ``docs/stats.md``.
"""

from oncotrial.stats._bayes import BetaPosteriorResult, beta_posterior
from oncotrial.stats._contingency import ChiSquareResult, FisherResult, chi_square, fisher_exact
from oncotrial.stats._cox import CoxConvergenceWarning, CoxResult, CoxTest, cox_ph
from oncotrial.stats._followup import FollowUpResult, followup_median
from oncotrial.stats._km import (
    KMGroupedResult,
    KMResult,
    QuantileEstimate,
    SurvivalQuantiles,
    kaplan_meier,
)
from oncotrial.stats._logrank import LogRankResult, logrank_test
from oncotrial.stats._proportion import (
    BinomialTestResult,
    ProportionResult,
    binomial_test,
    proportion_ci,
)
from oncotrial.stats._rank import WilcoxonResult, wilcoxon_rank_sum
from oncotrial.stats._select import BackwardSelectionResult, BackwardStep, backward_select

__all__ = [
    "BackwardSelectionResult",
    "BackwardStep",
    "BetaPosteriorResult",
    "BinomialTestResult",
    "ChiSquareResult",
    "CoxConvergenceWarning",
    "CoxResult",
    "CoxTest",
    "FisherResult",
    "FollowUpResult",
    "KMGroupedResult",
    "KMResult",
    "LogRankResult",
    "ProportionResult",
    "QuantileEstimate",
    "SurvivalQuantiles",
    "WilcoxonResult",
    "backward_select",
    "beta_posterior",
    "binomial_test",
    "chi_square",
    "cox_ph",
    "fisher_exact",
    "followup_median",
    "kaplan_meier",
    "logrank_test",
    "proportion_ci",
    "wilcoxon_rank_sum",
]
