"""oncotrial.derive: SDTM-like canonical tables in, ADaM-style tables out.

RECIST 1.1 time-point responses from lesions, best overall response, time-to-event endpoints
(OS, PFS, DoR, TTR), the growth modulation index, ADSL and ADAE, each decision logged.
See docs/derivations.md.
"""

from oncotrial.derive._checks import DerivationWarning
from oncotrial.derive._recist import (
    MIN_MEASURABLE_MM,
    MIN_MEASURABLE_NODE_MM,
    NODE_CR_MM,
    PD_CHG_NADIR_MM,
    PD_PCHG_NADIR,
    PR_PCHG_BASELINE,
    TOO_SMALL_MM,
    compute_overall_response,
    derive_vars_recist,
)

__all__ = [
    "MIN_MEASURABLE_MM",
    "MIN_MEASURABLE_NODE_MM",
    "NODE_CR_MM",
    "PD_CHG_NADIR_MM",
    "PD_PCHG_NADIR",
    "PR_PCHG_BASELINE",
    "TOO_SMALL_MM",
    "DerivationWarning",
    "compute_overall_response",
    "derive_vars_recist",
]
