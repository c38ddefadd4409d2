"""Comparisons between arms or cohorts (``[comparisons]``): each compared arm vs the reference.

* time to event: :func:`oncotrial.stats.logrank_test` (stratified by the spec's ``strata``
  when given, R ``survdiff(... + strata())``) and the hazard ratio of the arm from
  :func:`oncotrial.stats.cox_ph` (same strata, R ``coxph(... + strata())``), with its Wald CI;
* response: difference in ORR (arm - reference) with the interval of
  :func:`statsmodels.stats.proportion.confint_proportions_2indep` (``newcombe`` = Newcombe's
  hybrid score method 10, ``score`` = Miettinen-Nurminen, ...), and
  :func:`oncotrial.stats.fisher_exact` or, with strata, the Cochran-Mantel-Haenszel test of
  :class:`statsmodels.stats.contingency_tables.StratifiedTable` (R ``mantelhaen.test``,
  ``correct = FALSE``).

Each comparison uses the analysis set of its endpoint. An arm or stratum column the data do
not have is an error naming the spec key.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from oncotrial._errors import spec_error
from oncotrial.analysis._common import ALL, fisher_pvalue, num
from oncotrial.analysis._efficacy import RESPONSE, bor_by_subject
from oncotrial.analysis._survival import endpoint_data
from oncotrial.stats import cox_ph, logrank_test

__all__ = ["comparisons"]

_SM_METHOD = {"newcombe": "newcomb", "newcombe-cc": "newcomb-cc", "score": "score",
              "agresti-caffo": "agresti-caffo", "wald": "wald"}


_err = spec_error  # one builder for every spec-entry error (oncotrial._errors)


def _strata(d: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series | None:
    if not cols:
        return None
    return d[list(cols)].astype("string").fillna("Missing").agg(" / ".join, axis=1)


def _tte(adsl, adtte, endpoint, evaluator, spec, ref, arm, strata) -> dict | None:
    d = endpoint_data(adsl, adtte, endpoint, evaluator, spec)
    d = d[d["COHORT"].astype(str).isin([ref, arm])].reset_index(drop=True)
    if d["COHORT"].nunique() < 2:
        return None
    s = _strata(d, strata)
    lr = logrank_test(d["TIME"].to_numpy(), d["EVENT"].to_numpy(),
                      d["COHORT"].astype(str).to_numpy(), None if s is None else s.to_numpy())
    cd = d.assign(ARMC=d["COHORT"].astype(str).astype(object))
    if s is not None:
        cd = cd.assign(STRAT=s.astype(object))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cox_ph(cd, "TIME", "EVENT", ["ARMC"], reference={"ARMC": ref},
                     strata="STRAT" if s is not None else None, level=spec.level)
    row = fit.table.iloc[0]
    return {"n": [int((d["COHORT"] == arm).sum()), int((d["COHORT"] == ref).sum())],
            "events": [int(d.loc[d["COHORT"] == arm, "EVENT"].sum()),
                       int(d.loc[d["COHORT"] == ref, "EVENT"].sum())],
            "logrank": {"chisq": num(lr.chisq), "df": int(lr.df), "p": num(lr.pvalue),
                        "stratified": bool(lr.stratified)},
            "hr": num(row["hr"]), "ci": [num(row["hr_lower"]), num(row["hr_upper"])],
            "p_wald": num(row["p"]), "level": num(spec.level),
            "warnings": sorted({str(w.message) for w in caught})}


def _orr(adsl, adrs, spec, param, ref, arm, strata, pop) -> dict | None:
    from statsmodels.stats.contingency_tables import StratifiedTable
    from statsmodels.stats.proportion import confint_proportions_2indep

    cmp = spec.comparisons
    d = adsl[adsl[pop].eq("Y") & adsl["COHORT"].astype(str).isin([ref, arm])]
    d = d.reset_index(drop=True)
    resp = bor_by_subject(d, adrs, param).isin(RESPONSE).to_numpy()
    g = d["COHORT"].astype(str).to_numpy()
    x1, n1 = int(resp[g == arm].sum()), int((g == arm).sum())
    x0, n0 = int(resp[g == ref].sum()), int((g == ref).sum())
    if not n1 or not n0:
        return None
    lo, hi = confint_proportions_2indep(x1, n1, x0, n0, method=_SM_METHOD[cmp.diff_method],
                                        compare="diff", alpha=1 - spec.level)
    out = {"x": [x1, x0], "n": [n1, n0], "diff": num(x1 / n1 - x0 / n0),
           "ci": [num(lo), num(hi)], "level": num(spec.level), "method": cmp.diff_method}
    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
    if cmp.test == "fisher":
        out["test"] = {"method": "fisher-exact two-sided", "p": num(fisher_pvalue(table))}
    else:
        s = _strata(d, strata).to_numpy()
        tabs = []
        for lev in sorted(set(s)):
            m = s == lev
            t = np.array([[resp[m & (g == arm)].sum(), (~resp[m & (g == arm)]).sum()],
                          [resp[m & (g == ref)].sum(), (~resp[m & (g == ref)]).sum()]], float)
            if t.sum(axis=1).min() > 0:
                tabs.append(t)
        st = StratifiedTable(tabs).test_null_odds(correction=False)
        out["test"] = {"method": "cochran-mantel-haenszel", "statistic": num(st.statistic),
                       "p": num(st.pvalue), "strata": len(tabs)}
    return out


def comparisons(adsl: pd.DataFrame, adrs: pd.DataFrame, adtte: pd.DataFrame,
                cohorts: list[str], spec, param: str, evaluator: str) -> dict | None:
    """Every declared comparison: ``{"reference", "strata", "pairs": [...]}`` (JSON-ready)."""
    from oncotrial.analysis._populations import set_column

    cmp = spec.comparisons
    if cmp is None:
        return None
    present = [c for c in cohorts if c != ALL]
    if cmp.reference not in present:
        raise _err("[comparisons].reference", f"one of the analysed cohorts {present}",
                   cmp.reference, "Name the control arm as it appears in the data.")
    arms = list(cmp.compare) or [c for c in present if c != cmp.reference]
    for i, a in enumerate(arms):
        if a not in present or a == cmp.reference:
            raise _err(f"[comparisons].compare[{i}]", f"one of {present} other than the "
                       "reference", a, "Name an analysed cohort.")
    for i, s in enumerate(cmp.strata):
        if s not in adsl or adsl[s].isna().all():
            raise _err(f"[comparisons].strata[{i}]", "a subjects column with values", s,
                       "Name an existing column (e.g. sex) or remove the stratum.")
    pairs = []
    for a in arms:
        p: dict = {"arm": a, "reference": cmp.reference}
        for ep in cmp.endpoints:
            if ep == "ORR":
                p["ORR"] = _orr(adsl, adrs, spec, param, cmp.reference, a, cmp.strata,
                                set_column(spec.set_of("response")))
            elif ep in spec.surv_endpoints:
                p[ep] = _tte(adsl, adtte, ep, evaluator, spec, cmp.reference, a, cmp.strata)
        pairs.append(p)
    return {"reference": cmp.reference, "strata": list(cmp.strata),
            "diff_method": cmp.diff_method, "test": cmp.test, "pairs": pairs}
