"""Putting the parts of a partitioned derive back together in the whole-study order.

Used by :mod:`oncotrial.derive._distributed` (see its notes): each output table of
:func:`oncotrial.derive.derive_study` is a sequence of stages whose rows follow the subject
order, so the parts (in subject order) are concatenated and stably sorted by stage; study-level
data warnings are merged (counts added, the first records kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial.derive._pipeline import StudyDerivation

__all__ = ["evaluator_sets", "merge_parts"]

#: ADRS stages in the order :func:`derive_study` concatenates them
_ADRS_ORDER = ["OVR", "BOR", "CBOR", "RSP", "CB", "CRSP", "CCB", "BCP", "CBCP", "PD", "LSTA",
               "DEATH", "MDIS", "IOVR", "IBOR"]
#: ADRS parameters whose rows are evaluator by evaluator (a loop over the study's evaluators)
_ADRS_BY_EVALUATOR = {"DEATH"}
#: ADRS rows filled in for subjects without data, appended after the derived rows of the stage
_ADRS_FILL = {"PD": "no assessment in the window", "MDIS": "no baseline tumour assessment"}

#: derivation-log stages (PARAMCD, DECISION) in the order derive_study appends them; the
#: data warnings (DECISION 'data warning') sit between the OVR decisions and iRECIST's
_LOG_ORDER = [("TRTEDT", "last dose missing"), ("LSTALVDT", "last alive date derived"),
              ("LSTALVDT", "last alive before reference"), ("REFDT", "no reference date"),
              ("OVR", "duplicate dropped"), ("OVR", "date imputed"), ("OVR", "no baseline"),
              ("OVR", "coalesced lesion"), ("OVR", "split lesion"),
              ("OVR", "lesion excluded"), ("OVR", "lesion ignored"),
              ("OVR", "equivocal new lesion confirmed"), ("OVR", "response not used"),
              ("", "data warning"), ("IPFS", None), ("PFS", "no post-baseline assessment")]

#: data warnings in emission order: (pattern, kind); kind 'subject' names one subject (parts
#: are concatenated), 'count' summarises records over the study (merged, see _merge_counts)
_RECIST = "`dataset` of `derive_vars_recist`"
_WARNINGS: list[tuple[str, str]] = [
    (r"Subject .*: last date known alive ", "subject"),
    (r"\d+ reported response\(s\) have a partial date ", "count"),
    (r"\d+ lesion diameter\(s\) were given in cm ", "count"),
    (re.escape(_RECIST) + r" must have one record per subject x evaluator x assessment x "
     r"lesion; \d+ ", "count"),
    (r"\d+ exact duplicate lesion record\(s\) dropped ", "count"),
    (r"Subject .*: only a partial assessment date ", "subject"),
    (re.escape(_RECIST) + r" must have target or non-target lesions at each ", "count"),
    (r"\d+ lesion record\(s\) link \(lesion_link\) ", "count"),
    (re.escape(_RECIST) + r": \d+ target/non-target lesion record\(s\) have no baseline ",
     "count"),
    (r"Subject .*: a NEW lesion at the baseline assessment is ignored", "subject"),
    (re.escape(_RECIST) + r": every baseline target lesion needs a diameter ", "count"),
]
_CONFLICT, _EXACT_DUP = 3, 4


def evaluator_sets(res: StudyDerivation) -> tuple:
    """The study-level evaluator sets a part's derivation depended on."""
    a = res.adrs
    sets = [frozenset(a.loc[a["PARAMCD"] == p, "EVALUATOR"]) for p in ("OVR", "BOR", "MDIS")]
    tp = res.timepoints
    if res.settings.get("irecist") and len(tp):
        sets.append(frozenset(tp.loc[tp["ABLFL"] != "Y", "EVALUATOR"]))
    return tuple(sets)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    full = [f for f in frames if len(f)]
    if not full:  # every part empty: the one with columns, as the whole study gives
        return max(frames, key=lambda f: f.shape[1]).copy()
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True)


