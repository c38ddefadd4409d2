"""oncotrial.evidence: published-trial records, meta-analysis of proportions, KM reconstruction."""

from oncotrial.evidence._compare import CompareResult, compare_proportion
from oncotrial.evidence._guyot import ReconstructionResult, reconstruct_ipd
from oncotrial.evidence._meta import MetaProportionResult, meta_proportion
from oncotrial.evidence._records import (
    Outcome,
    TrialRecord,
    load_records,
    records_frame,
    search_records,
)

__all__ = [
    "CompareResult",
    "MetaProportionResult",
    "Outcome",
    "ReconstructionResult",
    "TrialRecord",
    "compare_proportion",
    "load_records",
    "meta_proportion",
    "reconstruct_ipd",
    "records_frame",
    "search_records",
]
