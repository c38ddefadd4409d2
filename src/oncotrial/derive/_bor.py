"""ADRS parameters: OVR per assessment; BOR/CBOR, RSP/CRSP, CB/CCB, PD, MDIS, LSTA per subject."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._validation import check_choice, check_count
from oncotrial.derive._checks import require_columns, text
from oncotrial.derive._dates import parse_iso_dates

#: RECIST 1.1 section 4.6.1: response must be "confirmed by repeat assessments that should be
#: performed no less than 4 weeks after the criteria for response are first met".
CONFIRM_DAYS = 28
#: RECIST 1.1 section 4.6.1: SD must be met "at least once after study entry at a minimum
#: interval (in general not less than 6-8 weeks) that is defined in the study protocol".
SD_MIN_DAYS = 42
#: admiralonco ``aval_resp()`` numeric codes for AVALC.
AVAL_RESP = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7}
RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
_PARAM = {
    "OVR": "Overall Response", "BOR": "Best Overall Response",
    "CBOR": "Best Confirmed Overall Response", "RSP": "Response (CR/PR)",
    "CRSP": "Confirmed Response (CR/PR)", "CB": "Clinical Benefit (CR/PR/SD/NON-CR/NON-PD)",
    "CCB": "Confirmed Clinical Benefit", "PD": "Disease Progression",
    "MDIS": "Measurable Disease at Baseline", "LSTA": "Last Disease Assessment",
}
ADRS_COLUMNS = ["USUBJID", "EVALUATOR", "PARAMCD", "PARAM", "AVALC", "AVAL", "ADT", "VISIT",
                "REASON"]


def _rows(frame: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    out = frame.copy()
    out["PARAMCD"] = paramcd
    out["PARAM"] = _PARAM[paramcd]
    yn = out["AVALC"].isin(["Y", "N"])
    out["AVAL"] = np.where(yn, (out["AVALC"] == "Y").astype(float),
                           out["AVALC"].map(AVAL_RESP).astype(float))
    for c in ADRS_COLUMNS:
        if c not in out.columns:
            out[c] = pd.NaT if c == "ADT" else ""
    return out[ADRS_COLUMNS].reset_index(drop=True)


def derive_param_ovr(dataset: pd.DataFrame) -> pd.DataFrame:
    """ADRS ``OVR`` rows (one per post-baseline assessment) from :func:`derive_vars_recist`.

    Examples
    --------
    >>> tp = pd.DataFrame({"USUBJID": ["S1", "S1"], "EVALUATOR": ["INVESTIGATOR"] * 2,
    ...     "VISIT": ["BASELINE", "WEEK 6"], "ADT": pd.to_datetime(["2014-01-02", "2014-02-12"]),
    ...     "ABLFL": ["Y", ""], "AVALC": ["", "PR"], "REASON": ["baseline", "-35%"]})
    >>> derive_param_ovr(tp)[["PARAMCD", "AVALC", "AVAL"]].values.tolist()
    [['OVR', 'PR', 2.0]]
    """
    require_columns(dataset, ["USUBJID", "EVALUATOR", "ADT", "ABLFL", "AVALC"],
                    "derive_param_ovr", "dataset")
    return _rows(dataset[dataset["ABLFL"] != "Y"], "OVR")


def ovr_from_responses(dataset: pd.DataFrame, *,
                       date_rule: tuple[str, str] = ("first", "M")) -> pd.DataFrame:
    """ADRS ``OVR`` rows from a canonical ``responses`` table (source RS OVRLRESP), as given.

    Partial dates are imputed by ``date_rule`` = (imputation, highest), as admiral
    ``derive_vars_dt(date_imputation =, highest_imputation =)``; default the first day of
    the period (``REASON`` says so). A date the SDTM reader completed from ``YYYY-MM``
    (``date_imputation = 'D'``) is re-imputed by the same rule (admiral's ADRS template:
    ``('last', 'D')``, so ``2014-02`` -> ``2014-02-28``).

    .. versionchanged:: 0.2 ``date_rule``.

    Examples
    --------
    >>> rs = pd.DataFrame({"subject_id": ["S1"], "assessment_date": ["2014-02"],
    ...                    "response": ["sd"]})
    >>> ovr_from_responses(rs)[["AVALC", "ADT"]].astype(str).values.tolist()
    [['SD', '2014-02-01']]
    """
    func = "ovr_from_responses"
    require_columns(dataset, ["subject_id", "assessment_date", "response"], func, "dataset")
    resp = text(dataset["response"])
    bad = ~resp.isin(RESPONSES)
    if bad.any():
        from oncotrial._errors import OncotrialValueError
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise OncotrialValueError(
            f"`dataset.response` of `{func}` must be one of {list(RESPONSES)}; got "
            f"{dataset['response'].iloc[i]!r} for subject {dataset['subject_id'].iloc[i]!r}. "
            "Recode the response (RECIST 1.1 time-point codes).")
    raw = dataset["assessment_date"].astype("string")
    if "date_imputation" in dataset:
        reader_d = (dataset["date_imputation"].astype("string") == "D").fillna(False)
        raw = raw.where(~reader_d, raw.str[:7])
    check_choice(date_rule[0], ("first", "mid", "last", "none"), func, "date_rule[0]")
    check_choice(date_rule[1], ("M", "D", "n"), func, "date_rule[1]")
    adt, flag = parse_iso_dates(raw, impute=date_rule[0], highest=date_rule[1], func=func,
                                param="assessment_date",
                                context=pd.DataFrame({"subject_id": dataset["subject_id"]}))
    rule_text = {"first": "first day", "mid": "middle", "last": "last day",
                 "none": "missing"}[date_rule[0]]
    ev = text(dataset["evaluator"]) if "evaluator" in dataset else None
    out = pd.DataFrame({
        "USUBJID": dataset["subject_id"].astype(str).to_numpy(),
        "EVALUATOR": (ev.fillna("INVESTIGATOR").to_numpy() if ev is not None
                      else "INVESTIGATOR"),
        "VISIT": dataset["visit"].to_numpy() if "visit" in dataset else "",
        "ADT": adt.to_numpy(), "AVALC": resp.to_numpy(),
        "ADTF": flag.to_numpy(),
        "REASON": np.where(flag.notna(), "response as reported (RS); partial date imputed to "
                                         f"the {rule_text}", "response as reported (RS)")})
    nodate = out["ADT"].isna().to_numpy()
    if nodate.any():
        from oncotrial.derive._checks import first_rows, warn
        warn(f"{int(nodate.sum())} reported response(s) have a partial date that date_rule "
             f"{date_rule} does not impute; they are not used: "
             f"{first_rows(out[nodate], ['USUBJID', 'VISIT'])}.")
        out = out[~nodate]
    return _rows(out.sort_values(["USUBJID", "EVALUATOR", "ADT"], kind="stable"), "OVR")


def _window(ovr: pd.DataFrame, adsl: pd.DataFrame, ignore_after_pd: bool,
            ignore_after_new_therapy: bool) -> pd.DataFrame:
    """OVR rows that count for BOR, ordered, with days since REFDT (``DY``)."""
    o = ovr[ovr["PARAMCD"] == "OVR"] if "PARAMCD" in ovr else ovr
    o = o.assign(ADT=pd.to_datetime(o["ADT"])).merge(
        adsl[["USUBJID", "REFDT", "NACTDT"]], on="USUBJID", how="left")
    o = o.sort_values(["USUBJID", "EVALUATOR", "ADT"], kind="stable")
    keep = ~(o["ADT"] < o["REFDT"])
    if ignore_after_new_therapy:
        keep &= ~(o["ADT"] > o["NACTDT"])
    o = o[keep.to_numpy()].copy()
    if ignore_after_pd:
        pdc = (o["AVALC"] == "PD").groupby([o["USUBJID"], o["EVALUATOR"]]).cumsum()
        prev = pdc - (o["AVALC"] == "PD")
        o = o[(prev == 0).to_numpy()]
    o["DY"] = (o["ADT"] - o["REFDT"]).dt.days
    return o


def _day_texts(adt: pd.Series) -> list[str] | None:
    """``YYYY-MM-DD`` of every date in one vectorised strftime, or None to format per row.

    Issue 21: the same text as ``f"{pd.Timestamp(x):%Y-%m-%d}"`` for years 1000-9999; with a
    missing date or another year, None keeps the per-row formatting (and its error).
    """
    idx = pd.DatetimeIndex(adt)
    if not len(idx) or idx.isna().any() or not ((idx.year >= 1000) & (idx.year <= 9999)).all():
        return None
    return idx.strftime("%Y-%m-%d").tolist()


def _best(r: list[str], t: list, dy: list, *, confirm: bool, confirm_days: int,
          max_nr_ne: int, sd_min_days: int, cr_then_pr: str,
          day: list[str] | None = None) -> tuple[str, object, str]:
    """Best response of one subject's ordered responses; returns (AVALC, date, reason).

    ``day`` is ``t`` as ``YYYY-MM-DD`` text when the caller formatted it already.
    """
    if not r:
        return "MISSING", pd.NaT, "no post-baseline assessment -> MISSING"
    if day is None:
        day = [f"{pd.Timestamp(x):%Y-%m-%d}" for x in t]
    note = ""
    if confirm and cr_then_pr == "pd":
        seen_cr = False
        for k, x in enumerate(r):
            if x == "PR" and seen_cr:
                r, t, dy, day = [*r[:k], "PD"], t[:k + 1], dy[:k + 1], day[:k + 1]
                note = (f"PR on {day[k]} after CR read as reappearance of disease (RECIST 1.1 "
                        "Table 3 note a: cr_then_pr='pd'); ")
                break
            seen_cr = seen_cr or x == "CR"
    res, adt, why = _best_core(r, t, dy, day, confirm=confirm, confirm_days=confirm_days,
                               max_nr_ne=max_nr_ne, sd_min_days=sd_min_days)
    return res, adt, note + why


def _best_core(r: list[str], t: list, dy: list, day: list[str], *, confirm: bool,
               confirm_days: int, max_nr_ne: int, sd_min_days: int) -> tuple[str, object, str]:
    sd_ok = [d is not None and d == d and d >= sd_min_days for d in dy]
    if confirm:
        for want, ok_first, ok_between in (("CR", {"CR"}, {"CR", "NE"}),
                                           ("PR", {"CR", "PR"}, {"CR", "PR", "NE"})):
            for i, x in enumerate(r):
                if x not in ok_first:
                    continue
                n_ne = 0
                for j in range(i + 1, len(r)):
                    gap = (t[j] - t[i]).days
                    if r[j] in ok_first and gap >= confirm_days:
                        return want, t[i], (f"{x} on {day[i]} confirmed by {r[j]} on {day[j]} "
                                            f"({gap} days >= {confirm_days}, {n_ne} NE between)"
                                            f" -> {want}")
                    if r[j] not in ok_between:
                        break
                    n_ne += r[j] == "NE"
                    if n_ne > max_nr_ne:
                        break
    else:
        for want in ("CR", "PR"):
            if want in r:
                i = r.index(want)
                return want, t[i], f"{want} on {day[i]} (unconfirmed best) -> {want}"
    nt_only = "NON-CR/NON-PD" in r and not ({"SD", "PR"} & set(r))
    for i, x in enumerate(r):
        if x in ("CR", "PR", "SD", "NON-CR/NON-PD") and sd_ok[i]:
            res = "NON-CR/NON-PD" if nt_only else "SD"
            extra = " (unconfirmed response counts as SD)" if x in ("CR", "PR") else ""
            return res, t[i], (f"{x} on {day[i]} at day {dy[i]:.0f} >= {sd_min_days}{extra} "
                               f"-> {res}")
    if "PD" in r:
        i = r.index("PD")
        early = " (no earlier SD/response lasting the SD minimum duration)" if i else ""
        return "PD", t[i], f"PD on {day[i]}{early} -> PD"
    why = ("no SD/response at or after day "
           f"{sd_min_days}" if any(x != "NE" for x in r) else "all assessments NE")
    return "NE", t[0], f"{len(r)} assessment(s), {why} -> NE"


def derive_param_bor(dataset: pd.DataFrame, *, adsl: pd.DataFrame, confirm: bool = False,
                     confirm_days: int = CONFIRM_DAYS, max_nr_ne: int = 1,
                     sd_min_days: int = SD_MIN_DAYS,
                     reference: Literal["first-dose", "randomization"] | None = None,
                     ignore_after_pd: bool = True, ignore_after_new_therapy: bool = True,
                     cr_then_pr: Literal["pd", "pr"] = "pd") -> pd.DataFrame:
    """Best overall response (``BOR``) or best confirmed overall response (``CBOR``).

    Parameters
    ----------
    dataset : DataFrame
        ADRS ``OVR`` rows (:func:`derive_param_ovr` or :func:`ovr_from_responses`).
    adsl : DataFrame
        :func:`derive_adsl` output: ``USUBJID``, ``REFDT`` (reference date), ``NACTDT``.
        Every ADSL subject gets a row; no assessment gives ``MISSING``.
    confirm : bool, default=False
        ``False`` gives ``BOR`` (unconfirmed), ``True`` gives ``CBOR``.
    confirm_days : int, default=28
        Minimum days between a response and its confirmation (RECIST 1.1 section 4.6.1).
    max_nr_ne : int, default=1
        NE assessments allowed between a response and its confirmation.
    sd_min_days : int, default=42
        SD (or NON-CR/NON-PD) counts only at ``ADT - REFDT >= sd_min_days`` days (4.6.1).
    reference : {'first-dose', 'randomization'}, optional
        Checked against ``adsl.REFTYPE`` when given (the reference is chosen in ADSL).
    ignore_after_pd, ignore_after_new_therapy : bool, default=True
        Drop assessments after the first PD / after ``NACTDT``.
    cr_then_pr : {'pd', 'pr'}, default='pd'
        RECIST 1.1 Table 3 note for a CR followed by PR: ``'pd'`` reads the PR as reappearance
        of disease after a true CR (BOR is SD if the CR met the SD duration, else PD);
        ``'pr'`` re-reads the first CR as PR (confirmed PR). Only used when ``confirm=True``.

    Returns
    -------
    DataFrame
        ADRS rows ``PARAMCD`` ``BOR``/``CBOR`` with ``AVALC`` in CR, PR, SD, NON-CR/NON-PD,
        PD, NE, MISSING; ``AVAL`` the admiralonco ``aval_resp`` code; ``ADT`` the date of the
        assessment that decides it; ``REASON``.

    Notes
    -----
    Unconfirmed (RECIST 1.1 section 4.4.3 [1]_): CR if any CR; else PR if any PR; else SD
    (NON-CR/NON-PD for non-target-only disease) if any CR/PR/SD/NON-CR/NON-PD at day
    >= ``sd_min_days``; else PD if any PD; else NE when assessments exist; else MISSING
    (admiralonco codes [2]_).

    Confirmed (section 4.6.1 and Table 3): CR needs a later CR >= ``confirm_days`` later
    with only CR/NE between; PR needs a later CR/PR >= ``confirm_days`` later with only
    CR/PR/NE between (so PR then CR gives PR); at most ``max_nr_ne`` NE between. Otherwise an
    unconfirmed CR/PR counts as SD when it meets the SD duration (Table 3: CR/PR followed by
    NE, SD or PD -> SD "provided minimum criteria for SD duration met", otherwise PD or NE).

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247, sections 4.4.3, 4.6.1, Table 3.
    .. [2] admiralonco ``derive_param_bor()``, ``derive_param_confirmed_bor()``.

    Examples
    --------
    PR at day 56 confirmed by PR at day 98 (42 days later):

    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...                      "NACTDT": pd.NaT})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"] * 3, "EVALUATOR": ["INVESTIGATOR"] * 3,
    ...     "PARAMCD": "OVR", "ADT": pd.to_datetime(["2014-02-12", "2014-02-26", "2014-04-09"]),
    ...     "AVALC": ["SD", "PR", "PR"]})
    >>> derive_param_bor(ovr, adsl=adsl, confirm=True)[["PARAMCD", "AVALC", "AVAL"]].values.tolist()
    [['CBOR', 'PR', 2.0]]
    """
    func = "derive_param_bor"
    require_columns(dataset, ["USUBJID", "EVALUATOR", "ADT", "AVALC"], func, "dataset")
    require_columns(adsl, ["USUBJID", "REFDT", "NACTDT"], func, "adsl")
    check_count(confirm_days, func, "confirm_days")
    check_count(max_nr_ne, func, "max_nr_ne")
    check_count(sd_min_days, func, "sd_min_days")
    check_choice(cr_then_pr, ("pd", "pr"), func, "cr_then_pr")
    if reference is not None:
        check_choice(reference, ("first-dose", "randomization"), func, "reference")
        if "REFTYPE" in adsl and (adsl["REFTYPE"] != reference).any():
            from oncotrial._errors import bad_value
            raise bad_value("reference", func, f"the reference ADSL was derived with "
                            f"({adsl['REFTYPE'].iloc[0]!r})", reference,
                            "Re-derive ADSL with derive_adsl(..., reference=...).")
    o = _window(dataset, adsl, ignore_after_pd, ignore_after_new_therapy)
    evals = sorted(dataset["EVALUATOR"].unique().tolist()) or ["INVESTIGATOR"]
    grid = pd.MultiIndex.from_product([adsl["USUBJID"].astype(str), evals],
                                      names=["USUBJID", "EVALUATOR"])
    # Issue 21: row positions per subject x evaluator (no sub-frame per group) and each column
    # converted to Python values once; _best then reads plain lists.
    groups = o.groupby(["USUBJID", "EVALUATOR"], sort=False).indices if len(o) else {}
    avalc, adts, dys = o["AVALC"].tolist(), list(o["ADT"]), o["DY"].tolist()
    days = _day_texts(o["ADT"])
    rows = []
    for key in grid:
        pos = groups.get(key)
        r = [] if pos is None else [avalc[i] for i in pos]
        t = [] if pos is None else [adts[i] for i in pos]
        dy = [] if pos is None else [dys[i] for i in pos]
        day = None if pos is None or days is None else [days[i] for i in pos]
        res, adt, why = _best(r, t, dy, confirm=confirm, confirm_days=confirm_days,
                              max_nr_ne=max_nr_ne, sd_min_days=sd_min_days,
                              cr_then_pr=cr_then_pr, day=day)
        rows.append((*key, res, adt, why))
    out = pd.DataFrame(rows, columns=["USUBJID", "EVALUATOR", "AVALC", "ADT", "REASON"])
    out["ADT"] = pd.to_datetime(out["ADT"])
    return _rows(out, "CBOR" if confirm else "BOR")


def derive_param_response(dataset: pd.DataFrame) -> pd.DataFrame:
    """``RSP``/``CB`` from ``BOR`` rows and ``CRSP``/``CCB`` from ``CBOR`` rows.

    ``RSP = 'Y'`` when the best response is CR or PR; ``CB = 'Y'`` when it is CR, PR, SD or
    NON-CR/NON-PD (SD already required ``sd_min_days``), as admiralonco's response and
    clinical-benefit parameters.

    Examples
    --------
    >>> bor = pd.DataFrame({"USUBJID": ["S1", "S2"], "EVALUATOR": "INVESTIGATOR",
    ...     "PARAMCD": ["BOR", "BOR"], "AVALC": ["SD", "PR"], "ADT": pd.NaT})
    >>> r = derive_param_response(bor)
    >>> r[["USUBJID", "PARAMCD", "AVALC"]].values.tolist()
    [['S1', 'RSP', 'N'], ['S2', 'RSP', 'Y'], ['S1', 'CB', 'Y'], ['S2', 'CB', 'Y']]
    """
    require_columns(dataset, ["USUBJID", "EVALUATOR", "PARAMCD", "AVALC", "ADT"],
                    "derive_param_response", "dataset")
    parts = []
    for src, rsp, cb in (("BOR", "RSP", "CB"), ("CBOR", "CRSP", "CCB")):
        b = dataset[dataset["PARAMCD"] == src]
        if not len(b):
            continue
        for code, ok in ((rsp, ("CR", "PR")), (cb, ("CR", "PR", "SD", "NON-CR/NON-PD"))):
            y = b["AVALC"].isin(ok)
            parts.append(_rows(pd.DataFrame({
                "USUBJID": b["USUBJID"], "EVALUATOR": b["EVALUATOR"],
                "AVALC": np.where(y, "Y", "N"), "ADT": b["ADT"].where(y),
                "REASON": f"{src} " + b["AVALC"] + np.where(y, f" in {ok}", f" not in {ok}")}),
                code))
    return pd.concat(parts, ignore_index=True) if parts else _rows(
        pd.DataFrame(columns=["USUBJID", "EVALUATOR", "AVALC", "ADT"]), "RSP")


def derive_param_pd_lsta(dataset: pd.DataFrame, *, adsl: pd.DataFrame,
                         ignore_after_new_therapy: bool = True,
                         lsta_after_pd: bool = False) -> pd.DataFrame:
    """``PD`` (first progression, Y/N) and ``LSTA`` (last assessment up to the first PD).

    ``lsta_after_pd=True`` makes ``LSTA`` the last assessment of all, assessments after
    the first PD included, as admiralonco's template (``LSTA`` from every ``ANL01FL``
    record; only BOR and the response parameters stop at the first PD).

    .. versionchanged:: 0.2 ``lsta_after_pd``.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...                      "NACTDT": pd.NaT})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"] * 3, "EVALUATOR": "INVESTIGATOR",
    ...     "ADT": pd.to_datetime(["2014-02-12", "2014-03-26", "2014-05-07"]),
    ...     "AVALC": ["SD", "PD", "SD"]})
    >>> derive_param_pd_lsta(ovr, adsl=adsl)[["PARAMCD", "AVALC", "ADT"]].astype(str).values.tolist()
    [['PD', 'Y', '2014-03-26'], ['LSTA', 'PD', '2014-03-26']]
    """
    o = _window(dataset, adsl, True, ignore_after_new_therapy)
    last = o.groupby(["USUBJID", "EVALUATOR"], sort=False).tail(1)
    pdy = last["AVALC"] == "PD"
    lst = last
    if lsta_after_pd:
        lst = _window(dataset, adsl, False, ignore_after_new_therapy).groupby(
            ["USUBJID", "EVALUATOR"], sort=False).tail(1)
    pd_rows = pd.DataFrame({"USUBJID": last["USUBJID"], "EVALUATOR": last["EVALUATOR"],
                            "AVALC": np.where(pdy, "Y", "N"), "ADT": last["ADT"].where(pdy),
                            "VISIT": last.get("VISIT", ""),
                            "REASON": np.where(pdy, "first PD on " + last["ADT"].dt.strftime(
                                "%Y-%m-%d"), "no PD up to the last assessment")})
    lsta = pd.DataFrame({"USUBJID": lst["USUBJID"], "EVALUATOR": lst["EVALUATOR"],
                         "AVALC": lst["AVALC"], "ADT": lst["ADT"],
                         "VISIT": lst.get("VISIT", ""),
                         "REASON": "last assessment (after PD included)" if lsta_after_pd
                         else "last assessment (up to first PD / new therapy)"})
    # every ADSL subject x evaluator gets PD (N without any assessment, as admiralonco's
    # derive_extreme_records(dataset_ref = adsl, false_value = "N")); LSTA needs an assessment
    evals = sorted(dataset["EVALUATOR"].unique().tolist()) if len(dataset) else []
    if evals:
        grid = pd.MultiIndex.from_product([adsl["USUBJID"].astype(str), evals],
                                          names=["USUBJID", "EVALUATOR"]).to_frame(index=False)
        miss = grid.merge(pd_rows[["USUBJID", "EVALUATOR"]], how="left", indicator=True)
        miss = miss[miss["_merge"] == "left_only"].drop(columns="_merge")
        pd_rows = pd.concat([pd_rows, miss.assign(AVALC="N", ADT=pd.NaT, VISIT="",
                                                  REASON="no assessment in the window")],
                            ignore_index=True)
    return pd.concat([_rows(pd_rows, "PD"), _rows(lsta, "LSTA")], ignore_index=True)


def derive_param_mdis(dataset: pd.DataFrame, *, adsl: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    """``MDIS``: measurable disease at baseline (>= 1 target lesion) from time points.

    With ``adsl``, subjects without a baseline assessment get ``N`` too (admiralonco
    ``derive_param_exist_flag(missing_value = "N")``), per evaluator in ``dataset``.

    .. versionchanged:: 0.2 ``adsl``.

    Examples
    --------
    >>> tp = pd.DataFrame({"USUBJID": ["S1", "S2"], "EVALUATOR": "INVESTIGATOR",
    ...     "ABLFL": "Y", "NTRGBL": [2, 0], "ADT": pd.to_datetime(["2014-01-01"] * 2)})
    >>> derive_param_mdis(tp)["AVALC"].tolist()
    ['Y', 'N']
    """
    b = dataset[dataset["ABLFL"] == "Y"]
    y = b["NTRGBL"] > 0
    out = pd.DataFrame({
        "USUBJID": b["USUBJID"], "EVALUATOR": b["EVALUATOR"], "AVALC": np.where(y, "Y", "N"),
        "ADT": b["ADT"], "REASON": b["NTRGBL"].astype(str) + " target lesion(s) at baseline"})
    if adsl is not None:
        evals = sorted(b["EVALUATOR"].unique().tolist()) or ["INVESTIGATOR"]
        grid = pd.MultiIndex.from_product([adsl["USUBJID"].astype(str), evals],
                                          names=["USUBJID", "EVALUATOR"]).to_frame(index=False)
        miss = grid.merge(out[["USUBJID", "EVALUATOR"]], how="left", indicator=True)
        miss = miss[miss["_merge"] == "left_only"].drop(columns="_merge")
        out = pd.concat([out, miss.assign(AVALC="N", ADT=pd.NaT,
                                          REASON="no baseline tumour assessment")],
                        ignore_index=True)
    return _rows(out, "MDIS")
