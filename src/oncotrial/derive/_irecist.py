"""iRECIST (Seymour et al., Lancet Oncol 2017) on top of RECIST 1.1 time points.

Immunotherapy can shrink tumours after an initial increase (pseudo-progression), so iRECIST
asks for confirmation of progression. The rules implemented, quoted from Seymour et al. [1]_:

* **iUPD** at the first RECIST 1.1 progression: "iUPD (unconfirmed progression) ... is
  assigned using RECIST 1.1 principles" (target +20 % and +5 mm over the nadir, unequivocal
  non-target progression, or a new lesion);
* **iCPD** "is confirmed if at the next assessment after iUPD (which should be no less than
  4 weeks and no more than 8 weeks later) ... an increase of 5 mm or more in the sum of
  measures of target lesions", "any further increase in non-target lesions" (the canonical
  model records non-target progression, not its size: non-target progression at the next
  assessment confirms), "an increase of 5 mm or more in the sum of measures of new lesion
  target lesions" or "additional new lesions" (more new lesions than at iUPD); a lesion
  category that was not progressing at iUPD confirms when it now meets RECIST 1.1 PD;
* **reset**: "if iUPD is not confirmed at the next assessment ... and the criteria for iSD,
  iPR or iCR are met compared with baseline (and nadir for iSD), the bar is reset so that
  iUPD needs to occur again (compared with nadir values) and then be confirmed". Still
  progressing without further growth: iUPD remains (the next assessment can confirm); NE
  keeps iUPD pending. After a reset, new lesions seen before count as "previously
  identified": only more of them, or >= 5 mm growth of their sum, is a new iUPD;
* an assessment less than :data:`ICONFIRM_MIN_DAYS` after iUPD cannot confirm (iUPD stays);
  one later than :data:`ICONFIRM_MAX_DAYS` can, with a log note;
* after iCPD every later assessment is iCPD;
* **iBOR**: "the best overall response ... iUPD does not preclude a later iSD, iPR or iCR"
  (unconfirmed, with the SD minimum duration; ranking iCR > iPR > iSD > NON-iCR/NON-iUPD >
  iUPD > iCPD > NE);
* **iPFS**: progression dated at iUPD when iCPD confirms it ("the date of iUPD ... should
  be used"); an iUPD without any later assessment is an event at its date
  (``unconfirmed_iupd='event'``, conservative) or censored there (``'censor'``); a reset
  iUPD is not an event; death is an event; censoring as RECIST PFS.

No Python or R package implements iRECIST from lesion measurements, so the state machine is
written here (one short loop per subject x evaluator).

References
----------
.. [1] Seymour L, Bogaerts J, Perrone A, et al. iRECIST: guidelines for response criteria
   for use in trials testing immunotherapeutics. Lancet Oncol 2017;18:e143-e152.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._validation import check_choice
from oncotrial.derive._bor import SD_MIN_DAYS, _best_core, _rows
from oncotrial.derive._checks import require_columns
from oncotrial.derive._recist import PD_CHG_NADIR_MM, compute_overall_response

#: Seymour 2017: confirmation "no less than 4 weeks ... after iUPD"
ICONFIRM_MIN_DAYS = 28
#: ... "and no more than 8 weeks later"
ICONFIRM_MAX_DAYS = 56
#: Seymour 2017: "an increase of 5 mm or more in the sum of measures"
ICPD_GROWTH_MM = PD_CHG_NADIR_MM
ICODE = {"CR": "iCR", "PR": "iPR", "SD": "iSD", "NON-CR/NON-PD": "NON-iCR/NON-iUPD",
         "NE": "NE", "PD": "iUPD"}
_TO_RECIST = {"iCR": "CR", "iPR": "PR", "iSD": "SD", "NON-iCR/NON-iUPD": "NON-CR/NON-PD",
              "NE": "NE", "iUPD": "PD", "iCPD": "PD"}
IAVAL = {"iCR": 1, "iPR": 2, "iSD": 3, "NON-iCR/NON-iUPD": 4, "iUPD": 5, "iCPD": 6, "NE": 7,
         "MISSING": 8}


def _irecist_one(g: pd.DataFrame) -> list[tuple[str, str, bool]]:
    """(i-response, reason, is PFS event date) per post-baseline assessment of one subject."""
    out: list[tuple[str, str, bool]] = []
    state = "normal"
    iupd: dict = {}
    ref_cnt, ref_sum = 0, 0.0
    for r in g.itertuples():
        day = f"{pd.Timestamp(r.ADT):%Y-%m-%d}"
        s = r.TRGSUM
        trg_pd, nt_pd = r.TRGRESP == "PD", r.NTRGRESP == "PD"
        cnt, nsum = int(r.NEWLCNT), float(r.NEWLSUM)
        if state == "confirmed":
            out.append(("iCPD", f"{day} after iCPD -> iCPD", False))
            continue
        if state == "pending":
            gap = (r.ADT - iupd["date"]).days
            why = []
            if iupd["trg"] and s == s and iupd["sum"] == iupd["sum"] \
                    and s - iupd["sum"] >= ICPD_GROWTH_MM:
                why.append(f"target sum {s:g} mm, +{s - iupd['sum']:g} mm over iUPD")
            if not iupd["trg"] and trg_pd:
                why.append("target lesions now meet RECIST 1.1 PD")
            if nt_pd:
                why.append("non-target progression")
            if cnt > iupd["cnt"]:
                why.append(f"{cnt} new lesions (iUPD: {iupd['cnt']})")
            elif iupd["cnt"] and nsum - iupd["nsum"] >= ICPD_GROWTH_MM:
                why.append(f"new-lesion sum {nsum:g} mm, +{nsum - iupd['nsum']:g} mm")
            if gap < ICONFIRM_MIN_DAYS:
                out.append(("iUPD", f"{day}: {gap} days after iUPD on {iupd['day']} "
                                    f"(< {ICONFIRM_MIN_DAYS}: cannot confirm) -> iUPD", False))
                continue
            late = f" (> {ICONFIRM_MAX_DAYS} days)" if gap > ICONFIRM_MAX_DAYS else ""
            if why:
                state = "confirmed"
                out[iupd["k"]] = (out[iupd["k"]][0], out[iupd["k"]][1], True)
                out.append(("iCPD", f"{day}: iUPD of {iupd['day']} confirmed {gap} days later"
                                    f"{late}: " + "; ".join(why) + " -> iCPD", False))
                continue
            rec = compute_overall_response([r.TRGRESP], [r.NTRGRESP], [False])[0]
            if rec in ("CR", "PR", "SD", "NON-CR/NON-PD"):
                state, ref_cnt, ref_sum = "normal", iupd["cnt"], iupd["nsum"]
                out.append((ICODE[rec], f"{day}: iUPD of {iupd['day']} not confirmed{late}; "
                                        f"RECIST 1.1 {rec} -> reset to {ICODE[rec]}", False))
            elif rec == "NE":
                out.append(("NE", f"{day}: not evaluable; iUPD of {iupd['day']} still "
                                  "unconfirmed -> NE", False))
            else:
                out.append(("iUPD", f"{day}: still progressing without further growth "
                                    f"(iUPD of {iupd['day']} not confirmed) -> iUPD", False))
            continue
        new_trig = cnt > ref_cnt or (ref_cnt > 0 and cnt and nsum - ref_sum >= ICPD_GROWTH_MM)
        if trg_pd or nt_pd or new_trig:
            cats = [c for c, f in (("target", trg_pd), ("non-target", nt_pd),
                                   ("new lesion", new_trig)) if f]
            iupd = {"date": r.ADT, "day": day, "sum": s, "trg": trg_pd, "nt": nt_pd,
                    "cnt": cnt, "nsum": nsum, "k": len(out)}
            state = "pending"
            out.append(("iUPD", f"{day}: RECIST 1.1 progression ({', '.join(cats)}) -> iUPD",
                        False))
            continue
        rec = compute_overall_response([r.TRGRESP], [r.NTRGRESP], [False])[0]
        note = " (new lesions seen before, not more and not grown)" if cnt else ""
        out.append((ICODE[rec], f"{day}: RECIST 1.1 {rec}{note} -> {ICODE[rec]}", False))
    if state == "pending":
        k = iupd["k"]
        out[k] = (out[k][0], out[k][1] + "; no later assessment confirms it", None)
    return out


def derive_param_irecist(dataset: pd.DataFrame, *, adsl: pd.DataFrame,
                         sd_min_days: int = SD_MIN_DAYS,
                         unconfirmed_iupd: Literal["event", "censor"] = "event",
                         log: list[dict] | None = None,
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """iRECIST time-point responses (``IOVR``), ``IBOR`` and ``IPFS``.

    Parameters
    ----------
    dataset : DataFrame
        :func:`derive_vars_recist` output (``TRGSUM``, ``TRGRESP``, ``NTRGRESP``,
        ``NEWLCNT``, ``NEWLSUM`` per assessment).
    adsl : DataFrame
        ``USUBJID``, ``REFDT``, ``DTHDT``, ``NACTDT``.
    sd_min_days : int, default=42
        SD minimum duration for iBOR (as RECIST 1.1 BOR).
    unconfirmed_iupd : {'event', 'censor'}, default='event'
        iPFS for an iUPD that no later assessment confirms or resets.
    log : list of dict, optional
        Derivation log.

    Returns
    -------
    iovr, ibor, ipfs : DataFrame
        ADRS rows ``IOVR`` and ``IBOR`` (``AVALC`` iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD,
        iCPD, NE, MISSING), ADTTE rows ``IPFS``.

    Notes
    -----
    Rules and quotations: module docstring (Seymour et al. 2017 [1]_).

    References
    ----------
    .. [1] Seymour L et al. iRECIST. Lancet Oncol 2017;18:e143-e152.

    Examples
    --------
    Pseudo-progression: +10 mm at week 8 (iUPD), shrinking at week 14 (reset to iSD):

    >>> tp = pd.DataFrame({"USUBJID": "S1", "EVALUATOR": "INVESTIGATOR",
    ...     "VISIT": ["BL", "W8", "W14"],
    ...     "ADT": pd.to_datetime(["2014-01-02", "2014-03-01", "2014-04-12"]),
    ...     "ABLFL": ["Y", "", ""], "TRGSUM": [40.0, 50.0, 42.0],
    ...     "TRGRESP": ["", "PD", "SD"], "NTRGRESP": ["", "NA", "NA"],
    ...     "NEWLCNT": 0, "NEWLSUM": 0.0})
    >>> adsl = pd.DataFrame({"USUBJID": ["S1"], "REFDT": pd.to_datetime(["2014-01-03"]),
    ...     "DTHDT": pd.NaT, "NACTDT": pd.NaT})
    >>> iovr, ibor, ipfs = derive_param_irecist(tp, adsl=adsl)
    >>> iovr["AVALC"].tolist(), ibor["AVALC"].tolist(), ipfs["CNSR"].tolist()
    (['iUPD', 'iSD'], ['iSD'], [1])
    """
    from oncotrial.derive._tte import derive_param_pfs

    func = "derive_param_irecist"
    require_columns(dataset, ["USUBJID", "EVALUATOR", "ADT", "ABLFL", "TRGSUM", "TRGRESP",
                              "NTRGRESP", "NEWLCNT", "NEWLSUM"], func, "dataset")
    check_choice(unconfirmed_iupd, ("event", "censor"), func, "unconfirmed_iupd")
    log = [] if log is None else log
    post = dataset[dataset["ABLFL"] != "Y"].sort_values(["USUBJID", "EVALUATOR", "ADT"],
                                                        kind="stable")
    resp, reason, event = [], [], []
    for _, g in post.groupby(["USUBJID", "EVALUATOR"], sort=False):
        for a, why, ev in _irecist_one(g):
            resp.append(a)
            reason.append(why)
            event.append(ev)
    post = post.assign(AVALC=resp, REASON=reason, _ev=event) if len(post) else post.assign(
        AVALC=[], REASON=[], _ev=[])
    iovr = _irows(post, "IOVR")
    # iBOR: best response, iUPD not terminal; stop after iCPD
    rows = []
    ad = adsl.set_index("USUBJID")["REFDT"]
    evals = sorted(post["EVALUATOR"].unique().tolist()) or ["INVESTIGATOR"]
    groups = {k: g for k, g in post.groupby(["USUBJID", "EVALUATOR"], sort=False)}
    for uid in adsl["USUBJID"].astype(str):
        for ev in evals:
            g = groups.get((uid, ev))
            if g is None:
                rows.append((uid, ev, "MISSING", pd.NaT, "no post-baseline assessment"))
                continue
            a = g["AVALC"].tolist()
            if "iCPD" in a:
                g = g.iloc[:a.index("iCPD") + 1]
                a = a[:a.index("iCPD") + 1]
            t = list(g["ADT"])
            dy = [(x - ad.get(uid, pd.NaT)).days if pd.notna(ad.get(uid, pd.NaT)) else np.nan
                  for x in t]
            rec = [_TO_RECIST[x] for x in a]
            best, adt, why = _best_core(rec, t, dy, [f"{x:%Y-%m-%d}" for x in t],
                                        confirm=False, confirm_days=28, max_nr_ne=1,
                                        sd_min_days=sd_min_days)
            code = ICODE.get(best, best)
            if best == "PD":
                code = "iCPD" if "iCPD" in a else "iUPD"
                adt = t[a.index(code)]
            rows.append((uid, ev, code, adt, why.replace(f"-> {best}", f"-> {code}")))
    ibor = _irows(pd.DataFrame(rows, columns=["USUBJID", "EVALUATOR", "AVALC", "ADT",
                                              "REASON"]), "IBOR")
    # iPFS: RECIST PFS machinery on a pseudo-OVR where only iUPD-events are PD
    ev_flag = post["_ev"].map(lambda v: (not pd.isna(v) and bool(v))
                              or (pd.isna(v) and unconfirmed_iupd == "event"))
    pseudo = post.assign(AVALC=np.where(ev_flag.astype(bool), "PD",
                                        post["AVALC"].map(_TO_RECIST).replace("PD", "SD")))
    for r in post[post["_ev"].isna() & (post["AVALC"] == "iUPD")].itertuples():
        log.append({"USUBJID": r.USUBJID, "EVALUATOR": r.EVALUATOR, "PARAMCD": "IPFS",
                    "ADT": r.ADT, "DECISION": f"unconfirmed iUPD: {unconfirmed_iupd}",
                    "REASON": "iUPD without a later assessment (unconfirmed_iupd="
                              f"{unconfirmed_iupd!r})"})
    base = dataset[dataset["ABLFL"] == "Y"]
    parts = [derive_param_pfs(pseudo[pseudo["EVALUATOR"] == ev], adsl, evaluator=ev,
                              paramcd="IPFS", has_baseline=pd.Series(
                                  True, index=base.loc[base["EVALUATOR"] == ev, "USUBJID"]))
             for ev in evals]
    ipfs = pd.concat(parts, ignore_index=True)
    return iovr, ibor, ipfs


def _irows(frame: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    out = _rows(frame.assign(AVALC="NE"), "OVR")
    out["AVALC"] = frame["AVALC"].to_numpy()
    out["AVAL"] = out["AVALC"].map(IAVAL).astype(float)
    out["PARAMCD"] = paramcd
    out["PARAM"] = {"IOVR": "iRECIST Overall Response",
                    "IBOR": "iRECIST Best Overall Response"}[paramcd]
    return out


def irecist_from_components(dataset: pd.DataFrame) -> pd.DataFrame:
    """iRECIST overall response from reported component responses (Seymour 2017 Table 3).

    For sources that report iRECIST per component (RS ``TRGRESP``, ``NTRGRESP``,
    ``NEWLIND``) but not lesion measurements: the overall response is ``iCPD`` when a
    component is iCPD; else ``iUPD`` when a component is iUPD or a new lesion is present
    (whatever the other components); else ``'INVALID'`` when a component code is not an
    iRECIST code of that component (e.g. non-target ``iSD``); else NE when the target
    response is NE; else iCR (target iCR and non-target iCR or none), iPR (target iCR with
    non-target NON-iCR/NON-iUPD or NE, or target iPR), iSD (target iSD, non-target
    NON-iCR/NON-iUPD or NE), NON-iCR/NON-iUPD (no target lesions).

    Examples
    --------
    >>> c = pd.DataFrame({"TRGRESP": ["iCR", "iSD", "iCR", "PR"],
    ...     "NTRGRESP": ["NON-iCR/NON-iUPD", "iUPD", "iCR", "iUPD"],
    ...     "NEWLIND": ["N", "N", "N", "Y"]})
    >>> irecist_from_components(c).tolist()
    ['iPR', 'iUPD', 'iCR', 'iUPD']
    """
    t = dataset["TRGRESP"].fillna("NA").astype(str).to_numpy()
    nt = dataset["NTRGRESP"].fillna("NA").astype(str).to_numpy()
    new = dataset["NEWLIND"].fillna("N").astype(str).to_numpy() == "Y"
    ok_t = np.isin(t, ["iCR", "iPR", "iSD", "iUPD", "iCPD", "NE", "NA"])
    ok_nt = np.isin(nt, ["iCR", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE", "NA"])
    conds = [(t == "iCPD") | (nt == "iCPD"), (t == "iUPD") | (nt == "iUPD") | new,
             ~ok_t | ~ok_nt, t == "NE", (t == "NA") & (nt == "iCR"), (t == "NA") & (nt == "NON-iCR/NON-iUPD"),
             t == "NA", (t == "iCR") & np.isin(nt, ["iCR", "NA"]), np.isin(t, ["iCR", "iPR"]),
             t == "iSD"]
    choices = ["iCPD", "iUPD", "INVALID", "NE", "iCR", "NON-iCR/NON-iUPD", "NE", "iCR", "iPR",
               "iSD"]
    return pd.Series(np.select(conds, choices, default="NE"), index=dataset.index)
