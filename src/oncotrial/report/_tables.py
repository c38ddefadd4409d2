"""Report tables: the analysis results formatted in the seed papers' layouts (no computation).

Each builder takes the JSON results of :func:`oncotrial.analysis.analyze_study` and returns a
DataFrame of display strings: rows = characteristics / categories / terms, columns = cohorts.
Percentages have one decimal, estimates and limits are formatted with fixed rules, so two runs
give identical CSV and DOCX files.
"""

from __future__ import annotations

import pandas as pd

LABELS = {"age": "Age, years", "sex": "Sex", "ecog": "ECOG performance status",
          "primary_site": "Primary tumour site", "grade": "WHO grade",
          "differentiation": "Differentiation", "ki67": "Ki-67, %",
          "chromogranin_a": "Chromogranin A, ng/mL", "prior_lines": "Prior systemic lines"}
BOR_LABELS = {"CR": "Complete response", "PR": "Partial response", "SD": "Stable disease",
              "NON-CR/NON-PD": "Non-CR/non-PD", "PD": "Progressive disease",
              "NE": "Not evaluable", "MISSING": "No post-baseline assessment"}


def _f(x: float | None, d: int = 1) -> str:
    return "NR" if x is None else f"{x:.{d}f}"


def _ci(est: float | None, ci: list, scale: float = 1.0, d: int = 1) -> str:
    lo, hi = (None if v is None else v * scale for v in ci)
    e = None if est is None else est * scale
    return f"{_f(e, d)} ({_f(lo, d)} to {_f(hi, d)})"


def _npct(n: int, pct: float | None) -> str:
    return f"{n} ({_f(pct)})"


def _header(results: dict, counts: dict) -> list[str]:
    return [f"{c} (n = {counts[c]})" for c in results["study"]["cohorts"]]


def flow_table(results: dict) -> pd.DataFrame:
    """Participant flow per cohort: registered, enrolled, treated, evaluable, exclusions."""
    fl = results["flow"]
    rows: dict[str, list[str]] = {}
    cohorts = results["study"]["cohorts"]
    for key, label in (("registered", "Registered"), ("enrolled", "Enrolled"),
                       ("treated", "Treated (safety population)"),
                       ("evaluable", "Efficacy-evaluable")):
        rows[label] = [str(fl[c][key]) for c in cohorts]
    for key in ("not_enrolled", "not_treated", "not_evaluable"):
        reasons = sorted({r for c in cohorts for r in fl[c][key]})
        for r in reasons:
            rows[f"Excluded: {r}"] = [str(fl[c][key].get(r, 0)) for c in cohorts]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cohorts).rename_axis("Stage")


def baseline_table(results: dict) -> pd.DataFrame:
    """Table 1: baseline characteristics by cohort (treated population)."""
    rows = results["baseline"]
    cohorts = results["study"]["cohorts"]
    counts = {c: results["flow"][c]["treated"] for c in cohorts}
    out: dict[str, list[str]] = {}
    for r in rows:
        label = f"{LABELS.get(r['variable'], r['variable'])}: {r['level']}"
        if "median" in r:
            cell = ("—" if r["median"] is None else
                    f"{_f(r['median'])} ({_f(r['min'])}-{_f(r['max'])})")
        else:
            cell = _npct(r["count"], r["pct"])
        out.setdefault(label, ["" for _ in cohorts])[cohorts.index(r["cohort"])] = cell
    df = pd.DataFrame.from_dict(out, orient="index", columns=_header(results, counts))
    return df.rename_axis("Characteristic")


