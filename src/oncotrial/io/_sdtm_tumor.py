"""SDTM TU + TR -> lesions and RS -> responses (RECIST 1.1 tumour data).

Every rule here is listed in docs/data-model.md ("SDTM mapping"). In short:

* evaluator = ``--EVALID`` when present, else ``--EVAL``, else INVESTIGATOR;
* TR links to TU by USUBJID + evaluator + TRLNKID = TULNKID; TU (TUTESTCD TUMIDENT) gives the
  lesion class (TUSTRESC, else TUORRES), the site (TULOC) and the node flag (TULOC contains
  "LYMPH NODE"); without a TU record the class comes from TRGRPID;
* TARGET lesions: one measurement per lesion per assessment, by priority
  DIAMETER (the sponsor's RECIST diameter, which SUMDIAM sums), then LDIAM for non-nodal or
  SAXIS, then LPERP for nodal lesions (RECIST 1.1 section 3.2: short axis for nodes [1]_);
  the other measurements of that lesion and assessment go to the mapping log;
* NON-TARGET / NEW lesions: TRTESTCD TUMSTATE only; UNEQUIVOCAL -> UNEQUIVOCAL PROGRESSION
  (non-target) or PRESENT (new); TRSTAT NOT DONE -> NOT DONE;
* RS: RSTESTCD OVRLRESP of category RECIST 1.1 (or no RSCAT) -> responses;
* TR/RS records with a month-level partial date (``YYYY-MM``) get the day imputed to the
  first of the month and ``date_imputation = "D"`` (ADaM ``ADTF``), with a *warning*;
* TR/RS records with a missing or year-only date, and OVRLRESP values outside the RECIST codes,
  cannot be placed on the RECIST timeline: they are not mapped, each gives a *warning* and a
  mapping-log row (SDTM permits partial --DTC; the template reader treats them as errors).

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247.
.. [2] CDISC SDTMIG v3.4 section 6.3.14 (TU, TR, RS oncology domains).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._frame import filter_rows, take_rows
from oncotrial.io._coerce import DEFAULT_EVALUATOR, emit, map_values, upper
from oncotrial.io._dates import parse_dates
from oncotrial.io._issues import Issue

#: Priority of TRTESTCD for target lesions (lower wins), per node flag.
TARGET_PRIORITY_NONNODAL: dict[str, int] = {"DIAMETER": 0, "LDIAM": 1}
TARGET_PRIORITY_NODAL: dict[str, int] = {"DIAMETER": 0, "SAXIS": 1, "LPERP": 2}

#: TUMSTATE results per lesion class -> canonical ``status``.
STATUS_MAP: dict[str, dict[str, str]] = {
    "NON-TARGET": {"UNEQUIVOCAL": "UNEQUIVOCAL PROGRESSION"},
    "NEW": {"UNEQUIVOCAL": "PRESENT"},
}

#: RS result spellings -> canonical response code.
RESPONSE_MAP: dict[str, str] = {
    "CR": "CR", "PR": "PR", "SD": "SD", "PD": "PD", "NE": "NE",
    "NON-CR/NON-PD": "NON-CR/NON-PD", "NON CR/NON PD": "NON-CR/NON-PD", "NONCR/NONPD": "NON-CR/NON-PD",
    "NOT EVALUABLE": "NE", "NOT EVALUATED": "NE",
}

RECIST_CATEGORIES = ("RECIST 1.1", "RECIST")


def col(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` or an all-missing string column."""
    if name in df.columns:
        return df[name]
    return pd.Series(pd.NA, index=df.index, dtype="string")


def evaluator_of(df: pd.DataFrame, prefix: str) -> pd.Series:
    """``--EVALID`` when present, else ``--EVAL``, else INVESTIGATOR."""
    return col(df, prefix + "EVALID").fillna(col(df, prefix + "EVAL")).fillna(DEFAULT_EVALUATOR)


def _log(rows: pd.Series, file: str, reason) -> pd.DataFrame:
    return pd.DataFrame({"file": file, "row": np.asarray(rows, dtype="int64"),
                         "reason": reason})


