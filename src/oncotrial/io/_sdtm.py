"""The SDTM reader: DM, DS, EX, AE (+SUPPAE), SUPPDM, TU, TR, RS -> the canonical data model.

Every mapping rule is listed in docs/data-model.md ("SDTM mapping"); tumour domains are in
:mod:`oncotrial.io._sdtm_tumor`, file discovery and SUPPxx merging in
:mod:`oncotrial.io._sdtm_files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial._errors import bad_value
from oncotrial.io._coerce import coerce_table, emit, map_values, upper
from oncotrial.io._dates import parse_dates
from oncotrial.io._issues import Issue
from oncotrial.io._schema import TABLES
from oncotrial.io._sdtm_conformance import (
    check_sdtm_variables,
    drop_repeated,
    is_checked_variable,
)
from oncotrial.io._sdtm_files import find_domain_files, merge_supp, read_domain
from oncotrial.io._sdtm_tumor import TR_READ, col, evaluator_of, map_lesions, map_responses
from oncotrial.io._study import MAPPING_LOG_COLUMNS, StudyData, empty_mapping_log, empty_table
from oncotrial.io._template import check_folder, finish_study

#: AEREL -> related (Y/N). "Related" = possible, probable or definite attribution (NCI CTEP
#: attribution scale: unrelated, unlikely, possible, probable, definite).
AEREL_MAP: dict[str, str] = {
    "Y": "Y", "YES": "Y", "RELATED": "Y", "POSSIBLE": "Y", "POSSIBLY RELATED": "Y",
    "PROBABLE": "Y", "PROBABLY RELATED": "Y", "DEFINITE": "Y", "DEFINITELY RELATED": "Y",
    "N": "N", "NO": "N", "NOT RELATED": "N", "NONE": "N", "UNRELATED": "N", "UNLIKELY": "N",
    "UNLIKELY RELATED": "N", "REMOTE": "N", "NOT SUSPECTED": "N",
}

#: AGEU -> years per unit.
AGE_UNITS: dict[str, float] = {"YEARS": 1.0, "MONTHS": 1 / 12, "WEEKS": 7 / 365.25,
                               "DAYS": 1 / 365.25}

#: DM ARMCD / ARM values marking subjects never assigned to treatment (enrolled_fl = N).
NOT_ENROLLED_ARMS = ("SCRNFAIL", "NOTASSGN", "SCREEN FAILURE", "NOT ASSIGNED")

#: (domain, variable) pairs whose dates prove the subject alive (last_alive_date).
ALIVE_SOURCES: tuple[tuple[str, str], ...] = (
    ("dm", "RFICDTC"), ("dm", "RFXSTDTC"), ("dm", "RFXENDTC"), ("ae", "AESTDTC"),
    ("ae", "AEENDTC"), ("ex", "EXSTDTC"), ("ex", "EXENDTC"), ("ds", "DSSTDTC"),
    ("tu", "TUDTC"), ("tr", "TRDTC"), ("rs", "RSDTC"))

#: TR variables of ALIVE_SOURCES (kept with :data:`TR_READ` after the conformance checks).
ALIVE_TR = frozenset(v for d, v in ALIVE_SOURCES if d == "tr")

_REQUIRED: dict[str, tuple[str, ...]] = {
    "dm": ("USUBJID", "ARM"), "ae": ("USUBJID", "AESEQ"), "ex": ("USUBJID", "EXTRT", "EXSTDTC"),
    "ds": ("USUBJID", "DSDECOD"), "tu": ("USUBJID", "TULNKID"),
    "tr": ("USUBJID", "TRTESTCD", "TRDTC", "TRLNKID"), "rs": ("USUBJID", "RSTESTCD", "RSDTC"),
    "suppae": ("USUBJID", "QNAM", "QVAL"), "suppdm": ("USUBJID", "QNAM", "QVAL"),
}


def _last_alive(dom: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Latest date of any listed domain variable per USUBJID (partial dates imputed to the first
    day they allow, as admiral's ``highest_imputation = "M"``, ``date_imputation = "first"``).
    DS records with DSDECOD DEATH are not evidence of being alive."""
    parts = []
    for d, var in ALIVE_SOURCES:
        df = dom.get(d)
        if df is None or var not in df.columns:
            continue
        if d == "ds":
            df = df[col(df, "DSDECOD").str.upper().ne("DEATH").fillna(True)]
        parts.append(pd.DataFrame({"id": df["USUBJID"], "d": parse_dates(df[var]).earliest}))
    if not parts:
        return pd.Series([], dtype="string")
    allp = pd.concat(parts, ignore_index=True).dropna()
    last = allp.groupby("id")["d"].max()
    return last.dt.strftime("%Y-%m-%d").astype("string")


