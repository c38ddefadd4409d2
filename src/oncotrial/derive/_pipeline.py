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
from oncotrial.derive._gmi import derive_gmi
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


def derive_study(study: object, *, reference: Literal["first-dose", "randomization"] =
                 "first-dose", confirm_days: int = CONFIRM_DAYS, sd_min_days: int = SD_MIN_DAYS,
                 evaluator: str | None = None,
                 responses_from: Literal["lesions", "rs"] = "lesions",
                 check_type: Literal["error", "warning", "none"] = "warning",
                 assessment_interval_days: int | None = None,
                 teae_window_days: int = TEAE_WINDOW_DAYS,
                 dor_basis: Literal["confirmed", "unconfirmed"] = "confirmed") -> StudyDerivation:
    """Derive ADSL, ADRS, ADTTE and ADAE for one study.

    Parameters
    ----------
    study : StudyData
        Object with canonical tables as attributes (``subjects``, ``lesions``,
        ``responses``, ``adverse_events``, ``exposure``, ``prior_therapy``), e.g.
        ``oncotrial.io.read_study(path)``.
    reference : {'first-dose', 'randomization'}, default='first-dose'
        Origin of time-to-event endpoints and of the SD window.
    confirm_days, sd_min_days : int, default 28 and 42
        See :func:`derive_param_bor`.
    evaluator : str, optional
        Only this evaluator's lesions/responses; default all, derived separately.
    responses_from : {'lesions', 'rs'}, default='lesions'
        ``'lesions'`` derives OVR from lesions (RS, when present, is only compared);
        ``'rs'`` uses the reported responses (for sources without lesion data).
    check_type : {'error', 'warning', 'none'}, default='warning'
        Passed to :func:`derive_vars_recist`; every warning is also in ``log``.
    assessment_interval_days : int, optional
        Enables the PFS "two or more missed assessments" rule (:func:`pfs_sources`).
    teae_window_days : int, default=30
        Days after last dose still treatment-emergent.
    dor_basis : {'confirmed', 'unconfirmed'}, default='confirmed'
        Which responders enter ``DOR`` and ``TTR``: confirmed (``CBOR`` CR/PR, RECIST 1.1
        section 4.6.1 for trials where response is the primary endpoint) or unconfirmed (``BOR``
        CR/PR, for trials that report unconfirmed responses, e.g. NICE-NEC).

        .. versionadded:: 0.1

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
    check_choice(responses_from, ("lesions", "rs"), "derive_study", "responses_from")
    check_choice(dor_basis, ("confirmed", "unconfirmed"), "derive_study", "dor_basis")
    settings = {"reference": reference, "confirm_days": confirm_days,
                "sd_min_days": sd_min_days, "evaluator": evaluator,
                "responses_from": responses_from, "check_type": check_type,
                "assessment_interval_days": assessment_interval_days,
                "teae_window_days": teae_window_days, "dor_basis": dor_basis}
    log: list[dict] = []
    subjects, lesions = _table(study, "subjects"), _table(study, "lesions")
    responses, exposure = _table(study, "responses"), _table(study, "exposure")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DerivationWarning)
        adsl = derive_adsl(subjects, exposure=exposure, lesions=lesions, reference=reference,
                           log=log)
        tp = pd.DataFrame()
        reported = ovr_from_responses(responses) if responses is not None else None
        if evaluator is not None and reported is not None:
            reported = reported[reported["EVALUATOR"] == evaluator.strip().upper()]
        if responses_from == "lesions" and lesions is not None:
            tp = derive_vars_recist(lesions, evaluator=evaluator, check_type=check_type,
                                    log=log)
            ovr = derive_param_ovr(tp)
        elif reported is not None:
            ovr = reported
        else:
            ovr = derive_param_ovr(pd.DataFrame(columns=["USUBJID", "EVALUATOR", "ADT",
                                                         "ABLFL", "AVALC", "VISIT", "REASON"]))
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
    parts = [ovr, bor, cbor, derive_param_response(pd.concat([bor, cbor])),
             derive_param_pd_lsta(ovr, adsl=adsl)]
    if len(tp):
        parts.append(derive_param_mdis(tp))
    adrs = pd.concat([p for p in parts if len(p)], ignore_index=True)
    has_bl = (tp.loc[tp["ABLFL"] == "Y", ["USUBJID", "EVALUATOR"]] if len(tp) else None)
    tte, gmis = [derive_param_os(adsl)], []
    prior = _table(study, "prior_therapy")
    for ev in sorted(set(ovr["EVALUATOR"])) or []:
        o = ovr[ovr["EVALUATOR"] == ev]
        bl = None
        if has_bl is not None:
            bl = pd.Series(True, index=has_bl.loc[has_bl["EVALUATOR"] == ev, "USUBJID"])
        rules = {"assessment_interval_days": assessment_interval_days}
        pfs = derive_param_pfs(o, adsl, evaluator=ev, has_baseline=bl, **rules)
        basis = cbor if dor_basis == "confirmed" else bor
        cb = basis[basis["EVALUATOR"] == ev]
        tte += [pfs, derive_param_dor(o, adsl, cb, evaluator=ev, **rules),
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
