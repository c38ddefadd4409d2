"""The ADaM rules the analyses depend on, checked cell by cell, and typing of ADaM text cells.

Each finding is an :class:`~oncotrial.io._issues.Issue` with the file, the 1-based data row
(row 1 = first record) and the variable, so ``oncotrial validate`` prints them in its table.

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
missing-file          no ADSL file in the folder
missing-column        a variable the analysis needs is absent (ADSL ``USUBJID`` and one of
                      ``TRT01P``/``TRT01A``; ADRS ``USUBJID, PARAMCD, AVALC``; ADTTE
                      ``USUBJID, PARAMCD, AVAL, CNSR``; ADAE ``USUBJID, AEDECOD``; ADTR
                      ``USUBJID, PARAMCD, AVAL``)
missing-value         an empty ``USUBJID``, ``PARAMCD``, ADTTE ``AVAL``/``CNSR`` or ADSL arm
duplicate-subject     more than one ADSL record for a ``USUBJID`` (ADaMIG 3.1: one per subject)
duplicate-record      more than one analysis record for a subject and a subject-level
                      parameter (ADTTE: every ``PARAMCD``; ADRS: best-response and baseline
                      parameters), counted among ``ANL01FL = 'Y'`` records when ANL01FL exists
paramcd-param         ``PARAMCD`` and ``PARAM`` not one-to-one within a dataset (ADaMIG 3.1,
                      BDS: "PARAM ... must be one-to-one with PARAMCD")
paramcd-length        a ``PARAMCD`` longer than 8 characters (ADaMIG: SAS name rules)
bad-cnsr              ``CNSR`` not an integer >= 0 (ADaM TTE: 0 = event, > 0 = censored)
out-of-range          ADTTE ``AVAL`` < 0 (a duration)
non-numeric           a numeric ADaM variable (``AVAL``, ``AGE``, ``PCHG``, ...) holding text
bad-date              an ADaM ``*DT`` variable that is not an ISO 8601 date
partial-date          a partial date in a ``*DT`` variable (numeric dates are full dates)
unknown-code          a Y/N flag (``SAFFL``, ``ITTFL``, ``EFFFL``, ``FASFL``, ``PPROTFL``,
                      ``ANL01FL``, ``TRTEMFL``, ...) other than Y, N or empty; a response
                      ``AVALC`` outside the RECIST codes; an ``AVALU`` that is not a time unit
orphan-subject        a ``USUBJID`` of ADRS/ADTTE/ADAE/ADTR that is not in ADSL
avalu-assumed-days    (warning) ADTTE without ``AVALU``: ``AVAL`` is read as days
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncotrial.io._dates import parse_dates
from oncotrial.io._issues import Issue

#: Variables every dataset needs for the analysis.
REQUIRED: dict[str, tuple[str, ...]] = {
    "adsl": ("USUBJID",), "adrs": ("USUBJID", "PARAMCD", "AVALC"),
    "adtte": ("USUBJID", "PARAMCD", "AVAL", "CNSR"), "adae": ("USUBJID", "AEDECOD"),
    "adtr": ("USUBJID", "PARAMCD", "AVAL")}

#: ADSL variables that can be the arm (treatment) of the analysis, in order of preference.
ARM_VARIABLES: tuple[str, ...] = ("TRT01P", "TRT01A")

#: Y/N flags checked wherever they occur (ADaMIG population and record flags).
FLAGS: tuple[str, ...] = ("SAFFL", "ITTFL", "EFFFL", "FASFL", "PPROTFL", "RANDFL", "ENRLFL",
                          "COMPLFL", "ANL01FL", "ANL02FL", "TRTEMFL", "ABLFL", "DTHFL",
                          "AOCCIFL")

#: Numeric variables read as numbers (checked for text).
NUMERIC: tuple[str, ...] = ("AVAL", "CNSR", "AGE", "BASE", "CHG", "PCHG", "NADIR", "CHGNAD",
                            "PCHGNAD", "ATOXGRN", "AETOXGRN", "ASEVN", "ADY", "AVISITN",
                            "ASEQ", "TRTDURD", "ECOGBL")

#: AVALU values accepted for ADTTE durations and their length in days (months: 365.25 / 12).
TIME_UNITS: dict[str, float] = {"DAYS": 1.0, "DAY": 1.0, "WEEKS": 7.0, "WEEK": 7.0,
                                "MONTHS": 30.4375, "MONTH": 30.4375, "YEARS": 365.25,
                                "YEAR": 365.25}

#: RECIST 1.1 response codes accepted in ADRS response parameters (admiralonco spelling).
RESPONSE_CODES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")

#: Default PARAMCDs of each analysis role (admiral / admiralonco names first).
PARAM_ROLES: dict[str, tuple[str, ...]] = {
    "OVR": ("OVR", "OVRLRESP"), "BOR": ("BOR",), "CBOR": ("CBOR", "BCOR"), "MDIS": ("MDIS",),
    "OS": ("OS",), "PFS": ("PFS",), "DOR": ("DOR", "RSD", "DURRSP"), "TTR": ("TTR", "TTRSP"),
    "SDIAM": ("SDIAM", "SUMDIAM")}

#: Roles holding a RECIST response code in AVALC, and roles with one record per subject.
RESPONSE_ROLES = ("OVR", "BOR", "CBOR")
SUBJECT_LEVEL_ROLES = ("BOR", "CBOR", "MDIS")


def _issues_at(mask: np.ndarray, file: str, column: str | None, values: pd.Series | None,
               expected: str, rule: str, severity: str = "error") -> list[Issue]:
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    vals = None if values is None else values.to_numpy(dtype=object)
    out = []
    for i in idx:
        v = None if vals is None or pd.isna(vals[i]) else str(vals[i])
        out.append(Issue(file=file, row=int(i) + 1, column=column, value=v, expected=expected,
                         rule=rule, severity=severity))  # type: ignore[arg-type]
    return out


def is_date_variable(name: str) -> bool:
    """ADaM numeric date variables end in ``DT`` (``ADT``, ``TRTSDT``, ``STARTDT``).

    Examples
    --------
    >>> is_date_variable("TRTSDT"), is_date_variable("DTHDTF"), is_date_variable("DT")
    (True, False, False)
    """
    return len(name) > 2 and name.endswith("DT")


def type_dataset(text: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Type one dataset of text cells: ``NUMERIC`` variables as float64, ``*DT`` variables as
    datetime64 (full ISO dates only), the rest as text; one finding per bad cell.

    Examples
    --------
    >>> t = pd.DataFrame({"AVAL": ["3", "x"], "ADT": ["2020-01-02", "2020-01"]}, dtype="string")
    >>> df, issues = type_dataset(t, "adtte.csv")
    >>> df["AVAL"].tolist(), [i.rule for i in issues]
    ([3.0, nan], ['non-numeric', 'partial-date'])
    """
    out: dict[str, pd.Series] = {}
    issues: list[Issue] = []
    for c in text.columns:
        s = text[c]
        present = s.notna().to_numpy()
        if c in NUMERIC:
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            bad = present & ~np.isfinite(num.to_numpy())
            issues += _issues_at(bad, file, c, s, "a number", "non-numeric")
            out[c] = num.where(~bad)
        elif is_date_variable(c):
            # a SAS datetime at midnight in a *DT variable (some writers) is that date
            s = s.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?$", r"\1",
                              regex=True)
            p = parse_dates(s)
            issues += _issues_at(p.status == "bad", file, c, s,
                                 "an ISO 8601 date YYYY-MM-DD that exists", "bad-date")
            issues += _issues_at(p.status == "partial", file, c, s,
                                 "a full date (ADaM *DT variables are numeric dates)",
                                 "partial-date")
            out[c] = p.earliest.where(p.status == "full").astype("datetime64[ns]")
        else:
            out[c] = s.astype("string")
    return pd.DataFrame(out, index=text.index), issues


