"""TRLNKGRP -> lesions.lesion_link (split/coalesced lesions, issue 15), only where it names
another lesion of the same subject and evaluator; and through derive, fragments are summed."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.derive import derive_vars_recist
from oncotrial.io import read_sdtm

DM = "USUBJID,ARM,RFXSTDTC\nS1,A,2020-01-05\n"
TU = """USUBJID,TULNKID,TUTESTCD,TUSTRESC,TULOC,TUEVAL
S1,T01,TUMIDENT,TARGET,LIVER,INVESTIGATOR
S1,T02,TUMIDENT,TARGET,LUNG,INVESTIGATOR
S1,T01.1,TUMIDENT,TARGET,LIVER,INVESTIGATOR
S1,T01.2,TUMIDENT,TARGET,LIVER,INVESTIGATOR
"""
# T01 (40 mm) splits at WEEK 8 into T01.1 (15) + T01.2 (14), TRLNKGRP = T01; T02 carries the
# visit link group "A2" (as pharmaversesdtm), which is not a lesion and is not mapped.
TR = """USUBJID,TRLNKID,TRLNKGRP,TRGRPID,TRTESTCD,TRSTRESN,TRSTRESU,TREVAL,VISIT,TRDTC
S1,T01,A1,TARGET,DIAMETER,40,mm,INVESTIGATOR,BASELINE,2020-01-04
S1,T02,A1,TARGET,DIAMETER,20,mm,INVESTIGATOR,BASELINE,2020-01-04
S1,T01.1,T01,TARGET,DIAMETER,15,mm,INVESTIGATOR,WEEK 8,2020-03-01
S1,T01.2,T01,TARGET,DIAMETER,14,mm,INVESTIGATOR,WEEK 8,2020-03-01
S1,T02,A2,TARGET,DIAMETER,20,mm,INVESTIGATOR,WEEK 8,2020-03-01
"""


def _folder(tmp_path: Path) -> Path:
    for name, text in (("dm.csv", DM), ("tu.csv", TU), ("tr.csv", TR)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_sdtm_lesion_link_1_trlnkgrp_only_when_it_names_a_lesion(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = read_sdtm(_folder(tmp_path))
    les = s.lesions.set_index(["visit", "lesion_id"])["lesion_link"]
    assert les.fillna("").to_dict() == {("BASELINE", "T01"): "", ("BASELINE", "T02"): "",
                                        ("WEEK 8", "T01.1"): "T01", ("WEEK 8", "T01.2"): "T01",
                                        ("WEEK 8", "T02"): ""}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp = derive_vars_recist(s.lesions, check_type="warning")
    # RECIST 1.1 4.3.1: fragments added: 15 + 14 + 20 = 49 mm
    assert tp["TRGSUM"].tolist() == [60.0, 49.0]


@pytest.mark.shared
def test_sdtm_lesion_link_2_pharmaverse_visit_groups_are_not_links(pharmaverse_dir):
    tr = pd.read_csv(pharmaverse_dir / "tr_onco.csv", dtype=str, usecols=["TRLNKGRP"])
    # 53,139 of 55,995 TR rows carry A1, R1-A1, ... (RS link groups; counted with plain pandas)
    assert tr["TRLNKGRP"].notna().sum() == 53139
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = read_sdtm(pharmaverse_dir, _raise=False)
    assert len(s.lesions) > 0 and s.lesions["lesion_link"].isna().all()