def _disposition(ds: pd.DataFrame | None, file: str, logs: list[pd.DataFrame]) -> pd.DataFrame:
    """Per subject: eos_reason (last DISPOSITION EVENT), randomisation, consent, enrolment and
    death dates from DS milestones."""
    cols = ["eos_reason", "randomization_date", "ds_consent", "ds_enrol", "ds_death"]
    if ds is None or not len(ds):
        return pd.DataFrame(columns=cols)
    decod = col(ds, "DSDECOD").str.upper()
    cat = col(ds, "DSCAT").str.upper()
    start = parse_dates(col(ds, "DSSTDTC"))
    disp = (cat.eq("DISPOSITION EVENT") | cat.isna()).fillna(True).to_numpy(bool)
    work = ds.assign(_d=start.earliest, _seq=pd.to_numeric(col(ds, "DSSEQ"), errors="coerce"),
                     _decod=decod)
    ev = work[disp].sort_values(["USUBJID", "_d", "_seq"], na_position="first", kind="stable")
    last = ev.groupby("USUBJID").tail(1)
    out = pd.DataFrame(index=pd.Index(ds["USUBJID"].dropna().unique(), name="USUBJID"))
    out["eos_reason"] = last.set_index("USUBJID")["DSDECOD"]
    milestone = np.zeros(len(ds), bool)
    for name, code in (("randomization_date", "RANDOMIZED"),
                       ("ds_consent", "INFORMED CONSENT OBTAINED"), ("ds_enrol", "ENROLLED"),
                       ("ds_death", "DEATH")):
        m = (decod == code).fillna(False).to_numpy(bool)
        if m.any():
            first = work[m].sort_values("_d", na_position="last").drop_duplicates("USUBJID")
            out[name] = first.set_index("USUBJID")["DSSTDTC"]
            milestone |= m
        else:
            out[name] = pd.NA
    superseded = np.isin(ds.index, ev.index.difference(last.index)) & ~milestone
    if superseded.any():
        logs.append(pd.DataFrame({"file": file, "row": ds.loc[superseded, "source_row"],
                                  "reason": "disposition event superseded by a later one "
                                            "(eos_reason takes the last)"}))
    rest = ~disp & ~milestone
    if rest.any():
        logs.append(pd.DataFrame({
            "file": file, "row": ds.loc[rest, "source_row"],
            "reason": "DS " + cat[rest].fillna("") + " / " + decod[rest].fillna("")
                      + " is not part of the canonical model"}))
    return out.astype("string")