def _date_gate(df: pd.DataFrame, dtc: str, file: str, issues: list[Issue],
               logs: list[pd.DataFrame]) -> pd.DataFrame:
    """Place records on the RECIST timeline by their date; keep bad ones for coerce.

    * missing date: not mapped (warning + mapping-log row);
    * month-level partial date (``YYYY-MM``): day imputed to the first of the month, as
      admiral's ``derive_vars_dt(highest_imputation = "D", date_imputation = "first")``; the
      record is kept, flagged ``date_imputation = "D"`` (ADaM ``ADTF``) and warned about;
    * year-only partial date (``YYYY``): not mapped (warning + mapping-log row) — a year cannot
      order assessments.
    """
    p = parse_dates(col(df, dtc))
    month = (p.status == "partial") & (p.text.str.len() == 7).fillna(False).to_numpy(bool)
    year = (p.status == "partial") & ~month
    for m, rule, why in ((p.status == "missing", "missing-value", "no assessment date"),
                         (year, "partial-date", "year-only assessment date")):
        if m.any():
            emit(issues, m, df, dtc, col(df, dtc),
                 f"a full date: a {why} cannot be placed on the RECIST timeline; "
                 "record not mapped", rule, severity="warning")
            logs.append(_log(df.loc[m, "source_row"], file,
                             f"{dtc} {why}: not mapped (needs at least year and month)"))
    df = df.assign(_dtf=pd.Series(pd.NA, index=df.index, dtype="string"))
    if month.any():
        emit(issues, month, df, dtc, col(df, dtc),
             "a full date: day imputed to the first of the month (date_imputation = D)",
             "partial-date", severity="warning")
        imputed = p.earliest[month].dt.strftime("%Y-%m-%d").to_numpy()
        df = df.astype({dtc: "string"}) if dtc in df.columns else df
        df.loc[month, dtc] = imputed
        df.loc[month, "_dtf"] = "D"
    keep = ~((p.status == "missing") | year)
    return filter_rows(df, keep)


def _lesion_link(tr: pd.DataFrame, tu: pd.DataFrame | None) -> pd.Series:
    """TRLNKGRP as the split/coalesced-lesion link, only where it names another lesion.

    SDTM uses TRLNKGRP for any record grouping; pharmaversesdtm fills it with the RS link
    group of the visit (``A1``, ``R1-A1``). It is a lesion link only when it equals the
    TRLNKID/TULNKID of another lesion of the same subject and evaluator; otherwise it is
    not mapped.
    """
    grp = col(tr, "TRLNKGRP").astype("string").str.strip()
    ids = pd.DataFrame({"USUBJID": tr["USUBJID"], "_ev": tr["_ev"], "_id": tr["TRLNKID"]})
    if tu is not None and len(tu) and "TULNKID" in tu.columns:
        ids = pd.concat([ids, pd.DataFrame({"USUBJID": tu["USUBJID"],
                                            "_ev": evaluator_of(tu, "TU"),
                                            "_id": tu["TULNKID"]})], ignore_index=True)
    # Issue 21: one vectorised membership test on "subject / evaluator / id" keys (no row
    # loop, no text keys): integer codes per row, then integer membership.
    keys = joint_codes([pd.concat([ids[c], probe], ignore_index=True) for c, probe in
                        (("USUBJID", tr["USUBJID"]), ("_ev", tr["_ev"]), ("_id", grp))])
    k = keys[:len(ids)]
    inknown = np.isin(keys[len(ids):], k[k >= 0])
    other = (grp != tr["TRLNKID"].astype("string")).fillna(False).to_numpy(dtype=bool)
    ok = grp.notna().to_numpy(dtype=bool) & inknown & other
    return grp.where(pd.Series(ok, index=tr.index, dtype=bool))


