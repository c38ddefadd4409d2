"""Issue 21: the fast derivation path is proven identical at scale.

pharmaversesdtm replicated ×10 (every subject copied with a new USUBJID, see
:func:`oncotrial.io._replicate.replicate_sdtm`) must derive exactly 10 renamed copies of the
×1 result: same rows, same values, same dtypes, in every ADaM frame and the derivation log.
Subjects are independent, so any difference is a bug in a vectorised path (a join across
subjects, an order dependence, a first-row shortcut). Two things legitimately differ and are
normalised: source row numbers quoted in log reasons (copy r of a row sits further down the
replicated file) and the study-level log rows (no USUBJID), which summarise all subjects.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.derive import derive_study
from oncotrial.io import read_sdtm
from oncotrial.io._replicate import replica_id, replicate_sdtm

PHARMAVERSE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pharmaversesdtm"
FRAMES = ("adsl", "adrs", "adtte", "adae", "timepoints", "rs_comparison", "log")

pytestmark = [pytest.mark.shared, pytest.mark.slow,
              pytest.mark.skipif(not PHARMAVERSE.is_dir(), reason="../shared absent")]


def _derive(folder: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return derive_study(read_sdtm(folder))


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in a fixed order (every column, as text) so two row-sets compare as multisets."""
    key = df.astype("string").fillna("\x00<NA>")
    order = key.sort_values(list(key.columns), kind="stable").index
    return df.loc[order].reset_index(drop=True)


def _subject_rows(df: pd.DataFrame, name: str) -> pd.DataFrame:
    if name != "log":
        return df
    out = df[df["USUBJID"].fillna("").astype(str) != ""].copy()
    out["REASON"] = out["REASON"].map(lambda t: re.sub(r"(source[ _]row[ =])\d+", r"\1#", t)
                                      if isinstance(t, str) else t).astype(df["REASON"].dtype)
    return out


def _renamed(df: pd.DataFrame, k: int) -> pd.DataFrame:
    parts = []
    for r in range(k):
        part = df.copy()
        if "USUBJID" in part:
            part["USUBJID"] = part["USUBJID"].map(lambda u, r=r: replica_id(u, r)
                                                  if isinstance(u, str) else u
                                                  ).astype(df["USUBJID"].dtype)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def test_derive_study_1_times10_equals_ten_renamed_copies(tmp_path):
    one = _derive(PHARMAVERSE)
    ten = _derive(replicate_sdtm(PHARMAVERSE, tmp_path / "x10", 10))
    assert len(ten.adsl) == 10 * len(one.adsl) == 3060
    for name in FRAMES:
        expected = _canonical(_renamed(_subject_rows(getattr(one, name), name), 10))
        got = _canonical(_subject_rows(getattr(ten, name), name))
        pd.testing.assert_frame_equal(got, expected, obj=name)
    def study_level(log: pd.DataFrame) -> list[tuple[str, str]]:
        return [(r.DECISION, r.REASON.split(":")[0]) for r in log.itertuples()
                if not isinstance(r.USUBJID, str) or not r.USUBJID]

    scaled = [(d, re.sub(r"; (\d+) lesion", lambda m: f"; {10 * int(m.group(1))} lesion", why))
              for d, why in study_level(one.log)]
    assert study_level(ten.log) == scaled
    assert ten.settings == one.settings


def test_replicate_sdtm_2_times1_is_the_original(tmp_path):
    """The replication itself changes nothing but identifiers (k = 1 derives the same)."""
    one = _derive(PHARMAVERSE)
    again = _derive(replicate_sdtm(PHARMAVERSE, tmp_path / "x1", 1))
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(one, name), obj=name)