def _subjects(dm: pd.DataFrame, dom: Mapping[str, pd.DataFrame], files: Mapping[str, str],
              issues: list[Issue], logs: list[pd.DataFrame],
              supp_cols: set[str]) -> pd.DataFrame:
    ds = _disposition(dom.get("ds"), files.get("ds", "ds"), logs)
    ids = dm["USUBJID"]
    dsv = ds.reindex(ids.to_numpy())
    dsv.index = dm.index
    ageu = col(dm, "AGEU").str.upper()
    factor = map_values(ageu, AGE_UNITS).astype("float64")
    bad_u = (ageu.notna() & factor.isna()).to_numpy(bool)
    emit(issues, bad_u, dm, "AGEU", col(dm, "AGEU"), "one of " + ", ".join(AGE_UNITS),
         "unknown-code")
    age_num = pd.to_numeric(col(dm, "AGE"), errors="coerce") * factor.fillna(1.0)
    age = col(dm, "AGE").where(~(factor.notna() & (factor != 1.0)),
                               age_num.map(lambda v: repr(float(v)), na_action="ignore").astype("string"))
    armcd = col(dm, "ARMCD").str.upper()
    arm_u = col(dm, "ARM").str.upper()
    not_enr = (col(dm, "ARMNRS").notna() | armcd.isin(NOT_ENROLLED_ARMS)
               | arm_u.isin(NOT_ENROLLED_ARMS)).fillna(False).to_numpy(bool)
    alive = _last_alive(dom)
    raw = pd.DataFrame({
        "subject_id": ids, "cohort": col(dm, "ARM"), "arm": col(dm, "ARM"),
        "consent_date": col(dm, "RFICDTC").fillna(dsv["ds_consent"]),
        "enrol_date": dsv["ds_enrol"], "randomization_date": dsv["randomization_date"],
        "first_dose_date": col(dm, "RFXSTDTC"), "last_dose_date": col(dm, "RFXENDTC"),
        "death_date": col(dm, "DTHDTC").fillna(dsv["ds_death"]),
        "last_alive_date": ids.map(alive).astype("string"),
        "eos_reason": dsv["eos_reason"], "age": age, "sex": col(dm, "SEX"),
        "enrolled_fl": pd.Series(np.where(not_enr, "N", "Y"), index=dm.index),
        "safety_fl": pd.Series(np.where(col(dm, "RFXSTDTC").notna(), "Y", "N"), index=dm.index),
        "actual_arm": col(dm, "ACTARM"),
        "source_file": files["dm"], "source_row": dm["source_row"]})
    # SUPPDM: a QNAM equal to a canonical subjects column (upper-cased) fills that column.
    for c in TABLES["subjects"].column_names:
        q = c.upper()
        if q in supp_cols:
            raw[c] = raw[c].fillna(dm[q]) if c in raw else dm[q]
    return raw


_SUBJECT_COLMAP = {
    "subject_id": "USUBJID", "cohort": "ARM", "arm": "ARM", "consent_date": "RFICDTC",
    "enrol_date": "DS.DSSTDTC", "randomization_date": "DS.DSSTDTC",
    "first_dose_date": "RFXSTDTC", "last_dose_date": "RFXENDTC", "death_date": "DTHDTC",
    "last_alive_date": "(derived)", "eos_reason": "DS.DSDECOD", "age": "AGE", "sex": "SEX",
    "actual_arm": "ACTARM", "enrolled_fl": "ARMNRS/ARMCD", "safety_fl": "RFXSTDTC"}


def _adverse_events(ae: pd.DataFrame, file: str, issues: list[Issue]) -> pd.DataFrame:
    rel = col(ae, "AEREL")
    related = map_values(rel.str.upper(), AEREL_MAP).astype("string")
    bad = (rel.notna() & related.isna()).to_numpy(bool)
    emit(issues, bad, ae, "AEREL", rel, "one of " + ", ".join(AEREL_MAP), "unknown-code")
    grade = col(ae, "AETOXGR").str.upper().str.replace(r"^GRADE\s*", "", regex=True)
    return pd.DataFrame({
        "subject_id": ae["USUBJID"], "ae_id": ae["AESEQ"],
        "term": col(ae, "AEDECOD").fillna(col(ae, "AETERM")),
        "soc": col(ae, "AESOC").fillna(col(ae, "AEBODSYS")), "grade": grade,
        "severity": col(ae, "AESEV"), "ctcae_version": col(ae, "AETOXGRV"),
        "start_date": col(ae, "AESTDTC"), "end_date": col(ae, "AEENDTC"), "related": related,
        "serious": col(ae, "AESER"), "phase": col(ae, "EPOCH"),
        "treatment_emergent": col(ae, "AETRTEM").fillna(col(ae, "TRTEMFL")),
        "source_file": file, "source_row": ae["source_row"]})


_AE_COLMAP = {"subject_id": "USUBJID", "ae_id": "AESEQ", "term": "AEDECOD", "soc": "AESOC",
              "grade": "AETOXGR", "severity": "AESEV", "ctcae_version": "AETOXGRV",
              "start_date": "AESTDTC", "end_date": "AEENDTC", "related": "AEREL",
              "serious": "AESER", "phase": "EPOCH", "treatment_emergent": "SUPPAE.AETRTEM"}


def _exposure(ex: pd.DataFrame, file: str) -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ex["USUBJID"], "drug": col(ex, "EXTRT"), "start_date": col(ex, "EXSTDTC"),
        "end_date": col(ex, "EXENDTC"), "dose": col(ex, "EXDOSE"), "unit": col(ex, "EXDOSU"),
        "phase": col(ex, "EPOCH"), "source_file": file, "source_row": ex["source_row"]})