def joint_codes(parts: list[pd.Series]) -> np.ndarray:
    """One integer per row for the tuple of ``parts`` (equal tuples, equal codes); -1 when any
    part is missing.

    Each part is factorized (Arrow dictionary encoding for text), and pairs of codes are
    folded into one code by a further factorize, so no product can overflow.

    Examples
    --------
    >>> a = pd.Series(["S1", "S1", "S2", None], dtype="string")
    >>> b = pd.Series(["T1", "T1", "T1", "T1"], dtype="string")
    >>> joint_codes([a, b]).tolist()
    [0, 0, 1, -1]
    """
    out = None
    for part in parts:
        c, u = pd.factorize(part, use_na_sentinel=True)
        c = c.astype("int64")
        if out is None:
            out = c
            continue
        pair = np.where((out >= 0) & (c >= 0), out * (len(u) + 1) + c, -1)
        codes, _ = pd.factorize(pair)  # -1 (missing) gets a code too: put -1 back
        out = np.where(pair < 0, -1, codes).astype("int64")
    return out


#: TR columns map_lesions filters on (plus its own ``_``-columns): the only ones that travel
#: through its row filters.
_TR_FILTER = ("USUBJID", "source_row", "source_file", "_ev", "TRTESTCD", "TRLNKID", "TRGRPID",
              "TRDTC")
#: TR columns read only for the rows finally mapped: taken once, by position, at the end.
_TR_LATE = ("TRLNKGRP", "TRSTRESN", "TRSTRESC", "TRORRES", "TRSTRESU", "TRORRESU", "TRSTAT",
            "VISIT", "TRACPTFL")
#: Every TR variable the reader uses after the conformance checks (evaluator choice, last
#: alive date, map_lesions); read_sdtm drops the others then (issue 21: TR is the big domain).
TR_READ = frozenset({*_TR_FILTER, *_TR_LATE, "TREVALID", "TREVAL"})


