"""oncotrial.evidence: published-trial records, meta-analysis of proportions, KM reconstruction,
and synthetic trial twins (:mod:`oncotrial.evidence.twins`)."""

from oncotrial.evidence._compare import CompareResult, compare_proportion
from oncotrial.evidence._guyot import ReconstructionResult, reconstruct_ipd
from oncotrial.evidence._km_compare import KMComparisonResult, compare_km
from oncotrial.evidence._meta import MetaProportionResult, meta_proportion
from oncotrial.evidence._pool_survival import (
    PooledSurvivalResult,
    pool_landmark_rates,
    pool_medians,
)
from oncotrial.evidence._records import (
    Outcome,
    TrialRecord,
    canonical_subgroup,
    load_records,
    records_frame,
    search_records,
)
from oncotrial.evidence._select import select_outcomes
from oncotrial.evidence.twins import TwinDataset, TwinSpec, generate_twin, load_spec, write_twin

__all__ = [
    "CompareResult",
    "KMComparisonResult",
    "MetaProportionResult",
    "Outcome",
    "PooledSurvivalResult",
    "ReconstructionResult",
    "TrialRecord",
    "TwinDataset",
    "TwinSpec",
    "canonical_subgroup",
    "compare_km",
    "compare_proportion",
    "generate_twin",
    "load_records",
    "load_spec",
    "meta_proportion",
    "pool_landmark_rates",
    "pool_medians",
    "reconstruct_ipd",
    "records_frame",
    "search_records",
    "select_outcomes",
    "write_twin",
]