_EX_COLMAP = {"subject_id": "USUBJID", "drug": "EXTRT", "start_date": "EXSTDTC",
              "end_date": "EXENDTC", "dose": "EXDOSE", "unit": "EXDOSU", "phase": "EPOCH"}


def read_sdtm(path: str | Path, *, evaluator: str | None = None,
              domains: Mapping[str, str] | None = None, data_cutoff: object = None,
              _raise: bool = True) -> StudyData:
    """Read an SDTM folder (CSV, XPT v5/v8 or sas7bdat; one file per domain) into the model.

    Parameters
    ----------
    path : str or Path
        Folder with ``dm`` (required) and any of ``ds, ex, ae, suppae, suppdm, tu, tr, rs``
        (file names are matched case-insensitively, pharmaversesdtm names such as
        ``tr_onco.csv`` included; see docs/data-model.md "Which file is read").
    evaluator : str, optional
        Keep only lesion and response records of this evaluator (``--EVALID`` if present,
        else ``--EVAL``; e.g. ``'RADIOLOGIST 1'`` or ``'INVESTIGATOR'``, case-insensitive).
        Default: keep every evaluator (the ``evaluator`` column tells them apart).
    domains : mapping of str to str, optional
        Explicit file per domain, e.g. ``{"tu": "tu_onco_recist.csv", "tr":
        "tr_onco_recist.csv", "rs": "rs_onco_recist.csv"}`` (relative to ``path``).
    data_cutoff : str or date, optional
        Data cut-off (ISO 8601); dates after it are errors. Default: today (UTC).

        .. versionadded:: 0.2

    Returns
    -------
    StudyData
        ``kind='sdtm'``; ``mapping_log`` lists every source record not mapped, with the reason.

    Raises
    ------
    DataValidationError
        When any error is found (all problems of the folder, one pass).
    OncotrialValueError
        When ``path`` is not a folder or ``evaluator`` is not in the data.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "dm.csv").write_text("USUBJID,ARM,RFXSTDTC\\nS1,A,2020-01-02\\n")
    ...     d = read_sdtm(tmp)
    >>> d.subjects[["subject_id", "cohort", "first_dose_date", "last_alive_date"]].values.tolist()
    [['S1', 'A', '2020-01-02', '2020-01-02']]
    """
    folder = check_folder(path, "read_sdtm")
    issues: list[Issue] = []
    logs: list[pd.DataFrame] = []
    chosen = find_domain_files(folder, domains, issues)
    files = {d: p.name for d, p in chosen.items()}
    dom: dict[str, pd.DataFrame] = {}
    conformance: list[Issue] = []
    for d, p in chosen.items():
        df = read_domain(p, issues, columns=_tr_checked if d == "tr" else None)
        if df is None:
            continue
        missing = [v for v in _REQUIRED.get(d, ()) if v not in df.columns]
        for v in missing:
            issues.append(Issue(file=p.name, row=None, column=v, value=None,
                                expected=f"required {d.upper()} variable", rule="missing-column"))
        if missing:
            continue
        dom[d] = df.assign(source_row=np.arange(1, len(df) + 1, dtype="int64"), source_file=p.name)
        # every --DTC / numeric variable, used or not
        conformance += check_sdtm_variables({d: dom[d]})
        if d == "tr":  # issue 21: TR variables read by nothing below are let go now
            dom[d] = dom[d][[c for c in dom[d].columns if _tr_used(c)]]
    tables = {name: empty_table(t) for name, t in TABLES.items()}
    colmaps: dict[str, dict[str, str]] = {}
    if "dm" not in chosen:
        issues.append(Issue(file=str(folder), row=None, column=None, value=None,
                            expected="a DM file (dm.csv, dm.xpt or dm.sas7bdat)",
                            rule="missing-file"))
    if evaluator is not None:
        evaluator = _check_evaluator(evaluator, dom)
    supp_cols: set[str] = set()
    for d, parent in (("suppae", "ae"), ("suppdm", "dm")):
        if d in dom and parent in dom:
            before = set(dom[parent].columns)
            keep = {"AETRTEM"} if d == "suppae" else {c.upper() for c in
                                                      TABLES["subjects"].column_names}
            dom[parent], log = merge_supp(dom[parent], dom[d].drop(columns=["source_row", "source_file"]),
                                          parent.upper(), files[d], keep)
            logs.append(log)
            if parent == "dm":
                supp_cols = set(dom["dm"].columns) - before
    for d in ("tu", "tr", "rs"):
        if evaluator is not None and d in dom:
            ev = upper(evaluator_of(dom[d], d.upper()))
            other = (ev != evaluator).to_numpy(bool)
            logs.append(pd.DataFrame({"file": files[d], "row": dom[d].loc[other, "source_row"],
                                      "reason": f"evaluator is not {evaluator} (evaluator=)"}))
            dom[d] = dom[d][~other]
    raws: dict[str, tuple[pd.DataFrame, dict[str, str]]] = {}
    if "dm" in dom:
        raws["subjects"] = (_subjects(dom["dm"], dom, files, issues, logs, supp_cols), _SUBJECT_COLMAP)
    if "ae" in dom:
        raws["adverse_events"] = (_adverse_events(dom["ae"], files["ae"], issues), _AE_COLMAP)
    if "ex" in dom:
        raws["exposure"] = (_exposure(dom["ex"], files["ex"]), _EX_COLMAP)
    if "tr" in dom:
        # dom.pop: TR, the big domain, is held by map_lesions alone, which lets each of its
        # variables go once read (issue 21: peak memory at x100)
        raws["lesions"] = map_lesions(dom.get("tu"), dom.pop("tr"), tu_file=files.get("tu"),
                                      tr_file=files["tr"], issues=issues, logs=logs)
    elif "tu" in dom:
        logs.append(pd.DataFrame({"file": files["tu"], "row": dom["tu"]["source_row"],
                                  "reason": "TU without TR: no measurements to map"}))
    if "rs" in dom:
        raws["responses"] = map_responses(dom.pop("rs"), rs_file=files["rs"], issues=issues,
                                          logs=logs)
    dom.clear()  # the domain frames are mapped: only the canonical tables are needed now
    for name, (raw, cmap) in raws.items():
        tables[name], found = coerce_table(raw, TABLES[name], file=files.get(name, name),
                                           colmap=cmap, check_columns=False, clean=False)
        issues.extend(found)
        colmaps[name] = cmap
    log = _concat_logs(logs)
    issues.extend(drop_repeated(issues, conformance))
    return finish_study(tables, issues, kind="sdtm", source=str(folder), mapping_log=log,
                        colmaps=colmaps, raise_errors=_raise, data_cutoff=data_cutoff)


