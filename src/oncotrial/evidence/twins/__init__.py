"""Trial twins: synthetic patient-level trials that reproduce a publication's reported results.

A *spec* (TOML, ``docs/twins.md``) holds what a paper reports -- populations, best overall
response counts, Kaplan-Meier landmarks and medians, duration of response, baseline and
adverse-event tables -- each number with its source, and an ``assumptions`` section for every
value the paper does not give. :func:`generate_twin` turns a spec into the canonical template
tables; ``oncotrial twin`` writes them. Bundled specs: REGOMUNE, NICE-NEC, TALENT.
"""

from oncotrial.evidence.twins._generate import TwinDataset, generate_twin
from oncotrial.evidence.twins._spec import (
    BUNDLED_SPECS,
    DAYS_PER_MONTH,
    Cohort,
    Endpoint,
    Landmark,
    Pooled,
    Reported,
    TwinSpec,
    bundled_spec_path,
    load_spec,
)
from oncotrial.evidence.twins._write import write_twin

__all__ = [
    "BUNDLED_SPECS",
    "DAYS_PER_MONTH",
    "Cohort",
    "Endpoint",
    "Landmark",
    "Pooled",
    "Reported",
    "TwinDataset",
    "TwinSpec",
    "bundled_spec_path",
    "generate_twin",
    "load_spec",
    "write_twin",
]
