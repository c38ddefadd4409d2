"""Study spec + data -> every result of the report (no plotting, no files).

:func:`analyze_study` reads the data (:func:`oncotrial.io.read_study`), derives the ADaM tables
(:func:`oncotrial.derive.derive_study` with the spec's response settings), adds the analysis
populations and baseline covariates to ADSL, then runs each analysis of
:mod:`oncotrial.analysis`. The JSON part (:attr:`StudyAnalysis.results`) holds every number of
the report with its method; :attr:`StudyAnalysis.curves` holds the fitted Kaplan-Meier curves
for the figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial._errors import SpecEntryError
from oncotrial._frame import lookup
from oncotrial._result import Result
from oncotrial.analysis._adam import adam_study
from oncotrial.analysis._arm_tests import logrank_by_cohort
from oncotrial.analysis._common import ALL, BASELINE_COLUMNS, cohorts_of, num
from oncotrial.analysis._compare import comparisons
from oncotrial.analysis._efficacy import (
    bor_by_subject,
    gmi_summary,
    response_plot_data,
    response_table,
    subgroup_orr,
)
from oncotrial.analysis._isolate import isolated
from oncotrial.analysis._populations import add_sets, baseline_table, flow_counts, set_column
from oncotrial.analysis._results_meta import results_metadata
from oncotrial.analysis._safety import ctcae_versions, grade_source, safety_tables
from oncotrial.analysis._spec import StudySpec, load_study_spec
from oncotrial.analysis._survival import cox_analysis, km_analysis
from oncotrial.analysis._twin_marks import twin_provenance
from oncotrial.derive import StudyDerivation, derive_study
from oncotrial.io import detect_kind, read_study

__all__ = ["StudyAnalysis", "analyze_study", "results_json"]


@dataclass(frozen=True, slots=True, repr=False)
class StudyAnalysis(Result):
    """Everything the report shows.

    Attributes
    ----------
    spec : StudySpec
    derived : StudyDerivation
        The ADaM tables; ``derived.adsl`` is replaced by :attr:`adsl`.
    adsl : DataFrame
        ADSL with baseline covariates, one flag (``ANL_<SET>``) and one exclusion reason
        (``ANLR_<SET>``) per analysis set, and the legacy ``ANLENRL``, ``ANLSAF``, ``ANLEFF``,
        ``ANLREAS``.
    results : dict
        JSON-ready numbers with their methods (written as ``results.json``).
    curves : dict
        ``{endpoint: {cohort: KMResult}}`` for the Kaplan-Meier figures.
    """

    spec: StudySpec
    derived: StudyDerivation
    adsl: pd.DataFrame
    results: dict
    curves: dict

    def summary(self) -> pd.DataFrame:
        """ORR per cohort (the headline numbers)."""
        rows = [{"cohort": c, "orr": (r["orr"] or {}).get("estimate"),
                 "n": r["n_evaluable"]} for c, r in self.results["response"].items()]
        return pd.DataFrame(rows)


def _evaluator(study, spec: StudySpec) -> str:
    evs = set()
    for name in ("lesions", "responses"):
        t = getattr(study, name)
        if len(t):
            evs |= {str(e).upper() for e in t["evaluator"].dropna().unique()}
    if spec.evaluator:
        if evs and spec.evaluator not in evs:
            raise SpecEntryError(f"`[study].evaluator` of the study spec must be one of "
                                      f"{sorted(evs)}; got {spec.evaluator!r}. Pick the "
                                      "evaluator whose assessments the report should use.")
        return spec.evaluator
    if len(evs) > 1:
        raise SpecEntryError(f"`[study].evaluator` of the study spec must be given when "
                                  f"the data have several evaluators; got none ({sorted(evs)}). "
                                  "Add e.g. evaluator = \"INVESTIGATOR\" under [study].")
    return next(iter(evs)) if evs else "INVESTIGATOR"


def analyze_study(spec: StudySpec | str | Path,
                  progress: Callable[[str], None] | None = None) -> StudyAnalysis:
    """Run every analysis of the report for one study.

    Parameters
    ----------
    spec : StudySpec or path
        A validated spec or the path of a study TOML (see ``docs/study-spec.md``).
    progress : callable, optional
        Called with a short label before each step (the CLI's progress display).

    Returns
    -------
    StudyAnalysis

    Examples
    --------
    >>> from oncotrial.analysis import example_spec_path
    >>> a = analyze_study(example_spec_path())
    >>> a.results["response"]["pNET"]["orr"]["method"]
    'clopper-pearson'
    """
    step = progress or (lambda _label: None)
    if not isinstance(spec, StudySpec):
        spec = load_study_spec(spec)
    step("reading data")
    if detect_kind(spec.data) == "adam":  # ADaM in: no derivation (analysis/_adam.py)
        study, derived = adam_study(spec, step)
        ev = derived.settings["evaluator"]
    else:
        study = read_study(spec.data, data_cutoff=spec.data_cutoff)
        ev = _evaluator(study, spec)
        step("deriving ADaM datasets")
        has_lesions = len(study.lesions) > 0
        derived = derive_study(study, reference=spec.reference, confirm_days=spec.confirm_days,
                               sd_min_days=spec.sd_min_days, evaluator=ev,
                               responses_from="lesions" if has_lesions else "rs",
                               teae_window_days=spec.teae_window_days,
                               dor_basis="confirmed" if spec.confirmation else "unconfirmed",
                               conventions=spec.conventions, irecist=spec.irecist)
    param = "CBOR" if spec.confirmation else "BOR"
    subj = study.subjects.set_index("subject_id")
    adsl = derived.adsl.copy()
    for col in BASELINE_COLUMNS:
        if col in subj:
            adsl[col] = adsl["USUBJID"].map(subj[col])
    extra = [sg.column for sg in spec.subgroups] + list(spec.cox.covariates)
    extra += list(spec.comparisons.strata) if spec.comparisons else []
    for col in extra:
        if col in subj and col not in adsl:
            adsl[col] = lookup(adsl["USUBJID"], subj[col])
    if "cohort" in extra and "cohort" not in adsl:
        adsl["cohort"] = adsl["COHORT"]
    adsl = add_sets(adsl, derived.adrs, spec.sets, param, study.subjects)
    notes = _check_cohorts(adsl, spec)
    cohorts = cohorts_of(adsl, spec.cohort_order, spec.overall, spec.cohort_exclude)
    excluded = adsl["COHORT"].astype(str).isin(spec.cohort_exclude)
    flow_cohorts = [c for c in cohorts if c != ALL]
    if len(flow_cohorts) > 1 or len(flow_cohorts) < adsl["COHORT"].nunique():
        flow_cohorts.append(ALL)
    full_adsl, adsl = adsl, adsl[~excluded].reset_index(drop=True)
    use = dict(spec.analysis_sets)
    col = {a: set_column(s) for a, s in use.items()}
    res: dict = {"study": {"title": spec.title, "evaluator": ev, "response_parameter": param,
                           "cohorts": cohorts, "flow_cohorts": flow_cohorts,
                           "time_unit": spec.time_unit,
                           "days_per_unit": spec.days_per_unit,
                           "ctcae_version": spec.ctcae_version,
                           "ctcae_versions_in_data": ctcae_versions(study.adverse_events),
                           "grade_source": grade_source(study.adverse_events),
                           "analysis_sets": use,
                           "set_labels": {s.name: s.label for s in spec.sets},
                           "notes": notes},
                 "spec": spec.to_dict()}
    errors: dict[str, str] = {}
    step("populations and flow")
    res["flow"] = flow_counts(full_adsl, flow_cohorts, spec.sets)
    res["flow_excluded_cohorts"] = {str(k): int(v) for k, v in sorted(
        full_adsl.loc[excluded, "COHORT"].astype(str).value_counts().items())}
    res["baseline"] = isolated(errors, "baseline", baseline_table, adsl, cohorts, col["baseline"],
                               spec.baseline_bins)
    step("tumour response")
    res["response"] = isolated(errors, "response", response_table, adsl, derived.adrs,
                               derived.adtte, cohorts, spec, param, ev, pop=col["response"])
    res["subgroups"] = isolated(errors, "subgroups", subgroup_orr, adsl, derived.adrs, spec, param,
                                pop=col["subgroups"])
    eff = adsl[adsl[col["response"]].eq("Y")]
    res["response_plots"] = isolated(
        errors, "response_plots", lambda: response_plot_data(
            eff, derived.timepoints, derived.adtte, bor_by_subject(eff, derived.adrs, param),
            spec, ev))
    res["gmi"] = isolated(errors, "gmi", gmi_summary, derived.gmi, adsl, spec, ev,
                          pop=col["response"])
    step("survival (Kaplan-Meier, Cox)")
    surv = isolated(errors, "survival", km_analysis, adsl, derived.adtte, cohorts, spec, ev)
    res["survival"], curves = (surv, {}) if isinstance(surv, dict) else surv
    res["cox"] = isolated(errors, "cox", cox_analysis, adsl, derived.adtte, spec, ev)
    res["logrank"] = isolated(errors, "logrank", logrank_by_cohort, adsl, derived.adtte, cohorts,
                              spec, ev)
    res["comparisons"] = isolated(errors, "comparisons", comparisons, adsl, derived.adrs,
                                  derived.adtte, cohorts, spec, param, ev)
    step("adverse events")
    saf_adsl = adsl
    if spec.safety_by == "actual_arm":
        if "actual_arm" not in subj or subj["actual_arm"].isna().all():
            raise SpecEntryError(
                "`[cohorts].safety_by` of the study spec must name a column with values; got "
                "'actual_arm' (the subjects column 'actual_arm' is empty). Remove the key or "
                "add the actual arm (SDTM ACTARM) to the data.")
        act = lookup(adsl["USUBJID"], subj["actual_arm"]).astype("string")
        saf_adsl = adsl.assign(COHORT=act.fillna(adsl["COHORT"].astype("string")))
    res["study"]["safety_by"] = spec.safety_by
    res["safety"] = isolated(errors, "safety", safety_tables, saf_adsl, derived.adae, cohorts,
                             spec, col["safety"])
    res["twin"] = twin_provenance(spec, cohorts)
    if errors:
        res["errors"] = errors
    res["derivation"] = {"settings": {k: (num(v) if isinstance(v, int | float) else v)
                                      for k, v in derived.settings.items()},
                         "log_rows": len(derived.log)}
    res["analyses"] = results_metadata(res, spec, derived.settings)  # ARS-like metadata
    return StudyAnalysis(spec=spec, derived=derived, adsl=full_adsl, results=res,
                         curves=curves)


def _check_cohorts(adsl: pd.DataFrame, spec: StudySpec) -> list[str]:
    """Every cohort named in ``[cohorts].order``/``exclude`` exists, else an error (or, with
    ``[cohorts].optional = true``, a note)."""
    present = sorted(str(c) for c in adsl["COHORT"].dropna().unique())
    notes = []
    for key, names in (("order", spec.cohort_order), ("exclude", spec.cohort_exclude)):
        for i, c in enumerate(names):
            if c in present:
                continue
            if not spec.cohorts_optional:
                raise SpecEntryError(
                    f"`[cohorts].{key}[{i}]` of the study spec must be a cohort of the data "
                    f"(subjects column 'cohort': {present}); got {c!r}. Fix the name or set "
                    "[cohorts].optional = true.")
            notes.append(f"Cohort {c!r} of [cohorts].{key} is not in the data (optional).")
    return notes


def results_json(results: dict) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, numbers as :func:`num` made them.

    Examples
    --------
    >>> results_json({"b": 1, "a": [0.5, None]})
    '{\\n  "a": [\\n    0.5,\\n    null\\n  ],\\n  "b": 1\\n}\\n'
    """
    return json.dumps(results, sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