def efficacy_table(results: dict) -> pd.DataFrame:
    """Seed 004 Table 2: assessed patients, BOR categories, ORR and DCR (CI), median DoR (range)."""
    rs = results["response"]
    cohorts = results["study"]["cohorts"]
    counts = {c: rs[c]["n_evaluable"] for c in cohorts}
    lvl = next((f"{100 * rs[c]['orr']['level']:g}" for c in cohorts if rs[c]["orr"]), "95")
    out: dict[str, list[str]] = {"Patients with assessment, n": [str(rs[c]["n_assessed"])
                                                                  for c in cohorts]}
    for k, lab in BOR_LABELS.items():
        vals = [rs[c]["bor"][k] for c in cohorts]
        if k in ("NON-CR/NON-PD", "MISSING") and not any(v["n"] for v in vals):
            continue
        out[f"{lab}, n (%)"] = [_npct(v["n"], v["pct"]) for v in vals]
    for key, lab in (("orr", "Objective response rate"), ("dcr", "Disease control rate")):
        out[f"{lab}, % ({lvl}% CI)"] = [
            "—" if rs[c][key] is None else
            f"{rs[c][key]['x']}/{rs[c][key]['n']}: " + _ci(rs[c][key]["estimate"],
                                                           rs[c][key]["ci"], 100.0)
            for c in cohorts]
    unit = results["study"]["time_unit"]
    dor = []
    for c in cohorts:
        d = rs[c]["dor"]
        if d is None:
            dor.append("—")
            continue
        plus = "+" if d["max_censored"] else ""
        dor.append(f"{_f(d['median'])} ({_f(d['min'])}-{_f(d['max'])}{plus}); n = {d['n']}")
    out[f"Median duration of response, {unit} (range)"] = dor
    return pd.DataFrame.from_dict(out, orient="index",
                                  columns=_header(results, counts)).rename_axis("Response")


def ae_table(results: dict, phase: str | None = None) -> pd.DataFrame:
    """Seed 004 Table 3: worst grade per patient, grade 1-2 and 3-4 (and 5) by cohort."""
    sa = results["safety"]["all"] if phase is None else results["safety"]["phases"][phase]
    cohorts = results["study"]["cohorts"]
    bands = ["1-2", "3-4"] + (["5"] if any(t["by_cohort"][c]["5"] for t in sa["terms"]
                                           for c in cohorts) else [])
    cols = [f"{c} (n = {sa['n_safety'][c]}) grade {b}" for c in cohorts for b in bands]
    out: dict[str, list[str]] = {}
    if sa["any_teae"]:
        out["Any treatment-emergent AE"] = [
            _npct(sa["any_teae"][c][b], sa["any_teae"][c][f"pct_{b}"])
            for c in cohorts for b in bands]
    for t in sa["terms"]:
        out[t["term"].capitalize()] = [_npct(t["by_cohort"][c][b], t["by_cohort"][c][f"pct_{b}"])
                                       for c in cohorts for b in bands]
    return pd.DataFrame.from_dict(out, orient="index", columns=cols).rename_axis(
        "Adverse event, n (%)")


def survival_table(results: dict) -> pd.DataFrame:
    """Median OS/PFS (CI), events, landmark rates (CI) and median follow-up per cohort."""
    unit = results["study"]["time_unit"]
    rows = []
    for ep, by in results["survival"].items():
        for c, r in by.items():
            row = {"Endpoint": ep, "Cohort": c, "n": str(r["n"]), "Events": str(r["events"]),
                   f"Median, {unit} (CI)": _ci(r["median"], r["ci"]),
                   f"Median follow-up, {unit}": _f(r["followup_median"])}
            for t, lm in r["landmarks"].items():
                row[f"{t}-{unit[:-1]} rate, % (CI)"] = (
                    "—" if lm is None else _ci(lm["surv"], lm["ci"], 100.0))
            rows.append(row)
    return pd.DataFrame(rows).set_index(["Endpoint", "Cohort"])