def _by_key(frames: Sequence[pd.DataFrame], key: Callable[[pd.DataFrame], pd.DataFrame]
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Concatenate parts (subject order), then stable-sort by the stage key; and the order."""
    df = _concat(frames)
    if not len(df):
        return df, np.arange(0)
    k = key(df)
    order = np.lexsort([k[c].to_numpy() for c in reversed(list(k.columns))])
    return df.iloc[order].reset_index(drop=True), order


def _ev_rank(df: pd.DataFrame) -> np.ndarray:
    ev = df["EVALUATOR"].astype(str).to_numpy(dtype=object)
    _, inv = np.unique(ev, return_inverse=True)
    return inv


def _adrs_key(df: pd.DataFrame) -> pd.DataFrame:
    p = df["PARAMCD"].astype(str)
    rank = p.map({c: i for i, c in enumerate(_ADRS_ORDER)})
    if rank.isna().any():  # pragma: no cover - a parameter this module does not know
        raise OncotrialValueError(
            f"partitioned derive does not know the ADRS parameter(s) "
            f"{sorted(set(p[rank.isna()]))}; use backend='local' (derive_study).")
    fill = np.zeros(len(df), dtype=int)
    for code, reason in _ADRS_FILL.items():
        fill |= ((p == code) & (df["REASON"].astype(str) == reason)).to_numpy()
    ev = np.where(p.isin(_ADRS_BY_EVALUATOR).to_numpy(), _ev_rank(df), 0)
    return pd.DataFrame({"stage": rank.to_numpy(int), "ev": ev, "fill": fill})


def _adtte_key(df: pd.DataFrame) -> pd.DataFrame:
    p = df["PARAMCD"].astype(str).to_numpy(dtype=object)
    stage = np.select([p == "OS", p == "IPFS"], [0, 1], 2)
    sub = np.select([p == "PFS", p == "DOR", p == "TTR"], [0, 1, 2], 0)
    return pd.DataFrame({"stage": stage, "ev": _ev_rank(df), "sub": sub})


def _gmi_key(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"ev": _ev_rank(df)})


def _log_segments(res: StudyDerivation) -> list[pd.DataFrame]:
    """The derivation log of a part cut as ``derive_study`` built it: the decisions, then one
    row per ADRS, per ADTTE and per ADAE row (``_pipeline._build_log``)."""
    la, lt, lae = len(res.adrs), len(res.adtte), len(res.adae)
    h = len(res.log) - la - lt - lae
    lg = res.log
    return [lg.iloc[:h], lg.iloc[h:h + la], lg.iloc[h + la:h + la + lt], lg.iloc[h + la + lt:]]


def _warning_kind(msg: str) -> int:
    for i, (pat, _) in enumerate(_WARNINGS):
        if re.match(pat, msg):
            return i
    return -1


#: one ``first_rows`` record, ``(col=value, ...)`` (values may hold one level of parentheses)
_ITEM = r"\(\w+=(?:[^()]|\([^()]*\))*\)"
#: the records of a study-level message: after ': ', then '; and K more' when more
_ROWS = re.compile(rf": (?P<rows>{_ITEM}(?:; {_ITEM})*)(?:; and (?P<more>\d+) more)?")


def _merge_counts(messages: list[str]) -> str:
    """One study-level message from the parts' messages: counts added, first rows kept.

    Every such message is ``PREFIX N TEXT: ROWS[; and M more]SUFFIX`` with ROWS the first
    one or three records (``first_rows``) in study order; parts are in subject order, so the
    first records of the study are the first of the parts' listed ones.
    """
    if len(messages) == 1:
        return messages[0]
    parsed = []
    for m in messages:
        num = re.search(r"\d+", m)
        rows = _ROWS.search(m, num.end()) if num else None
        if num is None or rows is None:  # pragma: no cover - a message this module can't merge
            raise OncotrialValueError(f"partitioned derive cannot merge the warning {m!r}; "
                                      "use backend='local' (derive_study).")
        items = re.findall(_ITEM, rows.group("rows"))
        parsed.append((m, num, rows, items, int(rows.group("more") or 0)))
    first, num, rows, items, _ = parsed[0]
    shown = len(items)
    total = sum(len(p[3]) + p[4] for p in parsed)
    every = [it for p in parsed for it in p[3]][:shown]
    n = sum(int(p[1].group()) for p in parsed)
    more = total - len(every)
    text = "; ".join(every) + (f"; and {more} more" if more > 0 else "")
    return (first[:num.start()] + str(n) + first[num.end():rows.start("rows")] + text
            + first[rows.end():])


def _merge_log_heads(heads: list[pd.DataFrame], no_post: bool) -> pd.DataFrame:
    stage = {k: i for i, k in enumerate(_LOG_ORDER)}
    warn_stage = stage[("", "data warning")]
    df = _concat(heads)
    if not len(df):
        return df
    p = df["PARAMCD"].astype(str).to_numpy(dtype=object)
    d = df["DECISION"].astype(str).to_numpy(dtype=object)
    st = np.array([stage.get((a, b), stage.get((a, None), -1)) for a, b in zip(p, d, strict=True)])
    if (st < 0).any():  # pragma: no cover - a decision this module does not know
        bad = sorted({(a, b) for a, b, s in zip(p, d, st, strict=True) if s < 0})
        raise OncotrialValueError(f"partitioned derive does not know the log decision(s) {bad}; "
                                  "use backend='local' (derive_study).")
    msgs = df["REASON"].astype(str).to_numpy(dtype=object)
    kind = np.array([_warning_kind(m) if s == warn_stage else 0 for m, s in zip(msgs, st, strict=True)])
    if (kind < 0).any():  # pragma: no cover - a data warning this module does not know
        raise OncotrialValueError(
            f"partitioned derive does not know the data warning {msgs[kind < 0][0]!r}, so "
            "cannot place it; use backend='local' (derive_study).")
    df = df.assign(_st=st, _k=kind)
    df = df.iloc[np.lexsort([df["_k"].to_numpy(), df["_st"].to_numpy()])]
    # study-level rows: one per kind; the exact-duplicate note only without any conflict
    count_kinds = [i for i, (_, k) in enumerate(_WARNINGS) if k == "count"]
    counts = (df["_st"] == warn_stage).to_numpy() & np.isin(df["_k"].to_numpy(), count_kinds)
    keep = ~counts
    rows = df.copy()
    kinds = df["_k"].to_numpy()
    if counts.any():
        conflict = bool((counts & (kinds == _CONFLICT)).any())
        for k in np.unique(kinds[counts]):
            if k == _EXACT_DUP and conflict:
                continue
            pos = np.flatnonzero(counts & (kinds == k))
            keep[pos[0]] = True
            rows.iloc[pos[0], rows.columns.get_loc("REASON")] = _merge_counts(
                [msgs_ for msgs_ in df["REASON"].iloc[pos].astype(str)])
    if no_post:  # the same study-level note from every part: keep one
        nop = (rows["PARAMCD"] == "PFS") & (rows["DECISION"] == "no post-baseline assessment")
        dup = nop.to_numpy() & (np.cumsum(nop.to_numpy()) > 1)
        keep &= ~dup
    out = rows[keep].drop(columns=["_st", "_k"]).reset_index(drop=True)
    out["REASON"] = out["REASON"].astype(df["REASON"].dtype)
    return out


def merge_parts(results: list[StudyDerivation], no_post: bool) -> StudyDerivation:
    """One :class:`StudyDerivation` from the parts' (in subject order), in whole-study order.

    The log's rows built from ADRS/ADTTE/ADAE are the parts' own, put in the order of those
    tables (not built again: it is string work over every row).
    """
    adrs, o_rs = _by_key([r.adrs for r in results], _adrs_key)
    adtte, o_tte = _by_key([r.adtte for r in results], _adtte_key)
    adae = _concat([r.adae for r in results])
    seg = [_log_segments(r) for r in results]
    head = _merge_log_heads([s[0] for s in seg], no_post)
    parts = [head,
             _concat([s[1] for s in seg if len(s[1])] or [seg[0][1]]).iloc[o_rs],
             _concat([s[2] for s in seg if len(s[2])] or [seg[0][2]]).iloc[o_tte],
             _concat([s[3] for s in seg if len(s[3])] or [seg[0][3]])]
    log = pd.concat([p for p in parts if len(p)], ignore_index=True)
    gmi, _ = _by_key([r.gmi for r in results], _gmi_key)
    return StudyDerivation(
        adsl=_concat([r.adsl for r in results]), adrs=adrs, adtte=adtte, adae=adae,
        timepoints=_concat([r.timepoints for r in results]),
        rs_comparison=_concat([r.rs_comparison for r in results]), gmi=gmi, log=log,
        settings=results[0].settings)
