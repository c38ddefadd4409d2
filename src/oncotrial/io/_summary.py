"""A descriptive overview of one study (what ``oncotrial demo`` prints).

Only counts and simple descriptive statistics taken directly from the canonical tables; no
RECIST derivation (that is ``oncotrial.derive``) and no inference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncotrial._result import Result
from oncotrial.io._dates import date_bounds
from oncotrial.io._study import StudyData

#: CTCAE grades 1-5 [1]_; "none" = no AE with a grade.
GRADES = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class StudySummary(Result):
    """Per-cohort overview of a study.

    Attributes
    ----------
    subjects : pd.DataFrame
        Per cohort: subjects, enrolled/safety flags, median age, % female, deaths.
    tumour : pd.DataFrame
        Per cohort: subjects with lesion data, assessment time points (distinct subject,
        evaluator, date), target lesions at the first assessment, median sum of target
        diameters at the first assessment (mm; TOO SMALL TO MEASURE counted as 5 mm [2]_).
    adverse_events : pd.DataFrame
        Per cohort: AE records and subjects by worst CTCAE grade (``none`` = no graded AE).
    exposure : pd.DataFrame
        Per cohort: treated subjects and median days on treatment (last end - first start + 1).

    References
    ----------
    .. [1] NCI. Common Terminology Criteria for Adverse Events (CTCAE) v5.0, 2017.
    .. [2] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247 (RECIST 1.1), appendix I:
       lesions too small to measure are recorded as 5 mm.
    """

    subjects: pd.DataFrame
    tumour: pd.DataFrame
    adverse_events: pd.DataFrame
    exposure: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Subjects, tumour, AE and exposure overview side by side, one row per cohort."""
        return pd.concat([self.subjects, self.tumour, self.adverse_events, self.exposure],
                         axis=1)


def _median(s: pd.Series) -> float:
    s = s.dropna()
    return float(np.median(s)) if len(s) else float("nan")


def summarize_study(data: StudyData) -> StudySummary:
    """Describe a study per cohort (counts and medians from the canonical tables).

    Parameters
    ----------
    data : StudyData

    Returns
    -------
    StudySummary

    Examples
    --------
    >>> from oncotrial.io import example_data_path, read_template
    >>> s = summarize_study(read_template(example_data_path()))
    >>> s.subjects["subjects"].to_dict()
    {'pNET': 10, 'siNET': 10}
    """
    subj = data.subjects
    cohort = subj.drop_duplicates("subject_id").set_index("subject_id")["cohort"]
    cohorts = pd.Index(sorted(subj["cohort"].dropna().unique()), name="cohort")
    g = subj.groupby("cohort")
    s_tab = pd.DataFrame({
        "subjects": g["subject_id"].nunique(),
        "enrolled": g["enrolled_fl"].apply(lambda x: int((x == "Y").sum())),
        "safety": g["safety_fl"].apply(lambda x: int((x == "Y").sum())),
        "median_age": g["age"].apply(_median),
        "female_pct": g["sex"].apply(lambda x: 100.0 * float((x == "F").mean())),
        "deaths": g["death_date"].apply(lambda x: int(x.notna().sum())),
    }).reindex(cohorts)
    s_tab = s_tab.astype({c: "int64" for c in ("subjects", "enrolled", "safety", "deaths")})

    les = data.lesions.assign(cohort=data.lesions["subject_id"].map(cohort))
    tp = les.drop_duplicates(["subject_id", "evaluator", "assessment_date"])
    tgt = les[les["lesion_class"] == "TARGET"]
    first_date = tgt.groupby(["subject_id", "evaluator"])["assessment_date"].transform("min")
    base = tgt[tgt["assessment_date"] == first_date]
    base_d = base["diameter"].where(base["status"].ne("TOO SMALL TO MEASURE").fillna(True), 5.0)
    sld = base.assign(d=base_d).groupby(["cohort", "subject_id", "evaluator"])["d"].sum(
        min_count=1).groupby("cohort").apply(_median)
    t_tab = pd.DataFrame({
        "with_lesions": les.groupby("cohort")["subject_id"].nunique(),
        "assessments": tp.groupby("cohort").size(),
        "baseline_targets": base.groupby("cohort").size(),
        "median_baseline_sld_mm": sld,
    }).reindex(cohorts).fillna({"with_lesions": 0, "assessments": 0, "baseline_targets": 0})
    t_tab = t_tab.astype({c: "int64" for c in ("with_lesions", "assessments",
                                                 "baseline_targets")})

    ae = data.adverse_events.assign(cohort=data.adverse_events["subject_id"].map(cohort))
    worst = ae.groupby("subject_id")["grade"].max()
    per_subject = pd.DataFrame({"cohort": cohort})
    per_subject["worst"] = per_subject.index.map(worst)
    a_tab = pd.DataFrame({"ae_records": ae.groupby("cohort").size()}).reindex(cohorts)
    for gr in GRADES:
        a_tab[f"worst_grade_{gr}"] = per_subject[per_subject["worst"] == gr].groupby(
            "cohort").size().reindex(cohorts)
    a_tab["worst_grade_none"] = per_subject[per_subject["worst"].isna()].groupby(
        "cohort").size().reindex(cohorts)
    a_tab = a_tab.fillna(0).astype("int64")

    ex = data.exposure
    lo, _ = date_bounds(ex["start_date"])
    _, hi = date_bounds(ex["end_date"].fillna(ex["start_date"]))
    span = pd.DataFrame({"subject_id": ex["subject_id"], "lo": lo, "hi": hi}).groupby(
        "subject_id").agg(lo=("lo", "min"), hi=("hi", "max"))
    days = ((span["hi"] - span["lo"]).dt.days + 1).rename("days").to_frame()
    days["cohort"] = days.index.map(cohort)
    e_tab = pd.DataFrame({
        "treated": days.groupby("cohort").size(),
        "median_days_on_treatment": days.groupby("cohort")["days"].apply(_median),
    }).reindex(cohorts).fillna({"treated": 0}).astype({"treated": "int64"})
    return StudySummary(subjects=s_tab, tumour=t_tab, adverse_events=a_tab, exposure=e_tab)


__all__ = ["StudySummary", "summarize_study"]
