"""Analysis populations, the participant flow and the baseline table (Table 1).

Populations (ADSL flags, ``docs/study-spec.md``):

* **enrolled** -- ``ENRLFL = 'Y'``;
* **treated / safety** -- enrolled and ``SAFFL = 'Y'`` (at least one dose);
* **efficacy-evaluable** -- treated and the spec's rule: ``flag`` (``EFFFL`` of the data, or the
  derived default: a tumour assessment exists), ``treated`` (every treated subject) or
  ``treated-measurable`` (treated with measurable disease at baseline, ADRS ``MDIS = 'Y'``);
* **the spec's sets** (``[sets.NAME]``, e.g. the full analysis set or a per-protocol set) --
  members of a parent set that pass a flag, requirements and disposition rules
  (:func:`add_sets`); without ``[sets.fas]`` the full analysis set is the efficacy-evaluable set.

Every subject of ADSL is accounted for in the flow: each exclusion carries one reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._frame import lookup
from oncotrial.analysis._common import ALL, BASELINE_COLUMNS, cohorts_of, in_cohort, num

SUBJECT_FLAGS = {"enrolled_fl": "ENRLFL", "safety_fl": "SAFFL", "efficacy_fl": "EFFFL"}
REQUIRE_REASONS = {"treated": "not treated", "assessed": "no tumour assessment",
                   "measurable": "no measurable disease at baseline"}


def set_column(name: str) -> str:
    """ADSL column of the membership flag of analysis set ``name`` (``ANL_<NAME>``)."""
    return f"ANL_{name.upper()}"


def reason_column(name: str) -> str:
    """ADSL column of the reason a subject is outside set ``name`` (``ANLR_<NAME>``)."""
    return f"ANLR_{name.upper()}"


def _flag_values(adsl: pd.DataFrame, subjects: pd.DataFrame | None, flag: str,
                 key: str) -> pd.Series:
    col = SUBJECT_FLAGS.get(flag, flag)
    if col in adsl:
        return adsl[col].astype("string").str.upper().eq("Y").fillna(False).astype(bool)
    if subjects is not None and flag in subjects:
        v = lookup(adsl["USUBJID"], subjects.set_index("subject_id")[flag])
        return v.astype("string").str.upper().eq("Y").fillna(False).astype(bool)
    from oncotrial.analysis._spec_sets import _err
    raise _err(key, "a Y/N column of ADSL or of the subjects table", flag,
               f"The data have no column {flag!r}; name an existing flag (e.g. EFFFL) or "
               "use require = [...] rules.")


def _label(text: str, labels: dict) -> str:
    return labels.get(text.upper(), text.lower())


def add_sets(adsl: pd.DataFrame, adrs: pd.DataFrame, sets, resp_param: str,
             subjects: pd.DataFrame | None = None) -> pd.DataFrame:
    """ADSL with one membership column (``ANL_<SET>``, Y/N) and one reason column
    (``ANLR_<SET>``) per analysis set, plus the legacy ``ANLENRL``/``ANLSAF``/``ANLEFF``/
    ``ANLREAS``.

    A subject is in a set when it is in the parent set (``within``), its ``flag`` is Y, it
    passes every ``require`` rule and its disposition reason is not in ``exclude_reasons``.
    The reason of an exclusion is the first failed rule: outside the parent (the parent's
    reason), a requirement (``not treated``, ``no tumour assessment``, ``no measurable disease
    at baseline``), or -- for a flag or a disposition reason -- the subject's disposition
    reason from the data (``EOSREAS``, relabelled by ``reason_labels``); a flag derived by
    oncotrial (no ``efficacy_fl`` in the data) gives ``no tumour assessment``.

    Examples
    --------
    >>> from oncotrial.analysis._spec_sets import SetSpec
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b", "c"], "ENRLFL": "Y",
    ...     "SAFFL": ["Y", "Y", "N"], "EFFFL": ["Y", "N", "N"],
    ...     "EOSREAS": ["", "INELIGIBLE", "WITHDREW"]})
    >>> adrs = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["MDIS"], "AVALC": ["Y"]})
    >>> sets = [SetSpec("enrolled", "Enrolled", "", "ENRLFL"),
    ...         SetSpec("treated", "Treated", "enrolled", "SAFFL"),
    ...         SetSpec("fas", "FAS", "enrolled", "EFFFL")]
    >>> out = add_sets(adsl, adrs, sets, "CBOR")
    >>> out["ANL_FAS"].tolist(), out["ANLR_FAS"].tolist()
    (['Y', 'N', 'N'], ['', 'ineligible', 'withdrew'])
    """
    out = adsl.copy()
    mdis = set(adrs.loc[(adrs["PARAMCD"] == "MDIS") & (adrs["AVALC"] == "Y"), "USUBJID"])
    bor = adrs.loc[adrs["PARAMCD"] == resp_param].set_index("USUBJID")["AVALC"]
    checks = {"assessed": lookup(out["USUBJID"], bor).astype("string").fillna("MISSING")
              .ne("MISSING").astype(bool),
              "measurable": out["USUBJID"].isin(mdis),
              "treated": out["SAFFL"].astype("string").eq("Y").fillna(False).astype(bool)}
    eos = (out["EOSREAS"].astype("string").fillna("") if "EOSREAS" in out else
           pd.Series("", index=out.index, dtype="string"))
    # EFFFL derived by oncotrial (the subjects table has no efficacy_fl value): its reason is
    # the derivation rule; a flag of the data gets the disposition reason
    if subjects is None:
        derived_eff = np.zeros(len(out), bool)
    elif "efficacy_fl" not in subjects:
        derived_eff = np.ones(len(out), bool)
    else:
        derived_eff = lookup(out["USUBJID"], subjects.set_index("subject_id")["efficacy_fl"]
                             ).isna().to_numpy()
    member: dict[str, pd.Series] = {}
    reason: dict[str, pd.Series] = {}
    for s in sets:
        labels = dict(s.reason_labels)
        inn = (member[s.within].copy() if s.within else
               pd.Series(True, index=out.index))
        why = (reason[s.within].copy() if s.within else
               pd.Series("", index=out.index, dtype=object)).astype(object)
        rules: list[tuple[pd.Series, pd.Series | str]] = []
        if s.flag is not None:
            ok = _flag_values(out, subjects, s.flag, f"[sets.{s.name}].flag")
            col = SUBJECT_FLAGS.get(s.flag, s.flag)
            ds = eos.map(lambda t, lab=labels: _label(t, lab) if t else "").astype(object)
            if col == "SAFFL":
                text = pd.Series("not treated", index=out.index, dtype=object)
            else:
                text = ds.where(ds.ne(""), "not enrolled" if col == "ENRLFL" else
                                f"{s.flag} = N")
            if col == "EFFFL":
                text = text.where(~pd.Series(derived_eff, index=out.index),
                                  "no tumour assessment")
            rules.append((~ok, text))
        rules += [(~checks[r].astype(bool), REQUIRE_REASONS[r]) for r in s.require]
        if s.exclude_reasons:
            hit = eos.str.upper().isin(s.exclude_reasons).fillna(False).astype(bool)
            rules.append((hit, eos.map(lambda t, lab=labels: _label(t, lab)).astype(object)))
        for mask, text in rules:  # the first failed rule gives the reason
            new = inn & mask
            why[new] = text[new] if isinstance(text, pd.Series) else text
            inn = inn & ~mask
        member[s.name], reason[s.name] = inn, why.where(~inn, "")
        out[set_column(s.name)] = np.where(inn, "Y", "N")
        out[reason_column(s.name)] = reason[s.name].astype(str).to_numpy()
    for legacy, name in (("ANLENRL", "enrolled"), ("ANLSAF", "treated"), ("ANLEFF", "evaluable")):
        if name in member:
            out[legacy] = out[set_column(name)]
    if "evaluable" in member:
        out["ANLREAS"] = out[reason_column("evaluable")]
    return out


def add_populations(adsl: pd.DataFrame, adrs: pd.DataFrame, rule: str, resp_param: str
                    ) -> pd.DataFrame:
    """ADSL with ``ANLENRL``, ``ANLSAF``, ``ANLEFF`` (Y/N) and ``ANLREAS`` (exclusion reason)
    for the built-in sets and the ``[populations].efficacy`` rule.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b", "c"], "ENRLFL": "Y",
    ...                      "SAFFL": ["Y", "Y", "N"], "EFFFL": ["Y", "N", "N"]})
    >>> adrs = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["MDIS"], "AVALC": ["Y"]})
    >>> add_populations(adsl, adrs, "treated-measurable", "CBOR")["ANLEFF"].tolist()
    ['Y', 'N', 'N']
    """
    from oncotrial.analysis._spec_sets import parse_sets

    sets, _ = parse_sets({}, rule)
    return add_sets(adsl, adrs, sets, resp_param)


def flow_counts(adsl: pd.DataFrame, cohorts: list[str], sets=()) -> dict:
    """Counts of the flow chart per cohort: registered, enrolled, treated, evaluable, reasons,
    and under ``sets`` every analysis set with its parent and the exclusions from it.

    Examples
    --------
    >>> adsl = pd.DataFrame({"COHORT": ["A", "A"], "ANLENRL": ["Y", "Y"], "ANLSAF": ["Y", "N"],
    ...     "ANLEFF": ["Y", "N"], "ANLREAS": ["", "not treated"]})
    >>> flow_counts(adsl, ["A"])["A"]["not_treated"]
    {'not treated': 1}
    """
    out = {}
    for c in cohorts:
        d = adsl[in_cohort(adsl, c)]
        enr, saf, eff = (d[k].eq("Y") for k in ("ANLENRL", "ANLSAF", "ANLEFF"))
        def reasons(mask: pd.Series, d: pd.DataFrame = d, col: str = "ANLREAS") -> dict:
            vc = d.loc[mask, col].value_counts()
            return {str(k): int(v) for k, v in sorted(vc.items())}

        out[c] = {"registered": len(d), "enrolled": int(enr.sum()),
                  "treated": int(saf.sum()), "evaluable": int(eff.sum()),
                  "not_enrolled": reasons(~enr), "not_treated": reasons(enr & ~saf),
                  "not_evaluable": reasons(saf & ~eff)}
        if sets:
            out[c]["sets"] = {}
            for s in sets:
                m = d[set_column(s.name)].eq("Y")
                parent = (d[set_column(s.within)].eq("Y") if s.within else
                          pd.Series(True, index=d.index))
                out[c]["sets"][s.name] = {
                    "label": s.label, "within": s.within or "registered", "n": int(m.sum()),
                    "builtin": s.builtin,
                    "excluded": reasons(parent & ~m, col=reason_column(s.name))}
    return out


def baseline_table(adsl: pd.DataFrame, cohorts: list[str], population: str = "ANLSAF",
                   bins=()) -> list[dict]:
    """Table 1 rows in one analysis set (``population``: its ADSL flag column): median
    (min-max) for numbers, n (%) for codes.

    One dict per variable x level x cohort: ``variable``, ``level``, ``cohort``, ``n``
    (cohort size), then ``count``/``pct`` or ``median``/``min``/``max``/``n_obs``. Missing
    values are a level ``Missing`` for categorical variables and excluded from numeric summaries.

    Examples
    --------
    >>> adsl = pd.DataFrame({"COHORT": ["A", "A"], "ANLSAF": "Y", "age": [50.0, 60.0]})
    >>> baseline_table(adsl, ["A"])[0]["median"]
    55.0
    """
    treated = adsl[adsl[population].eq("Y")]
    binned = {}
    for i, b in enumerate(bins):
        if b.column not in treated:
            from oncotrial.analysis._spec_sets import _err
            raise _err(f"[[baseline.bins]][{i}].column", "a numeric subjects column", b.column,
                       "Name a column of the data (e.g. ki67).")
        x = pd.to_numeric(treated[b.column], errors="coerce")
        cut = pd.cut(x, list(b.edges), labels=list(b.labels), include_lowest=True)
        binned[f"{b.column} (categories)"] = (cut.astype(object).where(cut.notna(), None),
                                              list(b.labels))
        treated = treated.assign(**{f"{b.column} (categories)": binned[
            f"{b.column} (categories)"][0]})
    rows: list[dict] = []
    for var in [*BASELINE_COLUMNS, *binned]:
        if var not in treated or treated[var].isna().all():
            continue
        numeric = var in ("age", "ki67", "chromogranin_a")
        levels = (None if numeric else list(binned[var][1]) if var in binned else
                  sorted(str(v) for v in treated[var].dropna().unique()))
        if not numeric and treated[var].isna().any():
            levels.append("Missing")
        for c in cohorts:
            d = treated.loc[in_cohort(treated, c), var]
            n = len(d)
            if numeric:
                x = pd.to_numeric(d, errors="coerce").dropna().to_numpy(float)
                rows.append({"variable": var, "level": "median (range)", "cohort": c, "n": n,
                             "n_obs": len(x),
                             "median": num(np.median(x)) if len(x) else None,
                             "min": num(x.min()) if len(x) else None,
                             "max": num(x.max()) if len(x) else None})
                continue
            s = d.astype("string").fillna("Missing").astype(str)
            for lev in levels:
                k = int((s == lev).sum())
                rows.append({"variable": var, "level": lev, "cohort": c, "n": n, "count": k,
                             "pct": num(100.0 * k / n) if n else None})
    return rows


__all__ = ["ALL", "add_populations", "add_sets", "baseline_table", "cohorts_of", "flow_counts",
           "reason_column", "set_column"]
