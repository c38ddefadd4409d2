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
    """Participant flow per cohort: registered, then every analysis set with the exclusions
    from its parent set and their reasons (from the data)."""
    fl = results["flow"]
    rows: dict[str, list[str]] = {}
    cohorts = results["study"].get("flow_cohorts", results["study"]["cohorts"])
    if "sets" in fl[cohorts[0]]:
        rows["Registered"] = [str(fl[c]["registered"]) for c in cohorts]
        used = set(results["study"]["analysis_sets"].values()) | {"enrolled", "treated"}
        for name, st in fl[cohorts[0]]["sets"].items():
            if name not in used and st.get("builtin", False):
                continue
            rows[f"{st['label']} [{name}]"] = [str(fl[c]["sets"][name]["n"]) for c in cohorts]
            reasons = sorted({r for c in cohorts for r in fl[c]["sets"][name]["excluded"]})
            for r in reasons:
                rows[f"  excluded from {st['within']}: {r}"] = [
                    str(fl[c]["sets"][name]["excluded"].get(r, 0)) for c in cohorts]
        for c, n in results.get("flow_excluded_cohorts", {}).items():
            rows[f"Cohort {c} left out ([cohorts].exclude)"] = [
                str(n) if k == "All" else "" for k in cohorts]
        return pd.DataFrame.from_dict(rows, orient="index", columns=cohorts).rename_axis(
            "Analysis set")
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
    counts = {r["cohort"]: r["n"] for r in rows}
    counts = {c: counts.get(c, 0) for c in cohorts}
    out: dict[str, list[str]] = {}
    for r in rows:
        var = r["variable"].removesuffix(" (categories)")
        label = (f"{LABELS.get(var, var)}"
                 f"{' (categories)' if var != r['variable'] else ''}: {r['level']}")
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
    keys = [("orr", "Objective response rate"), ("dcr", "Disease control rate")]
    if any("iorr" in rs[c] for c in cohorts):
        keys.append(("iorr", "iRECIST objective response rate (iBOR iCR/iPR)"))
    for key, lab in keys:
        first = next((rs[c].get(key) for c in cohorts if rs[c].get(key)), None) or {}
        if first.get("method") == "bayes":
            b = first["bayes"]
            out[f"{lab}, posterior {b['point']}, % ({lvl}% {b['interval']} credible interval,"
                f" Beta({b['prior'][0]:g}, {b['prior'][1]:g}) prior)"] = [
                "—" if rs[c].get(key) is None else
                f"{rs[c][key]['x']}/{rs[c][key]['n']}: " + _ci(
                    rs[c][key]["estimate"], rs[c][key]["ci"], 100.0, rs[c][key]["decimals"])
                for c in cohorts]
            if b["p0"] is not None:
                out[f"{lab}, P(rate > {100 * b['p0']:g}%)"] = [
                    "—" if rs[c].get(key) is None else _f(rs[c][key]["bayes"]["prob_above_p0"], 3)
                    for c in cohorts]
            if "frequentist" in first:
                fq = first["frequentist"]
                out[f"{lab}, % ({lvl}% CI, {fq['method']})"] = [
                    "—" if rs[c].get(key) is None else
                    f"{rs[c][key]['x']}/{rs[c][key]['n']}: " + _ci(
                        rs[c][key]["frequentist"]["estimate"], rs[c][key]["frequentist"]["ci"],
                        100.0) for c in cohorts]
            continue
        out[f"{lab}, % ({lvl}% CI)"] = [
            "—" if rs[c].get(key) is None else
            f"{rs[c][key]['x']}/{rs[c][key]['n']}: " + _ci(rs[c][key]["estimate"],
                                                           rs[c][key]["ci"], 100.0,
                                                           rs[c][key].get("decimals", 1))
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


def ae_table(results: dict, phase: str | None = None, kind: str = "all") -> pd.DataFrame:
    """Seed 004 Table 3: worst grade per patient by cohort in the spec's columns (any grade,
    1-2, 3-4, 5, >= 3); grade 5 is shown whenever any patient has a grade-5 event."""
    sa = (results["safety"]["phases"][phase] if phase is not None else
          results["safety"].get("tables", {}).get(kind, results["safety"]["all"]))
    cohorts = results["study"]["cohorts"]
    wanted = list(results["spec"].get("ae_columns", ["1-2", "3-4", "5"]))
    has5 = any(sa["any_teae"].get(c, {}).get("5", 0) for c in cohorts) or any(
        t["by_cohort"][c]["5"] for t in sa["terms"] for c in cohorts)
    bands = [b for b in ("any", "1-2", "3-4", "5", ">=3")
             if (b in wanted and b != "5") or (b == "5" and has5)]
    names = {"any": "any grade", ">=3": "grade >= 3"}
    cols = [f"{c} (n = {sa['n_safety'][c]}) {names.get(b, 'grade ' + b)}"
            for c in cohorts for b in bands]
    out: dict[str, list[str]] = {}
    if sa["any_teae"]:
        out["Any treatment-emergent AE"] = [
            _npct(sa["any_teae"][c][b], sa["any_teae"][c][f"pct_{b}"])
            for c in cohorts for b in bands]
    for t in sa["terms"]:
        out[t["term"].capitalize() + (" *" if t.get("forced") else "")] = [
            _npct(t["by_cohort"][c][b], t["by_cohort"][c][f"pct_{b}"])
            for c in cohorts for b in bands]
    return pd.DataFrame.from_dict(out, orient="index", columns=cols).rename_axis(
        "Adverse event, n (%)")


def survival_table(results: dict) -> pd.DataFrame:
    """Median OS/PFS (CI), events, landmark rates (CI) and median follow-up per cohort; for a
    twin, whether the paper or a twin-spec assumption is behind the endpoint."""
    unit = results["study"]["time_unit"]
    twin = (results.get("twin") or {}).get("cohorts", {})
    sets = results["study"].get("analysis_sets", {})
    rows = []
    for ep, by in results["survival"].items():
        for c, r in by.items():
            row = {"Endpoint": ep, "Cohort": c,
                   "Analysis set": sets.get(ep.lower(), "treated"),
                   "n": str(r["n"]), "Events": str(r["events"]),
                   f"Median, {unit} (CI)": _ci(r["median"], r["ci"]),
                   f"Median follow-up, {unit}": _f(r["followup_median"])}
            prov = twin.get(c, {}).get(ep) if twin else None
            for t, lm in r["landmarks"].items():
                # † a landmark the paper does not report (the twin data assume it)
                dag = (" †" if prov is not None and float(t) not in prov.get("landmarks", [])
                       else "")
                row[f"{t}-{unit[:-1]} rate, % (CI)"] = (
                    "—" if lm is None else _ci(lm["surv"], lm["ci"], 100.0) + dag)
            if twin:
                row["Twin source"] = ("—" if prov is None else "paper" if prov["status"] ==
                                      "paper" else "TWIN ASSUMPTION (not in the paper)")
            rows.append(row)
    return pd.DataFrame(rows).set_index(["Endpoint", "Cohort"])


def cox_table(results: dict) -> pd.DataFrame:
    """Univariable and multivariable (backward-selected) hazard ratios."""
    cx = results["cox"]
    if not cx:
        return pd.DataFrame()
    rows = [{"Model": "note", "Term": "", "HR (CI)": n, "p": ""} for n in cx.get("notes", [])]
    for r in cx["univariable"] + cx.get("multivariable", []):
        rows.append({"Model": r["model"], "Term": r["term"],
                     "HR (CI)": _ci(r["hr"], r["ci"], 1.0, 2),
                     "p": "NA" if r["p"] is None else f"{r['p']:.3f}"})
    return pd.DataFrame(rows).set_index(["Model", "Term"])


def logrank_table(results: dict) -> pd.DataFrame:
    """Log-rank test across cohorts per endpoint (observed / expected events per cohort)."""
    rows = []
    for ep, r in (results.get("logrank") or {}).items():
        oe = "; ".join(f"{g}: {o:g}/{e:.2f}" for g, o, e in
                       zip(r["groups"], r["observed"], r["expected"], strict=True))
        rows.append({"Endpoint": ep, "Events observed/expected": oe,
                     "Chi-square (df)": f"{r['chisq']:.3f} ({r['df']})",
                     "p": "NA" if r["p"] is None else f"{r['p']:.4f}"})
    return pd.DataFrame(rows).set_index("Endpoint") if rows else pd.DataFrame()


def subgroup_table(results: dict) -> pd.DataFrame:
    """ORR by subgroup level with Fisher's exact and chi-square p-values."""
    rows = []
    for sg in results["subgroups"]:
        if "note" in sg:
            rows.append({"Subgroup": sg["name"], "Level": "—", "Responders/n": "",
                         "ORR, % (CI)": sg["note"], "Fisher p": "", "Chi-square p": ""})
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


def comparisons_table(results: dict) -> pd.DataFrame:
    """Randomised phase II layout: each arm vs the reference -- ORR difference (CI) and test,
    log-rank p and hazard ratio (CI) per time-to-event endpoint."""
    cm = results.get("comparisons")
    if not cm:
        return pd.DataFrame()
    strat = f" stratified by {', '.join(cm['strata'])}" if cm["strata"] else ""
    rows = []
    for p in cm["pairs"]:
        label = f"{p['arm']} vs {p['reference']}"
        o = p.get("ORR")
        if o:
            rows.append({"Comparison": label, "Endpoint": "ORR",
                         "Arm / reference": f"{o['x'][0]}/{o['n'][0]} vs {o['x'][1]}/{o['n'][1]}",
                         "Effect (CI)": "difference " + _ci(o["diff"], o["ci"], 100.0) +
                                        f" % ({o['method']})",
                         "p": f"{o['test']['p']:.4f} ({o['test']['method']})"})
        for ep in ("OS", "PFS"):
            t = p.get(ep)
            if not t:
                continue
            rows.append({"Comparison": label, "Endpoint": ep,
                         "Arm / reference": f"{t['events'][0]}/{t['n'][0]} vs "
                                            f"{t['events'][1]}/{t['n'][1]} events",
                         "Effect (CI)": hr_text(t, _ci),
                         "p": f"{t['logrank']['p']:.4f} (log-rank{strat})"})
    return pd.DataFrame(rows).set_index(["Comparison", "Endpoint"]) if rows else pd.DataFrame()


def hr_text(t: dict, fmt) -> str:
    """The hazard ratio of a two-arm comparison as printed, or why it is not estimable: with no
    event in one arm the Cox estimate diverges (R coxph warns "coefficient may be infinite";
    results.json keeps the converged value) and "HR 0.00 (0.00 to NR)" would mislead.

    Examples
    --------
    >>> hr_text({"hr": 1e-9, "ci": [0.0, None], "events": [0, 2]}, lambda *a: "x")
    'HR not estimable (no events in the arm)'
    >>> hr_text({"hr": 0.5, "ci": [0.2, 1.1], "events": [3, 5]}, lambda v, ci, s, d: f"{v:.2f}")
    'HR 0.50'
    """
    ev = t.get("events") or [1, 1]
    if ev[0] == 0 or ev[1] == 0:
        who = "either arm" if ev[0] == ev[1] == 0 else "the arm" if ev[0] == 0 else "the reference"
        return f"HR not estimable (no events in {who})"
    return "HR " + fmt(t["hr"], t["ci"], 1.0, 2)


def notes_table(results: dict) -> pd.DataFrame:
    """Spec entries that could not be analysed (optional entries), one note per row."""
    notes = list(results["study"].get("notes", []))
    notes += [sg["note"] for sg in results["subgroups"] if "note" in sg]
    notes += list((results.get("cox") or {}).get("notes", []))
    notes += list(results["safety"].get("notes", []))
    tw = results.get("twin")
    if tw:
        for c, by in tw["cohorts"].items():
            for ep, prov in by.items():
                if prov["status"] != "paper":
                    notes.append(f"Twin ({tw['name']}), {c}, {ep}: twin-spec assumption, not a "
                                 f"number of the paper. {prov['text']}")
        notes.append("† in the survival table: a landmark rate the paper does not report "
                     "(twin-spec assumption).")
    return (pd.DataFrame({"Note": notes}, index=pd.RangeIndex(1, len(notes) + 1, name="#"))
            if notes else pd.DataFrame())


def table_titles(results: dict) -> dict[str, str]:
    """Titles naming the analysis set of each table (``TABLE_TITLES`` defaults otherwise)."""
    sets = results["study"].get("analysis_sets")
    if not sets:
        return {}
    lab = results["study"]["set_labels"]
    out = {"table1_baseline": f"Baseline characteristics, {_lc(lab[sets['baseline']])}",
           "table2_efficacy": f"Tumour response, {_lc(lab[sets['response']])}",
           "table3_adverse_events": "Adverse events, worst grade per patient, "
                                    f"{_lc(lab[sets['safety']])}",
           "table3_adverse_events_related": "Treatment-related adverse events, worst grade "
                                            f"per patient, {_lc(lab[sets['safety']])}",
           "table3_adverse_events_serious": "Serious adverse events, worst grade per patient, "
                                            f"{_lc(lab[sets['safety']])}",
           "comparisons": "Comparisons with the reference arm",
           "notes": "Notes: spec entries not analysed and twin-spec assumptions"}
    return out


def _lc(label: str) -> str:
    """A set label inside a title: first letter lower-case unless an acronym ("FAS")."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


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
            "logrank": _guarded(results, "logrank", logrank_table),
            "cox": _guarded(results, "cox", cox_table),
            "subgroups": _guarded(results, "subgroups", subgroup_table),
            "gmi": _guarded(results, "gmi", gmi_table),
            "comparisons": _guarded(results, "comparisons", comparisons_table)}
    safety = results.get("safety") if isinstance(results.get("safety"), dict) else {}
    for kind in ("related", "serious"):
        if kind in safety.get("tables", {}):
            tabs[f"table3_adverse_events_{kind}"] = _guarded(results, "safety", ae_table, None,
                                                             kind)
    tabs["notes"] = _guarded(results, "notes", notes_table)
    for p in safety.get("phases", {}):
        tabs[f"table3_adverse_events_{slug(p).replace('-', '_')}"] = _guarded(
            results, "safety", ae_table, p)
    return {k: v for k, v in tabs.items() if len(v)}


__all__ = ["build_tables", "note_frame"]
