"""ADSL: one row per subject with reference dates and population flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._frame import isin, lookup
from oncotrial._validation import check_choice
from oncotrial.derive._checks import require_columns, text, warn
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


#: Sources of the last date known alive (``last_alive_sources``): canonical table columns.
ALIVE_SOURCES = ("subjects", "ae", "ex", "lesions", "responses", "last_dose", "first_dose",
                 "death")
_DEFAULT_ALIVE = ("subjects",)


def _date_col(frame: pd.DataFrame, col: str, impute: str, func: str,
              highest: str = "M") -> tuple[pd.Series, pd.Series]:
    if col not in frame.columns:
        na = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        return na, pd.Series(None, index=frame.index, dtype=object)
    ctx = pd.DataFrame({"subject_id": frame["subject_id"]})
    return parse_iso_dates(frame[col], impute=impute, func=func, param=col, context=ctx,
                           highest=highest)


def _latest(frame: pd.DataFrame | None, cols: tuple[str, ...], rule: tuple[str, str],
            name: str) -> pd.Series:
    """Latest date per subject over ``cols`` of a canonical table (imputed by ``rule``)."""
    if frame is None or not len(frame):
        return pd.Series([], dtype="datetime64[ns]")
    parts = []
    for c in cols:
        if c in frame.columns:
            d, _ = parse_iso_dates(frame[c], impute=rule[0], highest=rule[1], func=_FUNC,
                                   param=f"{name}.{c}",
                                   context=pd.DataFrame({"subject_id": frame["subject_id"]}))
            parts.append(pd.DataFrame({"id": frame["subject_id"].astype(str).to_numpy(),
                                       "d": d.to_numpy()}))
    if not parts:
        return pd.Series([], dtype="datetime64[ns]")
    return pd.concat(parts, ignore_index=True).dropna().groupby("id")["d"].max()


def derive_adsl(dataset: pd.DataFrame, *, exposure: pd.DataFrame | None = None,
                lesions: pd.DataFrame | None = None, reference: Reference = "first-dose",
                log: list[dict] | None = None,
                last_dose_fallback: Literal["missing", "exposure-start"] = "missing",
                date_rules: Mapping[str, tuple[str, str]] | None = None,
                last_alive_sources: tuple[str, ...] | None = None,
                adverse_events: pd.DataFrame | None = None,
                responses: pd.DataFrame | None = None) -> pd.DataFrame:
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
    last_dose_fallback : {'missing', 'exposure-start'}, default='missing'
        ``TRTEDT`` when neither ``last_dose_date`` nor any exposure end date exists:
        ``'missing'`` leaves it missing (as admiral's ADSL template, which takes the last
        ``EXENDTC``); ``'exposure-start'`` falls back to the latest exposure start.

        .. versionadded:: 0.2
    date_rules : mapping of str to (imputation, highest), optional
        Partial-date rule per ADSL date (``RANDDT``, ``TRTSDT``, ``TRTEDT``, ``DTHDT``,
        ``LSTALVDT``, ``NACTDT``, and ``ALIVE`` for the dates of ``last_alive_sources``), as
        admiral ``derive_vars_dt(date_imputation =, highest_imputation =)``: imputation in
        ``{'first', 'mid', 'last', 'none'}``, highest in ``{'M', 'D', 'n'}``. Missing keys
        keep the defaults of Notes step 1.

        .. versionadded:: 0.2
    last_alive_sources : tuple of str, optional
        Where ``LSTALVDT`` comes from: the latest date among the listed sources,
        any of ``'subjects'`` (the table's ``last_alive_date``; the SDTM reader fills it from
        DM, AE, EX, DS, TU, TR and RS dates), ``'ae'`` (AE start and end), ``'ex'`` (exposure
        start and end), ``'lesions'`` (tumour assessments), ``'responses'``, ``'last_dose'``
        (``TRTEDT``), ``'first_dose'``, ``'death'``. Default ``None``: ``last_alive_date``,
        else the latest of last dose, death, tumour assessment and first dose. admiral's
        ADSL template uses AE start/end, LB and ``TRTEDT`` (``('ae', 'last_dose')``; LB is
        not part of the canonical model).

        .. versionadded:: 0.2
    adverse_events, responses : DataFrame, optional
        Canonical tables, read only for ``last_alive_sources``.

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
    2. ``TRTSDT``/``TRTEDT`` fall back to the first exposure start / last exposure end when
       missing; without any exposure end date ``TRTEDT`` stays missing (logged) unless
       ``last_dose_fallback='exposure-start'``.
    3. ``LSTALVDT`` = ``last_alive_date``, else the latest of last dose, death and any
       lesion assessment date (or the latest date of ``last_alive_sources``). A
       ``LSTALVDT`` before ``REFDT`` gives a warning and a log row naming both dates.
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
    rules = {var: (rule, "M") for var, rule in _DATES.values()}
    rules["ALIVE"] = ("first", "M")
    for var, r in (date_rules or {}).items():
        if var not in rules:
            from oncotrial._errors import bad_value
            raise bad_value("date_rules", _FUNC, f"keyed by {sorted(rules)}", var)
        check_choice(r[0], ("first", "mid", "last", "none"), _FUNC, f"date_rules[{var!r}][0]")
        check_choice(r[1], ("M", "D", "n"), _FUNC, f"date_rules[{var!r}][1]")
        rules[var] = (r[0], r[1])
    check_choice(last_dose_fallback, ("missing", "exposure-start"), _FUNC, "last_dose_fallback")
    for col, (var, _rule) in _DATES.items():
        out[var], out[var + "F"] = _date_col(s, col, rules[var][0], _FUNC, rules[var][1])
    if exposure is not None and len(exposure):
        require_columns(exposure, ["subject_id", "start_date"], _FUNC, "exposure")
        ctx = pd.DataFrame({"subject_id": exposure["subject_id"]})
        st, _ = parse_iso_dates(exposure["start_date"], impute=rules["TRTSDT"][0],
                                highest=rules["TRTSDT"][1], func=_FUNC,
                                param="exposure.start_date", context=ctx)
        en = pd.Series(pd.NaT, index=exposure.index, dtype="datetime64[ns]")
        if "end_date" in exposure.columns:
            en, _ = parse_iso_dates(exposure["end_date"], impute=rules["TRTEDT"][0],
                                    highest=rules["TRTEDT"][1], func=_FUNC,
                                    param="exposure.end_date", context=ctx)
        if last_dose_fallback == "exposure-start":
            en = en.fillna(st)
        ex = pd.DataFrame({"USUBJID": exposure["subject_id"].astype(str).to_numpy(),
                           "st": st.to_numpy(), "en": en.to_numpy()}).groupby("USUBJID").agg(
            st=("st", "min"), en=("en", "max"))
        m = out[["USUBJID"]].join(ex, on="USUBJID")
        fill_s = out["TRTSDT"].isna() & m["st"].notna()
        fill_e = out["TRTEDT"].isna() & m["en"].notna()
        out.loc[fill_s, "TRTSDT"] = m.loc[fill_s, "st"]
        out.loc[fill_e, "TRTEDT"] = m.loc[fill_e, "en"]
        no_end = out["TRTEDT"].isna() & m["st"].notna()
        for uid in out.loc[no_end, "USUBJID"]:
            log.append({"USUBJID": uid, "EVALUATOR": "", "PARAMCD": "TRTEDT", "ADT": pd.NaT,
                        "DECISION": "last dose missing",
                        "REASON": "exposure records without an end date: TRTEDT left missing "
                                  "(last_dose_fallback='missing'; 'exposure-start' would use "
                                  "the latest exposure start)"})
    out["DTHFL"] = np.where(out["DTHDT"].notna(), "Y", "N")
    assessed = pd.Series(False, index=out.index)
    last_ass = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if lesions is not None and len(lesions):
        ld, _ = parse_iso_dates(lesions["assessment_date"], impute="first", func=_FUNC,
                                param="lesions.assessment_date",
                                context=pd.DataFrame({"subject_id": lesions["subject_id"]}))
        la = pd.Series(ld.to_numpy()).groupby(lesions["subject_id"].astype(str).to_numpy()).max()
        assessed = isin(out["USUBJID"], la.index)
        last_ass = lookup(out["USUBJID"], la)
    if last_alive_sources is not None:
        out["LSTALVDT"] = _alive_from(out, last_alive_sources, rules["ALIVE"], adverse_events,
                                      exposure, lesions, responses)
        out["LSTALVDTF"] = None
    known = pd.concat([out["TRTEDT"], out["DTHDT"], last_ass, out["TRTSDT"]], axis=1).max(axis=1)
    fill = out["LSTALVDT"].isna() & known.notna() & (last_alive_sources is None)
    for uid in out.loc[fill, "USUBJID"]:
        log.append({"USUBJID": uid, "EVALUATOR": "", "PARAMCD": "LSTALVDT", "ADT": pd.NaT,
                    "DECISION": "last alive date derived",
                    "REASON": "no last_alive_date: latest of last dose, death and tumour "
                              "assessment dates used"})
    out.loc[fill, "LSTALVDT"] = known[fill]
    out["REFDT"] = out["RANDDT"] if reference == "randomization" else out["TRTSDT"]
    out["REFTYPE"] = reference
    early = (out["LSTALVDT"] < out["REFDT"]).fillna(False)
    for r in out[early].itertuples():
        warn(f"Subject {r.USUBJID!r}: last date known alive {r.LSTALVDT:%Y-%m-%d} is before the "
             f"reference date {r.REFDT:%Y-%m-%d} ({reference}): overall survival would be "
             f"{(r.LSTALVDT - r.REFDT).days + 1} days. Correct the dates (oncotrial validate "
             "reports this as alive-before-reference).")
        log.append({"USUBJID": r.USUBJID, "EVALUATOR": "", "PARAMCD": "LSTALVDT",
                    "ADT": r.LSTALVDT, "DECISION": "last alive before reference",
                    "REASON": f"last date known alive {r.LSTALVDT:%Y-%m-%d} before reference "
                              f"date {r.REFDT:%Y-%m-%d}"})
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


def _alive_from(out: pd.DataFrame, sources: tuple[str, ...], rule: tuple[str, str],
                ae: pd.DataFrame | None, ex: pd.DataFrame | None, les: pd.DataFrame | None,
                rs: pd.DataFrame | None) -> pd.Series:
    """``LSTALVDT`` as the latest date among the named sources."""
    for src in sources:
        check_choice(src, ALIVE_SOURCES, _FUNC, "last_alive_sources")
    cols = []
    ids = out["USUBJID"]
    own = {"subjects": "LSTALVDT", "last_dose": "TRTEDT", "first_dose": "TRTSDT",
           "death": "DTHDT"}
    tables = {"ae": (ae, ("start_date", "end_date")), "ex": (ex, ("start_date", "end_date")),
              "lesions": (les, ("assessment_date",)), "responses": (rs, ("assessment_date",))}
    for src in sources:
        if src in own:
            cols.append(out[own[src]])
        else:
            frame, cs = tables[src]
            cols.append(lookup(ids, _latest(frame, cs, rule, src)))
    return pd.concat(cols, axis=1).max(axis=1).astype("datetime64[ns]")


def _flag(s: pd.DataFrame, col: str, default: pd.Series) -> pd.Series:
    if col not in s.columns:
        return default
    given = text(s[col])
    return given.where(given.notna(), default)
