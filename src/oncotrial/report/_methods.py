"""Methods text of the report: every method and option used, read from the results' spec echo."""

from __future__ import annotations

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
        f"chart with one exclusion reason.",
        f"Tumour response. Overall responses at each assessment were derived from the lesion "
        f"measurements by RECIST 1.1 (evaluator: {st['evaluator']}); best overall response "
        f"({'confirmed, ' + str(s['confirm_days']) + ' days' if s['confirmation'] else 'unconfirmed'}"
        f"; stable disease at least {s['sd_min_days']} days after the {s['reference']} date). "
        f"Objective response rate (CR + PR) and disease control rate (CR + PR + SD + "
        f"non-CR/non-PD) are given with {lvl} {CI_NAMES[s['ci_method']]} confidence intervals "
        f"over the efficacy-evaluable population. Duration of response "
        f"({'confirmed' if s['confirmation'] else 'unconfirmed'} responders, "
        f"first response to progression or death) is summarised by the Kaplan-Meier median "
        f"and the observed range (+ = censored).",
        f"Time to event. Overall and progression-free survival are measured from the "
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
    elif results["cox"]:
        ps.append(
            f"Cox regression ({cx['endpoint']}). Univariable Cox proportional-hazards models "
            f"(ties: {cx['ties']}) for {', '.join(results['cox']['covariates'])}; the "
            f"multivariable model by backward elimination ({cx['test']} test; covariates with "
            f"p >= {cx['alpha_remove']:g} removed one at a time, at least "
            f"{results['cox']['selection']['min_variables']} kept, as in NICE-NEC). Complete "
            f"cases only (n = {results['cox']['n']}, events = {results['cox']['events']}). "
            f"Hazard ratios with {lvl} Wald intervals.")
    if results["subgroups"]:
        ps.append("Subgroups. ORR per subgroup level with the same interval method; equality "
                  "across levels by Fisher's exact test (two-sided, exact r x 2) and Pearson's "
                  "chi-square test (Yates' correction for 2 x 2 tables, as R chisq.test).")
    ps.append(
        f"Safety. Treatment-emergent adverse events (onset from first dose to last dose + "
        f"{s['teae_window_days']} days) graded by CTCAE v{s['ctcae_version']}"
        + (f" (versions in the data: {', '.join(st['ctcae_versions_in_data'])})"
           if st["ctcae_versions_in_data"] else "")
        + f"; worst grade per patient and term; terms with any-grade frequency >= "
        f"{s['ae_threshold']:g}% of the safety population, sorted by frequency."
        + (f" Repeated per treatment phase: {', '.join(s['phases'])}." if s["phases"] else ""))
    if results["gmi"]:
        ps.append("Growth modulation index (Von Hoff 1998): time to progression on study "
                  "divided by time to progression on the last prior line; GMI >= 1.33 counts as "
                  "activity, with the same interval method for the proportion.")
    ps.append("Software: oncotrial (statistics validated against R survival 3.5 and base R "
              "goldens). Derivation settings: " + ", ".join(
                  f"{k}={v}" for k, v in sorted(results["derivation"]["settings"].items())) + ".")
    return ps


__all__ = ["methods_paragraphs"]
