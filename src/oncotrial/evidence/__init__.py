"""oncotrial.evidence: published-trial records, meta-analysis of proportions, KM reconstruction."""

from oncotrial.evidence._meta import MetaProportionResult, meta_proportion

__all__ = ["MetaProportionResult", "meta_proportion"]
