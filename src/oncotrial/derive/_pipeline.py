"""Whole-study derivation: canonical tables in, ADSL/ADRS/ADTTE/ADAE + derivation log out."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._result import Result
from oncotrial._validation import check_choice
from oncotrial.derive._adae import TEAE_WINDOW_DAYS, derive_adae
from oncotrial.derive._adrs_params import (
    derive_param_bcp,
    derive_param_death,
    first_response_dates,
    redate_responses,
)
from oncotrial.derive._adsl import derive_adsl
from oncotrial.derive._bor import (
    CONFIRM_DAYS,
    SD_MIN_DAYS,
    derive_param_bor,
    derive_param_mdis,
    derive_param_ovr,
    derive_param_pd_lsta,
    derive_param_response,
    ovr_from_responses,
)
from oncotrial.derive._checks import DerivationWarning
from oncotrial.derive._conventions import Conventions, conventions_of
from oncotrial.derive._gmi import derive_gmi
from oncotrial.derive._irecist import derive_param_irecist
from oncotrial.derive._recist import derive_vars_recist
from oncotrial.derive._tte import (
    derive_param_dor,
    derive_param_os,
    derive_param_pfs,
    derive_param_ttr,
)

LOG_COLUMNS = ["USUBJID", "EVALUATOR", "PARAMCD", "ADT", "DECISION", "REASON"]


@dataclass(frozen=True, slots=True)
class StudyDerivation(Result):
    """ADaM-style tables of one study, with the settings that produced them.

    Attributes
    ----------
    adsl, adrs, adtte, adae : DataFrame
        The analysis datasets (``adae`` empty without adverse events).
    timepoints : DataFrame
        :func:`derive_vars_recist` output (empty when responses came from RS).
    rs_comparison : DataFrame
        Derived vs reported (RS) overall response per subject, evaluator and visit
        (empty without RS beside lesion data).
    gmi : DataFrame
        :func:`derive_gmi` output (empty without prior-line dates).
    log : DataFrame
        One row per subject x decision: ``USUBJID``, ``EVALUATOR``, ``PARAMCD``, ``ADT``,
        ``DECISION``, ``REASON``.
    settings : dict
        The arguments used (reference, confirm_days, sd_min_days, ...).
    """

    adsl: pd.DataFrame
    adrs: pd.DataFrame
    adtte: pd.DataFrame
    adae: pd.DataFrame
    timepoints: pd.DataFrame
    rs_comparison: pd.DataFrame
    gmi: pd.DataFrame
    log: pd.DataFrame
    settings: dict

    def summary(self) -> pd.DataFrame:
        """Row counts per dataset and the RS agreement."""
        rows = [(k, len(getattr(self, k))) for k in
                ("adsl", "adrs", "adtte", "adae", "timepoints", "gmi", "log")]
        df = pd.DataFrame(rows, columns=["dataset", "rows"])
        if len(self.rs_comparison):
            agree = float(self.rs_comparison["AGREE"].eq("Y").mean())
            df.loc[len(df)] = ["rs_agreement", round(agree, 4)]
        return df


def compare_with_rs(timepoints_ovr: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """Every derived and reported overall response side by side, matched on visit.

    Returns ``USUBJID``, ``EVALUATOR``, ``VISIT``, ``ADT``, ``DERIVED``, ``REPORTED``,
    ``AGREE`` (``Y``/``N``; ``N`` also when one side is missing) and ``REASON`` (the derived
    response's reason).

    Examples
    --------
    >>> d = pd.DataFrame({"USUBJID": ["S1"], "EVALUATOR": ["INVESTIGATOR"],
    ...     "VISIT": ["WEEK 6"], "ADT": pd.to_datetime(["2014-02-12"]), "AVALC": ["PD"],
    ...     "REASON": ["+25%"]})
    >>> r = d.assign(AVALC="PR")
    >>> compare_with_rs(d, r)[["DERIVED", "REPORTED", "AGREE"]].values.tolist()
    [['PD', 'PR', 'N']]
    """
    key = ["USUBJID", "EVALUATOR", "VISIT"]
    a = timepoints_ovr[[*key, "ADT", "AVALC", "REASON"]].rename(columns={"AVALC": "DERIVED"})
    b = reported[[*key, "ADT", "AVALC"]].rename(columns={"AVALC": "REPORTED",
                                                          "ADT": "RSADT"})
    m = a.merge(b, on=key, how="outer")
    m["ADT"] = m["ADT"].fillna(m["RSADT"])
    m["AGREE"] = np.where(m["DERIVED"] == m["REPORTED"], "Y", "N")
    return m[[*key, "ADT", "DERIVED", "REPORTED", "AGREE", "REASON"]].sort_values(
        ["USUBJID", "EVALUATOR", "ADT"], kind="stable").reset_index(drop=True)


def _table(study: object, name: str) -> pd.DataFrame | None:
    t = getattr(study, name, None)
    return t if isinstance(t, pd.DataFrame) and len(t) else None


def derive_study(study: object, *, reference: Literal["first-dose", "randomization"] | None
                 = None, confirm_days: int = CONFIRM_DAYS, sd_min_days: int = SD_MIN_DAYS,
                 evaluator: str | None = None,
                 responses_from: Literal["lesions", "rs"] | None = None,
                 check_type: Literal["error", "warning", "none"] = "warning",
                 assessment_interval_days: int | None = None,
                 teae_window_days: int = TEAE_WINDOW_DAYS,
                 dor_basis: Literal["confirmed", "unconfirmed"] | None = None,
                 conventions: str | Conventions = "oncotrial",
                 last_dose_fallback: Literal["missing", "exposure-start"] | None = None,
                 irecist: bool = False) -> StudyDerivation:
    """Derive ADSL, ADRS, ADTTE and ADAE for one study.

    Parameters
    ----------
    study : StudyData
        Object with canonical tables as attributes (``subjects``, ``lesions``,
        ``responses``, ``adverse_events``, ``exposure``, ``prior_therapy``), e.g.
        ``oncotrial.io.read_study(path)``.
    reference : {'first-dose', 'randomization'}, optional
        Origin of time-to-event endpoints and of the SD window. Default: the conventions'
        (``'first-dose'``; admiral ``'randomization'``).
    confirm_days, sd_min_days : int, default 28 and 42
        See :func:`derive_param_bor`.
    evaluator : str, optional
        Only this evaluator's lesions/responses; default the conventions' (all evaluators,
        derived separately; admiral ``'INVESTIGATOR'``).
    responses_from : {'lesions', 'rs'}, optional
        ``'lesions'`` derives OVR from lesions (RS, when present, is only compared);
        ``'rs'`` uses the reported responses (for sources without lesion data). Default the
        conventions' (``'lesions'``; admiral ``'rs'``). ``'rs'`` without a responses table
        is an error.
    check_type : {'error', 'warning', 'none'}, default='warning'
        Passed to :func:`derive_vars_recist`; every warning is also in ``log``.
    assessment_interval_days : int, optional
        Enables the PFS "two or more missed assessments" rule (:func:`pfs_sources`).
    teae_window_days : int, default=30
        Days after last dose still treatment-emergent.
    dor_basis : {'confirmed', 'unconfirmed'}, optional
        Which responders enter ``DOR`` and ``TTR``: confirmed (``CBOR`` CR/PR, RECIST 1.1
        section 4.6.1 for trials where response is the primary endpoint) or unconfirmed (``BOR``
        CR/PR, for trials that report unconfirmed responses, e.g. NICE-NEC). Default the
        conventions' (``'confirmed'``; admiral ``'unconfirmed'``).

        .. versionadded:: 0.1
    conventions : {'oncotrial', 'admiral'} or Conventions, default='oncotrial'
        Named set of derivation conventions (:class:`Conventions`); ``'admiral'``
        reproduces admiral/admiralonco's templates (docs/derivations.md).

        .. versionadded:: 0.2
    last_dose_fallback : {'missing', 'exposure-start'}, optional
        :func:`derive_adsl`; default the conventions' (``'missing'``).

        .. versionadded:: 0.2
    irecist : bool, default=False
        Also derive iRECIST (:func:`derive_param_irecist`: ``IOVR`` per assessment,
        ``IBOR``, ``IPFS``) from the lesion time points.

        .. versionadded:: 0.2

    Returns
    -------
    StudyDerivation

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["GI"],
    ...                      "first_dose_date": ["2014-01-03"]})
    >>> les = pd.DataFrame({"subject_id": "S1", "lesion_id": "T1", "lesion_class": "TARGET",
    ...     "assessment_date": ["2014-01-02", "2014-02-14", "2014-03-28"],
    ...     "diameter": [40, 26, 24]})
    >>> res = derive_study(SimpleNamespace(subjects=subj, lesions=les))
    >>> res.adrs.query("PARAMCD in ['BOR', 'CBOR']")[["PARAMCD", "AVALC"]].values.tolist()
    [['BOR', 'PR'], ['CBOR', 'PR']]
    """
    conv = conventions_of(conventions, reference=reference, responses_from=responses_from,
                          evaluator=evaluator, dor_basis=dor_basis,
                          last_dose_fallback=last_dose_fallback)
    reference, responses_from, evaluator = conv.reference, conv.responses_from, conv.evaluator
    dor_basis = conv.dor_basis
    check_choice(responses_from, ("lesions", "rs"), "derive_study", "responses_from")
    check_choice(dor_basis, ("confirmed", "unconfirmed"), "derive_study", "dor_basis")
    settings = {"reference": reference, "confirm_days": confirm_days,
                "sd_min_days": sd_min_days, "evaluator": evaluator,
                "responses_from": responses_from, "check_type": check_type,
                "assessment_interval_days": assessment_interval_days,
                "teae_window_days": teae_window_days, "dor_basis": dor_basis,
                "conventions": conv.summary(), "irecist": irecist}
    log: list[dict] = []
    subjects, lesions = _table(study, "subjects"), _table(study, "lesions")
    responses, exposure = _table(study, "responses"), _table(study, "exposure")
    if responses_from == "rs" and responses is None:
        from oncotrial._errors import bad_value
        raise bad_value("responses_from", "derive_study",
                        "'lesions' when the study has no responses (RS OVRLRESP) table", "rs",
                        "Give a responses.csv / RS domain, or derive from lesions "
                        "(--responses-from lesions); without either every BOR would be "
                        "MISSING.")
    rules = dict(conv.date_rules)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DerivationWarning)
        adsl = derive_adsl(subjects, exposure=exposure, lesions=lesions, reference=reference,
                           log=log, last_dose_fallback=conv.last_dose_fallback,
                           date_rules={k: v for k, v in rules.items() if k != "RS"},
                           last_alive_sources=conv.last_alive_sources,
                           adverse_events=_table(study, "adverse_events"),
                           responses=responses)
        tp = pd.DataFrame()
        reported = (ovr_from_responses(responses, date_rule=rules.get("RS", ("first", "M")))
                    if responses is not None else None)
        if evaluator is not None and reported is not None:
            reported = reported[reported["EVALUATOR"] == evaluator.strip().upper()]
        if lesions is not None and (responses_from == "lesions" or irecist):
            tp = derive_vars_recist(lesions, evaluator=evaluator, check_type=check_type,
                                    log=log)
        if responses_from == "lesions" and lesions is not None:
            ovr = derive_param_ovr(tp)
        elif responses_from == "rs" and reported is not None:
            ovr = reported
        else:
            ovr = derive_param_ovr(pd.DataFrame(columns=["USUBJID", "EVALUATOR", "ADT",
                                                         "ABLFL", "AVALC", "VISIT", "REASON"]))
        if conv.worst_per_date:
            ovr = worst_per_date(ovr, log)
    for w in caught:
        if issubclass(w.category, DerivationWarning):
            log.append({"USUBJID": "", "EVALUATOR": "", "PARAMCD": "", "ADT": pd.NaT,
                        "DECISION": "data warning", "REASON": str(w.message)})
        else:  # pragma: no cover - pass foreign warnings on
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    comparison = pd.DataFrame()
    if responses_from == "lesions" and len(tp) and reported is not None:
        comparison = compare_with_rs(ovr, reported)
    kw = {"adsl": adsl, "confirm_days": confirm_days, "sd_min_days": sd_min_days}
    bor = derive_param_bor(ovr, confirm=False, **kw)
    cbor = derive_param_bor(ovr, confirm=True, **kw)
    resp = derive_param_response(pd.concat([bor, cbor]))
    if conv.response_date == "first":
        resp = redate_responses(resp, first_response_dates(
            ovr, adsl, confirm_days=confirm_days, max_nr_ne=1, sd_min_days=sd_min_days))
    evals = sorted(bor["EVALUATOR"].unique().tolist())
    parts = [ovr, bor, cbor, resp, derive_param_bcp(pd.concat([bor, cbor])),
             derive_param_pd_lsta(ovr, adsl=adsl, lsta_after_pd=conv.lsta_after_pd,
                                  ignore_after_new_therapy=conv.censor_new_therapy),
             derive_param_death(adsl, evaluators=evals)]
    if lesions is not None and len(tp):
        parts.append(derive_param_mdis(tp, adsl=adsl if responses_from == "rs" else None))
    elif lesions is not None:
        parts.append(derive_param_mdis(_baseline_targets(lesions, evaluator), adsl=adsl))
    tte, gmis = [derive_param_os(adsl, censor_at_reference=conv.censor_at_reference)], []
    if irecist and len(tp):
        iovr, ibor, ipfs = derive_param_irecist(tp, adsl=adsl, sd_min_days=sd_min_days,
                                                log=log)
        parts += [iovr, ibor]
        tte.append(ipfs)
    adrs = pd.concat([p for p in parts if len(p)], ignore_index=True)
    has_bl = (tp.loc[tp["ABLFL"] == "Y", ["USUBJID", "EVALUATOR"]] if len(tp) else None)
    prior = _table(study, "prior_therapy")
    ovr_evals = sorted(set(ovr["EVALUATOR"]))
    if not ovr_evals:
        ovr_evals = [evaluator.strip().upper() if evaluator else "INVESTIGATOR"]
        msg = ("no subject has a post-baseline tumour assessment: PFS is derived with every "
               "subject censored at the reference date (or an event at death), DOR and TTR "
               "have no responders")
        warnings.warn(msg, DerivationWarning, stacklevel=2)
        log.append({"USUBJID": "", "EVALUATOR": "", "PARAMCD": "PFS", "ADT": pd.NaT,
                    "DECISION": "no post-baseline assessment", "REASON": msg})
    for ev in ovr_evals:
        o = ovr[ovr["EVALUATOR"] == ev]
        bl = None
        if has_bl is not None and responses_from == "lesions":
            bl = pd.Series(True, index=has_bl.loc[has_bl["EVALUATOR"] == ev, "USUBJID"])
        pfs_rules = {"assessment_interval_days": assessment_interval_days,
                     "censor_new_therapy": conv.censor_new_therapy,
                     "death_without_assessment": conv.death_without_assessment,
                     "censor_at": conv.pfs_censor_at}
        pfs = derive_param_pfs(o, adsl, evaluator=ev, has_baseline=bl,
                               censor_at_reference=conv.censor_at_reference, **pfs_rules)
        basis = cbor if dor_basis == "confirmed" else bor
        cb = basis[basis["EVALUATOR"] == ev]
        tte += [pfs, derive_param_dor(o, adsl, cb, evaluator=ev, **pfs_rules),
                derive_param_ttr(o, adsl, cb, evaluator=ev)]
        if prior is not None and {"start_date", "progression_date"} <= set(prior.columns):
            gmis.append(derive_gmi(pfs, prior_therapy=prior).assign(EVALUATOR=ev))
    adtte = pd.concat([t for t in tte if len(t)], ignore_index=True) if any(
        len(t) for t in tte) else tte[0]
    ae = _table(study, "adverse_events")
    adae = (derive_adae(ae, adsl=adsl, exposure=exposure, window_days=teae_window_days)
            if ae is not None else pd.DataFrame())
    log_df = _build_log(log, adrs, adtte, adae)
    return StudyDerivation(adsl=adsl, adrs=adrs, adtte=adtte, adae=adae, timepoints=tp,
                           rs_comparison=comparison,
                           gmi=pd.concat(gmis, ignore_index=True) if gmis else pd.DataFrame(),
                           log=log_df, settings=settings)


def _baseline_targets(lesions: pd.DataFrame, evaluator: str | None) -> pd.DataFrame:
    """Target lesions at each subject x evaluator's first assessment (for MDIS, RS mode)."""
    ev = (lesions["evaluator"].astype("string").str.strip().str.upper().fillna("INVESTIGATOR")
          if "evaluator" in lesions else pd.Series("INVESTIGATOR", index=lesions.index))
    d = pd.DataFrame({"USUBJID": lesions["subject_id"].astype(str).to_numpy(),
                      "EVALUATOR": ev.to_numpy(),
                      "ADT": pd.to_datetime(lesions["assessment_date"].astype("string").str[:10],
                                            errors="coerce").to_numpy(),
                      "T": (lesions["lesion_class"].astype("string").str.upper()
                            == "TARGET").fillna(False).to_numpy()})
    if evaluator is not None:
        d = d[d["EVALUATOR"] == evaluator.strip().upper()]
    first = d.groupby(["USUBJID", "EVALUATOR"])["ADT"].transform("min")
    b = d[d["ADT"] == first].groupby(["USUBJID", "EVALUATOR"]).agg(
        ADT=("ADT", "first"), NTRGBL=("T", "sum")).reset_index()
    return b.assign(ABLFL="Y")


