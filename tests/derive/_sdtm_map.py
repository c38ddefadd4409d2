"""Test-local mapping of pharmaversesdtm TU/TR/RS to the canonical lesions/responses tables.

Used only until ``oncotrial.io.read_sdtm`` is available; it is deliberately minimal (no
validation) and documents the mapping the validation tests rely on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _evaluator(df: pd.DataFrame, prefix: str) -> pd.Series:
    eid = df[f"{prefix}EVALID"].replace({"NA": ""}).fillna("")
    return eid.where(eid != "", df[f"{prefix}EVAL"])


def lesions_from_sdtm(folder: Path, suffix: str) -> pd.DataFrame:
    tu = pd.read_csv(folder / f"tu_{suffix}.csv", dtype=str, keep_default_na=False)
    tr = pd.read_csv(folder / f"tr_{suffix}.csv", dtype=str, keep_default_na=False)
    tu["evaluator"] = _evaluator(tu, "TU")
    tr["evaluator"] = _evaluator(tr, "TR")
    tu = tu[["USUBJID", "evaluator", "TULNKID", "TUORRES", "TULOC"]].drop_duplicates(
        ["USUBJID", "evaluator", "TULNKID"])
    tr = tr[tr["TRTESTCD"].isin(["DIAMETER", "LDIAM", "LPERP", "TUMSTATE"])].copy()
    tr = tr.merge(tu, left_on=["USUBJID", "evaluator", "TRLNKID"],
                  right_on=["USUBJID", "evaluator", "TULNKID"], how="left")
    tr["node"] = tr["TULOC"].str.contains("LYMPH NODE", na=False)
    has_diam = tr.groupby(["USUBJID", "evaluator", "VISIT", "TRLNKID"])["TRTESTCD"].transform(
        lambda s: (s == "DIAMETER").any())
    want = np.where(tr["TRTESTCD"] == "TUMSTATE", True,
                    np.where(has_diam, tr["TRTESTCD"] == "DIAMETER",
                             np.where(tr["node"], tr["TRTESTCD"] == "LPERP",
                                      tr["TRTESTCD"] == "LDIAM")))
    tr = tr[want.astype(bool)]
    status = np.where(tr["TRSTAT"].eq("NOT DONE") if "TRSTAT" in tr else False, "NOT DONE",
                      np.where(tr["TRTESTCD"] == "TUMSTATE",
                               tr["TRSTRESC"].replace({"UNEQUIVOCAL": "UNEQUIVOCAL PROGRESSION"}),
                               ""))
    return pd.DataFrame({
        "subject_id": tr["USUBJID"], "assessment_date": tr["TRDTC"], "visit": tr["VISIT"],
        "lesion_id": tr["TRLNKID"], "lesion_class": tr["TRGRPID"], "site": tr["TULOC"],
        "diameter": pd.to_numeric(tr["TRSTRESN"].replace({"NA": ""}), errors="coerce"),
        "status": status, "evaluator": tr["evaluator"],
        "source_row": tr.index + 1}).reset_index(drop=True)


def responses_from_sdtm(folder: Path, name: str) -> pd.DataFrame:
    rs = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    rs = rs[rs["RSTESTCD"] == "OVRLRESP"]
    return pd.DataFrame({"subject_id": rs["USUBJID"], "assessment_date": rs["RSDTC"],
                         "visit": rs["VISIT"], "response": rs["RSSTRESC"],
                         "evaluator": _evaluator(rs, "RS")}).reset_index(drop=True)
