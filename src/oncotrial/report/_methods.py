"""Methods text of the report: every method and option used, read from the results' spec echo."""

from __future__ import annotations

import re

CI_NAMES = {"clopper-pearson": "exact Clopper-Pearson", "wilson": "Wilson score",
            "wilson-cc": "Wilson score with continuity correction (R prop.test)",
            "jeffreys": "Jeffreys", "agresti-coull": "Agresti-Coull", "mid-p": "mid-p exact",
            "wald": "Wald"}
RULES = {"flag": "the data's efficacy flag (derived default: treated with a tumour assessment)",
         "treated": "all treated patients",
         "treated-measurable": "treated patients with measurable disease at baseline"}


def methods_paragraphs(results: dict) -> list[str]:
    """Methods section as a list of paragraphs (plain text).

    Examples
    --------
    >>> from oncotrial.analysis import analyze_study, example_spec_path
    >>> "Clopper-Pearson" in " ".join(methods_paragraphs(analyze_study(example_spec_path()).results))
    True
    """
    s = results["spec"]
    st = results["study"]
    lvl = f"{100 * s['level']:g}%"
    cx = s["cox"]
    ps = [
        f"Populations. Enrolled: all registered patients flagged as enrolled. Safety (treated): "
        f"enrolled patients who received at least one dose. Efficacy-evaluable: "
        f"{RULES[s['efficacy_rule']]}. Every registered patient is accounted for in the flow "
        f"chart with one exclusion reason." + _sets_text(results),
        f"Tumour response. Overall responses at each assessment were derived from the lesion "
        f"measurements by RECIST 1.1 (evaluator: {st['evaluator']}); best overall response "
        f"({'confirmed, ' + str(s['confirm_days']) + ' days' if s['confirmation'] else 'unconfirmed'}"
        f"; stable disease at least {s['sd_min_days']} days after the {s['reference']} date). "
        f"Objective response rate (CR + PR) and disease control rate (CR + PR + SD + "
        f"non-CR/non-PD) are computed over the {_set(results, 'response')}; "
        f"{_estimates_text(results, lvl)} Duration of response "
        f"({'confirmed' if s['confirmation'] else 'unconfirmed'} responders, "
        f"first response to progression or death) is summarised by the Kaplan-Meier median "
        f"and the observed range (+ = censored).",
        f"Time to event ({', '.join(f'{e}: {_set(results, e.lower())}' for e in s['surv_endpoints'])}). "
        f"Overall and progression-free survival are measured from the "
        f"{s['reference']} date in {s['time_unit']} (days / {st['days_per_unit']:g}). "
        f"Kaplan-Meier estimates with Greenwood variance and {lvl} pointwise '{s['conf_type']}' "
        f"confidence intervals (R survfit conf.type); medians by R quantile.survfit; landmark "
        f"rates at {', '.join(f'{t:g}' for t in s['landmarks'])} {s['time_unit']}; median "
        f"follow-up by the reverse Kaplan-Meier method. PFS events are progression or death; "
        f"censoring follows the FDA 2018 guidance (last adequate assessment).",
    ]
    if isinstance(results["cox"], dict) and "error" in results["cox"]:
        ps.append(f"Cox regression ({cx['endpoint']}): not shown, the analysis failed "
                  f"({results['cox']['error']}).")
    elif results["cox"] and results["cox"].get("univariable"):
        ps.append(
            f"Cox regression ({cx['endpoint']}). Univariable Cox proportional-hazards models "
            f"(ties: {cx['ties']}) for {', '.join(results['cox']['covariates'])}; the "
            f"multivariable model by backward elimination ({cx['test']} test; covariates with "
            f"p >= {cx['alpha_remove']:g} removed one at a time, at least "
            f"{results['cox']['selection']['min_variables']} kept, as in NICE-NEC). Complete "
            f"cases only (n = {results['cox']['n']}, events = {results['cox']['events']}; "
            f"{_set(results, 'cox')}). Hazard ratios with {lvl} Wald intervals.")
    if results["subgroups"]:
        ps.append("Subgroups. ORR per subgroup level with the same interval method; equality "
                  "across levels by Fisher's exact test (two-sided, exact r x 2) and Pearson's "
                  "chi-square test (Yates' correction for 2 x 2 tables, as R chisq.test).")
    if results.get("comparisons"):
        ps.append(_comparisons_text(results, lvl))
    ps.append(
        f"Safety ({_set(results, 'safety')}"
        + (", by treatment received (actual arm)" if results["study"].get("safety_by") == "actual_arm" else "")
        + "). Treatment-emergent adverse events (onset from "
        f"first dose to last dose + {s['teae_window_days']} days); {_grade_text(results)}; "
        f"worst grade per patient and term (and over all terms for the any-event row), counted "
        f"as grade 1-2, 3-4, 5 and >= 3. " + _ae_tables_text(results)
        + (f" Repeated per treatment phase: {', '.join(s['phases'])}." if s["phases"] else ""))
    if results["derivation"]["settings"].get("source") == "adam":
        ps = adam_methods(results, ps)
    if results["gmi"]:
        ps.append("Growth modulation index (Von Hoff 1998): time to progression on study "
                  "divided by time to progression on the last prior line; GMI >= 1.33 counts as "
                  "activity, with the same interval method for the proportion.")
    ps.append("Software: oncotrial (statistics validated against R survival 3.5 and base R "
              "goldens). Derivation settings: " + ", ".join(
                  f"{k}={v}" for k, v in sorted(results["derivation"]["settings"].items())) + ".")
    return ps


