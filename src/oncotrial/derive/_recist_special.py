"""RECIST 1.1 special cases on top of the time-point engine (:mod:`oncotrial.derive._recist`).

Three rules of Eisenhauer et al. (2009) [1]_ that need more than one record or one assessment:

* **split and coalesced lesions** (section 4.3.1, special notes): "When non-nodal lesions
  'fragment', the longest diameters of the fragmented portions should be added together to
  calculate the target lesion sum. Similarly, as lesions coalesce, a plane between them may be
  maintained that would aid in obtaining maximal diameter measurements of each individual
  lesion. If the lesions have truly coalesced such that they are no longer separable, the
  vector of the longest diameter in this instance should be the maximal longest diameter for
  the 'coalesced lesion'." The link comes from the lesions table's ``lesion_link`` (SDTM
  TRLNKGRP): a fragment names the lesion it split from; an absorbed lesion names the
  surviving lesion it merged into (the survivor keeps its id and carries the whole diameter;
  the absorbed one counts 0 mm);
* **equivocal new lesion later confirmed** (4.3.4): "If repeat scans confirm there is
  definitely a new lesion, then progression should be declared using the date of the initial
  scan";
* **reappearance after a confirmed CR** (4.3.1 and Table 3 note a): "If a CR is truly met at
  first time point, then any disease seen at a subsequent time point, even disease meeting PR
  criteria relative to baseline, makes the disease PD at that point (since disease must have
  reappeared after CR)". Lymph nodes: CR means every node < 10 mm (4.3.1), so a node growing
  back to >= 10 mm short axis after CR is reappearance. "Truly met" is read as *confirmed*: an
  overall CR repeated at least :data:`~oncotrial.derive.CONFIRM_DAYS` later (4.6.1). After a
  single, unconfirmed CR the note's second case applies ("sometimes 'CR' may be claimed when
  subsequent scans suggest small lesions were likely still present and in fact the patient had
  PR ... the original CR should be changed to PR"): the usual sum rules decide (PD needs
  +5 mm over the nadir), and ``derive_param_bor(cr_then_pr=)`` settles the best response.

No library implements these rules on lesion records (admiralonco starts from RS responses), so
they are written here, vectorised with pandas groupby.

References
----------
.. [1] Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in solid
   tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.derive._checks import first_rows, warn

_SK = ["subject_id", "evaluator"]
_NT_RANK = {"UNEQUIVOCAL PROGRESSION": 3, "UNEQUIVOCAL": 3, "PRESENT": 2, "ABSENT": 1,
            "NOT DONE": 0}


def apply_lesion_links(d: pd.DataFrame, bl_les: pd.DataFrame, log: list[dict]) -> pd.DataFrame:
    """Fold fragments into their parent lesion and zero absorbed (coalesced) lesions.

    ``d`` has one row per lesion record with ``seq`` (assessment order), ``aid``, ``akey``,
    ``lesion_link``; ``bl_les`` lists the baseline lesions (``lesion_id``, ``bl_class``).
    Returns the records with each fragment group collapsed into one record under the parent's
    ``lesion_id`` (target: diameters summed, "too small to measure" fragments counting
    :data:`~oncotrial.derive.TOO_SMALL_MM`; non-target: the most advanced status).
    """
    from oncotrial.derive._recist import TOO_SMALL_MM

    if "lesion_link" not in d or d["lesion_link"].isna().all():
        return d
    known = bl_les[[*_SK, "lesion_id"]].assign(_known=True)
    linked = d["lesion_link"].notna() & (d["seq"] > 0)
    own = d[[*_SK, "lesion_id"]].merge(known, on=[*_SK, "lesion_id"], how="left")["_known"]
    own = own.fillna(False).astype(bool).to_numpy()
    tgt = d[[*_SK]].assign(lesion_id=d["lesion_link"]).merge(
        known, on=[*_SK, "lesion_id"], how="left")["_known"].fillna(False).astype(bool).to_numpy()
    bad = linked.to_numpy() & ~tgt
    if bad.any():
        rows = d[bad]
        warn(f"{int(bad.sum())} lesion record(s) link (lesion_link) to a lesion that is not a "
             f"baseline lesion of the same subject and evaluator; the link is ignored: "
             f"{first_rows(rows, ['subject_id', 'lesion_id', 'lesion_link', 'visit'])}.")
    frag = linked.to_numpy() & tgt & ~own & d["lesion_class"].isin(["TARGET", "NON-TARGET"]
                                                                    ).to_numpy()
    absorbed = linked.to_numpy() & tgt & own & (d["lesion_link"] != d["lesion_id"]).to_numpy()
    d = d.copy()
    for r in d[absorbed].itertuples():
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.ADT, "DECISION": "coalesced lesion",
                    "REASON": f"{r.visit or r.akey}: lesion {r.lesion_id} coalesced into "
                              f"{r.lesion_link}: counts 0 mm, the surviving lesion carries the "
                              "diameter (RECIST 1.1 4.3.1)"})
    d.loc[absorbed, "diameter"] = 0.0
    d.loc[absorbed, "status"] = np.where(d.loc[absorbed, "lesion_class"] == "NON-TARGET",
                                         "ABSENT", None)
    if not frag.any():
        return d
    for r in d[frag].itertuples():
        log.append({"USUBJID": r.subject_id, "EVALUATOR": r.evaluator, "PARAMCD": "OVR",
                    "ADT": r.ADT, "DECISION": "split lesion",
                    "REASON": f"{r.visit or r.akey}: fragment {r.lesion_id} of lesion "
                              f"{r.lesion_link} summed into it (RECIST 1.1 4.3.1)"})
    d.loc[frag, "lesion_id"] = d.loc[frag, "lesion_link"]
    key = [*_SK, "akey", "lesion_id"]
    grp_has_frag = pd.Series(frag, index=d.index).groupby(
        [d[k] for k in key], sort=False).transform("any").to_numpy()
    g = d[grp_has_frag].copy()
    rest = d[~grp_has_frag]
    eff = g["diameter"].where(g["status"].ne("NOT DONE") | g["status"].isna())
    eff = eff.where(g["status"].ne("TOO SMALL TO MEASURE"), TOO_SMALL_MM)
    g["_eff"] = eff
    g["_rank"] = g["status"].map(_NT_RANK).astype(float)
    agg = g.groupby(key, sort=False, dropna=False).agg(
        _sum=("_eff", lambda x: x.sum(min_count=1)), _rank=("_rank", "max"))
    first = g.drop_duplicates(key).set_index(key)
    first["diameter"] = agg["_sum"].reindex(first.index)
    inv = {v: k for k, v in _NT_RANK.items() if k != "UNEQUIVOCAL"}
    nt_status = agg["_rank"].map(inv).reindex(first.index).to_numpy()
    is_t = first["lesion_class"] != "NON-TARGET"
    first["status"] = np.where(is_t, np.where(first["diameter"].isna(), "NOT DONE", None),
                               nt_status)
    return pd.concat([rest, first.reset_index()[d.columns]], ignore_index=True)


def confirmed_equivocal(nw: pd.DataFrame) -> pd.Series:
    """Equivocal new-lesion records whose lesion is unequivocal at a later assessment.

    ``nw`` holds the NEW-lesion records (``subject_id``, ``evaluator``, ``lesion_id``,
    ``seq``, ``status``, ``new_pd``). Returns a boolean Series aligned with ``nw``.
    """
    eq = nw["status"] == "EQUIVOCAL"
    if not eq.any():
        return pd.Series(False, index=nw.index)
    conf = nw[nw["new_pd"]].groupby([*_SK, "lesion_id"])["seq"].max().rename("_conf_seq")
    m = nw[[*_SK, "lesion_id", "seq"]].join(conf, on=[*_SK, "lesion_id"])
    return (eq & (m["_conf_seq"] > m["seq"])).fillna(False).astype(bool)


def reappearance_after_cr(asm: pd.DataFrame) -> pd.Series:
    """Assessments after a confirmed overall CR at which disease is seen again.

    ``asm`` is the assessment frame of :func:`derive_vars_recist` ordered by subject,
    evaluator and date, with ``AVALC`` (overall), ``seq``, ``nonnodal_pos`` (non-nodal
    targets > 0 mm), ``node_ge10`` (nodal targets >= 10 mm), ``nt_ass`` and ``nt_abs``.
    """
    from oncotrial.derive._bor import CONFIRM_DAYS

    keys = [asm["subject_id"], asm["evaluator"]]
    cr = (asm["AVALC"] == "CR") & (asm["seq"] > 0)
    first_cr = asm["ADT"].where(cr).groupby(keys).cummin()
    confirming = cr & ((asm["ADT"] - first_cr).dt.days >= CONFIRM_DAYS)
    conf_date = asm["ADT"].where(confirming).groupby(keys).transform("min")
    prior_cr = (asm["ADT"] > conf_date).fillna(False)
    target_back = (asm["nonnodal_pos"].fillna(0) > 0) | (asm["node_ge10"].fillna(0) > 0)
    nt_back = asm["nt_ass"].fillna(0) > asm["nt_abs"].fillna(0)
    return prior_cr & (asm["AVALC"] != "PD") & (target_back | nt_back) & (asm["seq"] > 0)
