"""Clinical plausibility of typed canonical tables: data that cannot be true are errors.

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
no-subjects                  subjects has no rows although other tables have records (each
                             record is then also an ``unknown-subject`` error)
date-after-cutoff            a date certainly after the data cut-off (``data_cutoff``; default:
                             today, UTC) — e.g. a death in 2099
implausible-date             a date certainly before 1950-01-01 (``MIN_PLAUSIBLE_DATE``) — e.g. a
                             first dose in 1900
implausible-diameter         a lesion diameter above 1000 mm (``MAX_DIAMETER_MM``) — e.g. 1e308
assessment-after-death       a tumour assessment certainly after the subject's death
alive-after-death            the last-known-alive date certainly after the death date
new-lesion-at-baseline       a NEW lesion at the subject's first tumour assessment (RECIST 1.1
                             section 4.3: new lesions appear after baseline)
lesion-after-baseline        (warning) a target or non-target lesion first recorded after the
                             first assessment (RECIST 1.1 section 4.2 selects them at baseline;
                             derive excludes these records from the sums and logs them)
baseline-after-first-dose    the first lesion assessment is certainly after the first dose
                             (the subject has no pre-treatment baseline; RECIST 1.1 section 3.2
                             asks for it within 4 weeks before treatment), so a later scan would
                             otherwise silently serve as the baseline

"Certainly" is the partial-date rule of :mod:`oncotrial.io._checks`: ``A`` is certainly after
``B`` iff ``earliest(A) > latest(B)``.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247, sections 3.2, 4.2, 4.3.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncotrial._errors import bad_value
from oncotrial.io._coerce import emit, map_values
from oncotrial.io._dates import date_bounds, parse_dates
from oncotrial.io._issues import Issue
from oncotrial.io._schema import TABLES

__all__ = ["MAX_DIAMETER_MM", "MIN_PLAUSIBLE_DATE", "check_cutoff", "check_plausibility"]

#: No study date (dose, assessment, AE, prior therapy, death) is plausibly before this day.
MIN_PLAUSIBLE_DATE = pd.Timestamp("1950-01-01")
#: No tumour diameter is plausibly above 1 m.
MAX_DIAMETER_MM = 1000.0


def check_cutoff(data_cutoff: object, func: str = "read_study") -> pd.Timestamp:
    """The data cut-off as a day; None means today (UTC).

    Examples
    --------
    >>> check_cutoff("2024-01-31")
    Timestamp('2024-01-31 00:00:00')
    >>> try:
    ...     check_cutoff("2024-13-01")
    ... except ValueError as e:
    ...     print(str(e)[:68])
    `data_cutoff` of `read_study` must be an ISO 8601 date YYYY-MM-DD; g
    """
    if data_cutoff is None:
        return pd.Timestamp(datetime.datetime.now(datetime.UTC).date())
    if isinstance(data_cutoff, datetime.date):
        return pd.Timestamp(data_cutoff.isoformat()[:10])
    p = parse_dates(pd.Series([str(data_cutoff)], dtype=object))
    if p.status[0] != "full":
        raise bad_value("data_cutoff", func, "an ISO 8601 date YYYY-MM-DD", data_cutoff,
                        "E.g. --data-cutoff 2024-01-31.")
    return pd.Timestamp(p.earliest.iloc[0])


def _name(colmaps, table: str, col: str) -> str:
    return colmaps.get(table, {}).get(col, col)


def _date_ranges(tables, colmaps, cutoff: pd.Timestamp, issues: list[Issue]) -> None:
    for name, table in TABLES.items():
        df = tables[name]
        if df.empty:
            continue
        for c in table.columns:
            if c.kind != "date" or c.name not in df:
                continue
            lo, hi = date_bounds(df[c.name])
            cn = _name(colmaps, name, c.name)
            emit(issues, (lo > cutoff).fillna(False).to_numpy(bool), df, cn, df[c.name],
                 f"a date on or before the data cut-off {cutoff:%Y-%m-%d} (pass "
                 "--data-cutoff / [study].data_cutoff if the data are newer)",
                 "date-after-cutoff")
            emit(issues, (hi < MIN_PLAUSIBLE_DATE).fillna(False).to_numpy(bool), df, cn,
                 df[c.name], f"a date on or after {MIN_PLAUSIBLE_DATE:%Y-%m-%d}",
                 "implausible-date")


def _per_subject(subjects: pd.DataFrame, col: str) -> pd.Series:
    s = subjects.dropna(subset=["subject_id"]).drop_duplicates("subject_id")
    return s.set_index("subject_id")[col]


def _mapped(ids: pd.Series, values: pd.Series) -> pd.Series:
    out = map_values(ids, values.to_dict()) if len(values) else pd.Series(pd.NA, index=ids.index)
    return out.astype("string")


def _after(a: pd.Series, b: pd.Series) -> np.ndarray:
    """``a`` certainly after ``b``: earliest(a) > latest(b)."""
    lo_a, _ = date_bounds(a)
    _, hi_b = date_bounds(b)
    lo_a.index = hi_b.index = a.index
    return (lo_a > hi_b).fillna(False).to_numpy(bool)


def _death_rules(tables, colmaps, issues: list[Issue]) -> None:
    subj = tables["subjects"]
    if subj.empty:
        return
    death = _per_subject(subj, "death_date")
    dn = _name(colmaps, "subjects", "death_date")
    for name in ("lesions", "responses"):
        df = tables[name]
        if df.empty:
            continue
        d = _mapped(df["subject_id"], death)
        an = _name(colmaps, name, "assessment_date")
        emit(issues, _after(df["assessment_date"], d), df, an,
             lambda df=df, d=d, an=an: (an + " " + df["assessment_date"].fillna("") + " > "
                                        + dn + " " + d.fillna("")),
             f"an assessment on or before the subject's {dn}", "assessment-after-death")
    la = _name(colmaps, "subjects", "last_alive_date")
    emit(issues, _after(subj["last_alive_date"], subj["death_date"]), subj, la,
         lambda: (la + " " + subj["last_alive_date"].fillna("") + " > " + dn + " "
                  + subj["death_date"].fillna("")), f"{la} on or before {dn}", "alive-after-death")


def _lesion_rules(tables, colmaps, issues: list[Issue]) -> None:
    les = tables["lesions"]
    if not les.empty:
        dia = les["diameter"].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            big = dia > MAX_DIAMETER_MM
        emit(issues, big, les, _name(colmaps, "lesions", "diameter"), les["diameter"],
             f"a diameter <= {MAX_DIAMETER_MM:g} mm", "implausible-diameter")
        dates = pd.to_datetime(les["assessment_date"], errors="coerce")
        key = [les["subject_id"], les["evaluator"]]
        first = dates.groupby(key, sort=False, dropna=False).transform("min")
        at_first = (dates == first).fillna(False).to_numpy(bool)
        cls = les["lesion_class"]
        lc = _name(colmaps, "lesions", "lesion_class")
        emit(issues, at_first & cls.eq("NEW").fillna(False).to_numpy(bool), les, lc, cls,
             "TARGET or NON-TARGET at the first (baseline) assessment; a NEW lesion cannot "
             "be present at baseline (record it as a non-target lesion)",
             "new-lesion-at-baseline")
        bl_cls = cls.isin(["TARGET", "NON-TARGET"]).fillna(False)
        lesion_first = dates.where(bl_cls).groupby(
            [les["subject_id"], les["evaluator"], les["lesion_id"]], sort=False,
            dropna=False).transform("min")
        late = (bl_cls & (lesion_first > first).fillna(False)
                & (dates == lesion_first).fillna(False)).to_numpy(bool)
        emit(issues, late, les, _name(colmaps, "lesions", "lesion_id"), les["lesion_id"],
             "target and non-target lesions recorded at the first (baseline) assessment; "
             "this one first appears later (record it at baseline, or as a NEW lesion; "
             "derive excludes it from the sums)",
             "lesion-after-baseline", severity="warning")
    subj = tables["subjects"]
    if subj.empty:
        return
    fd = _per_subject(subj, "first_dose_date")
    fdn = _name(colmaps, "subjects", "first_dose_date")
    for name in ("lesions",):  # responses (RS) are post-baseline time points by definition
        df = tables[name]
        if df.empty:
            continue
        dates = pd.to_datetime(df["assessment_date"], errors="coerce")
        first = dates.groupby([df["subject_id"], df["evaluator"]], sort=False,
                              dropna=False).transform("min")
        row = (dates == first).fillna(False) & ~df.duplicated(["subject_id", "evaluator",
                                                                "assessment_date"])
        sub = df[row.to_numpy(bool)]
        d = _mapped(sub["subject_id"], fd)
        an = _name(colmaps, name, "assessment_date")
        emit(issues, _after(sub["assessment_date"], d), sub, an,
             an + " " + sub["assessment_date"].fillna("") + " > " + fdn + " " + d.fillna(""),
             f"a baseline assessment on or before the subject's {fdn} (RECIST 1.1 3.2)",
             "baseline-after-first-dose")


def _no_subjects(tables, colmaps, issues: list[Issue]) -> None:
    if not tables["subjects"].empty:
        return
    others = [n for n in ("lesions", "responses", "adverse_events", "exposure", "prior_therapy")
              if not tables[n].empty]
    if not others:
        return
    issues.append(Issue(file=TABLES["subjects"].file, row=None, column=None, value=None,
                        expected="at least one subject; the file has no data rows but "
                                 + ", ".join(f"{n} has {len(tables[n])}" for n in others),
                        rule="no-subjects"))
    for n in others:
        df = tables[n]
        emit(issues, df["subject_id"].notna().to_numpy(bool), df,
             _name(colmaps, n, "subject_id"), df["subject_id"],
             "a subject_id listed in subjects", "unknown-subject")


def check_plausibility(tables: Mapping[str, pd.DataFrame],
                       colmaps: Mapping[str, Mapping[str, str]] | None = None,
                       data_cutoff: object = None, *,
                       empty_subjects: bool = True) -> list[Issue]:
    """Every plausibility rule of the module on typed canonical tables; returns the findings.

    ``empty_subjects=False`` skips the ``no-subjects`` rule (the readers do when a file-level
    error, such as a missing or unreadable subjects file, already explains the empty table).

    Examples
    --------
    >>> from oncotrial.io._study import StudyData
    >>> d = StudyData()
    >>> d.subjects = pd.DataFrame({"subject_id": ["S1"], "death_date": ["2099-01-01"],
    ...     "first_dose_date": ["1900-05-01"], "last_alive_date": [pd.NA],
    ...     "source_file": ["subjects.csv"], "source_row": [1]}).astype(
    ...     {"last_alive_date": "string"})
    >>> sorted(i.rule for i in check_plausibility(d.tables(), data_cutoff="2024-06-30"))
    ['date-after-cutoff', 'implausible-date']
    """
    colmaps = colmaps or {}
    cutoff = check_cutoff(data_cutoff)
    issues: list[Issue] = []
    if empty_subjects:
        _no_subjects(tables, colmaps, issues)
    _date_ranges(tables, colmaps, cutoff, issues)
    _death_rules(tables, colmaps, issues)
    _lesion_rules(tables, colmaps, issues)
    return issues
