"""RECIST 1.1 time-point response derived from lesion measurements (Eisenhauer et al. 2009).

One row per subject x evaluator x assessment: target sum, change from baseline and nadir,
target / non-target / new-lesion responses and the overall time-point response (OVR), each
with the reason written out for the derivation log.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial.derive._checks import (
    CheckType,
    check_check_type,
    first_rows,
    report,
    require_columns,
    text,
    warn,
)
from oncotrial.derive._dates import parse_iso_dates
from oncotrial.derive._recist_special import (
    apply_lesion_links,
    confirmed_equivocal,
    reappearance_after_cr,
)

# --- RECIST 1.1 thresholds (Eisenhauer et al. 2009, Eur J Cancer 45:228-247) -----------------
#: 4.3.1 "Partial Response (PR): At least a 30% decrease in the sum of diameters of target
#: lesions, taking as reference the baseline sum diameters."
PR_PCHG_BASELINE = -30.0
#: 4.3.1 "Progressive Disease (PD): At least a 20% increase in the sum of diameters of target
#: lesions, taking as reference the smallest sum on study (this includes the baseline sum if
#: that is the smallest on study)."
PD_PCHG_NADIR = 20.0
#: 4.3.1 "In addition to the relative increase of 20%, the sum must also demonstrate an
#: absolute increase of at least 5 mm."
PD_CHG_NADIR_MM = 5.0
#: 4.3.1 "Complete Response (CR): Disappearance of all target lesions. Any pathological lymph
#: nodes (whether target or non-target) must have reduction in short axis to <10 mm."
NODE_CR_MM = 10.0
#: 4.3.1 special notes, "Target lesions that become 'too small to measure'": "a default value
#: of 5 mm should be assigned".
TOO_SMALL_MM = 5.0
#: 3.1.1 measurable lesion: ">=10 mm" longest diameter by CT (slice thickness <= 5 mm).
MIN_MEASURABLE_MM = 10.0
#: 3.1.1 malignant lymph node: ">=15 mm in short axis when assessed by CT scan".
MIN_MEASURABLE_NODE_MM = 15.0
_EPS = 1e-9  # tolerance on the % thresholds (sums are decimal mm; 84/70 = 1.2 exactly)

TargetResponse = Literal["CR", "PR", "SD", "PD", "NE", "NA"]
NEW_PD_STATUS = ("PRESENT", "UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL")
NT_ASSESSED = ("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL")
_NT_PD = ("UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL")
_FUNC = "derive_vars_recist"


def compute_overall_response(target: object, non_target: object, new_lesion: object) -> np.ndarray:
    """Overall time-point response from its three components (RECIST 1.1 Tables 1 and 2).

    Parameters
    ----------
    target : array of {'CR', 'PR', 'SD', 'PD', 'NE', 'NA'}
        Target-lesion response; ``'NA'`` when the subject had no target lesion at baseline.
    non_target : array of {'CR', 'NON-CR/NON-PD', 'PD', 'NE', 'NA'}
        Non-target response; ``'NA'`` when there was no non-target lesion at baseline.
    new_lesion : array of bool
        An unequivocal new lesion was seen at this assessment.

    Returns
    -------
    ndarray of str
        ``CR``, ``PR``, ``SD``, ``NON-CR/NON-PD``, ``PD`` or ``NE``.

    Notes
    -----
    Table 1 (target lesions, with or without non-target lesions), Eisenhauer 2009 section
    4.4.1 [1]_:

    ========  =====================  ====  =======
    Target    Non-target             New   Overall
    ========  =====================  ====  =======
    CR        CR (or none)           No    CR
    CR        NON-CR/NON-PD          No    PR
    CR        not evaluated (NE)     No    PR
    PR        non-PD or NE           No    PR
    SD        non-PD or NE           No    SD
    NE        non-PD                 No    NE
    PD        any                    any   PD
    any       PD                     any   PD
    any       any                    Yes   PD
    ========  =====================  ====  =======

    Table 2 (non-target lesions only): CR/No -> CR; NON-CR/NON-PD/No -> NON-CR/NON-PD;
    not all evaluated/No -> NE; unequivocal PD -> PD; new lesion -> PD.

    References
    ----------
    .. [1] Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in
       solid tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.

    Examples
    --------
    >>> compute_overall_response(["CR", "CR", "PR", "NA", "SD"],
    ...                          ["CR", "NE", "NE", "NON-CR/NON-PD", "NON-CR/NON-PD"],
    ...                          [False, False, False, False, True]).tolist()
    ['CR', 'PR', 'PR', 'NON-CR/NON-PD', 'PD']
    """
    t = np.asarray(target, dtype=object)
    nt = np.asarray(non_target, dtype=object)
    new = np.asarray(new_lesion, dtype=bool)
    no_t = t == "NA"
    conds = [
        new | (t == "PD") | (nt == "PD"),
        no_t & (nt == "CR"),
        no_t & (nt == "NON-CR/NON-PD"),
        no_t,  # non-target NE (or both absent): not evaluable
        (t == "CR") & np.isin(nt, ["CR", "NA"]),
        (t == "CR") | (t == "PR"),
        t == "SD",
    ]
    choices = ["PD", "CR", "NON-CR/NON-PD", "NE", "CR", "PR", "SD"]
    return np.select(conds, choices, default="NE").astype(object)


def _prepare(dataset: pd.DataFrame, evaluator: str | None, check_type: str) -> pd.DataFrame:
    require_columns(dataset, ["subject_id", "assessment_date", "lesion_id", "lesion_class"],
                    _FUNC, "dataset")
    d = pd.DataFrame({
        "subject_id": dataset["subject_id"].astype(str).str.strip(),
        "lesion_id": dataset["lesion_id"].astype(str).str.strip(),
        "lesion_class": text(dataset["lesion_class"]),
    }, index=dataset.index)
    for col in ("visit", "site", "status", "evaluator", "unit", "is_node"):
        d[col] = (text(dataset[col]) if col in dataset.columns
                  else pd.Series(None, index=dataset.index, dtype=object))
    d["evaluator"] = d["evaluator"].fillna("INVESTIGATOR")
    link = (dataset["lesion_link"].astype("string").str.strip() if "lesion_link" in dataset
            else pd.Series(pd.NA, index=dataset.index, dtype="string"))
    d["lesion_link"] = link.mask(link == "").astype(object).where(link.notna() & (link != ""),
                                                                  None)
    d["diameter"] = (pd.to_numeric(dataset["diameter"], errors="coerce") if "diameter" in dataset
                     else np.nan).astype(float)
    d["source_row"] = dataset["source_row"] if "source_row" in dataset else np.arange(len(d)) + 1
    if evaluator is not None:
        keep = d["evaluator"] == str(evaluator).strip().upper()
        if not keep.any():
            raise report_error_evaluator(evaluator, d)
        d = d[keep.to_numpy()]
        dataset = dataset.loc[d.index]
    bad_cls = ~d["lesion_class"].isin(["TARGET", "NON-TARGET", "NEW"]).to_numpy()
    if bad_cls.any():
        r = d[bad_cls].iloc[0]
        raise _value_error(
            "lesion_class", "one of {'TARGET', 'NON-TARGET', 'NEW'}", r["lesion_class"], r)
    neg = (d["diameter"] < 0).to_numpy()
    if neg.any():
        r = d[neg].iloc[0]
        raise _value_error("diameter", "non-negative (mm)", r["diameter"], r)
    cm = (d["unit"] == "CM").to_numpy()
    if cm.any():
        d.loc[cm, "diameter"] = d.loc[cm, "diameter"] * 10.0
        warn(f"{int(cm.sum())} lesion diameter(s) were given in cm and converted to mm (x10); "
             f"first: {first_rows(d[cm], ['subject_id', 'lesion_id', 'visit'], 1)}.")
    codes, sites = pd.factorize(d["site"], use_na_sentinel=True)  # issue 21: per distinct site
    site_node = np.append(pd.Series(sites, dtype=object).str.contains(
        "LYMPH NODE", regex=False, na=False).to_numpy(bool), False)[codes]
    d["node"] = np.where(d["is_node"] == "Y", True,
                         np.where(d["is_node"] == "N", False, site_node)).astype(bool)
    ctx = pd.DataFrame({"subject_id": d["subject_id"], "lesion_id": d["lesion_id"],
                        "visit": d["visit"]})
    adt, flag = parse_iso_dates(dataset["assessment_date"], impute="first", func=_FUNC,
                                param="assessment_date", context=ctx)
    d["date"] = adt.to_numpy()
    d["partial"] = flag.notna().to_numpy()
    d["raw_date"] = dataset["assessment_date"].astype("string").to_numpy()
    if d["date"].isna().any():
        r = d[d["date"].isna().to_numpy()].iloc[0]
        raise _value_error("assessment_date", "present on every lesion record", None, r)
    # An assessment (time point) is one visit; without a visit label, one date.
    akey = d["visit"].copy()
    no_visit = akey.isna().to_numpy()
    if no_visit.any():  # issue 21: dates formatted only where the visit label is missing
        akey[no_visit] = d["date"][no_visit].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    d["akey"] = akey
    return d


def report_error_evaluator(evaluator: str, d: pd.DataFrame) -> Exception:
    from oncotrial._errors import bad_value
    have = sorted(d["evaluator"].dropna().unique().tolist())
    return bad_value("evaluator", _FUNC, f"one of the evaluators in the data {have}", evaluator,
                     "Pass evaluator=None to derive every evaluator separately.")


def _value_error(col: str, constraint: str, value: object, r: pd.Series) -> Exception:
    from oncotrial._errors import OncotrialValueError
    return OncotrialValueError(
        f"`dataset.{col}` of `{_FUNC}` must be {constraint}; got {value!r} for subject "
        f"{r['subject_id']!r}, lesion {r['lesion_id']!r}, visit {r['visit']!r} "
        f"(source row {r['source_row']}). Correct the lesion record.")


def _dedupe(d: pd.DataFrame, check_type: str, log: list[dict]) -> pd.DataFrame:
    key = ["subject_id", "evaluator", "akey", "lesion_id"]
    # Issue 21: one hash of the key (ngroup) gives both "in a duplicated group" and "not the
    # first of its group", as duplicated(keep=False) and duplicated(keep="first") would.
    gid = d.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    dup = np.bincount(gid)[gid] > 1 if len(gid) else np.zeros(0, bool)
    if not dup.any():
        return d
    later = np.ones(len(gid), bool)
    later[np.unique(gid, return_index=True)[1]] = False
    dd = d[dup]
    # groups by their ngroup id, not by a key look-up (.loc of a key with a missing part,
    # e.g. no lesion_id, is a KeyError)
    dgid = gid[dup]
    nvals = dd[["lesion_class", "diameter", "status"]].groupby(dgid).nunique(
        dropna=False).max(axis=1)
    conflicting = nvals[nvals > 1]
    cols = ["subject_id", "lesion_id", "visit", "source_row"]
    if len(conflicting):
        bad = dd[np.isin(dgid, conflicting.index.to_numpy())].sort_values(key, kind="stable")
        report(f"`dataset` of `{_FUNC}` must have one record per subject x evaluator x "
               f"assessment x lesion; {len(conflicting)} lesion(s) have conflicting duplicates: "
               f"{first_rows(bad, cols)}.", check_type,
               "List them with dataset[dataset.duplicated(['subject_id', 'evaluator', "
               "'assessment_date', 'lesion_id'], keep=False)]; with check_type='warning' the "
               "first record (lowest source row) is kept.")
    exact = dd.drop_duplicates(key)
    if len(conflicting) == 0:
        warn(f"{len(dd) - len(exact)} exact duplicate lesion record(s) dropped (one kept per "
             f"subject x evaluator x visit x lesion): {first_rows(dd, cols)}.")
    for r in d[later].itertuples():
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.date, "DECISION": "duplicate dropped",
                    "REASON": f"{r.visit or r.akey}: lesion {r.lesion_id} recorded more than "
                              f"once (source row {r.source_row} dropped, first record kept)"})
    return d[~later]


def derive_vars_recist(dataset: pd.DataFrame, *, evaluator: str | None = None,
                       check_type: CheckType = "error", log: list[dict] | None = None,
                       ) -> pd.DataFrame:
    """Derive RECIST 1.1 time-point responses from lesion records.

    Parameters
    ----------
    dataset : DataFrame
        Canonical ``lesions`` table (``oncotrial.io._schema.LESIONS``): ``subject_id``,
        ``assessment_date``, ``lesion_id``, ``lesion_class`` and, as available, ``visit``,
        ``site``, ``is_node``, ``diameter`` (mm), ``unit``, ``status``, ``evaluator``.
    evaluator : str, optional
        Keep only this evaluator's records (e.g. ``'INVESTIGATOR'``, ``'RADIOLOGIST 1'``).
        Default ``None`` derives every evaluator separately.
    check_type : {'error', 'warning', 'none'}, default='error'
        What a data problem does (conflicting duplicate lesion records, a missing baseline, a
        target/non-target lesion first seen after baseline, a baseline target without a
        measurement): raise, or warn and work around it as documented. Every work-around is
        also written to ``log``.
    log : list of dict, optional
        Derivation log to append decisions to (one dict per decision).

    Returns
    -------
    DataFrame
        One row per subject x evaluator x assessment, ordered by date: ``USUBJID``,
        ``EVALUATOR``, ``VISIT``, ``ADT``, ``ADTF`` (``'D'`` when a partial date was imputed),
        ``ABLFL``, ``NTRGBL`` (baseline target lesions), ``NTRGASS`` (measured now),
        ``TRGSUM`` (mm), ``BASE``, ``NADIR`` (smallest earlier complete sum, baseline
        included), ``PCHG`` (% from baseline), ``CHGNAD`` (mm), ``PCHGNAD`` (% from nadir),
        ``TRGRESP``, ``NTRGRESP``, ``NEWLPROG`` (``Y``/``N``/``EQUIVOCAL``), ``NEWLCNT`` and
        ``NEWLSUM`` (number and diameter sum of unequivocal new lesions, for iRECIST),
        ``AVALC`` (the overall response; empty at baseline) and ``REASON``.

    Notes
    -----
    Steps (each rule cites Eisenhauer et al. 2009 [1]_):

    1. An assessment is one ``visit`` of one subject and evaluator (one date when ``visit``
       is empty). Its date ``ADT`` is the earliest complete date among its records; when all
       are partial, the first day of the period (``ADTF='D'``).
    2. Baseline is each subject x evaluator's earliest assessment. Target sum
       :math:`S = \\sum` longest diameters of non-nodal targets + short axes of nodal targets
       (4.2); "too small to measure" counts :data:`TOO_SMALL_MM` (4.3.1 special notes).
    3. Target response at a later assessment, with nadir :math:`N` = smallest sum of any
       earlier *complete* assessment (baseline included) and baseline sum :math:`B`:
       CR if every non-nodal target is 0 mm and every nodal target < 10 mm; else PD if
       :math:`S - N \\ge 5` mm and :math:`100 (S - N)/N \\ge 20` (:math:`N = 0` counts as an
       infinite % increase); else PR if :math:`100 (S - B)/B \\le -30`; else SD. CR is tested
       first because nodes < 10 mm are normal (4.3.1, "Lymph nodes").
    4. When some targets are not measured (missing record, ``NOT DONE``, no diameter) the
       response is NE, unless the measured ones already meet PD (4.4.2).
    5. Non-target: PD on ``UNEQUIVOCAL PROGRESSION``; else NE when any baseline non-target
       is not assessed; CR when all are ``ABSENT``; else NON-CR/NON-PD (4.3.2). Tumour
       markers are not modelled.
    6. New lesion: ``PRESENT``/unequivocal -> PD; ``EQUIVOCAL`` is logged and not PD, unless
       a later scan shows the same lesion unequivocal: then PD at the first scan (4.3.4).
    7. Overall response from :func:`compute_overall_response` (Tables 1 and 2).
    8. Special cases (:mod:`oncotrial.derive._recist_special`): fragments of a split lesion
       (``lesion_link``) are summed into it, a coalesced lesion counts 0 mm (4.3.1 special
       notes); disease seen again after a confirmed overall CR is PD (Table 3 note a).

    References
    ----------
    .. [1] Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in
       solid tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.

    Examples
    --------
    PR at week 8 (sum 70 -> 45 mm, -35.7 %) and PD at week 16 (58 mm: +28.9 % and +13 mm
    over the nadir of 45 mm):

    >>> les = pd.DataFrame({
    ...     "subject_id": ["S1"] * 6,
    ...     "assessment_date": ["2014-01-02"] * 2 + ["2014-03-01"] * 2 + ["2014-05-01"] * 2,
    ...     "lesion_id": ["T1", "T2"] * 3, "lesion_class": ["TARGET"] * 6,
    ...     "site": ["LIVER", "LYMPH NODE"] * 3, "diameter": [50, 20, 30, 15, 40, 18]})
    >>> derive_vars_recist(les)[["TRGSUM", "TRGRESP", "AVALC"]].values.tolist()
    [[70.0, '', ''], [45.0, 'PR', 'PR'], [58.0, 'PD', 'PD']]
    """
    check_check_type(check_type, _FUNC)
    log = [] if log is None else log
    d = _prepare(dataset, evaluator, check_type)
    d = _dedupe(d, check_type, log)
    sk = ["subject_id", "evaluator"]
    ak = [*sk, "akey"]

    # 1. assessments and their dates
    d["full_date"] = d["date"].where(~d["partial"])
    asm = d.groupby(ak, sort=False, dropna=False).agg(
        ADT=("full_date", "min"), ADT_first=("date", "min"), VISIT=("visit", "first"),
        raw=("raw_date", "first")).reset_index()
    asm["ADTF"] = np.where(asm["ADT"].isna(), "D", "")
    for r in asm[asm["ADT"].isna()].itertuples():
        warn(f"Subject {r.subject_id!r} ({r.evaluator}), visit {r.VISIT or r.akey!r}: only a "
             f"partial assessment date {r.raw!r}; imputed to {r.ADT_first:%Y-%m-%d} "
             "(first day of the period).")
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.ADT_first, "DECISION": "date imputed",
                    "REASON": f"{r.VISIT or r.akey}: partial date {r.raw} imputed to the first "
                              "day of the period"})
    asm["ADT"] = asm["ADT"].fillna(asm["ADT_first"])
    asm = asm.sort_values([*sk, "ADT", "akey"], kind="stable").reset_index(drop=True)
    asm["seq"] = asm.groupby(sk, sort=False).cumcount()
    asm["aid"] = np.arange(len(asm))
    d = d.merge(asm[[*ak, "aid", "seq", "ADT"]], on=ak, how="left")

    # 2. baseline lesions
    bl = d[(d["seq"] == 0) & d["lesion_class"].isin(["TARGET", "NON-TARGET"])]
    bl_les = bl[[*sk, "lesion_id", "lesion_class", "node"]].rename(
        columns={"lesion_class": "bl_class", "node": "bl_node"})
    has_bl = asm.loc[asm["seq"] == 0, sk].merge(bl_les[sk].drop_duplicates(), how="left",
                                                 on=sk, indicator=True)
    nobl = has_bl[has_bl["_merge"] == "left_only"]
    if len(nobl):
        report(f"`dataset` of `{_FUNC}` must have target or non-target lesions at each "
               f"subject's first assessment (the RECIST 1.1 baseline, section 4.2); "
               f"{len(nobl)} subject x evaluator(s) have none: "
               f"{first_rows(nobl, ['subject_id', 'evaluator'])}.", check_type,
               "Add the baseline lesion records; with check_type='warning' these subjects get "
               "no time-point response.")
        for r in nobl.itertuples():
            log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                        "ADT": pd.NaT, "DECISION": "no baseline",
                        "REASON": "no target or non-target lesion at the first assessment: "
                                  "no time-point response derived"})
        drop = asm.merge(nobl[sk], on=sk)["aid"]
        d = d[~d["aid"].isin(drop)]
        asm = asm[~asm["aid"].isin(drop)]
    d = apply_lesion_links(d, bl_les, log)
    d = d.merge(bl_les, on=[*sk, "lesion_id"], how="left")
    post_new = (d["seq"] > 0) & d["lesion_class"].isin(["TARGET", "NON-TARGET"]) \
        & d["bl_class"].isna()
    if post_new.any():
        bad = d[post_new.to_numpy()]
        report(f"`dataset` of `{_FUNC}`: {len(bad)} target/non-target lesion record(s) have no "
               f"baseline record (lesion first seen after baseline; RECIST 1.1 section 4.2 "
               f"selects target and non-target lesions at baseline only): "
               f"{first_rows(bad, ['subject_id', 'lesion_id', 'visit'])}.", check_type,
               "Record the lesion at baseline, or as a NEW lesion; with check_type='warning' "
               "these records are excluded from the sums.")
        for r in bad.itertuples():
            log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                        "ADT": r.ADT, "DECISION": "lesion excluded",
                        "REASON": f"{r.visit or r.akey}: {r.lesion_class.lower()} lesion "
                                  f"{r.lesion_id} has no baseline record; excluded"})
        d = d[~post_new.to_numpy()]
    at_bl_new = (d["seq"] == 0) & (d["lesion_class"] == "NEW")
    for r in d[at_bl_new.to_numpy()].itertuples():
        warn(f"Subject {r.subject_id!r}, lesion {r.lesion_id!r}, visit {r.visit!r}: a NEW "
             "lesion at the baseline assessment is ignored.")
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.ADT, "DECISION": "lesion ignored",
                    "REASON": f"{r.visit or r.akey}: NEW lesion {r.lesion_id} at baseline "
                              "ignored"})

    # 3. target lesions: effective diameter
    tg = d[(d["bl_class"] == "TARGET")].copy()
    status = tg["status"]
    eff = tg["diameter"].where(status.isna() | ~status.isin(["NOT DONE"]))
    eff = eff.where(~(status == "TOO SMALL TO MEASURE"), TOO_SMALL_MM)
    tg["eff"] = eff
    tg["nonnodal_pos"] = (~tg["bl_node"].astype(bool)) & (tg["eff"] > 0)
    tg["node_ge10"] = tg["bl_node"].astype(bool) & (tg["eff"] >= NODE_CR_MM)
    tg["max_node"] = tg["eff"].where(tg["bl_node"].astype(bool))
    tagg = tg.groupby("aid").agg(
        TRGSUM=("eff", "sum"), NTRGASS=("eff", "count"), nonnodal_pos=("nonnodal_pos", "sum"),
        node_ge10=("node_ge10", "sum"), max_node=("max_node", "max"))
    nbl = bl_les[bl_les["bl_class"] == "TARGET"].groupby(sk).size().rename("NTRGBL")
    asm = asm.merge(nbl.reset_index(), on=sk, how="left").set_index("aid", drop=False)
    asm = asm.join(tagg)
    asm["NTRGBL"] = asm["NTRGBL"].fillna(0).astype(int)
    asm["NTRGASS"] = asm["NTRGASS"].fillna(0).astype(int)
    has_t = asm["NTRGBL"] > 0
    asm["TRGSUM"] = asm["TRGSUM"].where(has_t & (asm["NTRGASS"] > 0))
    complete = has_t & (asm["NTRGASS"] == asm["NTRGBL"])
    blrow = asm["seq"] == 0
    bad_bl = blrow & has_t & ~complete
    if bad_bl.any():
        bad = asm[bad_bl]
        report(f"`dataset` of `{_FUNC}`: every baseline target lesion needs a diameter "
               f"(RECIST 1.1 section 4.2); {len(bad)} baseline assessment(s) lack one: "
               f"{first_rows(bad, ['subject_id', 'evaluator', 'VISIT'])}.", check_type,
               "Add the measurement; with check_type='warning' the baseline sum is taken over "
               "the measured targets.")
        complete = complete | bad_bl
    base = asm["TRGSUM"].where(blrow).groupby([asm["subject_id"], asm["evaluator"]]).transform(
        "max")
    comp_sum = asm["TRGSUM"].where(complete, np.inf)
    keys = [asm["subject_id"], asm["evaluator"]]
    nadir = comp_sum.groupby(keys).cummin().groupby(keys).shift(1)
    nadir = nadir.where(np.isfinite(nadir.astype(float)))
    asm["BASE"], asm["NADIR"] = base, nadir
    s = asm["TRGSUM"]
    asm["PCHG"] = 100.0 * (s - base) / base.where(base > 0)
    asm["CHGNAD"] = s - nadir
    with np.errstate(divide="ignore", invalid="ignore"):
        asm["PCHGNAD"] = np.where(nadir > 0, 100.0 * (s - nadir) / nadir,
                                  np.where(s - nadir > 0, np.inf, 0.0))
    asm.loc[s.isna() | nadir.isna(), "PCHGNAD"] = np.nan
    pd_met = (asm["CHGNAD"] >= PD_CHG_NADIR_MM - _EPS) & (asm["PCHGNAD"] >= PD_PCHG_NADIR - _EPS)
    cr_met = complete & (asm["nonnodal_pos"].fillna(0) == 0) & (asm["node_ge10"].fillna(0) == 0)
    pr_met = asm["PCHG"] <= PR_PCHG_BASELINE + _EPS
    asm["TRGRESP"] = np.select(
        [blrow, ~has_t, complete & cr_met, pd_met, ~complete, pr_met],
        ["", "NA", "CR", "PD", "NE", "PR"], default="SD")

    # 5. non-target lesions
    nt = d[d["bl_class"] == "NON-TARGET"]
    nt_st = nt["status"]
    nagg = pd.DataFrame({
        "aid": nt["aid"], "nt_pd": nt_st.isin(_NT_PD), "nt_ass": nt_st.isin(NT_ASSESSED),
        "nt_abs": nt_st == "ABSENT"}).groupby("aid").sum()
    nnt = bl_les[bl_les["bl_class"] == "NON-TARGET"].groupby(sk).size().rename("NNTRGBL")
    asm = asm.join(nagg).merge(nnt.reset_index(), on=sk, how="left").set_index(
        "aid", drop=False)
    asm["NNTRGBL"] = asm["NNTRGBL"].fillna(0).astype(int)
    for c in ("nt_pd", "nt_ass", "nt_abs"):
        asm[c] = asm[c].fillna(0).astype(int)
    has_nt = asm["NNTRGBL"] > 0
    asm["NTRGRESP"] = np.select(
        [blrow, ~has_nt, asm["nt_pd"] > 0, asm["nt_ass"] < asm["NNTRGBL"],
         asm["nt_abs"] == asm["NNTRGBL"]],
        ["", "NA", "PD", "NE", "CR"], default="NON-CR/NON-PD")

    # 6. new lesions
    nw = d[(d["lesion_class"] == "NEW") & (d["seq"] > 0)]
    nst = nw["status"]
    new_pd = nst.isna() | nst.isin(NEW_PD_STATUS)
    # 4.3.4: an equivocal new lesion confirmed later dates PD at the first scan showing it
    eqc = confirmed_equivocal(nw.assign(new_pd=new_pd))
    wagg = pd.DataFrame({"aid": nw["aid"], "new_pd": new_pd | eqc,
                         "new_eq": (nst == "EQUIVOCAL") & ~eqc, "new_eqc": eqc,
                         "n_new": new_pd | eqc,
                         "new_sum": nw["diameter"].where(new_pd | eqc)}).groupby("aid").sum()
    asm = asm.join(wagg)
    asm["n_new"] = asm["n_new"].fillna(0).astype(int)
    asm["new_sum"] = asm["new_sum"].fillna(0.0).astype(float)
    asm["new_pd"] = asm["new_pd"].fillna(0) > 0
    asm["new_eq"] = asm["new_eq"].fillna(0) > 0
    asm["new_eqc"] = asm["new_eqc"].fillna(0) > 0
    for r in asm[asm["new_eqc"]].itertuples():
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.ADT, "DECISION": "equivocal new lesion confirmed",
                    "REASON": f"{r.VISIT or r.akey}: equivocal new lesion confirmed at a later "
                              "scan: PD dated at this first scan (RECIST 1.1 4.3.4)"})
    asm["NEWLPROG"] = np.where(blrow, "", np.where(asm["new_pd"], "Y", np.where(
        asm["new_eq"], "EQUIVOCAL", "N")))

    # 7. overall
    ovr = compute_overall_response(asm["TRGRESP"], asm["NTRGRESP"], asm["new_pd"])
    asm["AVALC"] = np.where(blrow, "", ovr)
    # 4.3.1 / Table 3 note: disease seen again after an overall CR is PD
    asm = asm.sort_values([*sk, "seq"], kind="stable")
    back = reappearance_after_cr(asm)
    asm["reappear"] = back
    tb = back & ((asm["nonnodal_pos"].fillna(0) > 0) | (asm["node_ge10"].fillna(0) > 0))
    asm.loc[tb, "TRGRESP"] = "PD"
    asm.loc[back & ~tb, "NTRGRESP"] = "PD"
    asm.loc[back, "AVALC"] = "PD"
    asm["ABLFL"] = np.where(blrow, "Y", "")
    asm["REASON"] = _reasons(asm)
    out = asm.rename(columns={"subject_id": "USUBJID", "evaluator": "EVALUATOR"})
    out["VISIT"] = out["VISIT"].fillna(out["akey"])
    out["NEWLCNT"] = np.where(blrow, 0, out["n_new"]).astype(int)
    out["NEWLSUM"] = np.where(blrow, 0.0, out["new_sum"])
    cols = ["USUBJID", "EVALUATOR", "VISIT", "ADT", "ADTF", "ABLFL", "NTRGBL", "NTRGASS",
            "TRGSUM", "BASE", "NADIR", "PCHG", "CHGNAD", "PCHGNAD", "TRGRESP", "NTRGRESP",
            "NEWLPROG", "NEWLCNT", "NEWLSUM", "AVALC", "REASON"]
    return out[cols].reset_index(drop=True)


def _mm(x: float) -> str:
    return f"{x:g}"


def _reasons(a: pd.DataFrame) -> list[str]:
    """One sentence per assessment explaining its responses (for the derivation log)."""
    out = []
    adt_all = pd.DatetimeIndex(a["ADT"])
    # Issue 21: one vectorised strftime (the same text for years 1000-9999, i.e. every date
    # that passed the io plausibility rules); otherwise per row as before.
    days = (adt_all.strftime("%Y-%m-%d").tolist()
            if len(a) and adt_all.notna().all() and ((adt_all.year >= 1000)
                                                      & (adt_all.year <= 9999)).all()
            else [f"{pd.Timestamp(x):%Y-%m-%d}" for x in a["ADT"].to_numpy()])
    cols = ["seq", "NTRGBL", "NTRGASS", "TRGSUM", "BASE", "NADIR", "PCHG", "CHGNAD",
            "PCHGNAD", "TRGRESP", "NTRGRESP", "NNTRGBL", "nt_ass", "nt_abs", "new_pd",
            "new_eq", "max_node", "AVALC", "reappear", "new_eqc"]
    for (day, seq, ntb, nta, s, b, nad, pch, chn, pcn, tr, ntr, nntb, ntass, ntabs, newpd,
         neweq, maxnode, ovr, back, neweqc) in zip(days, *(a[c].to_numpy() for c in cols),
                                                   strict=True):
        if seq == 0:
            tsum = f"target sum {_mm(s)} mm over {ntb} target lesion(s)" if ntb else \
                "no target lesion (non-target disease only)"
            out.append(f"{day} baseline: {tsum}; {nntb} non-target lesion(s)")
            continue
        parts = []
        if back:
            node = f", largest node {_mm(maxnode)} mm" if maxnode == maxnode else ""
            what = (f"target sum {_mm(s)} mm{node}" if tr == "PD" else
                    "a non-target lesion present again")
            parts.append(f"{what} after an earlier overall CR: disease reappeared -> PD "
                         "(RECIST 1.1 4.3.1, Table 3 note)")
        elif tr == "NA":
            parts.append("no target lesions")
        elif tr == "CR":
            node = f", largest node {_mm(maxnode)} mm < 10 mm" if maxnode == maxnode else ""
            parts.append(f"target sum {_mm(s)} mm: all non-nodal targets 0 mm{node} -> CR")
        elif tr == "NE":
            got = f" (partial sum {_mm(s)} mm does not meet PD)" if s == s else ""
            parts.append(f"{nta} of {ntb} target lesions measured{got} -> NE")
        else:
            lead = f"target sum {_mm(s)} mm" + ("" if nta == ntb else
                                                 f" ({nta} of {ntb} measured)")
            if tr == "PD":
                parts.append(f"{lead}: {pcn:+.1f}% and {chn:+g} mm over nadir {_mm(nad)} mm "
                             "-> PD")
            else:
                parts.append(f"{lead}: {pch:+.1f}% from baseline {_mm(b)} mm, "
                             f"{pcn:+.1f}% and {chn:+g} mm over nadir {_mm(nad)} mm -> {tr}")
        if ntr != "NA" and not (back and tr != "PD"):
            why = {"PD": "unequivocal progression", "CR": "all absent",
                   "NE": f"{nntb - ntass} of {nntb} not assessed",
                   "NON-CR/NON-PD": f"{nntb - ntabs} of {nntb} present"}[ntr]
            parts.append(f"non-target {ntr} ({why})")
        if neweqc:
            parts.append("equivocal new lesion confirmed at a later scan -> PD dated here "
                         "(RECIST 1.1 4.3.4)")
        elif newpd:
            parts.append("new lesion -> PD")
        elif neweq:
            parts.append("equivocal new lesion (not PD, RECIST 1.1 4.3.4)")
        out.append(f"{day} " + "; ".join(parts) + f" => overall {ovr}")
    return out
