"""Results metadata in the spirit of the CDISC Analysis Results Standard (ARS).

:func:`results_metadata` lists one *analysis* per block of ``results.json`` that holds numbers:
its ``path`` (a JSON pointer, RFC 6901, to the block), the ``analysis_set`` (name and the ADSL
flag that defines it), the ``dataset`` (ADaM name, and the input file for ADaM input), the
``paramcd`` (as in the data: an ADaM input's own code, e.g. ``RSD`` for DOR), the analysed
``variables`` and the ``method`` (id and description with its R equivalent). Every number of
``results.json`` outside ``study``, ``spec``, ``derivation`` and ``analyses`` lies under exactly
one analysis path, the longest matching one (:func:`analysis_for`); the test suite checks this
for every bundled spec. Built from the finished results by one function, so the layout of the
analysis blocks can change without touching the estimators.
"""

from __future__ import annotations

__all__ = ["analysis_for", "results_metadata"]

#: Analysis sets of results without ``study.analysis_sets`` (the issue-16 defaults), by role.
_DEFAULT_SETS = {
    "all": ("all subjects", "ADSL (every record)"),
    "safety": ("treated (safety)", "ANLSAF = 'Y' (ENRLFL = 'Y' and SAFFL = 'Y')"),
    "efficacy": ("efficacy-evaluable", "ANLEFF = 'Y'"),
}
_EFFICACY_ROLES = ("response", "subgroups")


