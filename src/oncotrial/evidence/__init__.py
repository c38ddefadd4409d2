"""oncotrial.evidence: published-trial records, meta-analysis of proportions, KM reconstruction."""

from oncotrial.evidence._meta import MetaProportionResult, meta_proportion
from oncotrial.evidence._records import (
    Outcome,
    TrialRecord,
    load_records,
    records_frame,
    search_records,
)

__all__ = [
    "MetaProportionResult",
    "Outcome",
    "TrialRecord",
    "load_records",
    "meta_proportion",
    "records_frame",
    "search_records",
]
