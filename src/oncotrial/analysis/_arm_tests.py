"""Log-rank test of equal survival across the report's cohorts (arms), per endpoint.

:func:`oncotrial.stats.logrank_test` (identical to R ``survdiff(Surv(time, event) ~ arm)``) on
the treated population, one global k-sample test per endpoint over the cohorts that have
subjects in the endpoint (the pooled ``All`` column is not a group). Studies with a single
cohort get no test. Hazard ratios between arms come from the Cox analysis with ``cohort`` as a
covariate (``[cox].covariates = ["cohort"]``, ``[cox].reference``).
"""

from __future__ import annotations

import pandas as pd

from oncotrial.analysis._common import ALL, num
from oncotrial.analysis._survival import endpoint_data
from oncotrial.stats import logrank_test

__all__ = ["logrank_by_cohort"]


def logrank_by_cohort(adsl: pd.DataFrame, adtte: pd.DataFrame, cohorts: list[str], spec,
                      evaluator: str) -> dict:
    """``{endpoint: {groups, n, observed, expected, chisq, df, p, method}}``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(surv_endpoints=("OS",), days_per_unit=1.0)
    >>> adsl = pd.DataFrame({"USUBJID": list("abcdef"), "COHORT": list("AAABBB"),
    ...                      "ANLSAF": "Y"})
    >>> adtte = pd.DataFrame({"USUBJID": list("abcdef"), "PARAMCD": "OS", "EVALUATOR": "",
    ...     "AVAL": [9.0, 13, 18, 5, 8, 12], "CNSR": [0, 1, 0, 0, 0, 0]})
    >>> r = logrank_by_cohort(adsl, adtte, ["A", "B", "All"], spec, "INV")["OS"]
    >>> r["groups"], r["df"], r["observed"]
    (['A', 'B'], 1, [2.0, 3.0])
    """
    out: dict = {}
    for param in spec.surv_endpoints:
        d = endpoint_data(adsl, adtte, param, evaluator, spec)
        groups = [c for c in cohorts if c != ALL and (d["COHORT"].astype(str) == c).any()]
        if len(groups) < 2:
            continue
        d = d[d["COHORT"].astype(str).isin(groups)]
        r = logrank_test(d["TIME"].to_numpy(float), d["EVENT"].to_numpy(int),
                         d["COHORT"].astype(str).to_numpy())
        out[param] = {"groups": [str(g) for g in r.groups], "n": [int(x) for x in r.n],
                      "observed": [num(x) for x in r.observed],
                      "expected": [num(x) for x in r.expected], "chisq": num(r.chisq),
                      "df": int(r.df), "p": num(r.pvalue),
                      "method": "log-rank (Mantel-Haenszel; R survdiff, rho = 0)"}
    return out
