"""Analysis populations, the participant flow and the baseline table (Table 1).

Populations (ADSL flags, ``docs/study-spec.md``):

* **enrolled** -- ``ENRLFL = 'Y'``;
* **treated / safety** -- enrolled and ``SAFFL = 'Y'`` (at least one dose);
* **efficacy-evaluable** -- treated and the spec's rule: ``flag`` (``EFFFL`` of the data, or the
  derived default: a tumour assessment exists), ``treated`` (every treated subject) or
  ``treated-measurable`` (treated with measurable disease at baseline, ADRS ``MDIS = 'Y'``).

Every subject of ADSL is accounted for in the flow: each exclusion carries one reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._frame import lookup
from oncotrial.analysis._common import ALL, BASELINE_COLUMNS, cohorts_of, in_cohort, num


def add_populations(adsl: pd.DataFrame, adrs: pd.DataFrame, rule: str, resp_param: str
                    ) -> pd.DataFrame:
    """ADSL with ``ANLENRL``, ``ANLSAF``, ``ANLEFF`` (Y/N) and ``ANLREAS`` (exclusion reason).

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b", "c"], "ENRLFL": "Y",
    ...                      "SAFFL": ["Y", "Y", "N"], "EFFFL": ["Y", "N", "N"]})
    >>> adrs = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["MDIS"], "AVALC": ["Y"]})
    >>> add_populations(adsl, adrs, "treated-measurable", "CBOR")["ANLEFF"].tolist()
    ['Y', 'N', 'N']
    """
    out = adsl.copy()
    enr = out["ENRLFL"].astype(str).eq("Y")
    saf = enr & out["SAFFL"].astype(str).eq("Y")
    mdis = set(adrs.loc[(adrs["PARAMCD"] == "MDIS") & (adrs["AVALC"] == "Y"), "USUBJID"])
    bor = adrs.loc[adrs["PARAMCD"] == resp_param].set_index("USUBJID")["AVALC"]
    has_assess = lookup(out["USUBJID"], bor).fillna("MISSING").ne("MISSING")
    measurable = out["USUBJID"].isin(mdis)
    if rule == "flag":
        eff = saf & out["EFFFL"].astype(str).eq("Y")
    elif rule == "treated":
        eff = saf
    else:
        eff = saf & measurable
    reason = np.select(
        [~enr, ~saf, eff, ~measurable & (rule != "treated"), ~has_assess & (rule != "treated")],
        ["not enrolled", "not treated", "", "no measurable disease at baseline",
         "no tumour assessment"], default="not evaluable (efficacy flag N)")
    out["ANLENRL"] = np.where(enr, "Y", "N")
    out["ANLSAF"] = np.where(saf, "Y", "N")
    out["ANLEFF"] = np.where(eff, "Y", "N")
    out["ANLREAS"] = reason
    return out


def flow_counts(adsl: pd.DataFrame, cohorts: list[str]) -> dict:
    """Counts of the flow chart per cohort: registered, enrolled, treated, evaluable, reasons.

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
        def reasons(mask: pd.Series, d: pd.DataFrame = d) -> dict:
            vc = d.loc[mask, "ANLREAS"].value_counts()
            return {str(k): int(v) for k, v in sorted(vc.items())}

        out[c] = {"registered": len(d), "enrolled": int(enr.sum()),
                  "treated": int(saf.sum()), "evaluable": int(eff.sum()),
                  "not_enrolled": reasons(~enr), "not_treated": reasons(enr & ~saf),
                  "not_evaluable": reasons(saf & ~eff)}
    return out


def baseline_table(adsl: pd.DataFrame, cohorts: list[str]) -> list[dict]:
    """Table 1 rows in the treated population: median (min-max) for numbers, n (%) for codes.

    One dict per variable x level x cohort: ``variable``, ``level``, ``cohort``, ``n``
    (cohort size), then ``count``/``pct`` or ``median``/``min``/``max``/``n_obs``. Missing
    values are a level ``Missing`` for categorical variables and excluded from numeric summaries.

    Examples
    --------
    >>> adsl = pd.DataFrame({"COHORT": ["A", "A"], "ANLSAF": "Y", "age": [50.0, 60.0]})
    >>> baseline_table(adsl, ["A"])[0]["median"]
    55.0
    """
    treated = adsl[adsl["ANLSAF"].eq("Y")]
    rows: list[dict] = []
    for var in BASELINE_COLUMNS:
        if var not in treated or treated[var].isna().all():
            continue
        numeric = var in ("age", "ki67", "chromogranin_a")
        levels = (None if numeric else
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


__all__ = ["ALL", "add_populations", "baseline_table", "cohorts_of", "flow_counts"]
