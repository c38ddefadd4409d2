"""oncotrial.derive: SDTM-like canonical tables in, ADaM-style tables out.

RECIST 1.1 time-point responses from lesions, best overall response, time-to-event endpoints
(OS, PFS, DoR, TTR), iRECIST (IOVR, IBOR, IPFS), the growth modulation index, ADSL and ADAE,
each decision logged; admiral/admiralonco conventions as a named preset.
See docs/derivations.md.
"""

from oncotrial.derive._adae import TEAE_WINDOW_DAYS, derive_adae
from oncotrial.derive._adrs_params import derive_param_bcp, derive_param_death
from oncotrial.derive._adsl import ALIVE_SOURCES, derive_adsl
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
from oncotrial.derive._conventions import ADMIRAL, CONVENTIONS, Conventions, conventions_of
from oncotrial.derive._distributed import derive_study_partitioned
from oncotrial.derive._gmi import GMI_ACTIVE, derive_gmi
from oncotrial.derive._irecist import (
    ICONFIRM_MAX_DAYS,
    ICONFIRM_MIN_DAYS,
    ICPD_GROWTH_MM,
    derive_param_irecist,
    irecist_from_components,
)
from oncotrial.derive._pipeline import (
    StudyDerivation,
    compare_with_rs,
    derive_study,
    worst_per_date,
)
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
from oncotrial.derive._tte import (
    CensorSource,
    EventSource,
    death_event,
    derive_param_dor,
    derive_param_os,
    derive_param_pfs,
    derive_param_tte,
    derive_param_ttr,
    event_from_cnsr,
    lastalive_censor,
    pd_event,
    pfs_sources,
)

__all__ = [
    "ADMIRAL",
    "ALIVE_SOURCES",
    "AVAL_RESP",
    "CONFIRM_DAYS",
    "CONVENTIONS",
    "GMI_ACTIVE",
    "ICONFIRM_MAX_DAYS",
    "ICONFIRM_MIN_DAYS",
    "ICPD_GROWTH_MM",
    "MIN_MEASURABLE_MM",
    "MIN_MEASURABLE_NODE_MM",
    "NODE_CR_MM",
    "PD_CHG_NADIR_MM",
    "PD_PCHG_NADIR",
    "PR_PCHG_BASELINE",
    "SD_MIN_DAYS",
    "TEAE_WINDOW_DAYS",
    "TOO_SMALL_MM",
    "CensorSource",
    "Conventions",
    "DerivationWarning",
    "EventSource",
    "StudyDerivation",
    "compare_with_rs",
    "compute_overall_response",
    "conventions_of",
    "death_event",
    "derive_adae",
    "derive_adsl",
    "derive_gmi",
    "derive_param_bcp",
    "derive_param_bor",
    "derive_param_death",
    "derive_param_dor",
    "derive_param_irecist",
    "derive_param_mdis",
    "derive_param_os",
    "derive_param_ovr",
    "derive_param_pd_lsta",
    "derive_param_pfs",
    "derive_param_response",
    "derive_param_tte",
    "derive_param_ttr",
    "derive_study",
    "derive_study_partitioned",
    "derive_vars_recist",
    "event_from_cnsr",
    "irecist_from_components",
    "lastalive_censor",
    "ovr_from_responses",
    "pd_event",
    "pfs_sources",
    "worst_per_date",
]