def adam_methods(results: dict, ps: list[str]) -> list[str]:
    """ADaM input: say that responses, times, flags and grades are the data's (not derived).

    Examples
    --------
    >>> r = {"derivation": {"settings": {"source": "adam", "files": {"adsl": "adsl.xpt"},
    ...      "arm_variable": "TRT01P", "parameters": {"DOR": "RSD"}}}}
    >>> adam_methods(r, ["Tumour response. x were derived from the lesion measurements by "
    ...                  "RECIST 1.1 (y)"])[0][:27]
    'Data. ADaM datasets as prov'
    """
    st = results["derivation"]["settings"]
    files = ", ".join(st.get("files", {}).values())
    codes = ", ".join(f"{k} = {v}" for k, v in sorted(st.get("parameters", {}).items()))
    note = (f"Data. ADaM datasets as provided ({files}), analysed without re-derivation: "
            f"cohorts from ADSL {st.get('arm_variable')}, populations from the ADSL flags, "
            f"responses and durations from the parameters ({codes}), events from CNSR, "
            "treatment-emergence and grades from ADAE; only ANL01FL = 'Y' records where "
            "ANL01FL exists.")
    out = [note]
    for para in ps:
        para = para.replace("were derived from the lesion measurements by RECIST 1.1",
                            "were taken from ADRS (RECIST 1.1 as derived by the data provider)")
        para = para.replace("Treatment-emergent adverse events (onset from first dose to last "
                            "dose + ", "Treatment-emergent adverse events (ADAE TRTEMFL; "
                            "oncotrial's own window, not applied here, is last dose + ")
        grade = st.get("ae_grade_from") or ""
        if "TOXGR" not in grade.split(",")[0]:  # severity, not a CTCAE grade
            para = re.sub(r"graded by CTCAE v[^ ;(]+", f"graded from ADAE {grade} (severity "
                          "MILD 1, MODERATE 2, SEVERE 3; no CTCAE grade in the data)", para)
        out.append(para)
    return out


def _set(results: dict, analysis: str) -> str:
    st = results["study"]
    if "analysis_sets" not in st:
        return "treated population" if analysis in ("os", "pfs", "safety") else \
            "efficacy-evaluable population"
    name = st["analysis_sets"].get(analysis, "treated")
    return f"{st['set_labels'][name]} [{name}]"