def cox_table(results: dict) -> pd.DataFrame:
    """Univariable and multivariable (backward-selected) hazard ratios."""
    cx = results["cox"]
    if not cx:
        return pd.DataFrame()
    rows = []
    for r in cx["univariable"] + cx.get("multivariable", []):
        rows.append({"Model": r["model"], "Term": r["term"],
                     "HR (CI)": _ci(r["hr"], r["ci"], 1.0, 2),
                     "p": "NA" if r["p"] is None else f"{r['p']:.3f}"})
    return pd.DataFrame(rows).set_index(["Model", "Term"])


def subgroup_table(results: dict) -> pd.DataFrame:
    """ORR by subgroup level with Fisher's exact and chi-square p-values."""
    rows = []
    for sg in results["subgroups"]:
        for lv in sg["levels"]:
            rows.append({"Subgroup": sg["name"], "Level": lv["group"],
                         "Responders/n": f"{lv['x']}/{lv['n']}",
                         "ORR, % (CI)": _ci(lv["estimate"], lv["ci"], 100.0),
                         "Fisher p": f"{sg['fisher']['p']:.3f}" if "fisher" in sg else "—",
                         "Chi-square p": (f"{sg['chi_square']['p']:.3f}" if "chi_square" in sg
                                          else "—")})
    return pd.DataFrame(rows).set_index(["Subgroup", "Level"]) if rows else pd.DataFrame()


def gmi_table(results: dict) -> pd.DataFrame:
    """Growth modulation index per patient (TTP on study / TTP on the last prior line)."""
    g = results["gmi"]
    if not g:
        return pd.DataFrame()
    rows = [{"Patient": p["subject_id"], "TTP prior line": _f(p["ttp1"]),
             "TTP on study": _f(p["ttp2"]) + ("+" if p["ttp2_censored"] else ""),
             "GMI": _f(p["gmi"], 2), "GMI >= 1.33": p["gmifl"]} for p in g["patients"]]
    return pd.DataFrame(rows).set_index("Patient")


def note_frame(message: str) -> pd.DataFrame:
    """A one-cell table that stands in for a failed analysis or figure (issue 14).

    Examples
    --------
    >>> note_frame("LinAlgError: Singular matrix").iloc[0, 0]
    'This analysis failed and is not shown: LinAlgError: Singular matrix'
    """
    return pd.DataFrame({"Note": [f"This analysis failed and is not shown: {message}"]},
                        index=pd.Index(["error"], name="Status"))


def _guarded(results: dict, section: str, builder, *args) -> pd.DataFrame:
    """The table, or a note when its analysis failed (``{"error": ...}``) or rendering fails."""
    from oncotrial._errors import error_message

    part = results.get(section)
    if isinstance(part, dict) and set(part) == {"error"}:
        return note_frame(part["error"])
    try:
        return builder(results, *args)
    except Exception as exc:  # one broken table never takes the report down
        results.setdefault("errors", {})[f"table:{section}"] = error_message(exc)
        return note_frame(error_message(exc))


def build_tables(results: dict) -> dict[str, pd.DataFrame]:
    """Every report table by file stem (empty tables are left out; a failed analysis gives a
    one-row note table). File stems from data (phase names) are slugs."""
    from oncotrial._safe import slug

    tabs = {"flow": _guarded(results, "flow", flow_table),
            "table1_baseline": _guarded(results, "baseline", baseline_table),
            "table2_efficacy": _guarded(results, "response", efficacy_table),
            "table3_adverse_events": _guarded(results, "safety", ae_table),
            "survival": _guarded(results, "survival", survival_table),
            "cox": _guarded(results, "cox", cox_table),
            "subgroups": _guarded(results, "subgroups", subgroup_table),
            "gmi": _guarded(results, "gmi", gmi_table)}
    phases = results["safety"].get("phases", {}) if isinstance(results.get("safety"), dict) else {}
    for p in phases:
        tabs[f"table3_adverse_events_{slug(p).replace('-', '_')}"] = _guarded(
            results, "safety", ae_table, p)
    return {k: v for k, v in tabs.items() if len(v)}


__all__ = ["build_tables", "note_frame"]