def _esc(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def results_metadata(results: dict, spec, settings: dict) -> list[dict]:
    """One ARS-like analysis record per numeric block of ``results``.

    Parameters
    ----------
    results : dict
        The ``results.json`` content (without ``analyses``).
    spec : StudySpec
    settings : dict
        ``StudyDerivation.settings`` (for ADaM input: files and the PARAMCD of each role).

    Examples
    --------
    >>> from oncotrial.analysis import parse_study_spec
    >>> spec = parse_study_spec({"study": {"title": "T", "data": "x"}})
    >>> res = {"survival": {"OS": {"A": {"median": 3.0}}}}
    >>> a = results_metadata(res, spec, {})
    >>> a[0]["path"], a[0]["dataset"], a[0]["paramcd"], a[0]["analysis_set"]["name"]
    ('/survival/OS/A', 'ADTTE', 'OS', 'treated (safety)')
    """
    adam = settings.get("source") == "adam"
    files = settings.get("files", {}) if adam else {}
    codes = settings.get("parameters", {}) if adam else {}

    def code(role: str | None) -> str | None:
        return None if role is None else codes.get(role, role)

    sets = results.get("study", {}).get("analysis_sets")
    labels = results.get("study", {}).get("set_labels", {})

    def set_of(analysis: str) -> tuple[str, str]:
        """(label [name], defining flag) of the set the spec names for ``analysis``."""
        if analysis == "all":
            return _DEFAULT_SETS["all"]
        if sets is None:  # results without analysis sets
            return _DEFAULT_SETS["efficacy" if analysis in _EFFICACY_ROLES else "safety"]
        name = sets.get(analysis) or sets.get("os") or "treated"
        return f"{labels.get(name, name)} [{name}]", f"ANL_{name.upper()} = 'Y'"

    def rec(path: str, aset: str, dataset: str, role: str | None, variables: list[str],
            method: str, description: str) -> dict:
        name, flag = set_of(aset)
        out = {"id": path.strip("/").replace("/", ".") or "results", "path": path,
               "analysis_set": {"name": name, "definition": flag}, "dataset": dataset,
               "paramcd": code(role), "variables": variables,
               "method": {"id": method, "description": description}}
        if dataset.lower() in files:
            out["source_file"] = files[dataset.lower()]
        return out

    resp = "CBOR" if spec.confirmation else "BOR"
    km = (f"Kaplan-Meier (R survfit, conf.type = '{spec.conf_type}', level {spec.level:g}); "
          "median and CI as R quantile(); landmark rates as R summary(fit, times = ); "
          "follow-up by reverse Kaplan-Meier; time = AVAL days / "
          f"{spec.days_per_unit:g} ({spec.time_unit})")
    out: list[dict] = []
    for c in results.get("flow", {}):
        out.append(rec(f"/flow/{_esc(c)}", "all", "ADSL", None, ["ENRLFL", "SAFFL", "EFFFL"],
                       "count", "subjects per analysis set and exclusion reason"))
    if "baseline" in results:
        out.append(rec("/baseline", "baseline", "ADSL", None, ["AGE", "SEX", "ECOGBL"],
                       "descriptive", "median (min-max) for numbers, n (%) for categories"))
    for c, r in results.get("response", {}).items():
        base = f"/response/{_esc(c)}"
        out.append(rec(base, "response", "ADRS", resp, ["AVALC"], "count",
                       "subjects evaluable / with a response assessment"))
        out.append(rec(f"{base}/bor", "response", "ADRS", resp, ["AVALC"], "count",
                       "best overall response, n (%) of the evaluable"))
        for k, what in (("orr", "CR + PR"), ("dcr", "CR + PR + SD + NON-CR/NON-PD")):
            out.append(rec(f"{base}/{k}", "response", "ADRS", resp, ["AVALC"],
                           f"proportion_ci:{spec.ci_method}",
                           f"({what}) / evaluable with a {spec.ci_method} "
                           f"{spec.level:g} CI (R binom / PropCIs conventions)"))
        if r.get("dor") is not None:
            out.append(rec(f"{base}/dor", "response", "ADTTE", "DOR", ["AVAL", "CNSR"],
                           "kaplan-meier", "duration of response of the responders: " + km))
    for i, _sg in enumerate(results.get("subgroups", [])):
        out.append(rec(f"/subgroups/{i}", "subgroups", "ADRS", resp, ["AVALC"],
                       "subgroup-orr", "ORR by level; Fisher exact test (R fisher.test) and "
                       "Pearson chi-square, Yates-corrected for 2 x 2 (R chisq.test)"))
    rp = results.get("response_plots") or {}
    for k, (ds, role, what) in {"waterfall": ("ADTR" if adam else "ADRS", "SDIAM",
                                              "best % change of the target-lesion sum"),
                                "spider": ("ADTR" if adam else "ADRS", "SDIAM",
                                           "% change of the target-lesion sum over time"),
                                "swimmer": ("ADTTE", "OS", "OS follow-up, TTR and DOR per "
                                                            "subject")}.items():
        if k in rp:
            out.append(rec(f"/response_plots/{k}", "response", ds, role, ["PCHG", "ADT"]
                           if k != "swimmer" else ["AVAL", "CNSR"], "listing", what))
    if results.get("gmi"):
        out.append(rec("/gmi", "response", "GMI", None, ["TTP1", "TTP2", "GMI"],
                       "gmi", "growth modulation index TTP2 / TTP1, share >= 1.33 with a "
                       f"{spec.ci_method} CI (Von Hoff 1998)"))
    for ep, by in results.get("survival", {}).items():
        for c in by:
            out.append(rec(f"/survival/{_esc(ep)}/{_esc(c)}", str(ep).lower(), "ADTTE", ep,
                           ["AVAL", "CNSR"], "kaplan-meier", km))
    for ep in results.get("logrank") or {}:
        out.append(rec(f"/logrank/{_esc(ep)}", str(ep).lower(), "ADTTE", ep, ["AVAL", "CNSR"],
                       "log-rank", "log-rank test across cohorts (R survdiff, rho = 0)"))
    if results.get("cox"):
        cx = spec.cox
        out.append(rec("/cox", "cox", "ADTTE", cx.endpoint, ["AVAL", "CNSR",
                                                                *cx.covariates],
                       "cox-ph", f"Cox proportional hazards (R coxph, ties = '{cx.ties}'), "
                       f"Wald CI and p; backward selection ({cx.test} p >= "
                       f"{cx.alpha_remove:g} removed)"))
    sa = results.get("safety") or {}
    if "all" in sa:
        out.append(rec("/safety/all", "safety", "ADAE", None, ["AEDECOD", "ATOXGRN",
                                                                "TRTEMFL", "WORSTFL"],
                       "worst-grade-count", "subjects by worst grade per term, TEAEs "
                       "(TRTEMFL = 'Y'), n (%) of the safety population"))
    for p in sa.get("phases", {}):
        out.append(rec(f"/safety/phases/{_esc(p)}", "safety", "ADAE", None,
                       ["AEDECOD", "ATOXGRN", "APHASE", "WORSTPFL"], "worst-grade-count",
                       f"as /safety/all within phase {p}"))
    for kind, t in (sa.get("tables") or {}).items():
        what = {"all": "all TEAEs", "related": "treatment-related TEAEs",
                "serious": "serious TEAEs"}.get(kind, f"{kind} TEAEs")
        out.append(rec(f"/safety/tables/{_esc(kind)}", "safety", "ADAE", None,
                       ["AEDECOD", "ATOXGRN", "TRTEMFL", "AREL", "AESER"], "worst-grade-count",
                       f"{what}: subjects by worst grade (1-2, 3-4, 5, >= 3) per term, terms "
                       f"above {t.get('threshold_pct', 0):g}% plus the spec's forced terms"))
    if sa.get("figure"):
        out.append(rec("/safety/figure", "safety", "ADAE", None, ["AEDECOD", "ATOXGRN"],
                       "worst-grade-count", "TEAE frequencies shown in the AE figure"))
    cm = results.get("comparisons")
    if cm:
        strat = f", stratified by {', '.join(cm['strata'])}" if cm.get("strata") else ""
        for key in cm:
            if key in ("reference", "strata", "diff_method", "test"):
                continue
            role = str(key).lower() if str(key).lower() in (sets or {}) else "response"
            out.append(rec(f"/comparisons/{_esc(key)}", role,
                           "ADTTE" if role in ("os", "pfs") else "ADRS",
                           str(key) if role in ("os", "pfs") else resp, ["AVAL", "CNSR"]
                           if role in ("os", "pfs") else ["AVALC"], "comparison",
                           f"each arm against {cm.get('reference')}: log-rank{strat} (R survdiff) "
                           f"and Cox HR (R coxph) for time to event; ORR difference with a "
                           f"{cm.get('diff_method')} interval and {cm.get('test')} test"))
    return out


def analysis_for(analyses: list[dict], pointer: str) -> dict | None:
    """The analysis whose ``path`` is the longest prefix of ``pointer`` (None if none).

    Examples
    --------
    >>> a = [{"path": "/response/A"}, {"path": "/response/A/orr"}]
    >>> analysis_for(a, "/response/A/orr/ci/0")["path"], analysis_for(a, "/cox") is None
    ('/response/A/orr', True)
    """
    best = None
    for a in analyses:
        p = a["path"]
        if (pointer == p or pointer.startswith(p + "/")) and (
                best is None or len(p) > len(best["path"])):
            best = a
    return best