#: admiralonco ``worst_resp()``: rank of a response when several share one date (higher wins)
_WORST = {"NE": 1, "CR": 2, "PR": 3, "SD": 4, "NON-CR/NON-PD": 5, "PD": 6}


def worst_per_date(ovr: pd.DataFrame, log: list[dict]) -> pd.DataFrame:
    """Keep the worst response per subject, evaluator and date (admiral ``ANL01FL``).

    Examples
    --------
    >>> o = pd.DataFrame({"USUBJID": ["S1", "S1"], "EVALUATOR": "INVESTIGATOR",
    ...     "ADT": pd.to_datetime(["2014-02-01"] * 2), "AVALC": ["PR", "PD"], "VISIT": ""})
    >>> worst_per_date(o, [])["AVALC"].tolist()
    ['PD']
    """
    if not len(ovr):
        return ovr
    rank = ovr["AVALC"].map(_WORST).fillna(0)
    order = ovr.assign(_r=rank.to_numpy()).sort_values(
        ["USUBJID", "EVALUATOR", "ADT", "_r"], kind="stable")
    dup = order.duplicated(["USUBJID", "EVALUATOR", "ADT"], keep="last")
    for r in order[dup.to_numpy()].itertuples():
        log.append({"USUBJID": r.USUBJID, "EVALUATOR": r.EVALUATOR, "PARAMCD": "OVR",
                    "ADT": r.ADT, "DECISION": "response not used",
                    "REASON": f"{r.AVALC} on a date with a worse response (worst_per_date, "
                              "admiral ANL01FL)"})
    keep = order[~dup.to_numpy()].drop(columns=["_r"])
    return keep.sort_index()


def _build_log(log: list[dict], adrs: pd.DataFrame, adtte: pd.DataFrame,
               adae: pd.DataFrame) -> pd.DataFrame:
    parts = [pd.DataFrame(log, columns=LOG_COLUMNS)] if log else []
    r = adrs.assign(DECISION=adrs["PARAMCD"] + " = " + adrs["AVALC"].astype(str))
    parts.append(r[LOG_COLUMNS])
    if len(adtte):
        t = adtte.assign(
            DECISION=adtte["PARAMCD"] + np.where(adtte["CNSR"] == 0, " event", " censored"),
            REASON=adtte["EVNTDESC"] + adtte["CNSDTDSC"] + " at day " +
            adtte["AVAL"].map("{:.0f}".format))
        parts.append(t[LOG_COLUMNS])
    if len(adae):
        a = adae.assign(EVALUATOR="", PARAMCD="TRTEMFL", ADT=adae["ASTDT"],
                        DECISION="TRTEMFL = " + adae["TRTEMFL"].astype(str),
                        REASON=adae["AEDECOD"].astype(str) + ": " + adae["REASON"])
        parts.append(a[LOG_COLUMNS])
    return pd.concat([p for p in parts if len(p)], ignore_index=True)
