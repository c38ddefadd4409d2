"""Tumour response: the efficacy table (seed 004 Table 2), subgroup ORR, response-plot data, GMI.

Every estimate is an :mod:`oncotrial.stats` call on the derived ADaM data:

* ORR = (CR + PR) / evaluable, DCR = (CR + PR + SD + NON-CR/NON-PD) / evaluable, each with
  :func:`oncotrial.stats.proportion_ci` (the spec's ``ci_method``);
* DoR: :func:`oncotrial.stats.kaplan_meier` median of ADTTE ``DOR`` (responders), with the
  range (min-max) of the observed durations;
* subgroup ORR: rate and CI per level, :func:`oncotrial.stats.fisher_exact` (exact r x 2) and
  :func:`oncotrial.stats.chi_square` (Yates-corrected for 2 x 2, as R ``chisq.test``);
* GMI responders: :func:`oncotrial.stats.proportion_ci` of ``GMI >= 1.33`` (Von Hoff 1998).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._errors import SpecEntryError
from oncotrial._frame import lookup
from oncotrial.analysis._common import ci_dict, fisher_pvalue, in_cohort, num
from oncotrial.analysis._estimate import estimate
from oncotrial.derive import event_from_cnsr
from oncotrial.stats import chi_square, kaplan_meier, proportion_ci

BOR_CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")
RESPONSE = ("CR", "PR")
DISEASE_CONTROL = ("CR", "PR", "SD", "NON-CR/NON-PD")


def bor_by_subject(adsl: pd.DataFrame, adrs: pd.DataFrame, param: str) -> pd.Series:
    """BOR code per ADSL subject (``MISSING`` without a record), indexed like ``adsl``."""
    bor = adrs.loc[adrs["PARAMCD"] == param].drop_duplicates("USUBJID").set_index("USUBJID")
    return lookup(adsl["USUBJID"], bor["AVALC"]).astype("string").fillna("MISSING").astype(str)


def _prop(x: int, n: int, spec) -> dict:
    r = proportion_ci(x, n, method=spec.ci_method, level=spec.level)
    return {"x": int(x), "n": int(n), "estimate": num(r.estimate), **ci_dict(r.ci)}


def _est(spec, endpoint: str):
    from oncotrial.analysis._spec_sets import EstimateSpec

    if hasattr(spec, "estimate"):
        return spec.estimate(endpoint)
    return EstimateSpec(method=spec.ci_method)


def _km_median(time: np.ndarray, event: np.ndarray, spec) -> dict:
    fit = kaplan_meier(time, event, conf_type=spec.conf_type, level=spec.level)
    med = fit.median()
    return {"n": len(time), "events": int(event.sum()), "median": num(med.estimate),
            **ci_dict(med.ci), "conf_type": spec.conf_type}


def response_table(adsl: pd.DataFrame, adrs: pd.DataFrame, adtte: pd.DataFrame,
                   cohorts: list[str], spec, param: str, evaluator: str,
                   pop: str = "ANLEFF") -> dict:
    """Per cohort: patients with assessment, BOR counts, ORR, DCR (with CI) and DoR.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(ci_method="clopper-pearson", level=0.95, conf_type="log",
    ...                        days_per_unit=30.4375)
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b"], "COHORT": "X", "ANLEFF": "Y"})
    >>> adrs = pd.DataFrame({"USUBJID": ["a", "b"], "PARAMCD": "CBOR", "AVALC": ["PR", "PD"]})
    >>> adtte = pd.DataFrame(columns=["USUBJID", "PARAMCD", "EVALUATOR", "AVAL", "CNSR"])
    >>> response_table(adsl, adrs, adtte, ["X"], spec, "CBOR", "INV")["X"]["orr"]["x"]
    1
    """
    eff = adsl[adsl[pop].eq("Y")]
    bor = bor_by_subject(eff, adrs, param)
    dor = adtte[(adtte["PARAMCD"] == "DOR") & (adtte["EVALUATOR"] == evaluator)]
    out = {}
    for c in cohorts:
        m = in_cohort(eff, c).to_numpy()
        b = bor[m]
        n = int(m.sum())
        counts = {k: int((b == k).sum()) for k in BOR_CATEGORIES}
        if getattr(spec, "no_assessment", "missing") == "NE":  # RECIST: not evaluable
            counts["NE"], counts["MISSING"] = counts["NE"] + counts["MISSING"], 0
        res = {"n_evaluable": n, "n_assessed": int((b != "MISSING").sum()),
               "bor": {k: {"n": v, "pct": num(100.0 * v / n) if n else None}
                       for k, v in counts.items()},
               "orr": (estimate(int(b.isin(RESPONSE).sum()), n, _est(spec, "orr"),
                                spec.level) if n else None),
               "dcr": (estimate(int(b.isin(DISEASE_CONTROL).sum()), n, _est(spec, "dcr"),
                                spec.level) if n else None)}
        if (adrs["PARAMCD"] == "IBOR").any():  # iRECIST requested ([response].irecist)
            ib = adrs[adrs["PARAMCD"] == "IBOR"]
            if "EVALUATOR" in ib and (ib["EVALUATOR"] == evaluator).any():
                ib = ib[ib["EVALUATOR"] == evaluator]
            ib = bor_by_subject(eff[m], ib, "IBOR")
            res["iorr"] = estimate(int(ib.isin(["iCR", "iPR"]).sum()), n, _est(spec, "orr"),
                                   spec.level) if n else None
        d = dor[dor["USUBJID"].isin(eff.loc[m, "USUBJID"])]
        if len(d):
            t = d["AVAL"].to_numpy(float) / spec.days_per_unit
            e = event_from_cnsr(d["CNSR"].to_numpy())
            res["dor"] = {**_km_median(t, e, spec), "min": num(t.min()), "max": num(t.max()),
                          "max_censored": bool(not e[np.argmax(t)])}
        else:
            res["dor"] = None
        out[c] = res
    return out


def subgroup_orr(adsl: pd.DataFrame, adrs: pd.DataFrame, spec, param: str,
                 pop: str = "ANLEFF") -> list[dict]:
    """ORR by level of each spec subgroup (the subgroups' analysis set, all cohorts pooled) and
    the Fisher exact and chi-square tests of equal ORR across levels.

    A subgroup column that the data lack is an error naming the spec entry, unless the entry
    says ``optional = true``: then the entry carries a ``note`` shown in the report."""
    eff = adsl[adsl[pop].eq("Y")].reset_index(drop=True)
    resp = bor_by_subject(eff, adrs, param).isin(RESPONSE).to_numpy()
    out = []
    for sg in spec.subgroups:
        if sg.column not in eff or eff[sg.column].isna().all():
            what = "absent from the data" if sg.column not in eff else "without values"
            if not sg.optional:
                i = spec.subgroups.index(sg)
                raise SpecEntryError(
                    f"`[[subgroups]][{i}].column` of the study spec must name a subjects "
                    f"column with values; got {sg.column!r} ({what}). Fix the column name, "
                    "remove the subgroup, or add `optional = true` to it.")
            out.append({"name": sg.name, "column": sg.column, "levels": [],
                        "note": f"Subgroup {sg.name!r} not analysed: column {sg.column!r} is "
                                f"{what} (optional entry)."})
            continue
        col = eff[sg.column]
        if sg.cut is not None:
            x = pd.to_numeric(col, errors="coerce")
            lev = pd.Series(np.where(x >= sg.cut, f">= {sg.cut:g}", f"< {sg.cut:g}"))
            lev[x.isna().to_numpy()] = pd.NA
        else:
            lev = col.astype("string")
        ok = lev.notna().to_numpy()
        levels = sorted(str(v) for v in lev[ok].unique())
        rows = []
        for lv in levels:
            m = ok & (lev.astype(str).to_numpy() == lv)
            rows.append({"group": lv, **_prop(int(resp[m].sum()), int(m.sum()), spec)})
        entry = {"name": sg.name, "column": sg.column, "cut": sg.cut, "levels": rows,
                 "n_missing": int((~ok).sum())}
        if len(rows) >= 2:
            table = np.array([[r["x"], r["n"] - r["x"]] for r in rows])
            if table[:, 0].sum() and table[:, 1].sum():
                cs = chi_square(table, correct=True)
                entry["fisher"] = {"p": num(fisher_pvalue(table)),
                                   "method": "fisher-exact two-sided"}
                entry["chi_square"] = {"statistic": num(cs.statistic), "df": int(cs.df),
                                       "p": num(cs.pvalue), "correct": bool(cs.correction),
                                       "method": "pearson chi-square"}
        out.append(entry)
    return out


def _first_by_subject(frame: pd.DataFrame, subjects: list) -> pd.DataFrame | None:
    """``frame`` (one record per subject expected) indexed by USUBJID at ``subjects``; None when
    a subject has several records (the caller then keeps its per-subject path)."""
    f = frame[frame["USUBJID"].isin(subjects)]
    if f["USUBJID"].duplicated().any():
        return None
    return f.set_index("USUBJID")


def response_plot_data(adsl: pd.DataFrame, tp: pd.DataFrame, adtte: pd.DataFrame,
                       bor: pd.Series, spec, evaluator: str) -> dict:
    """Per-subject data of the waterfall, spider and swimmer plots (efficacy population).

    best_pct = the smallest post-baseline % change of the target sum from baseline (ADRS time
    points ``PCHG``); spider times are months from the reference date; swimmer bars are the OS
    follow-up, the response line runs from TTR to TTR + DoR.

    Whole-column operations throughout (one groupby, one lookup per parameter), so the cost at
    n = 10,000 is a few column passes, not 10,000 frame look-ups (issue 21).
    """
    eff = adsl[adsl["ANLEFF"].eq("Y")] if "ANLEFF" in adsl else adsl
    code = dict(zip(eff["USUBJID"], bor, strict=True))
    wf, sp = [], []
    if len(tp):
        t = tp[(tp["EVALUATOR"] == evaluator) & tp["USUBJID"].isin(code)]
        t = t.merge(eff[["USUBJID", "REFDT"]], on="USUBJID")
        t = t.assign(TIME=(pd.to_datetime(t["ADT"]) - pd.to_datetime(t["REFDT"])).dt.days
                     / spec.days_per_unit)
        t = t[t["PCHG"].notna()].sort_values(["USUBJID", "ADT"], kind="stable")
        post = t[t["ABLFL"] != "Y"]
        best = post.groupby("USUBJID", sort=True)["PCHG"].min()
        cohort = eff.drop_duplicates("USUBJID").set_index("USUBJID")["COHORT"]
        cohort = cohort.reindex(best.index.to_numpy()).tolist()
        wf = [{"subject_id": sid, "best_pct": num(v), "bor": code[sid], "cohort": str(c)}
              for sid, v, c in zip(best.index.tolist(), best.tolist(), cohort, strict=True)]
        time = t["TIME"].to_numpy(float, na_value=np.nan)
        time = np.where(0.0 > time, 0.0, time).tolist()  # = max(time, 0.0), NaN kept
        sp = [{"subject_id": sid, "time": num(x), "pct_change": num(v), "bor": code[sid]}
              for sid, x, v in zip(t["USUBJID"].tolist(), time, t["PCHG"].tolist(),
                                   strict=True)]
    tte = adtte[adtte["USUBJID"].isin(code)]
    subjects = sorted(code)
    os_ = _first_by_subject(tte[tte["PARAMCD"] == "OS"], subjects)
    ttr = _first_by_subject(tte[(tte["PARAMCD"] == "TTR") & (tte["EVALUATOR"] == evaluator)],
                            subjects)
    dor = _first_by_subject(tte[(tte["PARAMCD"] == "DOR") & (tte["EVALUATOR"] == evaluator)],
                            subjects)
    if os_ is None or ttr is None or dor is None:
        sw = _swimmer_rows(tte, subjects, code, spec, evaluator)
    else:
        u = spec.days_per_unit
        keep = [s for s in subjects if s in os_.index]
        start = ttr["AVAL"].reindex(keep).to_numpy(float, na_value=np.nan) / u
        has_dor = dor.index.isin(keep)
        end = np.full(len(keep), np.nan)
        pos = pd.Index(keep).get_indexer(dor.index[has_dor])
        end[pos] = start[pos] + dor["AVAL"].to_numpy(float, na_value=np.nan)[has_dor] / u
        o = os_.loc[keep]
        sw = [{"subject_id": sid, "duration": num(d), "bor": code[sid], "response_start": num(a),
               "response_end": num(b), "ongoing": bool(c != 0)}
              for sid, d, a, b, c in zip(keep, (o["AVAL"].to_numpy(float, na_value=np.nan) / u).tolist(),
                                         start.tolist(), end.tolist(), o["CNSR"].tolist(),
                                         strict=True)]
    return {"waterfall": wf, "spider": sp, "swimmer": sw}


def _swimmer_rows(tte: pd.DataFrame, subjects: list, code: dict, spec,
                  evaluator: str) -> list[dict]:
    """Swimmer rows one subject at a time: the path for data with several OS/TTR/DoR records
    per subject, which :func:`response_plot_data` does not reduce to one."""
    os_ = tte[tte["PARAMCD"] == "OS"].set_index("USUBJID")
    ttr = tte[(tte["PARAMCD"] == "TTR") & (tte["EVALUATOR"] == evaluator)].set_index("USUBJID")
    dor = tte[(tte["PARAMCD"] == "DOR") & (tte["EVALUATOR"] == evaluator)].set_index("USUBJID")
    sw = []
    for sid in subjects:
        if sid not in os_.index:
            continue
        u = spec.days_per_unit
        start = ttr.loc[sid, "AVAL"] / u if sid in ttr.index else np.nan
        end = start + dor.loc[sid, "AVAL"] / u if sid in dor.index else np.nan
        sw.append({"subject_id": sid, "duration": num(os_.loc[sid, "AVAL"] / u),
                   "bor": code[sid], "response_start": num(start), "response_end": num(end),
                   "ongoing": bool(os_.loc[sid, "CNSR"] != 0)})
    return sw


def gmi_summary(gmi: pd.DataFrame, adsl: pd.DataFrame, spec, evaluator: str,
                pop: str = "ANLEFF") -> dict | None:
    """Growth modulation index per patient (response analysis set) and the share >= 1.33."""
    if not len(gmi):
        return None
    eff = set(adsl.loc[adsl[pop].eq("Y"), "USUBJID"])
    g = gmi[(gmi["EVALUATOR"] == evaluator) & gmi["USUBJID"].isin(eff) & gmi["GMI"].notna()]
    if not len(g):
        return None
    g = g.sort_values("USUBJID", kind="stable")
    x = int(g["GMIFL"].eq("Y").sum())
    u = spec.days_per_unit
    cols = (g["USUBJID"].tolist(), g["GMI"].tolist(), g["GMIFL"].tolist(),
            (g["TTP1"].to_numpy(float, na_value=np.nan) / u).tolist(),
            (g["TTP2"].to_numpy(float, na_value=np.nan) / u).tolist(), g["TTP2CNSR"].tolist())
    return {"patients": [{"subject_id": sid, "gmi": num(v), "gmifl": fl, "ttp1": num(t1),
                          "ttp2": num(t2), "ttp2_censored": bool(c)}
                         for sid, v, fl, t1, t2, c in zip(*cols, strict=True)],
            "threshold": 1.33, "active": _prop(x, len(g), spec),
            "median": num(float(np.median(g["GMI"].to_numpy(float))))}
