"""ADaM input -> the analysis datasets of :class:`oncotrial.derive.StudyDerivation`, no derivation.

When ``[study].data`` is an ADaM folder (:func:`oncotrial.io.detect_kind` ``'adam'``),
:func:`adam_study` reads it (:func:`oncotrial.io.read_adam`, every ADaM rule checked) and maps
the admiral / admiralonco conventions onto the variables the analyses read:

1. **ADSL** -- every variable kept; ``COHORT`` = ``[adam].arm`` (``TRT01P`` by default, else
   ``TRT01A``); ``ENRLFL`` as given, else ``RANDFL``, else ``ITTFL``, else ``N`` for the
   screen-failure / not-assigned arms (``Screen Failure``, ``SCRNFAIL``, ``NOTASSGN``) and ``Y``
   otherwise; ``SAFFL`` as given, else ``Y`` when ``TRTSDT`` exists; ``EFFFL`` = the flag named
   by ``[adam].efficacy_flag`` (default the first of ``EFFFL``, ``FASFL``, ``ITTFL``; else
   ``SAFFL``); ``REFDT`` = ``TRTSDT`` (``reference = "first-dose"``) or ``RANDDT``.
2. **ADRS / ADTTE / ADTR** -- only ``ANL01FL = 'Y'`` records where ANL01FL exists (each other
   record is a row of the derivation log); PARAMCDs of the analysis roles renamed to
   oncotrial's codes (``RSD`` -> ``DOR``, ``BCOR`` -> ``CBOR``; table
   :data:`oncotrial.io._adam_checks.PARAM_ROLES`, ``[adam.parameters]`` overrides);
   ADTTE ``AVAL`` converted to days by ``AVALU`` (no AVALU: days); ``CNSR`` kept as the
   censoring code (the one CNSR -> event boundary stays :func:`oncotrial.derive.event_from_cnsr`).
3. **ADAE** -- ``ATOXGRN`` as given, else ``AETOXGR``, else ``ASEVN``/``ASEV``
   (MILD 1, MODERATE 2, SEVERE 3); ``TRTEMFL`` missing = not treatment-emergent;
   ``WORSTFL = 'Y'`` on the worst-grade TEAE per subject and ``AEDECOD`` (ties: earliest
   ``ASTDT``, then file order), as :func:`oncotrial.derive.derive_adae` does.
4. **ADTR** -- the sum-of-diameters parameter (``SDIAM``) gives the waterfall and spider data
   (``PCHG`` from baseline, ``ABLFL``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd

from oncotrial.derive import StudyDerivation
from oncotrial.derive._pipeline import LOG_COLUMNS
from oncotrial.io import read_adam
from oncotrial.io._adam import AdamData, analysis_records
from oncotrial.io._adam_checks import PARAM_ROLES, TIME_UNITS
from oncotrial.io._sdtm import NOT_ENROLLED_ARMS

_SEV_GRADE = {"MILD": 1.0, "MODERATE": 2.0, "SEVERE": 3.0}

__all__ = ["adam_derivation", "adam_study"]


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("N").astype(object)


def _roles(spec) -> dict[str, str]:
    """``{input PARAMCD: oncotrial code}`` for every role (overrides first)."""
    over = spec.adam.parameter_map()
    out: dict[str, str] = {}
    for role, codes in PARAM_ROLES.items():
        for c in ((over[role],) if role in over else codes):
            out.setdefault(c, role)
    return out


def _rename(df: pd.DataFrame, roles: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    used = {c: roles[c] for c in sorted(set(df["PARAMCD"].dropna())) if c in roles}
    out = df.assign(PARAMCD=df["PARAMCD"].map(lambda c: used.get(c, c)).astype(object))
    return out, {r: c for c, r in used.items()}


def _adsl(adsl: pd.DataFrame, spec) -> tuple[pd.DataFrame, dict]:
    out = adsl.copy()
    arm = spec.adam.arm if spec.adam.arm in adsl else next(v for v in ("TRT01P", "TRT01A")
                                                           if v in adsl)
    out["COHORT"] = adsl[arm].astype("string")
    if "ENRLFL" in adsl:
        enr_src = "ENRLFL"
    elif "RANDFL" in adsl:
        enr_src = "RANDFL"
    elif "ITTFL" in adsl:
        enr_src = "ITTFL"
    else:
        enr_src = "arm"
    if enr_src == "arm":
        arms = pd.concat([adsl[v].astype("string").str.upper() for v in
                          ("ARM", "ARMCD", arm) if v in adsl], axis=1)
        never = arms.isin(NOT_ENROLLED_ARMS).any(axis=1).to_numpy()
        out["ENRLFL"] = np.where(never, "N", "Y").astype(object)
    else:
        out["ENRLFL"] = _flag(adsl[enr_src])
    if "SAFFL" in adsl:
        saf_src = "SAFFL"
        out["SAFFL"] = _flag(adsl["SAFFL"])
    else:
        saf_src = "TRTSDT"
        has = adsl["TRTSDT"].notna() if "TRTSDT" in adsl else pd.Series(False, index=adsl.index)
        out["SAFFL"] = np.where(has, "Y", "N").astype(object)
    eff_src = spec.adam.efficacy_flag or next(
        (v for v in ("EFFFL", "FASFL", "ITTFL") if v in adsl), "SAFFL")
    out["EFFFL"] = _flag(adsl[eff_src]) if eff_src in adsl else out["SAFFL"]
    refvar = "RANDDT" if spec.reference == "randomization" else "TRTSDT"
    out["REFDT"] = (adsl[refvar] if refvar in adsl else pd.Series(pd.NaT, index=adsl.index)
                    ).astype("datetime64[ns]")
    return out, {"arm_variable": arm, "enrolled_from": enr_src, "safety_from": saf_src,
                 "efficacy_flag": eff_src, "reference_variable": refvar}


def _adtte(df: pd.DataFrame, ev: str) -> tuple[pd.DataFrame, str]:
    if "AVALU" in df:
        f = df["AVALU"].str.upper().map(TIME_UNITS).astype("float64").fillna(1.0)
        unit = "AVALU"
    else:
        f, unit = pd.Series(1.0, index=df.index), "days (no AVALU)"
    out = df.assign(AVAL=df["AVAL"].astype("float64") * f,
                    CNSR=df["CNSR"].astype("float64").round().astype("int64"))
    out["EVALUATOR"] = np.where(out["PARAMCD"] == "OS", "", ev).astype(object)
    for c in ("EVNTDESC", "CNSDTDSC"):
        if c not in out:
            out[c] = ""
    return out, unit


def grade_source(df: pd.DataFrame | None) -> str | None:
    """The ADAE variables the grade comes from, in order of use (None without ADAE).

    Examples
    --------
    >>> grade_source(pd.DataFrame({"ASEV": ["MILD"], "ASEVN": [1.0]}))
    'ASEVN, ASEV'
    """
    if df is None:
        return None
    used = [v for v in ("ATOXGRN", "AETOXGR", "ASEVN", "ASEV", "AESEV") if v in df]
    return ", ".join(used) or "none"


def _adae(df: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["USUBJID", "AEDECOD", "ATOXGRN", "TRTEMFL", "WORSTFL", "WORSTPFL", "APHASE"]
    if df is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    out = df.copy()
    grade = (out["ATOXGRN"] if "ATOXGRN" in out else pd.Series(np.nan, index=out.index))
    if "AETOXGR" in out:
        grade = grade.fillna(pd.to_numeric(out["AETOXGR"], errors="coerce"))
    if "ASEVN" in out:
        grade = grade.fillna(out["ASEVN"])
    for v in ("ASEV", "AESEV"):
        if v in out:
            grade = grade.fillna(out[v].str.upper().map(_SEV_GRADE).astype("float64"))
    out["ATOXGRN"] = grade.astype("float64")
    out["TRTEMFL"] = (out["TRTEMFL"].astype("string").fillna("N") if "TRTEMFL" in out
                      else pd.Series("Y", index=out.index)).astype(object)
    te = out[out["TRTEMFL"].eq("Y")].assign(_g=lambda x: -x["ATOXGRN"].fillna(0))
    keys = ["_g", "ASTDT"] if "ASTDT" in out else ["_g"]
    worst = te.sort_values(keys, kind="stable").drop_duplicates(["USUBJID", "AEDECOD"]).index
    out["WORSTFL"] = np.where(out.index.isin(worst), "Y", "").astype(object)
    out["WORSTPFL"] = ""
    out["APHASE"] = ""
    return out


def _timepoints(df: pd.DataFrame | None, ev: str) -> pd.DataFrame:
    if df is None or not {"ADT", "PCHG"} <= set(df.columns):
        return pd.DataFrame()
    t = df[df["PARAMCD"] == "SDIAM"]
    out = pd.DataFrame({"USUBJID": t["USUBJID"].astype(object), "EVALUATOR": ev,
                        "VISIT": (t["AVISIT"] if "AVISIT" in t else pd.Series(pd.NA,
                                  index=t.index)).astype(object),
                        "ADT": t["ADT"], "ABLFL": (t["ABLFL"].astype("string").fillna("")
                                                   if "ABLFL" in t else "").astype(object),
                        "PCHG": t["PCHG"].astype("float64")})
    return out.reset_index(drop=True)


def adam_derivation(data: AdamData, spec) -> StudyDerivation:
    """The analysis datasets of an ADaM folder (steps in the module docstring).

    ``settings`` records the source, the files, the ADSL variables used for arm and
    populations, the PARAMCD of each role and how AVAL was read.

    Examples
    --------
    >>> from oncotrial.analysis import parse_study_spec
    >>> spec = parse_study_spec({"study": {"title": "T", "data": "x"}})
    >>> adsl = pd.DataFrame({"USUBJID": ["a", "b"], "TRT01P": ["Drug", "Screen Failure"],
    ...                      "SAFFL": ["Y", "N"]})
    >>> adtte = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["OS"], "AVAL": [12.0],
    ...                       "CNSR": [0.0], "AVALU": ["WEEKS"]})
    >>> d = adam_derivation(AdamData(datasets={"adsl": adsl, "adtte": adtte},
    ...     files={"adsl": "adsl.csv", "adtte": "adtte.csv"}), spec)
    >>> d.adsl["ENRLFL"].tolist(), d.adtte["AVAL"].tolist()
    (['Y', 'N'], [84.0])
    """
    ev = spec.evaluator or "INVESTIGATOR"
    roles = _roles(spec)
    adsl, pops = _adsl(data.datasets["adsl"], spec)
    logs, used, renamed = [], {}, set()
    frames: dict[str, pd.DataFrame | None] = {}
    for name in ("adrs", "adtte", "adtr"):
        if name not in data.datasets:
            frames[name] = None
            continue
        recs, log = analysis_records(data, name)
        logs.append(log)
        recs, u = _rename(recs, roles)
        used.update(u)
        if any(k != v for k, v in u.items()):
            renamed.add(name)
        frames[name] = recs
    adrs = frames["adrs"]
    if adrs is None:
        adrs = pd.DataFrame({c: pd.Series([], dtype=object)
                             for c in ("USUBJID", "EVALUATOR", "PARAMCD", "AVALC", "ADT")})
    else:
        adrs = adrs.assign(EVALUATOR=ev, AVALC=adrs["AVALC"].astype(object))
    unit = None
    if frames["adtte"] is None:
        adtte = pd.DataFrame({c: pd.Series([], dtype=object) for c in
                              ("USUBJID", "EVALUATOR", "PARAMCD", "AVAL", "CNSR")})
    else:
        adtte, unit = _adtte(frames["adtte"], ev)
    log = pd.concat([lg for lg in logs if len(lg)], ignore_index=True) if any(
        len(lg) for lg in logs) else None
    log_df = pd.DataFrame(columns=LOG_COLUMNS)
    if log is not None:
        log_df = pd.DataFrame({"USUBJID": "", "EVALUATOR": "", "PARAMCD": "", "ADT": pd.NaT,
                               "DECISION": "record not analysed",
                               "REASON": (log["file"] + " row " + log["row"].astype(str) + ": "
                                          + log["reason"]).astype(object)})
    adae = _adae(data.datasets.get("adae"))
    for name, df in (("adsl", adsl), ("adrs", adrs), ("adtte", adtte), ("adae", adae)):
        if name in data.datasets:  # for the written XPT and define.xml (origin, labels)
            src = set(data.datasets[name].columns)
            if name in renamed:
                src.discard("PARAMCD")
            df.attrs["labels"] = dict(data.labels.get(name, {}))
            df.attrs["input_variables"] = sorted(src)
    settings = {"source": "adam", "evaluator": ev, "files": dict(sorted(data.files.items())),
                **pops, "parameters": dict(sorted(used.items())), "aval_unit": unit,
                "reference": spec.reference,
                "ae_grade_from": grade_source(data.datasets.get("adae"))}
    return StudyDerivation(adsl=adsl, adrs=adrs, adtte=adtte,
                           adae=adae,
                           timepoints=_timepoints(frames["adtr"], ev),
                           rs_comparison=pd.DataFrame(), gmi=pd.DataFrame(), log=log_df,
                           settings=settings)


def adam_study(spec, progress: Callable[[str], None] | None = None
               ) -> tuple[SimpleNamespace, StudyDerivation]:
    """Read the spec's ADaM folder and map it (:func:`adam_derivation`).

    Returns a stand-in for :class:`oncotrial.io.StudyData` (``subjects`` with ``subject_id``
    and the baseline covariates ``age``, ``sex``, ``ecog`` from ADSL ``AGE``, ``SEX``,
    ``ECOGBL``; empty ``lesions``, ``responses``, ``adverse_events``) and the datasets.

    Raises
    ------
    DataValidationError
        When the folder breaks a checked ADaM rule (``oncotrial validate`` lists them).
    """
    step = progress or (lambda _label: None)
    step("reading ADaM datasets")
    data = read_adam(spec.data, parameters=spec.adam.parameter_map())
    derived = adam_derivation(data, spec)
    adsl = data.datasets["adsl"]
    subj = pd.DataFrame({"subject_id": adsl["USUBJID"].astype(object)})
    for src, dst in (("AGE", "age"), ("SEX", "sex"), ("ECOGBL", "ecog")):
        if src in adsl:
            subj[dst] = adsl[src]
    empty = pd.DataFrame({"evaluator": pd.Series([], dtype=object)})
    study = SimpleNamespace(subjects=subj, lesions=empty, responses=empty,
                            adverse_events=pd.DataFrame(), kind="adam", report=data.report)
    return study, derived
