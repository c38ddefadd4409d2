"""Which published result of each record a comparison may pool, and why the others are left out.

One rule set, used by :func:`compare_proportion` and the median / landmark pooling: *like with
like*. The comparison names a population (``'NEC'``, ``'NET'``): a trial of only that tumour type
contributes its whole-trial result; a mixed NET/NEC trial contributes the result of its subgroup
of that type (labels unified: ``GEP-NEC`` counts as NEC), never its whole-trial result; trials
of the other type are left out. Every record handed in gets one row in the ``considered`` table
with its status (``pooled``, ``reference`` = a printed value without count and denominator, shown
as a reference line, or ``excluded``) and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial.evidence._records import (
    TUMOR_TYPES,
    Outcome,
    TrialRecord,
    canonical_subgroup,
    search_records,
)

__all__ = ["Selection", "select_outcomes"]

FILTER_KEYS = ("line", "drug_class", "target", "tumor_type", "grade", "primary_site", "phase")


@dataclass(frozen=True, slots=True)
class Selection:
    """Rows of the ``considered`` table plus the chosen outcomes of the pooled records."""

    considered: pd.DataFrame
    pooled: tuple[tuple[TrialRecord, Outcome], ...]
    references: tuple[tuple[TrialRecord, Outcome], ...]
    population: str | None


def _filter_reason(r: TrialRecord, filters: dict) -> str | None:
    active = {k: v for k, v in filters.items() if v is not None}
    if not active:
        return None
    if search_records([r], **active, include_superseded=True):
        return None
    bad = [f"{k}={v!r}" for k, v in active.items()
           if not search_records([r], **{k: v}, include_superseded=True)]
    return "does not match the filters: " + ", ".join(bad)


def _pick_subgroup(r: TrialRecord, endpoint: str, population: str, timepoint: str | None,
                   primary_site: str | None) -> Outcome | None:
    hits = [o for o in r.outcomes if o.endpoint == endpoint and o.subgroup is not None
            and o.subgroup_tumor_type == population and o.assessor != "investigator"
            and (timepoint is None or o.timepoint == timepoint)]
    if not hits:
        return None
    site = (primary_site or "").lower()

    def rank(o: Outcome) -> tuple:
        has_count = o.count is not None and o.n is not None
        exact = o.subgroup == population
        site_match = bool(site) and site in o.subgroup.lower()
        return (not has_count, not site_match, not exact, o.source != r.primary_source)

    return sorted(hits, key=rank)[0]


def _describe(o: Outcome | None) -> tuple:
    if o is None:
        return None, None, None, None
    return o.population, o.count, o.n, o.value


def select_outcomes(records: Iterable[TrialRecord], *, endpoint: str,
                    population: str | None = None, subgroup: str | None = None,
                    timepoint: str | None = None, new_id: str | None = None,
                    new_x: int | None = None, new_n: int | None = None,
                    exclude_identical: bool = True, needs_count: bool = True,
                    func: str = "compare_proportion", **filters) -> Selection:
    """Choose, for every record, the outcome a comparison pools (see the module docstring).

    ``needs_count=False`` (medians) pools outcomes with a value; ``True`` (rates) needs a count
    and a denominator and turns printed-only rates into reference lines.
    """
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise OncotrialValueError(f"`{unknown[0]}` of `{func}` is not a filter; use one of "
                                  f"{FILTER_KEYS}.")
    records = list(records)
    if population is None and subgroup is None:
        tt = filters.get("tumor_type")
        population = tt.upper() if tt and tt.lower() != "mixed" else None
    if population is not None:
        population = population.upper() if population.lower() != "mixed" else "mixed"
        if population not in TUMOR_TYPES:
            raise OncotrialValueError(f"`population` of `{func}` must be one of {TUMOR_TYPES} or "
                                      f"None; got {population!r}.")
    subgroup = canonical_subgroup(subgroup)
    ids = {r.id for r in records}
    parents_with_cohorts = {r.part_of for r in records
                            if r.part_of is not None and _filter_reason(r, filters) is None}
    rows, pooled, refs = [], [], []
    for r in records:
        status, reason, o = "excluded", None, None
        reason = _filter_reason(r, filters)
        if reason is None and r.superseded_by is not None:
            reason = f"superseded by {r.superseded_by}"
        if reason is None and new_id is not None and r.id.lower() == new_id.lower():
            reason = "the new trial's own record (new_id)"
        if reason is None and exclude_identical and new_x is not None:
            same = [o2 for o2 in r.outcomes if o2.endpoint == endpoint
                    and (o2.count, o2.n) == (new_x, new_n)]
            if same:
                reason = (f"reports exactly the new trial's {new_x}/{new_n} ({same[0].population})"
                          ": taken to be the new trial's own record (pass new_id, or "
                          "exclude_identical=False to keep it)")
        if reason is None and r.id in parents_with_cohorts:
            kids = sorted(k.id for k in records if k.part_of == r.id)
            reason = f"whole trial whose cohorts ({', '.join(kids)}) are considered instead"
        if reason is None:
            if subgroup is not None:
                o = r.outcome(endpoint, subgroup, timepoint=timepoint)
                if o is None:
                    reason = f"no {endpoint} result for subgroup {subgroup!r}"
            elif population is None or r.tumor_type == population:
                o = r.outcome(endpoint, None, timepoint=timepoint)
                if o is None and population is not None:  # e.g. NIPINEC: GEP-NEC and lung NEC
                    o = _pick_subgroup(r, endpoint, population, timepoint,
                                       filters.get("primary_site"))
                if o is None:
                    reason = f"no whole-trial {endpoint} result" + (
                        f" at {timepoint}" if timepoint else "")
            elif r.tumor_type == "mixed" or r.tumor_type is None:
                o = _pick_subgroup(r, endpoint, population, timepoint,
                                   filters.get("primary_site"))
                if o is None:
                    whole = r.outcome(endpoint, None, timepoint=timepoint)
                    shown = (f" (its whole-trial {whole.count}/{whole.n} mixes NET and NEC)"
                             if whole is not None and whole.count is not None
                             and whole.n is not None else "")
                    reason = (f"mixed NET/NEC trial without a {population} subgroup result for "
                              f"{endpoint}{shown}")
            else:
                reason = f"{r.tumor_type}-only trial; the comparison is about {population}"
        if reason is None and o is not None:
            has_count = o.count is not None and o.n is not None
            if needs_count and not has_count:
                if o.value is None and o.range_low is None and o.range_high is None:
                    reason = f"{endpoint} printed without a value, count or denominator"
                else:
                    status, reason = "reference", "rate printed without count and denominator: " \
                                                  "shown as a reference line, not pooled"
                    refs.append((r, o))
            elif not needs_count and o.value is None:
                status = "reference" if o.range_low is not None or o.range_high is not None \
                    else "excluded"
                reason = ("printed as a range only: shown as a reference" if status == "reference"
                          else ("median not reached" if o.not_reached else "no value printed"))
                if status == "reference":
                    refs.append((r, o))
            else:
                status, reason = "pooled", ""
                pooled.append((r, o))
        pop, cnt, den, val = _describe(o)
        rows.append({"id": r.id, "name": r.name, "tumor_type": r.tumor_type, "population": pop,
                     "count": cnt, "n": den, "value": val, "status": status, "reason": reason})
    if new_id is not None and new_id not in ids and new_id.lower() not in {i.lower() for i in ids}:
        raise OncotrialValueError(f"`new_id` of `{func}` must be the id of one of the records; got "
                                  f"{new_id!r}. Run `oncotrial evidence list`.")
    types = {r.tumor_type for r, _ in pooled}
    if population is None and subgroup is None and len(types) > 1:
        raise OncotrialValueError(
            f"`population` of `{func}` must be given when the records mix tumour types; got None "
            f"with whole-trial results of {sorted(map(str, types))} trials. Pass population='NEC' "
            "(NEC-only trials plus the NEC subgroups of mixed trials), 'NET', or a subgroup.")
    considered = pd.DataFrame(rows, columns=["id", "name", "tumor_type", "population", "count",
                                             "n", "value", "status", "reason"])
    considered = considered.astype({"count": "Int64", "n": "Int64"})
    return Selection(considered=considered, pooled=tuple(pooled), references=tuple(refs),
                     population=population)