def _sets_text(results: dict) -> str:
    st = results["study"]
    sets = results["spec"].get("sets") or []
    if not sets:
        return ""
    parts = []
    for d in sets:
        rule = [f"within {d['within']}"] if d["within"] else []
        if d["flag"]:
            rule.append(f"{d['flag']} = Y")
        rule += [f"requires {r}" for r in d["require"]]
        if d["exclude_reasons"]:
            rule.append("excluding disposition " + ", ".join(d["exclude_reasons"]))
        parts.append(f"{d['label']} [{d['name']}]: {'; '.join(rule) or 'all registered'}")
    use = ", ".join(f"{k} on {v}" for k, v in sorted(st["analysis_sets"].items()))
    return (" Analysis sets (ICH E9): " + " | ".join(parts) + f". Analyses: {use}. "
            "Exclusion reasons are the disposition reasons of the data (DS).")


def _estimates_text(results: dict, lvl: str) -> str:
    out = []
    for ep, e in results["spec"]["estimates"]:
        name = {"orr": "ORR", "dcr": "DCR"}[ep]
        if e["method"] == "bayes":
            a, b = e["prior"]
            t = (f"{name}: Bayesian, Beta({a:g}, {b:g}) prior, posterior {e['point']} with "
                 f"{lvl} {e['interval']} credible interval (conjugate beta-binomial)")
            if e["p0"] is not None:
                t += f", posterior probability that the rate exceeds {100 * e['p0']:g}%"
            if e["also"]:
                t += f"; {CI_NAMES[e['also']]} confidence interval beside"
            out.append(t)
        else:
            out.append(f"{name}: {lvl} {CI_NAMES[e['method']]} confidence interval")
    return "; ".join(out) + "."


def _grade_text(results: dict) -> str:
    s, st = results["spec"], results["study"]
    gs = st.get("grade_source", {"ctcae": 1, "severity": 0, "missing": 0})
    vers = (f" (versions in the data: {', '.join(st['ctcae_versions_in_data'])})"
            if st["ctcae_versions_in_data"] else "")
    if gs["ctcae"] and not gs["severity"]:
        return f"grade: the CTCAE v{s['ctcae_version']} grade given in the data{vers}"
    if gs["severity"] and not gs["ctcae"]:
        return ("grade: no CTCAE grade in the data; mapped from severity (AESEV) MILD = 1, "
                "MODERATE = 2, SEVERE = 3")
    return (f"grade: the CTCAE v{s['ctcae_version']} grade where given ({gs['ctcae']} records)"
            f"{vers}, else mapped from severity (AESEV) MILD = 1, MODERATE = 2, SEVERE = 3 "
            f"({gs['severity']} records)")


def _ae_tables_text(results: dict) -> str:
    out = []
    for kind, t in sorted(results["safety"].get("tables", {"all": results["safety"]["all"]})
                          .items()):
        op = ">" if t.get("strict") else ">="
        txt = (f"{kind} TEAEs: terms with any-grade frequency {op} {t['threshold_pct']:g}% of "
               "the safety set")
        if t.get("forced_terms"):
            txt += f", plus {', '.join(t['forced_terms'])} (listed by the spec, marked *)"
        out.append(txt)
    fig = results["safety"].get("figure")
    if fig:
        out.append(f"figure: {fig['kind']} TEAEs with frequency "
                   f"{'>' if fig['strict'] else '>='} {fig['threshold_pct']:g}%")
    return "Tables: " + "; ".join(out) + ", sorted by frequency."


def _comparisons_text(results: dict, lvl: str) -> str:
    cm = results["comparisons"]
    strat = (f", stratified by {', '.join(cm['strata'])}" if cm["strata"] else "")
    diff = {"newcombe": "Newcombe's hybrid score", "newcombe-cc": "Newcombe's hybrid score "
            "with continuity correction", "score": "Miettinen-Nurminen score",
            "agresti-caffo": "Agresti-Caffo", "wald": "Wald"}[cm["diff_method"]]
    test = ("Fisher's exact test" if cm["test"] == "fisher" else
            f"the Cochran-Mantel-Haenszel test{strat}")
    return (f"Comparisons. Each arm against {cm['reference']}: log-rank test{strat} (R "
            f"survdiff) and the Cox hazard ratio of the arm{strat} with its {lvl} Wald interval "
            f"for time-to-event endpoints; the difference in ORR (arm - reference) with the "
            f"{lvl} {diff} interval and {test}. Each comparison uses its endpoint's analysis "
            "set.")