def _tr_used(name: str) -> bool:
    """TR variables the reader maps (or uses for the last-alive date)."""
    return name in TR_READ or name in ALIVE_TR or name in ("source_row", "source_file")


def _tr_checked(name: str) -> bool:
    """TR variables read at all: the used ones and those the conformance checks look at
    (issue 21: TR is the big domain; the others are never converted from CSV)."""
    return _tr_used(name) or is_checked_variable(name)


def _check_evaluator(evaluator: str, dom: Mapping[str, pd.DataFrame]) -> str:
    seen: set[str] = set()
    for d in ("tr", "rs"):
        if d in dom:
            seen |= set(evaluator_of(dom[d], d.upper()).str.upper().dropna())
    ev = str(evaluator).strip().upper()
    if seen and ev not in seen:
        raise bad_value("evaluator", "read_sdtm", "an evaluator present in TR/RS",
                        evaluator, "Available: " + ", ".join(sorted(seen)) + ".")
    return ev


def _concat_logs(logs: list[pd.DataFrame]) -> pd.DataFrame:
    logs = [lg for lg in logs if len(lg)]
    if not logs:
        return empty_mapping_log()
    out = pd.concat(logs, ignore_index=True)[list(MAPPING_LOG_COLUMNS)]
    out = out.astype({"file": "string", "row": "int64", "reason": "string"})
    return out.sort_values(["file", "row"], kind="stable").reset_index(drop=True)


__all__ = ["AEREL_MAP", "AGE_UNITS", "ALIVE_SOURCES", "NOT_ENROLLED_ARMS", "read_sdtm"]