def map_lesions(tu: pd.DataFrame | None, tr: pd.DataFrame, *, tu_file: str | None,
                tr_file: str, issues: list[Issue],
                logs: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map TU + TR to raw (text) lesion rows; return them and the source-name colmap."""
    # source_file only names the file in findings: one category, not a text cell per row.
    tr = tr.assign(source_file=pd.Categorical.from_codes(np.zeros(len(tr), dtype="int8"),
                                                         [tr_file]),
                   _ev=evaluator_of(tr, "TR"))
    # Issue 21: only the columns the filters read travel through them (each boolean filter
    # copies every column; TR has ~25, 5.6 M rows at ×100); ``_pos`` remembers each row's
    # position, and the value columns are taken once for the rows that remain (_late).
    late = tr[[c for c in _TR_LATE if c in tr.columns]]
    tr = tr[[c for c in _TR_FILTER if c in tr.columns]].assign(
        _pos=np.arange(len(tr), dtype="int64"))
    testcd = upper(col(tr, "TRTESTCD"))
    no_link = col(tr, "TRLNKID").isna()
    if no_link.any():
        logs.append(_log(tr.loc[no_link, "source_row"], tr_file,
                         "TRTESTCD " + testcd[no_link].fillna("?")
                         + ": no TRLNKID, not a single-lesion record (e.g. a derived sum)"))
    tr = filter_rows(tr, ~no_link)
    # Lesion identification from TU.
    if tu is not None and len(tu):
        tu_id = tu[col(tu, "TUTESTCD").fillna("TUMIDENT").str.upper() == "TUMIDENT"]
        other = tu.index.difference(tu_id.index)
        if len(other):
            logs.append(_log(tu.loc[other, "source_row"], tu_file or "tu",
                             "TUTESTCD " + tu.loc[other, "TUTESTCD"].fillna("")
                             + " is not a tumour identification (TUMIDENT)"))
        ident = pd.DataFrame({
            "USUBJID": tu_id["USUBJID"], "_ev": evaluator_of(tu_id, "TU"),
            "TRLNKID": col(tu_id, "TULNKID"),
            "_tuclass": col(tu_id, "TUSTRESC").fillna(col(tu_id, "TUORRES")).str.upper(),
            "_site": col(tu_id, "TULOC"), "_turow": tu_id["source_row"]})
        known_cls = ident["_tuclass"].isin(["TARGET", "NON-TARGET", "NEW"]).fillna(False)
        bad_cls = (ident["_tuclass"].notna() & ~known_cls).to_numpy(bool)
        emit(issues, bad_cls, tu_id, "TUSTRESC", col(tu_id, "TUSTRESC").fillna(
            col(tu_id, "TUORRES")), "one of TARGET, NON-TARGET, NEW (RECIST 1.1 lesion class)",
             "unknown-code")
        dup = ident.duplicated(["USUBJID", "_ev", "TRLNKID"], keep="first")
        if dup.any():
            logs.append(_log(ident.loc[dup, "_turow"], tu_file or "tu",
                             "duplicate TU record for USUBJID/evaluator/TULNKID (first kept)"))
        ident = ident[~dup]
        tr = tr.merge(ident, on=["USUBJID", "_ev", "TRLNKID"], how="left")
        unused = pd.Series(~np.isin(ident["_turow"].to_numpy(dtype="float64"),
                                    tr["_turow"].to_numpy(dtype="float64")),
                           index=ident.index)
        if unused.any():
            logs.append(_log(ident.loc[unused, "_turow"], tu_file or "tu",
                             "TU identification without any TR measurement (identity only)"))
    else:
        tr = tr.assign(_tuclass=pd.NA, _site=pd.NA, _turow=np.nan)
    cls = tr["_tuclass"].astype("string").fillna(upper(col(tr, "TRGRPID")))
    unlinked = tr["_turow"].isna() & cls.notna()
    if unlinked.any() and tu is not None:
        emit(issues, unlinked.to_numpy(), tr, "TRLNKID", tr["TRLNKID"],
             "a TULNKID of the same subject and evaluator in TU (class taken from TRGRPID; "
             "site unknown)", "unlinked-lesion", severity="warning")
    no_cls = cls.isna()
    if no_cls.any():
        logs.append(_log(tr.loc[no_cls, "source_row"], tr_file,
                         "lesion class unknown (no TU record and no TRGRPID)"))
    spent = [c for c in ("TRGRPID", "_tuclass", "_turow") if c in tr.columns]  # read above
    tr = filter_rows(tr.assign(_class=cls).drop(columns=spent), ~no_cls)
    testcd = upper(col(tr, "TRTESTCD"))
    site = tr["_site"].astype("string")
    node = upper(site).str.contains("LYMPH NODE", regex=False).fillna(False).to_numpy(bool)
    is_target = (tr["_class"] == "TARGET").to_numpy()
    prio_nn = map_values(testcd, TARGET_PRIORITY_NONNODAL).astype("float64").to_numpy()
    prio_n = map_values(testcd, TARGET_PRIORITY_NODAL).astype("float64").to_numpy()
    prio = np.where(node, prio_n, prio_nn)
    prio = np.where(is_target, prio, np.where(testcd.to_numpy() == "TUMSTATE", 0.0, np.nan))
    tr = tr.assign(_prio=prio)
    not_used = tr["_prio"].isna()
    if not_used.any():
        reason = np.where(
            is_target[not_used.to_numpy()],
            "TRTESTCD " + testcd[not_used].fillna("") + " is not the RECIST measurement of a "
            + np.where(node[not_used.to_numpy()], "nodal", "non-nodal") + " target lesion",
            "TRTESTCD " + testcd[not_used].fillna("") + ": only TUMSTATE is mapped for "
            + tr.loc[not_used, "_class"].fillna("") + " lesions")
        logs.append(_log(tr.loc[not_used, "source_row"], tr_file, reason))
    tr = filter_rows(tr, ~not_used)
    tr = _date_gate(tr, "TRDTC", tr_file, issues, logs)
    date = parse_dates(col(tr, "TRDTC")).text
    tr = tr.assign(_date=date.fillna(col(tr, "TRDTC")))
    key = ["USUBJID", "_ev", "_date", "TRLNKID"]
    loser, winner = _superseded(tr, key)
    if loser.any():
        lost = tr[loser]
        taken = col(tr, "TRTESTCD").array.take(winner[loser])
        logs.append(_log(lost["source_row"], tr_file,
                         "TRTESTCD " + col(lost, "TRTESTCD").fillna("") + " superseded by "
                         + pd.Series(taken, index=lost.index).fillna("?")
                         + " for this lesion and assessment"))
    tr = filter_rows(tr, ~loser)
    tr = pd.concat([tr, _late(late, tr)], axis=1)
    del late
    # Value, unit and status.
    value = col(tr, "TRSTRESN").fillna(col(tr, "TRSTRESC")).fillna(col(tr, "TRORRES"))
    unit = col(tr, "TRSTRESU").fillna(col(tr, "TRORRESU"))
    is_tgt = (tr["_class"] == "TARGET").to_numpy()
    uval = upper(value)
    tstm = uval.isin(["TOO SMALL TO MEASURE", "TOO SMALL"]).to_numpy()
    notdone = (upper(col(tr, "TRSTAT")) == "NOT DONE").fillna(False).to_numpy(bool)
    status = pd.Series(pd.NA, index=tr.index, dtype="string")
    for klass, mapping in STATUS_MAP.items():
        m = (tr["_class"] == klass).to_numpy()
        status[m] = uval[m].replace(mapping)
    status[is_tgt & tstm] = "TOO SMALL TO MEASURE"
    status[notdone] = "NOT DONE"
    diameter = value.where(is_tgt & ~tstm & ~notdone)
    site = tr["_site"].astype("string")
    node_now = upper(site).str.contains("LYMPH NODE", regex=False).fillna(False)
    node_now = node_now.to_numpy(dtype=bool)
    raw = pd.DataFrame({
        "subject_id": tr["USUBJID"], "assessment_date": tr["_date"], "visit": col(tr, "VISIT"),
        "lesion_id": tr["TRLNKID"], "lesion_class": tr["_class"], "site": site,
        "is_node": pd.Series(np.where(node_now, "Y", "N"), index=tr.index, dtype="string"),
        "diameter": diameter, "unit": unit.where(diameter.notna()), "status": status,
        "evaluator": tr["_ev"], "accepted": col(tr, "TRACPTFL"), "date_imputation": tr["_dtf"],
        "lesion_link": _lesion_link(tr, tu), "source_file": tr_file,
        "source_row": tr["source_row"]})
    # Exact repeats (every mapped value equal) carry no conflicting information: the first is
    # kept, the repeats are logged with a warning. Conflicting repeats stay and fail the
    # duplicate-measurement rule.
    same = [c for c in raw.columns if c not in ("source_file", "source_row")]
    rep = raw.duplicated(same, keep="first").to_numpy()
    if rep.any():
        firsts = raw.groupby(same, dropna=False, sort=False)["source_row"].transform("first")
        emit(issues, rep, raw, "TRLNKID", "row " + firsts.astype("string"),
             "one record per lesion and assessment; exact repeat of the row shown, not mapped",
             "duplicate-measurement", severity="warning")
        logs.append(_log(raw.loc[rep, "source_row"], tr_file,
                         "exact repeat of TR row " + firsts[rep].astype("string")
                         + " (same lesion, assessment and values)"))
        raw = filter_rows(raw, ~rep)
    colmap = {"lesion_link": "TRLNKGRP", "subject_id": "USUBJID", "assessment_date": "TRDTC",
              "visit": "VISIT", "lesion_id": "TRLNKID", "lesion_class": "TUSTRESC/TRGRPID", "site": "TULOC",
              "is_node": "TULOC", "diameter": "TRSTRESN", "unit": "TRSTRESU",
              "status": "TRSTRESC", "evaluator": "TREVALID/TREVAL", "accepted": "TRACPTFL"}
    return raw, colmap


def _superseded(tr: pd.DataFrame, key: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows beaten by a higher-priority measurement of the same lesion and assessment.

    Returns ``loser`` (``_prio`` above its group's minimum) and, per row, the position of its
    group's *winner*: the first row (in order) at the group's minimum, as
    ``drop_duplicates(key)`` on the non-losers picks it. One ``ngroup`` over the key gives
    integer groups (issue 21: no dict of key tuples).
    """
    gid = tr.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    prio = tr["_prio"].to_numpy(dtype="float64")
    best = pd.Series(prio).groupby(gid).transform("min").to_numpy()
    loser = prio > best
    pos = np.flatnonzero(~loser)
    groups, at = np.unique(gid[pos], return_index=True)  # first non-loser of each group
    first = np.full(gid.max() + 1 if len(gid) else 0, -1, dtype="int64")
    first[groups] = pos[at]
    return loser, first[gid]


def _late(late: pd.DataFrame, tr: pd.DataFrame) -> pd.DataFrame:
    """The value columns (:data:`_TR_LATE`) of the rows left in ``tr``, by their ``_pos``."""
    got = take_rows(late, tr["_pos"].to_numpy())
    got.index = tr.index
    return got


def map_responses(rs: pd.DataFrame, *, rs_file: str, issues: list[Issue],
                  logs: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map RS OVRLRESP (RECIST 1.1) records to raw (text) response rows."""
    rs = rs.assign(source_file=rs_file, _ev=evaluator_of(rs, "RS"))
    testcd = upper(col(rs, "RSTESTCD"))
    other = (testcd != "OVRLRESP").fillna(True).to_numpy(bool)
    if other.any():
        logs.append(_log(rs.loc[other, "source_row"], rs_file,
                         "RSTESTCD " + testcd[other].fillna("") + ": only OVRLRESP is mapped"))
    rs = filter_rows(rs, ~other)
    cat = upper(col(rs, "RSCAT"))
    notrecist = (cat.notna() & ~cat.isin(RECIST_CATEGORIES)).to_numpy(bool)
    if notrecist.any():
        logs.append(_log(rs.loc[notrecist, "source_row"], rs_file,
                         "RSCAT " + cat[notrecist] + " is not RECIST 1.1"))
    rs = filter_rows(rs, ~notrecist)
    rs = _date_gate(rs, "RSDTC", rs_file, issues, logs)
    res = col(rs, "RSSTRESC").fillna(col(rs, "RSORRES"))
    code = map_values(upper(res), RESPONSE_MAP).astype("string")
    unknown = (res.notna() & code.isna()).to_numpy(bool)
    if unknown.any():
        emit(issues, unknown, rs, "RSSTRESC", res,
             "a RECIST 1.1 response (CR, PR, SD, NON-CR/NON-PD, PD, NE); record not mapped",
             "unknown-code", severity="warning")
        logs.append(_log(rs.loc[unknown, "source_row"], rs_file,
                         "RSSTRESC " + res[unknown] + " is not a RECIST 1.1 response code"))
    rs, code = filter_rows(rs, ~unknown), code[~unknown]
    raw = pd.DataFrame({
        "subject_id": rs["USUBJID"], "assessment_date": parse_dates(col(rs, "RSDTC")).text
        .fillna(col(rs, "RSDTC")), "visit": col(rs, "VISIT"), "response": code,
        "evaluator": rs["_ev"], "accepted": col(rs, "RSACPTFL"), "date_imputation": rs["_dtf"],
        "source_file": rs_file, "source_row": rs["source_row"]})
    colmap = {"subject_id": "USUBJID", "assessment_date": "RSDTC", "visit": "VISIT",
              "response": "RSSTRESC", "evaluator": "RSEVALID/RSEVAL", "accepted": "RSACPTFL"}
    return raw, colmap


__all__ = ["RESPONSE_MAP", "STATUS_MAP", "TARGET_PRIORITY_NODAL", "TARGET_PRIORITY_NONNODAL",
           "TR_READ", "col", "evaluator_of", "joint_codes", "map_lesions", "map_responses"]