def table_footnotes(results: dict) -> dict[str, list[str]]:
    """Footnotes naming the method behind each report table, keyed by table stem.

    Examples
    --------
    >>> from oncotrial.analysis import analyze_study, example_spec_path
    >>> notes = table_footnotes(analyze_study(example_spec_path()).results)
    >>> notes["table2_efficacy"][0]
    'CI: 95% exact Clopper-Pearson confidence interval (DCR, ORR).'
    """
    s = results["spec"]
    lvl = f"{100 * s['level']:g}%"
    out: dict[str, list[str]] = {}
    out["table1_baseline"] = ["Percentages of the cohort's patients in the "
                              f"{_set(results, 'baseline')}; Missing counted as a level."]
    resp = []
    for ep, e in s["estimates"]:
        name = {"orr": "ORR", "dcr": "DCR"}[ep]
        if e["method"] == "bayes":
            resp.append(f"{name}: Beta({e['prior'][0]:g}, {e['prior'][1]:g}) prior, posterior "
                        f"{e['point']} with {lvl} {e['interval']} credible interval")
        else:
            resp.append(f"{CI_NAMES[e['method']]}|{name}")
    plain = sorted({r.split("|")[0] for r in resp if "|" in r})
    lines = [f"CI: {lvl} {m} confidence interval ("
             + ", ".join(r.split("|")[1] for r in resp if r.startswith(m + "|")) + ")."
             for m in plain]
    lines += [r + "." for r in resp if "|" not in r]
    lines.append("Best overall response by RECIST 1.1"
                 + (f", confirmed after >= {s['confirm_days']} days" if s["confirmation"] else
                    ", unconfirmed")
                 + "; duration of response: Kaplan-Meier median, observed range (+ censored).")
    out["table2_efficacy"] = lines
    window = ("ADAE TRTEMFL" if results["derivation"]["settings"].get("source") == "adam" else
              f"to last dose + {s['teae_window_days']} days")
    ae = [f"Treatment-emergent adverse events ({window}), "
          f"worst grade per patient and term; {_grade_text(results)}.",
          "* a term listed by the spec below the frequency threshold."]
    for stem in ("table3_adverse_events", "table3_adverse_events_related",
                 "table3_adverse_events_serious"):
        out[stem] = ae
    out["survival"] = [f"Kaplan-Meier estimates; {lvl} pointwise '{s['conf_type']}' confidence "
                       "intervals with Greenwood variance (R survfit conf.type); median "
                       "follow-up by the reverse Kaplan-Meier method; NR: not reached."]
    out["logrank"] = ["Log-rank test (R survdiff), observed / expected events per cohort."]
    cx = s["cox"]
    out["cox"] = [f"Cox proportional hazards (ties: {cx['ties']}); {lvl} Wald intervals and "
                  "Wald p; multivariable model by backward elimination "
                  f"({cx['test']} test, p >= {cx['alpha_remove']:g} removed)."]
    out["subgroups"] = [f"ORR with the {lvl} {CI_NAMES.get(s['ci_method'], s['ci_method'])} "
                        "interval; Fisher's exact test (r x 2) and Pearson's chi-square test "
                        "(Yates' correction for 2 x 2)."]
    if results.get("comparisons"):
        out["comparisons"] = [_comparisons_text(results, lvl).removeprefix("Comparisons. ")]
    out["gmi"] = ["Growth modulation index = TTP on study / TTP on the last prior line (Von "
                  "Hoff 1998); >= 1.33 counts as activity; + censored."]
    out["flow"] = ["Exclusions from the parent analysis set with the data's disposition "
                   "reasons."]
    return out


__all__ = ["adam_methods", "methods_paragraphs", "table_footnotes"]
