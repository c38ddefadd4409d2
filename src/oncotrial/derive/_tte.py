"""ADTTE: time-to-event parameters with censoring rules as data (admiral's event/censor sources).

``derive_param_tte`` is the generic engine; ``derive_param_os``, ``derive_param_pfs``,
``derive_param_dor`` and ``derive_param_ttr`` prepare their sources (the FDA 2018 PFS
censoring table included) and call it. ``event_from_cnsr`` is the one place ADaM ``CNSR``
becomes an event indicator (STYLE.md rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._frame import isin, lookup
from oncotrial._validation import check_choice, check_count
from oncotrial.derive._checks import require_columns

ADEQUATE = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD")
ADTTE_COLUMNS = ["USUBJID", "EVALUATOR", "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "CNSR",
                 "EVNTDESC", "CNSDTDSC", "SRCDOM"]


@dataclass(frozen=True, slots=True)
class EventSource:
    """Where an event date comes from (admiral ``event_source()``).

    Parameters
    ----------
    dataset_name : str
        Key of ``source_datasets`` in :func:`derive_param_tte`.
    date : str
        Column holding the event date.
    filter : str, optional
        ``DataFrame.query`` expression selecting the event rows.
    description : str
        ``EVNTDESC`` text (or, with ``description_var``, the fallback).
    description_var : str, optional
        Column holding a per-row description instead.
    """

    dataset_name: str
    date: str
    filter: str | None = None
    description: str = ""
    description_var: str | None = None


@dataclass(frozen=True, slots=True)
class CensorSource:
    """Where a censoring date comes from (admiral ``censor_source()``); ``CNSR`` = ``censor``.

    Fields as :class:`EventSource`, plus ``censor`` (the ``CNSR`` value, >= 1).
    """

    dataset_name: str
    date: str
    filter: str | None = None
    description: str = ""
    description_var: str | None = None
    censor: int = 1


#: ready-made sources over ADSL (``dataset_name='adsl'``) and ADRS (``'adrs'``)
death_event = EventSource("adsl", "DTHDT", "DTHFL == 'Y'", "DEATH")
lastalive_censor = CensorSource("adsl", "LSTALVDT", None, "LAST DATE KNOWN ALIVE")
pd_event = EventSource("adrs", "ADT", "PARAMCD == 'PD' and AVALC == 'Y'", "DISEASE PROGRESSION")


def event_from_cnsr(cnsr: object) -> np.ndarray:
    """Convert ADaM ``CNSR`` (0 = event, >= 1 = censored) to ``event: bool``.

    This is the only place in oncotrial where ``CNSR`` is read (STYLE.md rule 5); estimators
    take ``event`` (1 = event).

    Raises
    ------
    OncotrialValueError
        ``CNSR`` is missing, negative or not an integer.

    Examples
    --------
    >>> event_from_cnsr([0, 1, 2, 0]).tolist()
    [True, False, False, True]
    """
    try:
        c = np.asarray(cnsr, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise OncotrialValueError(f"`cnsr` of `event_from_cnsr` must be integers >= 0; got "
                                  f"{type(cnsr).__name__}.") from None
    bad = ~np.isfinite(c) | (c < 0) | (c != np.round(c))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OncotrialValueError(
            f"`cnsr` of `event_from_cnsr` must be integers >= 0 (0 = event); got {float(c[i])!r} at "
            f"index {i}. Fix the ADTTE CNSR column.")
    return c == 0


def _collect(sources, datasets: dict[str, pd.DataFrame], by: list[str]) -> pd.DataFrame:
    parts = []
    for k, src in enumerate(sources):
        if src.dataset_name not in datasets:
            raise OncotrialValueError(
                f"`source_datasets` of `derive_param_tte` must contain {src.dataset_name!r} "
                f"(used by {src!r}); got keys {sorted(datasets)}.")
        d = datasets[src.dataset_name]
        if src.filter:
            d = d.query(src.filter)
        d = d[d[src.date].notna()]
        desc = (d[src.description_var].fillna(src.description) if src.description_var
                else pd.Series(src.description, index=d.index))
        cols = {c: d[c] for c in by if c in d.columns}
        parts.append(pd.DataFrame({**cols, "ADT": pd.to_datetime(d[src.date]), "DESC": desc,
                                   "CNSR": getattr(src, "censor", 0), "SRCDOM":
                                   src.dataset_name.upper(), "ORDER": k}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=[*by, "ADT", "DESC", "CNSR", "SRCDOM", "ORDER"])


def derive_param_tte(dataset_adsl: pd.DataFrame, *, source_datasets: dict[str, pd.DataFrame],
                     event_conditions: list[EventSource], censor_conditions: list[CensorSource],
                     paramcd: str, param: str, start_date: str = "REFDT",
                     evaluator: str = "") -> pd.DataFrame:
    """Derive one time-to-event parameter from event and censoring sources.

    Parameters
    ----------
    dataset_adsl : DataFrame
        One row per subject with ``USUBJID`` and ``start_date``.
    source_datasets : dict of str to DataFrame
        Datasets named by the sources (each with ``USUBJID``).
    event_conditions, censor_conditions : list of EventSource / CensorSource
        Where events and censoring dates come from.
    paramcd, param : str
        ``PARAMCD`` and ``PARAM`` of the new rows.
    start_date : str, default='REFDT'
        ADSL column with the time origin (``STARTDT``). A source dataset may override it per
        subject with a ``STARTDT`` column (e.g. first response for DoR).
    evaluator : str, default=''
        Written to ``EVALUATOR``.

    Returns
    -------
    DataFrame
        ``ADTTE_COLUMNS``: one row per subject with a start date and any event or censoring
        date.

    Notes
    -----
    As admiral ``derive_param_tte()`` [1]_: (1) the event is the *earliest* event date
    among the event sources (ties: the first source listed); (2) subjects without an event
    are censored at the *latest* censoring date (ties: first listed); (3)
    ``AVAL = ADT - STARTDT + 1`` days (admiral ``derive_vars_duration(add_one = TRUE)``);
    (4) a subject with neither is absent from the output. ``CNSR`` = 0 for events and the
    source's ``censor`` value otherwise.

    References
    ----------
    .. [1] admiral ``derive_param_tte()``, ``event_source()``, ``censor_source()``.

    Examples
    --------
    Overall survival: S1 died on day 100, S2 censored when last known alive.

    >>> adsl = pd.DataFrame({"USUBJID": ["S1", "S2"],
    ...     "REFDT": pd.to_datetime(["2014-01-01", "2014-01-01"]), "DTHFL": ["Y", "N"],
    ...     "DTHDT": pd.to_datetime(["2014-04-10", None]),
    ...     "LSTALVDT": pd.to_datetime(["2014-04-10", "2014-06-30"])})
    >>> os_ = derive_param_tte(adsl, source_datasets={"adsl": adsl},
    ...     event_conditions=[death_event], censor_conditions=[lastalive_censor],
    ...     paramcd="OS", param="Overall Survival (days)")
    >>> os_[["USUBJID", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]].values.tolist()
    [['S1', 100.0, 0, 'DEATH', ''], ['S2', 181.0, 1, '', 'LAST DATE KNOWN ALIVE']]
    """
    require_columns(dataset_adsl, ["USUBJID", start_date], "derive_param_tte", "dataset_adsl")
    by = ["USUBJID"]
    ev = _collect(event_conditions, source_datasets, by)
    cn = _collect(censor_conditions, source_datasets, by)
    first_ev = ev.sort_values(["USUBJID", "ADT", "ORDER"], kind="stable").drop_duplicates(
        "USUBJID")
    last_cn = cn.sort_values(["USUBJID", "ADT", "ORDER"], ascending=[True, False, True],
                             kind="stable").drop_duplicates("USUBJID")
    last_cn = last_cn[~isin(last_cn["USUBJID"], first_ev["USUBJID"])]
    res = pd.concat([x for x in (first_ev, last_cn) if len(x)] or [first_ev],
                    ignore_index=True)
    start = dataset_adsl[["USUBJID", start_date]].rename(columns={start_date: "STARTDT"})
    res = res.merge(start, on="USUBJID", how="inner")
    res = res[res["STARTDT"].notna()]
    if res.empty:  # no event or censoring source at all: typed empty columns, not object
        res = res.assign(ADT=pd.to_datetime(res["ADT"]), STARTDT=pd.to_datetime(res["STARTDT"]))
    out = pd.DataFrame({
        "USUBJID": res["USUBJID"], "EVALUATOR": evaluator, "PARAMCD": paramcd, "PARAM": param,
        "STARTDT": res["STARTDT"], "ADT": res["ADT"],
        "AVAL": ((res["ADT"] - res["STARTDT"]).dt.days + 1).astype(float),
        "CNSR": res["CNSR"].astype(int),
        "EVNTDESC": np.where(res["CNSR"] == 0, res["DESC"], ""),
        "CNSDTDSC": np.where(res["CNSR"] != 0, res["DESC"], ""), "SRCDOM": res["SRCDOM"]})
    order = {u: i for i, u in enumerate(dataset_adsl["USUBJID"])}
    out = out.iloc[np.argsort(out["USUBJID"].map(order).to_numpy(), kind="stable")]
    return out[ADTTE_COLUMNS].reset_index(drop=True)


def derive_param_os(adsl: pd.DataFrame, *, censor_at_reference: bool = False) -> pd.DataFrame:
    """``OS``: death (event) or censoring at the last date known alive, from ``REFDT``.

    ``censor_at_reference=True`` adds admiralonco's ``rand_censor``: the censoring date is the
    later of ``LSTALVDT`` and ``REFDT`` (a last-alive date before the reference date, which
    ``oncotrial validate`` reports as ``alive-before-reference``, then gives ``AVAL = 1``).

    .. versionchanged:: 0.2 ``censor_at_reference``.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...     "DTHFL": ["N"], "DTHDT": pd.NaT, "LSTALVDT": pd.to_datetime(["2014-01-31"])})
    >>> r = derive_param_os(adsl)
    >>> r["AVAL"].tolist(), r["CNSR"].tolist()
    ([31.0], [1])
    """
    cens = [lastalive_censor]
    if censor_at_reference:
        cens.append(CensorSource("adsl", "REFDT", None, "REFERENCE DATE"))
    return derive_param_tte(adsl, source_datasets={"adsl": adsl},
                            event_conditions=[death_event], censor_conditions=cens,
                            paramcd="OS", param="Overall Survival (days)")


def pfs_sources(ovr: pd.DataFrame, adsl: pd.DataFrame, *, has_baseline: pd.Series | None = None,
                censor_new_therapy: bool = True, max_missed: int = 2,
                assessment_interval_days: int | None = None,
                censor_no_baseline: bool = True,
                death_without_assessment: Literal["censor", "event"] = "censor",
                censor_at: Literal["last-adequate", "last-assessment"] = "last-adequate",
                censor_at_reference: bool = False) -> pd.DataFrame:
    """Per-subject PFS event/censoring dates under the FDA 2018 censoring table.

    Parameters
    ----------
    ovr : DataFrame
        ``OVR`` rows of one evaluator (``USUBJID``, ``ADT``, ``AVALC``).
    adsl : DataFrame
        ``USUBJID``, ``REFDT``, ``DTHDT``, ``NACTDT``.
    has_baseline : Series of bool indexed by USUBJID, optional
        Subjects with a baseline tumour assessment (default: subjects present in ``ovr``).
    censor_new_therapy : bool, default=True
        Only assessments and deaths on or before ``NACTDT`` count; censor at the last
        adequate assessment on or before it.
    max_missed, assessment_interval_days : int
        With an interval given, an event more than ``max_missed x interval`` days after the
        last adequate assessment (or ``REFDT``) is censored at that assessment ("two or more
        missed assessments"). ``None`` (default) disables the rule.
    censor_no_baseline : bool, default=True
        Subjects without a baseline assessment are censored at ``REFDT``.
    death_without_assessment : {'censor', 'event'}, default='censor'
        A subject without any tumour assessment (no baseline) who died: ``'censor'``
        censors at ``REFDT`` as the FDA 2018 table ("No baseline tumor assessments:
        censored at randomization"); ``'event'`` counts the death, as admiralonco's
        ``ad_adtte.R`` (``death_event`` has no assessment condition). Only with
        ``censor_no_baseline=True``.

        .. versionadded:: 0.2
    censor_at : {'last-adequate', 'last-assessment'}, default='last-adequate'
        Censoring date without an event: the last adequate assessment (FDA 2018; NE is not
        adequate) or the last assessment of any response, NE included (admiralonco
        ``lasta_censor``, the ``LSTA`` parameter).

        .. versionadded:: 0.2
    censor_at_reference : bool, default=False
        Never censor before ``REFDT`` (admiralonco ``rand_censor``: the censoring date is the
        later of the assessment date and the reference date).

        .. versionadded:: 0.2

    Returns
    -------
    DataFrame
        ``USUBJID``, ``EVDT``, ``EVDESC``, ``CNDT``, ``CNDESC``, ``STARTDT``.

    Notes
    -----
    FDA (2018) Guidance, "Clinical Trial Endpoints for the Approval of Cancer Drugs and
    Biologics", table of PFS censoring options [1]_. Adequate assessment: OVR in CR, PR, SD,
    NON-CR/NON-PD or PD (NE is not adequate). Event date: the first PD, or death, whichever
    comes first. Without an event: censored at the last adequate assessment; without any
    adequate post-baseline assessment: censored at ``REFDT`` (death still counts).

    References
    ----------
    .. [1] U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and
       Biologics: Guidance for Industry. December 2018, Table 3 (PFS censoring).

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...     "DTHDT": pd.NaT, "NACTDT": pd.to_datetime(["2014-03-01"])})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"] * 2, "AVALC": ["SD", "PD"],
    ...                     "ADT": pd.to_datetime(["2014-02-12", "2014-03-26"])})
    >>> s = pfs_sources(ovr, adsl)
    >>> s[["EVDT", "CNDT", "CNDESC"]].astype("string").fillna("NA").values.tolist()
    [['NA', '2014-02-12', 'NEW ANTI-CANCER THERAPY: LAST ADEQUATE ASSESSMENT BEFORE IT']]
    """
    if assessment_interval_days is not None:
        check_count(assessment_interval_days, "pfs_sources", "assessment_interval_days")
    check_count(max_missed, "pfs_sources", "max_missed")
    a = adsl[["USUBJID", "REFDT", "DTHDT", "NACTDT"]].copy()
    o = ovr[ovr["AVALC"].isin(ADEQUATE)].merge(a[["USUBJID", "REFDT", "NACTDT"]],
                                                on="USUBJID")
    o = o[~(o["ADT"] < o["REFDT"])]
    if censor_new_therapy:
        o = o[~(o["ADT"] > o["NACTDT"])]
    first_pd = o[o["AVALC"] == "PD"].groupby("USUBJID")["ADT"].min()
    a["PDDT"] = lookup(a["USUBJID"], first_pd)
    non_pd = o.merge(a[["USUBJID", "PDDT"]], on="USUBJID")
    non_pd = non_pd[(non_pd["AVALC"] != "PD") & ~(non_pd["ADT"] >= non_pd["PDDT"])]
    check_choice(death_without_assessment, ("censor", "event"), "pfs_sources",
                 "death_without_assessment")
    check_choice(censor_at, ("last-adequate", "last-assessment"), "pfs_sources", "censor_at")
    if censor_at == "last-assessment":
        allo = ovr.merge(a[["USUBJID", "REFDT", "NACTDT", "PDDT"]], on="USUBJID")
        allo = allo[~(allo["ADT"] < allo["REFDT"]) & ~(allo["ADT"] >= allo["PDDT"])]
        if censor_new_therapy:
            allo = allo[~(allo["ADT"] > allo["NACTDT"])]
        non_pd = allo[allo["AVALC"] != "PD"]
    a["LADT"] = lookup(a["USUBJID"], non_pd.groupby("USUBJID")["ADT"].max())
    for col in ("PDDT", "LADT"):  # no response record at all: the empty ADT is untyped
        if not pd.api.types.is_datetime64_any_dtype(a[col]):
            a[col] = pd.to_datetime(a[col])
    a["NADEQ"] = a["USUBJID"].map(o.groupby("USUBJID").size()).fillna(0)
    dth = a["DTHDT"].where(~(censor_new_therapy & (a["DTHDT"] > a["NACTDT"])))
    ev = pd.concat([a["PDDT"], dth], axis=1).min(axis=1)
    evdesc = np.where(a["PDDT"].notna() & (a["PDDT"] <= dth.fillna(a["PDDT"])),
                      "DISEASE PROGRESSION", "DEATH")
    cndt = a["LADT"].fillna(a["REFDT"])
    nt_cut = censor_new_therapy & a["NACTDT"].notna() & ev.isna()
    cndesc = np.where(a["LADT"].isna(), "NO ADEQUATE POST-BASELINE ASSESSMENT: REFERENCE DATE",
                      np.where(nt_cut, "NEW ANTI-CANCER THERAPY: LAST ADEQUATE ASSESSMENT "
                                       "BEFORE IT", "LAST ADEQUATE ASSESSMENT"))
    if assessment_interval_days is not None:
        gap = (ev - cndt).dt.days
        missed = ev.notna() & (gap > max_missed * assessment_interval_days)
        cndesc = np.where(missed, f"EVENT AFTER {max_missed} OR MORE MISSED ASSESSMENTS: LAST "
                                  "ADEQUATE ASSESSMENT", cndesc)
        ev = ev.where(~missed)
    if has_baseline is None:
        has_bl = isin(a["USUBJID"], ovr["USUBJID"])
    else:
        has_bl = isin(a["USUBJID"], has_baseline[has_baseline.astype(bool)].index)
    if censor_no_baseline:
        nobl = ~has_bl
        if death_without_assessment == "event":
            ev = ev.where(~nobl, dth)
            evdesc = np.where(nobl, "DEATH", evdesc)
        else:
            ev = ev.where(~nobl)
        cndt = cndt.where(~nobl, a["REFDT"])
        cndesc = np.where(nobl, "NO BASELINE ASSESSMENT: REFERENCE DATE", cndesc)
    if censor_at_reference:
        later = cndt < a["REFDT"]
        cndt = cndt.where(~later, a["REFDT"])
        cndesc = np.where(later.to_numpy(), "REFERENCE DATE (LATER THAN LAST ASSESSMENT)",
                          cndesc)
    return pd.DataFrame({"USUBJID": a["USUBJID"], "STARTDT": a["REFDT"], "EVDT": ev,
                         "EVDESC": np.where(ev.notna(), evdesc, ""),
                         "CNDT": cndt.where(ev.isna()), "CNDESC": np.where(ev.isna(), cndesc,
                                                                            "")})


def derive_param_pfs(ovr: pd.DataFrame, adsl: pd.DataFrame, *, evaluator: str = "",
                     paramcd: str = "PFS", **rules) -> pd.DataFrame:
    """``PFS`` from :func:`pfs_sources` (rules passed through) and :func:`derive_param_tte`.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...     "DTHDT": pd.NaT, "NACTDT": pd.NaT})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"] * 2, "AVALC": ["SD", "PD"],
    ...                     "ADT": pd.to_datetime(["2014-02-12", "2014-03-26"])})
    >>> derive_param_pfs(ovr, adsl)[["AVAL", "CNSR", "EVNTDESC"]].values.tolist()
    [[85.0, 0, 'DISEASE PROGRESSION']]
    """
    src = pfs_sources(ovr, adsl, **rules)
    return derive_param_tte(
        src, source_datasets={"pfs": src}, start_date="STARTDT",
        event_conditions=[EventSource("pfs", "EVDT", description_var="EVDESC")],
        censor_conditions=[CensorSource("pfs", "CNDT", description_var="CNDESC")],
        paramcd=paramcd, param={"PFS": "Progression-Free Survival (days)",
                                "IPFS": "iRECIST Progression-Free Survival (days)"}.get(
            paramcd, "Duration of Response (days)"), evaluator=evaluator)


def _first_response(ovr: pd.DataFrame, responders: pd.DataFrame) -> pd.Series:
    r = ovr[ovr["AVALC"].isin(["CR", "PR"])].merge(responders[["USUBJID"]], on="USUBJID")
    return r.groupby("USUBJID")["ADT"].min()


def derive_param_dor(ovr: pd.DataFrame, adsl: pd.DataFrame, bor: pd.DataFrame, *,
                     evaluator: str = "", **rules) -> pd.DataFrame:
    """``DOR``: responders only (``bor`` AVALC CR/PR), first CR/PR to PD or death.

    Uses the PFS rules (:func:`pfs_sources`) with the first response date as ``STARTDT``;
    ``bor`` is BOR (unconfirmed) or CBOR (confirmed) rows.

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"]),
    ...     "DTHDT": pd.NaT, "NACTDT": pd.NaT})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"] * 3, "AVALC": ["PR", "PR", "PD"],
    ...     "ADT": pd.to_datetime(["2014-02-12", "2014-03-26", "2014-05-07"])})
    >>> bor = pd.DataFrame({"USUBJID": ["S1"], "AVALC": ["PR"]})
    >>> derive_param_dor(ovr, adsl, bor)[["STARTDT", "AVAL", "CNSR"]].astype("string").fillna("NA").values.tolist()
    [['2014-02-12', '85.0', '0']]
    """
    resp = bor[bor["AVALC"].isin(["CR", "PR"])]
    a = adsl[isin(adsl["USUBJID"], resp["USUBJID"])].copy()
    a["REFDT"] = lookup(a["USUBJID"], _first_response(ovr, resp))
    a = a[a["REFDT"].notna()]
    rules.setdefault("censor_no_baseline", False)
    return derive_param_pfs(ovr, a, evaluator=evaluator, paramcd="DOR", **rules)


def derive_param_ttr(ovr: pd.DataFrame, adsl: pd.DataFrame, bor: pd.DataFrame, *,
                     evaluator: str = "") -> pd.DataFrame:
    """``TTR``: responders only, ``REFDT`` to the first CR/PR (always ``CNSR = 0``).

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-01"])})
    >>> ovr = pd.DataFrame({"USUBJID": ["S1"], "AVALC": ["PR"],
    ...                     "ADT": pd.to_datetime(["2014-02-12"])})
    >>> bor = pd.DataFrame({"USUBJID": ["S1"], "AVALC": ["PR"]})
    >>> r = derive_param_ttr(ovr, adsl, bor)
    >>> r["AVAL"].tolist(), r["CNSR"].tolist()
    ([43.0], [0])
    """
    resp = bor[bor["AVALC"].isin(["CR", "PR"])]
    src = pd.DataFrame({"USUBJID": resp["USUBJID"].to_numpy()})
    src["RSPDT"] = lookup(src["USUBJID"], _first_response(ovr, resp))
    return derive_param_tte(adsl, source_datasets={"rsp": src},
                            event_conditions=[EventSource("rsp", "RSPDT", None,
                                                          "FIRST RESPONSE (CR/PR)")],
                            censor_conditions=[], paramcd="TTR",
                            param="Time to Response (days)", evaluator=evaluator)
