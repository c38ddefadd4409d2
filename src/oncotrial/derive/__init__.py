"""oncotrial.derive: SDTM-like canonical tables in, ADaM-style tables out.

RECIST 1.1 time-point responses from lesions, best overall response, time-to-event endpoints
(OS, PFS, DoR, TTR), the growth modulation index, ADSL and ADAE, each decision logged.
See docs/derivations.md.
"""

from oncotrial.derive._adsl import derive_adsl
from oncotrial.derive._bor import (
    AVAL_RESP,
    CONFIRM_DAYS,
    SD_MIN_DAYS,
    derive_param_bor,
    derive_param_mdis,
    derive_param_ovr,
    derive_param_pd_lsta,
    derive_param_response,
    ovr_from_responses,
)
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
    "AVAL_RESP",
    "CONFIRM_DAYS",
    "SD_MIN_DAYS",
    "derive_adsl",
    "derive_param_bor",
    "derive_param_mdis",
    "derive_param_ovr",
    "derive_param_pd_lsta",
    "derive_param_response",
    "ovr_from_responses",
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
