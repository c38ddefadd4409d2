"""ADSL: one row per subject with reference dates and population flags."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._frame import lookup
from oncotrial._validation import check_choice
from oncotrial.derive._checks import require_columns, text
from oncotrial.derive._dates import parse_iso_dates

Reference = Literal["first-dose", "randomization"]
_FUNC = "derive_adsl"

#: canonical subjects column -> (ADSL variable, partial-date imputation rule)
_DATES = {
    "randomization_date": ("RANDDT", "first"),
    "first_dose_date": ("TRTSDT", "first"),
    "last_dose_date": ("TRTEDT", "last"),
    "death_date": ("DTHDT", "first"),
    "last_alive_date": ("LSTALVDT", "first"),
    "new_therapy_date": ("NACTDT", "first"),
}


def _date_col(frame: pd.DataFrame, col: str, impute: str, func: str) -> tuple[pd.Series,
                                                                               pd.Series]:
    if col not in frame.columns:
        na = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        return na, pd.Series(None, index=frame.index, dtype=object)
    ctx = pd.DataFrame({"subject_id": frame["subject_id"]})
    return parse_iso_dates(frame[col], impute=impute, func=func, param=col, context=ctx)


def derive_adsl(dataset: pd.DataFrame, *, exposure: pd.DataFrame | None = None,
                lesions: pd.DataFrame | None = None, reference: Reference = "first-dose",
                log: list[dict] | None = None) -> pd.DataFrame:
    """Derive the subject-level analysis dataset (ADSL).

    Parameters
    ----------
    dataset : DataFrame
        Canonical ``subjects`` table (``subject_id``, ``cohort`` and optional dates/flags).
    exposure : DataFrame, optional
        Canonical ``exposure`` table; fills first/last dose dates when ``subjects`` lacks them.
    lesions : DataFrame, optional
        Canonical ``lesions`` table; used for the efficacy flag (a baseline tumour assessment)
        and for the last-known-alive date when ``last_alive_date`` is missing.
    reference : {'first-dose', 'randomization'}, default='first-dose'
        Which date becomes ``REFDT``, the origin of every time-to-event endpoint and of the SD
        minimum-duration window.
    log : list of dict, optional
        Derivation log to append decisions to.

    Returns
    -------
    DataFrame
        ``USUBJID``, ``COHORT``, ``ARM``, ``RANDDT``, ``TRTSDT``, ``TRTEDT``, ``DTHDT``,
        ``DTHFL``, ``LSTALVDT``, ``NACTDT``, ``REFDT``, ``REFTYPE``, ``ENRLFL``, ``SAFFL``,
        ``EFFFL``, ``EOSREAS``, and ``*DTF`` imputation flags for the dates.

    Notes
    -----
    1. Partial dates: randomisation, first dose, death and new-therapy dates take the first
       day of the period (the conservative choice: earlier new-therapy start censors PFS
       earlier); last dose takes the last day (the treatment-emergent window is not cut
       short). The flag ``*DTF`` is ``'D'`` or ``'M'`` (ADaM IG 1.3 section 3.1.3).
    2. ``TRTSDT``/``TRTEDT`` fall back to the first exposure start / last exposure end (or
       start) when missing.
    3. ``LSTALVDT`` = ``last_alive_date``, else the latest of last dose, death and any
       lesion assessment date.
    4. ``SAFFL`` = ``safety_fl``, else ``'Y'`` when ``TRTSDT`` exists (received any dose).
       ``EFFFL`` = ``efficacy_fl``, else ``'Y'`` when ``SAFFL='Y'`` and the subject has a
       tumour assessment in ``lesions`` (``'N'`` otherwise). ``ENRLFL`` defaults to ``'Y'``.

    Examples
    --------
    >>> subj = pd.DataFrame({"subject_id": ["S1", "S2"], "cohort": ["GI", "GI"],
    ...                      "first_dose_date": ["2014-01-05", None],
    ...                      "death_date": [None, "2014-06"]})
    >>> adsl = derive_adsl(subj)
    >>> adsl[["USUBJID", "REFDT", "SAFFL", "DTHFL", "DTHDTF"]].astype("string").fillna("NA").values.tolist()
    [['S1', '2014-01-05', 'Y', 'N', 'NA'], ['S2', 'NA', 'N', 'Y', 'D']]
    """
    check_choice(reference, ("first-dose", "randomization"), _FUNC, "reference")
    require_columns(dataset, ["subject_id"], _FUNC, "dataset")
    log = [] if log is None else log
    s = dataset.reset_index(drop=True)
    dup = s["subject_id"].duplicated()
    if dup.any():
        from oncotrial._errors import OncotrialValueError
        raise OncotrialValueError(
            f"`dataset.subject_id` of `{_FUNC}` must be unique; got "
            f"{s.loc[dup, 'subject_id'].iloc[0]!r} twice. List duplicates with "
            "dataset[dataset.subject_id.duplicated(keep=False)].")
    out = pd.DataFrame({"USUBJID": s["subject_id"].astype(str)})
    for col, default in (("cohort", None), ("arm", None), ("eos_reason", None)):
        out[{"cohort": "COHORT", "arm": "ARM", "eos_reason": "EOSREAS"}[col]] = (
            s[col] if col in s.columns else default)
    for col, (var, rule) in _DATES.items():
        out[var], out[var + "F"] = _date_col(s, col, rule, _FUNC)
    if exposure is not None and len(exposure):
        require_columns(exposure, ["subject_id", "start_date"], _FUNC, "exposure")
        ctx = pd.DataFrame({"subject_id": exposure["subject_id"]})
        st, _ = parse_iso_dates(exposure["start_date"], impute="first", func=_FUNC,
                                param="exposure.start_date", context=ctx)
        en = st
        if "end_date" in exposure.columns:
            en, _ = parse_iso_dates(exposure["end_date"], impute="last", func=_FUNC,
                                    param="exposure.end_date", context=ctx)
            en = en.fillna(st)
        ex = pd.DataFrame({"USUBJID": exposure["subject_id"].astype(str).to_numpy(),
                           "st": st.to_numpy(), "en": en.to_numpy()}).groupby("USUBJID").agg(
            st=("st", "min"), en=("en", "max"))
        m = out[["USUBJID"]].join(ex, on="USUBJID")
        fill_s = out["TRTSDT"].isna() & m["st"].notna()
        fill_e = out["TRTEDT"].isna() & m["en"].notna()
        out.loc[fill_s, "TRTSDT"] = m.loc[fill_s, "st"]
        out.loc[fill_e, "TRTEDT"] = m.loc[fill_e, "en"]
    out["DTHFL"] = np.where(out["DTHDT"].notna(), "Y", "N")
    assessed = pd.Series(False, index=out.index)
    last_ass = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if lesions is not None and len(lesions):
        ld, _ = parse_iso_dates(lesions["assessment_date"], impute="first", func=_FUNC,
                                param="lesions.assessment_date",
                                context=pd.DataFrame({"subject_id": lesions["subject_id"]}))
        la = pd.Series(ld.to_numpy()).groupby(lesions["subject_id"].astype(str).to_numpy()).max()
        assessed = out["USUBJID"].isin(la.index)
        last_ass = lookup(out["USUBJID"], la)
    known = pd.concat([out["TRTEDT"], out["DTHDT"], last_ass, out["TRTSDT"]], axis=1).max(axis=1)
    fill = out["LSTALVDT"].isna() & known.notna()
    for uid in out.loc[fill, "USUBJID"]:
        log.append({"USUBJID": uid, "EVALUATOR": "", "PARAMCD": "LSTALVDT", "ADT": pd.NaT,
                    "DECISION": "last alive date derived",
                    "REASON": "no last_alive_date: latest of last dose, death and tumour "
                              "assessment dates used"})
    out.loc[fill, "LSTALVDT"] = known[fill]
    out["REFDT"] = out["RANDDT"] if reference == "randomization" else out["TRTSDT"]
    out["REFTYPE"] = reference
    for uid in out.loc[out["REFDT"].isna(), "USUBJID"]:
        log.append({"USUBJID": uid, "EVALUATOR": "", "PARAMCD": "REFDT", "ADT": pd.NaT,
                    "DECISION": "no reference date",
                    "REASON": f"no {reference} date: time-to-event endpoints not derived and "
                              "SD duration cannot be checked"})
    out["ENRLFL"] = _flag(s, "enrolled_fl", pd.Series("Y", index=out.index))
    out["SAFFL"] = _flag(s, "safety_fl", pd.Series(np.where(out["TRTSDT"].notna(), "Y", "N"),
                                                    index=out.index))
    eff = np.where((out["SAFFL"] == "Y") & assessed.to_numpy(), "Y", "N")
    out["EFFFL"] = _flag(s, "efficacy_fl", pd.Series(eff, index=out.index))
    return out


def _flag(s: pd.DataFrame, col: str, default: pd.Series) -> pd.Series:
    if col not in s.columns:
        return default
    given = text(s[col])
    return given.where(given.notna(), default)