def _roles(parameters: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    roles = dict(PARAM_ROLES)
    for k, v in (parameters or {}).items():
        roles[k.upper()] = (v.upper(),)
    return roles


def check_dataset(name: str, df: pd.DataFrame, file: str,
                  parameters: Mapping[str, str] | None = None) -> list[Issue]:
    """Column, value and one-to-one rules of one typed dataset (not the cross-dataset ones).

    Examples
    --------
    >>> t = pd.DataFrame({"USUBJID": ["a", "a"], "PARAMCD": ["OS", "OS"],
    ...                   "PARAM": ["Overall Survival", "OS"], "AVAL": [10.0, -1.0],
    ...                   "CNSR": [0.0, 0.5]})
    >>> sorted({i.rule for i in check_dataset("adtte", t, "adtte.csv")})
    ['avalu-assumed-days', 'bad-cnsr', 'duplicate-record', 'out-of-range', 'paramcd-param']
    """
    issues: list[Issue] = []
    for v in REQUIRED[name]:
        if v not in df:
            issues.append(Issue(file=file, row=None, column=v, value=None,
                                expected=f"required variable of {name.upper()}",
                                rule="missing-column"))
    for v in ("USUBJID", "PARAMCD"):
        if v in df:
            issues += _issues_at(df[v].isna().to_numpy(), file, v, None,
                                 f"a value ({name.upper()}.{v} is required)", "missing-value")
    for flag in FLAGS:
        if flag in df:
            s = df[flag]
            bad = s.notna().to_numpy() & ~s.isin(["Y", "N"]).fillna(False).to_numpy(dtype=bool)
            issues += _issues_at(bad, file, flag, s, "Y, N or empty", "unknown-code")
    if name == "adsl":
        issues += _check_adsl(df, file)
    if "PARAMCD" in df:
        issues += _check_params(df, file)
    if name == "adtte":
        issues += _check_adtte(df, file)
    if name == "adrs" and {"PARAMCD", "AVALC"} <= set(df.columns):
        roles = _roles(parameters)
        resp = [p for r in RESPONSE_ROLES for p in roles[r]]
        m = df["PARAMCD"].isin(resp).fillna(False).to_numpy(dtype=bool)
        a = df["AVALC"]
        bad = m & a.notna().to_numpy() & ~a.isin(RESPONSE_CODES).fillna(False).to_numpy(dtype=bool)
        issues += _issues_at(bad, file, "AVALC", a, "a RECIST 1.1 response: " +
                             ", ".join(RESPONSE_CODES), "unknown-code")
        subj = [p for r in SUBJECT_LEVEL_ROLES for p in roles[r]]
        issues += _duplicates(df, file, df["PARAMCD"].isin(subj).fillna(False).to_numpy(dtype=bool))
    return issues


def _check_adsl(df: pd.DataFrame, file: str) -> list[Issue]:
    issues: list[Issue] = []
    if "USUBJID" in df:
        s = df["USUBJID"]
        dup = (s.notna() & s.duplicated(keep="first")).to_numpy()
        issues += _issues_at(dup, file, "USUBJID", s,
                             "one ADSL record per subject (this USUBJID is on an earlier row)",
                             "duplicate-subject")
    arms = [v for v in ARM_VARIABLES if v in df]
    if not arms:
        issues.append(Issue(file=file, row=None, column="TRT01P", value=None,
                            expected="TRT01P or TRT01A (the treatment arms of the analysis)",
                            rule="missing-column"))
    else:
        issues += _issues_at(df[arms[0]].isna().to_numpy(), file, arms[0], None,
                             "a planned/actual treatment for every subject (use e.g. "
                             "'Screen Failure' for subjects never assigned)", "missing-value")
    return issues


def _check_params(df: pd.DataFrame, file: str) -> list[Issue]:
    issues: list[Issue] = []
    p = df["PARAMCD"]
    issues += _issues_at((p.str.len() > 8).fillna(False).to_numpy(dtype=bool), file, "PARAMCD", p,
                         "at most 8 characters", "paramcd-length")
    if "PARAM" not in df:
        return issues
    pairs = pd.DataFrame({"cd": p, "lab": df["PARAM"]}).dropna()
    first = pairs.drop_duplicates()
    for key, other, col in (("cd", "lab", "PARAM"), ("lab", "cd", "PARAMCD")):
        n = first.groupby(key)[other].nunique()
        for k in n[n > 1].index:
            rows = first[first[key] == k]
            seen = rows.iloc[0][other]
            for idx, val in rows[other].iloc[1:].items():
                what = (f"the one PARAM of PARAMCD {k!r} ({seen!r}, first row "
                        f"{int(rows.index[0]) + 1})" if key == "cd" else
                        f"the one PARAMCD of PARAM {k!r} ({seen!r}, first row "
                        f"{int(rows.index[0]) + 1})")
                issues.append(Issue(file=file, row=int(idx) + 1, column=col, value=str(val),
                                    expected=what + "; PARAMCD and PARAM must be one-to-one",
                                    rule="paramcd-param"))
    return issues


def _duplicates(df: pd.DataFrame, file: str, mask: np.ndarray) -> list[Issue]:
    if not {"USUBJID", "PARAMCD"} <= set(df.columns):
        return []
    m = mask & df["USUBJID"].notna().to_numpy() & df["PARAMCD"].notna().to_numpy()
    if "ANL01FL" in df and df["ANL01FL"].eq("Y").any():
        m &= df["ANL01FL"].eq("Y").fillna(False).to_numpy(dtype=bool)
    sub = df.loc[m, ["USUBJID", "PARAMCD"]]
    dup = sub.duplicated(keep="first")
    hit = np.zeros(len(df), dtype=bool)
    hit[np.flatnonzero(m)[dup.to_numpy()]] = True
    return _issues_at(hit, file, "PARAMCD", df["PARAMCD"],
                      "one analysis record per USUBJID and PARAMCD (flag the one to analyse "
                      "with ANL01FL = 'Y')", "duplicate-record")


def _check_adtte(df: pd.DataFrame, file: str) -> list[Issue]:
    issues: list[Issue] = []
    if "AVAL" in df:
        a = df["AVAL"]
        issues += _issues_at(a.isna().to_numpy(), file, "AVAL", None,
                             "a value (ADTTE.AVAL is required)", "missing-value")
        issues += _issues_at((a < 0).fillna(False).to_numpy(dtype=bool), file, "AVAL", a,
                             "a duration >= 0", "out-of-range")
    if "CNSR" in df:
        c = df["CNSR"].to_numpy(dtype=float)
        issues += _issues_at(np.isnan(c), file, "CNSR", None,
                             "a value (ADTTE.CNSR is required)", "missing-value")
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(c) & ((c < 0) | (np.mod(np.nan_to_num(c), 1) != 0))
        issues += _issues_at(bad, file, "CNSR", df["CNSR"],
                             "an integer >= 0 (0 = event, 1, 2, ... = censoring reasons)",
                             "bad-cnsr")
    if "AVALU" in df:
        u = df["AVALU"]
        bad = u.notna().to_numpy() & ~u.str.upper().isin(TIME_UNITS).fillna(False).to_numpy(dtype=bool)
        issues += _issues_at(bad, file, "AVALU", u, "a time unit: DAYS, WEEKS, MONTHS or "
                             "YEARS", "unknown-code")
    else:
        issues.append(Issue(file=file, row=None, column="AVALU", value=None, severity="warning",
                            expected="AVALU giving the unit of AVAL; without it AVAL is read "
                                     "as days (admiral derive_param_tte default)",
                            rule="avalu-assumed-days"))
    issues += _duplicates(df, file, np.ones(len(df), dtype=bool))
    return issues


def check_subjects(adsl: pd.DataFrame, name: str, df: pd.DataFrame, file: str) -> list[Issue]:
    """Every ``USUBJID`` of a dataset must be in ADSL (one finding per record).

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["a"]})
    >>> [i.row for i in check_subjects(adsl, "adae", pd.DataFrame({"USUBJID": ["a", "b"]}),
    ...                               "adae.csv")]
    [2]
    """
    if "USUBJID" not in df or "USUBJID" not in adsl:
        return []
    s = df["USUBJID"]
    bad = s.notna().to_numpy() & ~s.isin(set(adsl["USUBJID"].dropna())).to_numpy()
    return _issues_at(bad, file, "USUBJID", s, "a subject of ADSL", "orphan-subject")


__all__ = ["ARM_VARIABLES", "FLAGS", "NUMERIC", "PARAM_ROLES", "REQUIRED", "RESPONSE_CODES",
           "TIME_UNITS", "check_dataset", "check_subjects", "is_date_variable", "type_dataset"]
