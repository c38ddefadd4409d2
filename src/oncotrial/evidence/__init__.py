"""oncotrial.evidence: published-trial records, meta-analysis of proportions, KM reconstruction,
and synthetic trial twins (:mod:`oncotrial.evidence.twins`)."""

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
from oncotrial.evidence.twins import TwinDataset, TwinSpec, generate_twin, load_spec, write_twin

__all__ = [
    "CompareResult",
    "MetaProportionResult",
    "Outcome",
    "ReconstructionResult",
    "TrialRecord",
    "TwinDataset",
    "TwinSpec",
    "compare_proportion",
    "generate_twin",
    "load_records",
    "load_spec",
    "meta_proportion",
    "reconstruct_ipd",
    "records_frame",
    "search_records",
    "write_twin",
]
