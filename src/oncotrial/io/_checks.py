"""Cross-record and cross-table validation of typed canonical tables.

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
duplicate-subject           a subject_id appears twice in subjects
duplicate-measurement       two lesion records share subject, evaluator, assessment date and lesion
duplicate-record            two records share the key of responses, adverse_events, exposure or
                            prior_therapy (see the ``key`` of each table in docs/data-model.md)
unknown-subject             a lesion/response/AE/exposure/prior-therapy row names a subject that
                            is not in subjects
death-before-first-dose     the death date is certainly before the first dose
alive-before-reference      the last date known alive is certainly before the first dose or the
                            randomisation date (overall survival would be negative)
end-before-start            an end date is certainly before its start (subjects' last/first dose,
                            AE, exposure, prior therapy end and progression)
assessment-before-consent   a tumour assessment is certainly before informed consent
too-many-targets            (warning) more than 5 target lesions for one subject and evaluator
too-many-targets-per-organ  (warning) more than 2 target lesions in one organ (site)

"Certainly" is the partial-date rule: with ``earliest``/``latest`` the first/last day a
(partial) date allows, ``A`` is certainly before ``B`` iff ``latest(A) < earliest(B)``. When the
order is uncertain nothing is reported. Limits 5 and 2 are RECIST 1.1 section 4.3 [1]_.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247, section 4.3 (baseline documentation of
   target lesions: maximum five in total, two per organ).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncotrial._frame import isin
from oncotrial.io._coerce import emit
from oncotrial.io._dates import date_bounds
from oncotrial.io._issues import Issue
from oncotrial.io._schema import TABLES

#: RECIST 1.1 section 4.3: at most five target lesions in total ...
MAX_TARGETS_PER_SUBJECT = 5
#: ... and at most two per organ.
MAX_TARGETS_PER_ORGAN = 2

_SUBJECT_TABLES = ("lesions", "responses", "adverse_events", "exposure", "prior_therapy")


def _name(colmaps: Mapping[str, Mapping[str, str]], table: str, col: str) -> str:
    return colmaps.get(table, {}).get(col, col)


def _duplicates(tables: Mapping[str, pd.DataFrame], colmaps, issues: list[Issue]) -> None:
    for name, table in TABLES.items():
        df = tables[name]
        if df.empty:
            continue
        key = list(table.key)
        sub = df[df[key].notna().all(axis=1)]
        later = sub.duplicated(key, keep="first")
        if not later.any():
            continue
        first_row = sub.groupby(key, sort=False)["source_row"].transform("first")
        rule = {"subjects": "duplicate-subject", "lesions": "duplicate-measurement"}.get(
            name, "duplicate-record")
        keycols = ", ".join(_name(colmaps, name, k) for k in key)
        rows = sub[later.to_numpy()]
        keytext = rows[key].astype("string").agg(" / ".join, axis=1)
        firsts = first_row[later.to_numpy()]
        for (_, r), kt, fr in zip(rows.iterrows(), keytext, firsts, strict=True):
            issues.append(Issue(
                file=str(r["source_file"]), row=int(r["source_row"]),
                column=_name(colmaps, name, key[-1]), value=str(kt),
                expected=f"unique ({keycols}); same key first at row {int(fr)}",
                rule=rule))


def _unknown_subjects(tables, colmaps, issues: list[Issue]) -> None:
    subjects = tables["subjects"]
    if subjects.empty:
        return
    known = subjects["subject_id"].dropna()
    for name in _SUBJECT_TABLES:
        df = tables[name]
        if df.empty:
            continue
        bad = (df["subject_id"].notna() & ~isin(df["subject_id"], known)).to_numpy()
        emit(issues, bad, df, _name(colmaps, name, "subject_id"), df["subject_id"],
             "a subject_id listed in subjects", "unknown-subject")


def _before(df: pd.DataFrame, first: str, second: str) -> np.ndarray:
    """Rows where column ``first`` is certainly before column ``second`` (latest < earliest)."""
    _, latest_first = date_bounds(df[first])
    earliest_second, _ = date_bounds(df[second])
    return (latest_first < earliest_second).fillna(False).to_numpy(dtype=bool)


def _pair_text(df: pd.DataFrame, a: str, b: str, an: str, bn: str) -> pd.Series:
    return an + " " + df[a].fillna("") + " < " + bn + " " + df[b].fillna("")


def _alive_before_reference(subjects: pd.DataFrame, colmaps, issues: list[Issue]) -> None:
    """Last known alive certainly before a reference date: OS (from that date) < 0 days."""
    if "last_alive_date" not in subjects.columns:
        return
    la = _name(colmaps, "subjects", "last_alive_date")
    for ref in ("first_dose_date", "randomization_date"):
        if ref not in subjects.columns:
            continue
        bad = _before(subjects, "last_alive_date", ref)
        rn = _name(colmaps, "subjects", ref)
        def text(ref: str = ref, rn: str = rn) -> pd.Series:
            return ("subject " + subjects["subject_id"].astype("string").fillna("?") + ": "
                    + la + " " + subjects["last_alive_date"].fillna("") + " < " + rn + " "
                    + subjects[ref].fillna(""))
        emit(issues, bad, subjects, la, text,
             f"{la} on or after {rn} (overall survival from {rn} would be negative); correct "
             f"either date", "alive-before-reference")


def _order_rules(tables, colmaps, issues: list[Issue]) -> None:
    subjects = tables["subjects"]
    if not subjects.empty:
        d, f = (_name(colmaps, "subjects", c) for c in ("death_date", "first_dose_date"))
        emit(issues, _before(subjects, "death_date", "first_dose_date"), subjects, d,
             lambda: _pair_text(subjects, "death_date", "first_dose_date", d, f),
             f"{d} on or after {f}", "death-before-first-dose")
        _alive_before_reference(subjects, colmaps, issues)
        ld = _name(colmaps, "subjects", "last_dose_date")
        emit(issues, _before(subjects, "last_dose_date", "first_dose_date"), subjects, ld,
             lambda: _pair_text(subjects, "last_dose_date", "first_dose_date", ld, f),
             f"{ld} on or after {f}", "end-before-start")
    pairs = (("adverse_events", "end_date", "start_date"),
             ("exposure", "end_date", "start_date"),
             ("prior_therapy", "end_date", "start_date"),
             ("prior_therapy", "progression_date", "start_date"))
    for name, end, start in pairs:
        df = tables[name]
        if df.empty:
            continue
        en, sn = _name(colmaps, name, end), _name(colmaps, name, start)
        emit(issues, _before(df, end, start), df, en,
             lambda df=df, end=end, start=start, en=en, sn=sn: _pair_text(df, end, start, en, sn),
             f"{en} on or after {sn}", "end-before-start")
    if subjects.empty:
        return
    consent = subjects.drop_duplicates("subject_id").set_index("subject_id")["consent_date"]
    for name in ("lesions", "responses"):
        df = tables[name]
        if df.empty:
            continue
        tmp = pd.DataFrame({"a": df["assessment_date"],
                            "c": df["subject_id"].map(consent).astype("string")})
        an = _name(colmaps, name, "assessment_date")
        cn = _name(colmaps, "subjects", "consent_date")
        emit(issues, _before(tmp, "a", "c"), df, an,
             lambda tmp=tmp, an=an, cn=cn: _pair_text(tmp, "a", "c", an, cn),
             f"{an} on or after the subject's {cn}", "assessment-before-consent")


def _target_counts(tables, colmaps, issues: list[Issue]) -> None:
    les = tables["lesions"]
    if les.empty:
        return
    tgt = les[les["lesion_class"] == "TARGET"]
    if tgt.empty:
        return
    first = tgt.drop_duplicates(["subject_id", "evaluator", "lesion_id"])
    lid = _name(colmaps, "lesions", "lesion_id")
    n = first.groupby(["subject_id", "evaluator"], sort=False)["lesion_id"].transform("size")
    over = first[(n > MAX_TARGETS_PER_SUBJECT).to_numpy()]
    over = over.drop_duplicates(["subject_id", "evaluator"])
    cnt = n[over.index]
    emit(issues, np.ones(len(over), bool), over, lid,
         pd.Series([f"{k} target lesions" for k in cnt], index=over.index),
         f"at most {MAX_TARGETS_PER_SUBJECT} target lesions per subject (RECIST 1.1 4.3)",
         "too-many-targets", severity="warning")
    organ = first["site"].str.upper()
    has = organ.notna()
    g = first[has.to_numpy()].assign(_o=organ[has])
    if g.empty:
        return
    m = g.groupby(["subject_id", "evaluator", "_o"], sort=False)["lesion_id"].transform("size")
    over = g[(m > MAX_TARGETS_PER_ORGAN).to_numpy()].drop_duplicates(
        ["subject_id", "evaluator", "_o"])
    cnt = m[over.index]
    emit(issues, np.ones(len(over), bool), over, _name(colmaps, "lesions", "site"),
         pd.Series([f"{k} target lesions in {o}" for k, o in zip(cnt, over["_o"], strict=True)],
                   index=over.index),
         f"at most {MAX_TARGETS_PER_ORGAN} target lesions per organ (RECIST 1.1 4.3)",
         "too-many-targets-per-organ", severity="warning")


def check_study(tables: Mapping[str, pd.DataFrame],
                colmaps: Mapping[str, Mapping[str, str]] | None = None) -> list[Issue]:
    """Run every cross-record rule on typed canonical tables; return the findings.

    Parameters
    ----------
    tables : mapping of str to pd.DataFrame
        The six canonical tables (typed, with provenance columns).
    colmaps : mapping, optional
        Per table, canonical -> source column names used in messages.

    Returns
    -------
    list of Issue

    Examples
    --------
    >>> from oncotrial.io._study import StudyData
    >>> d = StudyData()
    >>> d.subjects = pd.DataFrame({"subject_id": ["S1", "S1"], "first_dose_date": ["2020-01-05"] * 2,
    ...     "death_date": ["2020-01", pd.NA], "last_dose_date": [pd.NA] * 2,
    ...     "consent_date": [pd.NA] * 2, "source_file": ["subjects.csv"] * 2,
    ...     "source_row": [1, 2]}).astype({"death_date": "string", "last_dose_date": "string",
    ...     "consent_date": "string"})
    >>> [i.rule for i in check_study(d.tables())]  # 2020-01 may be after 2020-01-05: no error
    ['duplicate-subject']
    """
    colmaps = colmaps or {}
    issues: list[Issue] = []
    _duplicates(tables, colmaps, issues)
    _unknown_subjects(tables, colmaps, issues)
    _order_rules(tables, colmaps, issues)
    _target_counts(tables, colmaps, issues)
    return issues


__all__ = ["MAX_TARGETS_PER_ORGAN", "MAX_TARGETS_PER_SUBJECT", "check_study"]
