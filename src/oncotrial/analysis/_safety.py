"""Adverse events in the safety population, seed 004 Table 3 layout.

Worst CTCAE grade per patient and term (ADAE ``WORSTFL``, treatment-emergent records only),
counted in grade bands 1-2, 3-4 and 5 per cohort. A term is listed when its any-grade frequency
in the whole safety population is >= the spec's ``ae_threshold`` (%); terms are sorted by the
number of patients with the term (any grade), then by the number with grade 3-4, then by name.
With ``[safety].phases`` the same table is repeated per treatment phase (``WORSTPFL``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.analysis._common import ALL, in_cohort, num

BANDS = {"1-2": (1, 2), "3-4": (3, 4), "5": (5, 5)}


def _band_counts(worst: pd.Series) -> dict:
    g = worst.to_numpy(float)
    out = {b: int(((g >= lo) & (g <= hi)).sum()) for b, (lo, hi) in BANDS.items()}
    out["any"] = int(np.isfinite(g).sum())
    return out


def ae_table(adsl: pd.DataFrame, adae: pd.DataFrame, cohorts: list[str], spec,
             phase: str | None = None) -> dict:
    """Worst grade per patient per term by cohort (n and % of the cohort's safety population).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b"], "COHORT": "X", "ANLSAF": "Y"})
    >>> adae = pd.DataFrame({"USUBJID": ["a", "a", "b"], "AEDECOD": "RASH", "ATOXGRN": [1, 3, 2],
    ...     "TRTEMFL": "Y", "WORSTFL": ["", "Y", "Y"], "WORSTPFL": "", "APHASE": "T"})
    >>> t = ae_table(adsl, adae, ["X"], SimpleNamespace(ae_threshold=10.0))
    >>> t["terms"][0]["by_cohort"]["X"]["1-2"], t["terms"][0]["by_cohort"]["X"]["3-4"]
    (1, 1)
    """
    saf = adsl[adsl["ANLSAF"].eq("Y")]
    n_by = {c: int(in_cohort(saf, c).sum()) for c in cohorts}
    n_all = len(saf)
    if not len(adae):
        return {"n_safety": n_by, "threshold_pct": spec.ae_threshold, "phase": phase,
                "any_teae": {}, "terms": []}
    a = adae[adae["USUBJID"].isin(saf["USUBJID"]) & adae["TRTEMFL"].eq("Y")]
    flag = "WORSTFL"
    if phase is not None:
        a, flag = a[a["APHASE"].astype(str).str.upper() == phase], "WORSTPFL"
    a = a[a[flag].eq("Y")].merge(saf[["USUBJID", "COHORT"]], on="USUBJID")
    a = a.assign(GRADE=pd.to_numeric(a["ATOXGRN"], errors="coerce"))
    # any TEAE: worst grade per patient over all terms
    worst_pt = a.groupby("USUBJID", sort=True).agg(GRADE=("GRADE", "max"),
                                                   COHORT=("COHORT", "first"))
    any_teae = {}
    for c in cohorts:
        w = worst_pt[in_cohort(worst_pt, c)]["GRADE"]
        counts = _band_counts(w)
        any_teae[c] = {**counts, "n": n_by[c],
                       **{f"pct_{k}": num(100.0 * v / n_by[c]) if n_by[c] else None
                          for k, v in counts.items()}}
    terms = []
    for term, g in a.groupby("AEDECOD", sort=True):
        total = int(g["USUBJID"].nunique())
        if n_all and 100.0 * total / n_all + 1e-12 < spec.ae_threshold:
            continue
        by = {}
        for c in cohorts:
            counts = _band_counts(g.loc[in_cohort(g, c), "GRADE"])
            by[c] = {**counts, **{f"pct_{k}": num(100.0 * v / n_by[c]) if n_by[c] else None
                                  for k, v in counts.items()}}
        key = ALL if ALL in by else cohorts[0]
        terms.append({"term": str(term), "n_patients": total, "by_cohort": by,
                      "_sort": (-total, -by[key]["3-4"], str(term))})
    terms.sort(key=lambda r: r.pop("_sort") if "_sort" in r else ())
    return {"n_safety": n_by, "threshold_pct": spec.ae_threshold, "phase": phase,
            "any_teae": any_teae, "terms": terms}


def ctcae_versions(adae_source: pd.DataFrame | None) -> list[str]:
    """CTCAE versions recorded in the source adverse events (sorted, missing dropped)."""
    if adae_source is None or "ctcae_version" not in adae_source:
        return []
    return sorted(str(v) for v in adae_source["ctcae_version"].dropna().unique())


__all__ = ["BANDS", "ae_table", "ctcae_versions"]
