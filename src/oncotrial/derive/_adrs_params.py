"""ADRS parameters added for admiralonco parity: DEATH, BCP, CBCP, and response dates.

admiralonco's ADRS template (``inst/templates/ad_adrs.R``, admiralonco 1.3.0 [1]_) derives
``BCP``/``CBCP`` (best [confirmed] overall response is CR or PR) and ``DEATH`` beside the
response parameters, and dates ``RSP``/``CB``/``CRSP``/``CCB`` at the *first* qualifying
assessment (``derive_extreme_event(order = exprs(desc(AVALC), ADT, event_nr))``). oncotrial's
default dates them at the assessment that decides the best response (``response_date='best'``);
``response_date='first'`` follows admiralonco.

References
----------
.. [1] admiralonco 1.3.0, ``inst/templates/ad_adrs.R``; ``R/response_sources.R`` (``rsp_y``,
   ``cb_y``, ``crsp_y_cr``, ``crsp_y_pr``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.derive._bor import _rows, _window
from oncotrial.derive._checks import require_columns

_PARAMS = {
    "BCP": "Best Overall Response of CR/PR (confirmation not required)",
    "CBCP": "Best Confirmed Overall Response of CR/PR",
    "DEATH": "Death",
}


def _yn_rows(frame: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    out = _rows(frame.assign(PARAMCD=paramcd), "PD")
    out["PARAMCD"] = paramcd
    out["PARAM"] = _PARAMS[paramcd]
    return out


def derive_param_bcp(dataset: pd.DataFrame) -> pd.DataFrame:
    """``BCP`` from ``BOR`` rows and ``CBCP`` from ``CBOR`` rows: ``Y`` when CR or PR.

    ``ADT`` is the date of the (C)BOR row when ``Y`` (admiralonco copies the BOR record).

    Examples
    --------
    >>> b = pd.DataFrame({"USUBJID": ["S1", "S2"], "EVALUATOR": "INVESTIGATOR",
    ...     "PARAMCD": ["BOR", "CBOR"], "AVALC": ["PR", "SD"],
    ...     "ADT": pd.to_datetime(["2014-02-12", "2014-03-01"])})
    >>> derive_param_bcp(b)[["USUBJID", "PARAMCD", "AVALC", "AVAL"]].values.tolist()
    [['S1', 'BCP', 'Y', 1.0], ['S2', 'CBCP', 'N', 0.0]]
    """
    require_columns(dataset, ["USUBJID", "EVALUATOR", "PARAMCD", "AVALC", "ADT"],
                    "derive_param_bcp", "dataset")
    parts = []
    for src, code in (("BOR", "BCP"), ("CBOR", "CBCP")):
        b = dataset[dataset["PARAMCD"] == src]
        if not len(b):
            continue
        y = b["AVALC"].isin(["CR", "PR"])
        parts.append(_yn_rows(pd.DataFrame({
            "USUBJID": b["USUBJID"], "EVALUATOR": b["EVALUATOR"],
            "AVALC": np.where(y, "Y", "N"), "ADT": b["ADT"].where(y),
            "REASON": f"{src} " + b["AVALC"].astype(str) + np.where(y, " is CR/PR",
                                                                     " is not CR/PR")}),
            code))
    return pd.concat(parts, ignore_index=True) if parts else _yn_rows(
        pd.DataFrame(columns=["USUBJID", "EVALUATOR", "AVALC", "ADT"]), "BCP")


def derive_param_death(adsl: pd.DataFrame, *, evaluators: list[str] | None = None
                       ) -> pd.DataFrame:
    """``DEATH``: ``Y`` (``ADT = DTHDT``) or ``N`` per subject (admiralonco ADRS template).

    Examples
    --------
    >>> adsl = pd.DataFrame({"USUBJID": ["S1", "S2"],
    ...                      "DTHDT": pd.to_datetime(["2014-05-01", None])})
    >>> r = derive_param_death(adsl)[["USUBJID", "AVALC", "ADT"]]
    >>> r.astype("string").fillna("NA").values.tolist()
    [['S1', 'Y', '2014-05-01'], ['S2', 'N', 'NA']]
    """
    require_columns(adsl, ["USUBJID", "DTHDT"], "derive_param_death", "adsl")
    y = adsl["DTHDT"].notna()
    parts = []
    for ev in evaluators or [""]:
        parts.append(_yn_rows(pd.DataFrame({
            "USUBJID": adsl["USUBJID"], "EVALUATOR": ev, "AVALC": np.where(y, "Y", "N"),
            "ADT": adsl["DTHDT"],
            "REASON": np.where(y, "death date in ADSL (DTHDT)", "no death date")}), "DEATH"))
    return pd.concat(parts, ignore_index=True)


def _first_confirmed(r: list[str], t: list, confirm_days: int, max_nr_ne: int) -> object:
    """Date of the first CR/PR confirmed as admiralonco ``crsp_y_cr``/``crsp_y_pr``."""
    for i, x in enumerate(r):
        if x not in ("CR", "PR"):
            continue
        ok_first = {"CR"} if x == "CR" else {"CR", "PR"}
        ok_between = ok_first | {"NE"}
        n_ne, seen_cr, pr_after_cr = 0, False, False
        for j in range(i + 1, len(r)):
            pr_after_cr = pr_after_cr or (r[j] == "PR" and seen_cr)
            if r[j] in ok_first and (t[j] - t[i]).days >= confirm_days:
                if not (x == "PR" and pr_after_cr):  # "no PR after CR" (crsp_y_pr)
                    return t[i]
                break
            if r[j] not in ok_between:
                break
            seen_cr = seen_cr or r[j] == "CR"
            n_ne += r[j] == "NE"
            if n_ne > max_nr_ne:
                break
    return pd.NaT


def first_response_dates(ovr: pd.DataFrame, adsl: pd.DataFrame, *, confirm_days: int,
                         max_nr_ne: int, sd_min_days: int) -> pd.DataFrame:
    """Per subject x evaluator: dates of the first qualifying response (admiralonco).

    ``RSP`` first CR/PR; ``CB`` earliest CR/PR or CR/PR/SD/NON-CR/NON-PD at
    ``ADT - REFDT >= sd_min_days``; ``CRSP`` first CR/PR later confirmed; ``CCB`` earliest of
    ``CRSP`` and the clinical-benefit condition. Window as :func:`derive_param_bor`.
    """
    o = _window(ovr, adsl, True, True)
    rows = []
    for (uid, ev), g in o.groupby(["USUBJID", "EVALUATOR"], sort=False):
        r, t, dy = g["AVALC"].tolist(), list(g["ADT"]), g["DY"].tolist()
        rsp = next((t[i] for i, x in enumerate(r) if x in ("CR", "PR")), pd.NaT)
        cb_only = next((t[i] for i, x in enumerate(r)
                        if x in ("CR", "PR", "SD", "NON-CR/NON-PD") and dy[i] >= sd_min_days),
                       pd.NaT)
        crsp = _first_confirmed(r, t, confirm_days, max_nr_ne)
        rows.append((uid, ev, rsp, min([d for d in (rsp, cb_only) if d is not pd.NaT],
                                       default=pd.NaT),
                     crsp, min([d for d in (crsp, cb_only) if d is not pd.NaT],
                               default=pd.NaT)))
    out = pd.DataFrame(rows, columns=["USUBJID", "EVALUATOR", "RSP", "CB", "CRSP", "CCB"])
    for c in ("RSP", "CB", "CRSP", "CCB"):
        out[c] = pd.to_datetime(out[c])
    return out


def redate_responses(resp: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """Set ``ADT`` of ``Y`` rows of RSP/CB/CRSP/CCB to the first qualifying date."""
    long = first.melt(id_vars=["USUBJID", "EVALUATOR"], var_name="PARAMCD", value_name="FDT")
    m = resp.merge(long, on=["USUBJID", "EVALUATOR", "PARAMCD"], how="left")
    y = (m["AVALC"] == "Y") & m["FDT"].notna()
    m["ADT"] = m["ADT"].where(~y, m["FDT"])
    m.loc[y, "REASON"] = m.loc[y, "REASON"] + "; dated at the first qualifying response " \
                                              "(response_date='first', admiralonco)"
    return m.drop(columns=["FDT"])
