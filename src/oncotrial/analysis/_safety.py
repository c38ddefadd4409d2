"""Adverse events in the safety analysis set, seed 004 Table 3 layout.

Worst grade per patient and term over the treatment-emergent records (ADAE ``TRTEMFL``) of the
table's kind -- every TEAE, treatment-related ones (``AREL = 'Y'``) or serious ones
(``AESER = 'Y'``) -- counted as any grade, grade 1-2, 3-4, 5 and >= 3 per cohort. A term is
listed when its any-grade frequency in the whole safety set reaches the table's ``threshold``
(``>=``, or ``>`` with ``strict``) or when the spec forces it (``terms``); terms are sorted by
the number of patients with the term (any grade), then by the number with grade 3-4, then by
name. With ``[safety].phases`` the all-TEAE table is repeated per treatment phase. The grade
comes from ADAE ``ATOXGRN``: the CTCAE grade of the data or, without it, the severity mapped
MILD 1, MODERATE 2, SEVERE 3 (:func:`grade_source` counts which).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._errors import SpecEntryError
from oncotrial.analysis._common import ALL, in_cohort, num

BANDS = {"1-2": (1, 2), "3-4": (3, 4), "5": (5, 5), ">=3": (3, 5)}
KIND_FILTER = {"related": "AREL", "serious": "AESER"}


def _band_counts(worst: pd.Series) -> dict:
    g = worst.to_numpy(float)
    out = {b: int(((g >= lo) & (g <= hi)).sum()) for b, (lo, hi) in BANDS.items()}
    out["any"] = len(g)
    out["missing"] = int(np.isnan(g).sum())
    return out


def _pct(counts: dict, n: int) -> dict:
    return {f"pct_{k}": num(100.0 * v / n) if n else None for k, v in counts.items()}


def has_kind(adae: pd.DataFrame, kind: str) -> bool:
    """Whether ADAE carries the flag of a table kind (``related``/``serious``) for any record."""
    if kind == "all":
        return True
    col = KIND_FILTER[kind]
    return col in adae and adae[col].astype("string").isin(["Y", "N"]).any()


def ae_table(adsl: pd.DataFrame, adae: pd.DataFrame, cohorts: list[str], spec,
             phase: str | None = None, pop: str = "ANLSAF", table=None) -> dict:
    """Worst grade per patient per term by cohort (n and % of the cohort's safety set).

    ``table`` is a ``SafetyTableSpec`` (kind, threshold, strict, forced terms); without it,
    every TEAE at the spec's ``ae_threshold``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b"], "COHORT": "X", "ANLSAF": "Y"})
    >>> adae = pd.DataFrame({"USUBJID": ["a", "a", "b"], "AEDECOD": "RASH", "ATOXGRN": [1, 3, 2],
    ...     "TRTEMFL": "Y", "WORSTFL": ["", "Y", "Y"], "WORSTPFL": "", "APHASE": "T"})
    >>> t = ae_table(adsl, adae, ["X"], SimpleNamespace(ae_threshold=10.0))
    >>> c = t["terms"][0]["by_cohort"]["X"]
    >>> c["any"], c["1-2"], c["3-4"], c[">=3"]
    (2, 1, 1, 1)
    """
    from oncotrial.analysis._spec_sets import SafetyTableSpec

    tab = table or SafetyTableSpec("all", spec.ae_threshold)
    saf = adsl[adsl[pop].eq("Y")]
    n_by = {c: int(in_cohort(saf, c).sum()) for c in cohorts}
    n_all = len(saf)
    head = {"n_safety": n_by, "threshold_pct": tab.threshold, "strict": tab.strict,
            "forced_terms": list(tab.terms), "phase": phase, "kind": tab.kind}
    if not len(adae):
        return {**head, "any_teae": {}, "terms": []}
    a = adae[adae["USUBJID"].isin(saf["USUBJID"]) & adae["TRTEMFL"].eq("Y")]
    if tab.kind in KIND_FILTER:
        a = a[a[KIND_FILTER[tab.kind]].astype("string").eq("Y").fillna(False).astype(bool)]
    if phase is not None:
        a = a[a["APHASE"].astype(str).str.upper() == phase]
    a = a.merge(saf[["USUBJID", "COHORT"]], on="USUBJID")
    a = a.assign(GRADE=pd.to_numeric(a["ATOXGRN"], errors="coerce").astype(float))
    # worst grade per patient and term, then per patient over all terms
    per_term = a.groupby(["USUBJID", "AEDECOD"], sort=True).agg(
        GRADE=("GRADE", "max"), COHORT=("COHORT", "first")).reset_index()
    worst_pt = per_term.groupby("USUBJID", sort=True).agg(GRADE=("GRADE", "max"),
                                                          COHORT=("COHORT", "first"))
    any_teae = {}
    for c in cohorts:
        counts = _band_counts(worst_pt.loc[in_cohort(worst_pt, c), "GRADE"])
        any_teae[c] = {**counts, "n": n_by[c], **_pct(counts, n_by[c])}
    present = {str(t).upper(): str(t) for t in per_term["AEDECOD"].unique()}
    forced = {t.upper() for t in tab.terms}
    terms, absent = [], [t for t in tab.terms if t.upper() not in present]
    for term, g in per_term.groupby("AEDECOD", sort=True):
        total = int(g["USUBJID"].nunique())
        pct = 100.0 * total / n_all if n_all else 0.0
        listed = (pct > tab.threshold + 1e-12) if tab.strict else \
            (pct + 1e-12 >= tab.threshold)
        if not listed and str(term).upper() not in forced:
            continue
        by = {}
        for c in cohorts:
            counts = _band_counts(g.loc[in_cohort(g, c), "GRADE"])
            by[c] = {**counts, **_pct(counts, n_by[c])}
        key = ALL if ALL in by else cohorts[0]
        terms.append({"term": str(term), "n_patients": total, "by_cohort": by,
                      "forced": str(term).upper() in forced and not listed,
                      "_sort": (-total, -by[key]["3-4"], str(term))})
    terms.sort(key=lambda r: r.pop("_sort"))
    return {**head, "any_teae": any_teae, "terms": terms, "forced_terms_absent": absent}


def safety_tables(adsl: pd.DataFrame, adae: pd.DataFrame, cohorts: list[str], spec,
                  pop: str) -> dict:
    """Every AE table of the spec (``[[safety.tables]]``; default: all TEAEs, and related and
    serious TEAEs where the data flag them), the per-phase tables and the figure's term list.

    A table kind the data cannot give (no ``related``/``serious`` flag) is an error naming
    the spec entry, unless the entry is optional (the defaults are): then a note.
    """
    out: dict = {"tables": {}, "notes": []}
    present = (set(adae["APHASE"].dropna().astype(str).str.upper()) if "APHASE" in adae
               else set())
    for i, p in enumerate(spec.phases):
        if p not in present:
            raise SpecEntryError(
                f"`[safety].phases[{i}]` of the study spec must be a treatment phase of the "
                f"data (exposure/adverse-event phase: {sorted(present)}); got {p!r}. Fix the "
                "name or remove it.")
    for i, t in enumerate(spec.ae_tables):
        if not has_kind(adae, t.kind):
            col = {"related": "related", "serious": "serious"}[t.kind]
            if not t.optional:
                raise SpecEntryError(
                    f"`[[safety.tables]][{i}].kind` of the study spec must be a kind the data "
                    f"can give; got {t.kind!r} (the adverse_events column {col!r} is empty). "
                    "Remove the table or add `optional = true` to it.")
            if spec.ae_tables_explicit:
                out["notes"].append(f"No {t.kind} adverse-event table: the data have no "
                                    f"{col!r} flag (optional entry).")
            continue
        out["tables"][t.kind] = ae_table(adsl, adae, cohorts, spec, pop=pop, table=t)
    base = next((t for t in spec.ae_tables if t.kind == "all"), None)
    out["all"] = out["tables"].get("all") or ae_table(adsl, adae, cohorts, spec, pop=pop)
    out["phases"] = {p: ae_table(adsl, adae, cohorts, spec, phase=p, pop=pop, table=base)
                     for p in spec.phases}
    if spec.ae_figure is not None:
        out["figure"] = ae_table(adsl, adae, cohorts, spec, pop=pop, table=spec.ae_figure)
    return out


def grade_source(adverse_events: pd.DataFrame | None) -> dict:
    """How the grade of each source AE record was obtained: CTCAE grade given, mapped from
    severity (AESEV), or neither.

    Examples
    --------
    >>> ae = pd.DataFrame({"grade": [1, None, None], "severity": [None, "MILD", None]})
    >>> grade_source(ae)
    {'ctcae': 1, 'severity': 1, 'missing': 1}
    """
    if adverse_events is None or not len(adverse_events):
        return {"ctcae": 0, "severity": 0, "missing": 0}
    g = (adverse_events["grade"].notna() if "grade" in adverse_events else
         pd.Series(False, index=adverse_events.index))
    s = (adverse_events["severity"].notna() if "severity" in adverse_events else
         pd.Series(False, index=adverse_events.index))
    return {"ctcae": int(g.sum()), "severity": int((~g & s).sum()),
            "missing": int((~g & ~s).sum())}


def ctcae_versions(adae_source: pd.DataFrame | None) -> list[str]:
    """CTCAE versions recorded in the source adverse events (sorted, missing dropped)."""
    if adae_source is None or "ctcae_version" not in adae_source:
        return []
    return sorted(str(v) for v in adae_source["ctcae_version"].dropna().unique())


__all__ = ["BANDS", "ae_table", "ctcae_versions", "grade_source", "has_kind", "safety_tables"]
