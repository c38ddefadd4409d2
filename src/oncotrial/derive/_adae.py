"""ADAE: treatment-emergent flag, phase and worst grade per subject x term (x phase)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._validation import check_count
from oncotrial.derive._checks import require_columns, text
from oncotrial.derive._dates import parse_iso_dates

#: default length of the post-treatment window (days after the last dose) for TEAE
TEAE_WINDOW_DAYS = 30
_FUNC = "derive_adae"
_SEV_GRADE = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}


def derive_adae(dataset: pd.DataFrame, *, adsl: pd.DataFrame,
                exposure: pd.DataFrame | None = None,
                window_days: int = TEAE_WINDOW_DAYS) -> pd.DataFrame:
    """Derive ADAE: treatment-emergent flag, phase, worst-grade flags.

    Parameters
    ----------
    dataset : DataFrame
        Canonical ``adverse_events`` table.
    adsl : DataFrame
        :func:`derive_adsl` output (``USUBJID``, ``TRTSDT``, ``TRTEDT``).
    exposure : DataFrame, optional
        Canonical ``exposure`` table; its ``phase`` labels phases when the AE has none.
    window_days : int, default=30
        TEAE window: ``TRTSDT <= ASTDT <= TRTEDT + window_days``.

    Returns
    -------
    DataFrame
        ``USUBJID``, ``AESEQ``, ``AEDECOD``, ``AEBODSYS``, ``ATOXGRN``, ``ASTDT``,
        ``ASTDTF``, ``AENDT``, ``TRTEMFL``, ``APHASE``, ``AREL``, ``AESER``, ``WORSTFL``
        (worst TEAE grade per subject x term), ``WORSTPFL`` (per subject x term x phase),
        ``REASON``.

    Notes
    -----
    1. ``ASTDT``: partial onset dates take the first day of the period, except that when
       the period contains ``TRTSDT`` the onset is imputed to ``TRTSDT`` (the usual
       conservative TEAE rule: an AE that may have started on treatment counts as
       treatment-emergent). ``ASTDTF`` flags imputation.
    2. ``TRTEMFL='Y'`` when the source flag says so (``treatment_emergent``), else when
       ``TRTSDT <= ASTDT <= TRTEDT + window_days`` (ICH E9 / ADaM OCCDS convention [1]_);
       an AE without onset date after first dose is treatment-emergent (conservative).
    3. ``ATOXGRN`` = CTCAE ``grade``; without it the severity maps MILD 1, MODERATE 2,
       SEVERE 3 (logged in ``REASON``).
    4. ``APHASE`` = the AE ``phase``; else the phase of the exposure record covering
       ``ASTDT``, else of the latest exposure started before it; ``PRE-TREATMENT`` before
       first dose and ``FOLLOW-UP`` after the window.
    5. ``WORSTFL='Y'`` on one TEAE per subject x ``AEDECOD`` with the highest grade (ties:
       earliest onset, then lowest record id); ``WORSTPFL`` likewise per phase.

    References
    ----------
    .. [1] CDISC ADaM Structure for Occurrence Data (OCCDS) v1.1, TRTEMFL.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "TRTSDT": pd.to_datetime(["2014-01-10"]),
    ...                      "TRTEDT": pd.to_datetime(["2014-03-01"])})
    >>> ae = pd.DataFrame({"subject_id": ["S1"] * 3, "ae_id": ["1", "2", "3"],
    ...     "term": ["NAUSEA", "NAUSEA", "RASH"], "grade": [1, 3, 2],
    ...     "start_date": ["2014-01-05", "2014-02-01", "2014-01"]})
    >>> d = derive_adae(ae, adsl=adsl)
    >>> d[["AESEQ", "TRTEMFL", "WORSTFL", "ASTDTF"]].astype("string").fillna("NA").values.tolist()
    [['1', 'N', '', 'NA'], ['2', 'Y', 'Y', 'NA'], ['3', 'Y', 'Y', 'D']]
    """
    require_columns(dataset, ["subject_id", "ae_id", "term"], _FUNC, "dataset")
    require_columns(adsl, ["USUBJID", "TRTSDT", "TRTEDT"], _FUNC, "adsl")
    check_count(window_days, _FUNC, "window_days")
    ae = dataset.reset_index(drop=True)
    ctx = pd.DataFrame({"subject_id": ae["subject_id"], "ae_id": ae["ae_id"]})
    empty = pd.Series(None, index=ae.index, dtype=object)
    st, stf = parse_iso_dates(ae["start_date"] if "start_date" in ae else empty, impute="first",
                              func=_FUNC, param="start_date", context=ctx)
    st_last, _ = parse_iso_dates(ae["start_date"] if "start_date" in ae else empty,
                                 impute="last", func=_FUNC, param="start_date", context=ctx)
    en, _ = parse_iso_dates(ae["end_date"] if "end_date" in ae else empty, impute="last",
                            func=_FUNC, param="end_date", context=ctx)
    out = pd.DataFrame({"USUBJID": ae["subject_id"].astype(str), "AESEQ": ae["ae_id"],
                        "AEDECOD": text(ae["term"]),
                        "AEBODSYS": ae["soc"] if "soc" in ae else None})
    ref = out[["USUBJID"]].merge(adsl[["USUBJID", "TRTSDT", "TRTEDT"]], on="USUBJID",
                                 how="left")
    trts, trte = ref["TRTSDT"].to_numpy(), ref["TRTEDT"].to_numpy()
    contains = stf.notna() & (st <= trts) & (st_last >= trts)
    out["ASTDT"] = st.where(~contains, trts)
    out["ASTDTF"] = stf
    out["AENDT"] = en
    grade = pd.to_numeric(ae["grade"], errors="coerce") if "grade" in ae else pd.Series(
        np.nan, index=ae.index)
    sev = text(ae["severity"]).map(_SEV_GRADE) if "severity" in ae else np.nan
    out["ATOXGRN"] = grade.fillna(sev)
    end = pd.Series(trte) + pd.Timedelta(days=window_days)
    in_window = (out["ASTDT"] >= trts) & (out["ASTDT"] <= end)
    no_date = out["ASTDT"].isna() & pd.notna(trts)
    derived = np.where(in_window | no_date, "Y", "N")
    given = text(ae["treatment_emergent"]) if "treatment_emergent" in ae else empty
    out["TRTEMFL"] = given.where(given.notna(), derived)
    out["AREL"] = text(ae["related"]) if "related" in ae else None
    out["AESER"] = text(ae["serious"]) if "serious" in ae else None
    out["APHASE"] = _phase(out, ae, exposure, trts, end)
    sev_used = grade.isna() & out["ATOXGRN"].notna()
    out["REASON"] = _reasons(given.notna(), no_date, in_window, contains, sev_used, window_days)
    te = out[out["TRTEMFL"] == "Y"].assign(_g=lambda x: -x["ATOXGRN"].fillna(0))
    order = te.sort_values(["_g", "ASTDT"], kind="stable")
    w1 = order.drop_duplicates(["USUBJID", "AEDECOD"]).index
    w2 = order.drop_duplicates(["USUBJID", "AEDECOD", "APHASE"]).index
    out["WORSTFL"] = np.where(out.index.isin(w1), "Y", "")
    out["WORSTPFL"] = np.where(out.index.isin(w2), "Y", "")
    return out


def _phase(out: pd.DataFrame, ae: pd.DataFrame, exposure: pd.DataFrame | None,
           trts: np.ndarray, end: pd.Series) -> pd.Series:
    given = text(ae["phase"]) if "phase" in ae else pd.Series(None, index=ae.index, dtype=object)
    ph = pd.Series(np.where(out["ASTDT"] < trts, "PRE-TREATMENT",
                            np.where(out["ASTDT"] > end, "FOLLOW-UP", "TREATMENT")),
                   index=out.index, dtype=object)
    if exposure is not None and len(exposure) and "phase" in exposure:
        ex = exposure[["subject_id", "start_date", "phase"]].copy()
        ex["subject_id"] = ex["subject_id"].astype(str)
        ex["st"], _ = parse_iso_dates(ex["start_date"], impute="first", func=_FUNC,
                                      param="exposure.start_date",
                                      context=ex[["subject_id"]])
        ex = ex[ex["st"].notna() & ex["phase"].notna()].sort_values("st")
        left = out[["USUBJID", "ASTDT"]].reset_index().dropna(subset=["ASTDT"]).sort_values(
            "ASTDT")
        m = pd.merge_asof(left, ex.rename(columns={"subject_id": "USUBJID"})[
            ["USUBJID", "st", "phase"]], left_on="ASTDT", right_on="st", by="USUBJID",
                          direction="backward").set_index("index")
        on_trt = ph == "TREATMENT"
        ph = ph.where(~on_trt, m["phase"].reindex(out.index).fillna("TREATMENT"))
    return given.where(given.notna(), ph)


def _reasons(given, no_date, in_window, contains, sev_used, window_days: int) -> pd.Series:
    """The REASON text of each AE row, built once per combination of its five conditions.

    Issue 21: the text is one of at most 32 values; building it per row (``np.char.add`` on
    every row, then pandas converting a NumPy unicode array of every row) took seconds on
    250,000 AEs. The same expressions run on the distinct combinations, whose result
    (and dtype) is then taken per row.
    """
    bits = [np.asarray(c, dtype=bool) for c in (given, no_date, in_window, contains, sev_used)]
    code = sum(b.astype(np.int64) << k for k, b in enumerate(bits))
    combos, inverse = np.unique(np.asarray(code, dtype=np.int64), return_inverse=True)
    g, nd, iw, ct, su = ((combos >> k) & 1 == 1 for k in range(5))
    why = np.where(g, "treatment-emergent flag as given",
                   np.where(nd, "no onset date: treatment-emergent (conservative)",
                            np.where(iw, f"onset within [first dose, last dose + "
                                         f"{window_days} d]", "onset outside window")))
    why = np.where(ct, np.char.add(why.astype(str), "; partial onset imputed to first "
                                                    "dose"), why)
    text = pd.Series(np.where(su, np.char.add(why.astype(str), "; grade from severity"), why))
    return pd.Series(text.array.take(inverse.reshape(-1)), index=given.index, dtype=text.dtype)

