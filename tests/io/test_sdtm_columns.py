"""Issue 21: ``read_sdtm`` converts only the TR variables it maps or checks; the variables it
leaves out change nothing -- not the tables, not the findings, not the checks of the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.io import read_sdtm
from oncotrial.io._sdtm import _tr_checked
from oncotrial.io._sdtm_files import read_domain

PHARMAVERSE = Path(__file__).resolve().parents[3] / "shared" / "data" / "pharmaversesdtm"

TR = ("STUDYID,DOMAIN,USUBJID,TRSEQ,TRLNKID,TRGRPID,TRTESTCD,TRTEST,TRORRES,TRSTRESC,"
      "TRSTRESN,TRSTRESU,TRMETHOD,TRDTC,TRDY\n"
      "ST,TR,S1,1,T01,TARGET,DIAMETER,Diameter,40,40,40,mm,CT,2020-01-01,-3\n"
      "ST,TR,S1,x,T01,TARGET,DIAMETER,Diameter,30,30,30,mm,CT,2020-03-01,5\n")
DM = "USUBJID,ARM,RFXSTDTC\nS1,A,2020-01-04\n"


def _folder(tmp_path: Path, tr: str) -> Path:
    (tmp_path / "dm.csv").write_text(DM)
    (tmp_path / "tr.csv").write_text(tr)
    return tmp_path


def test_sdtm_columns_1_left_out_variables_are_not_converted(tmp_path):
    p = _folder(tmp_path, TR) / "tr.csv"
    whole = read_domain(p, [])
    some = read_domain(p, [], columns=_tr_checked)
    assert "TRTEST" in whole.columns and "TRMETHOD" in whole.columns
    assert list(some.columns) == [c for c in whole.columns if _tr_checked(c)]
    assert {"TRTEST", "TRMETHOD", "STUDYID", "DOMAIN"}.isdisjoint(some.columns)
    assert {"TRSEQ", "TRDTC", "TRSTRESN", "USUBJID"} <= set(some.columns)
    pd.testing.assert_frame_equal(some, whole[list(some.columns)])


def test_sdtm_columns_2_checked_variables_still_checked(tmp_path):
    d = read_sdtm(_folder(tmp_path, TR), data_cutoff="2021-01-01", _raise=False)
    found = [(i.rule, i.column, i.row, i.severity) for i in d.report.issues
             if i.column == "TRSEQ"]
    assert found == [("non-numeric", "TRSEQ", 2, "warning")]
    assert d.lesions["diameter"].tolist() == [40.0, 30.0]


def test_sdtm_columns_3_nul_in_a_left_out_variable_is_still_found(tmp_path):
    p = _folder(tmp_path, TR.replace("Diameter,30", "Dia\x00meter,30")) / "tr.csv"
    whole, some = [], []
    assert read_domain(p, whole) is None
    assert read_domain(p, some, columns=_tr_checked) is None
    assert [(i.rule, i.column, i.row) for i in some] == [
        (i.rule, i.column, i.row) for i in whole]
    assert [i.rule for i in some] == ["nul-byte"] and some[0].column == "TRTEST"


@pytest.mark.skipif(not PHARMAVERSE.is_dir(), reason="../shared/data/pharmaversesdtm not found")
def test_sdtm_columns_4_pharmaverse_tr_same_cells(tmp_path):
    p = PHARMAVERSE / "tr_onco.csv"
    whole = read_domain(p, [])
    some = read_domain(p, [], columns=_tr_checked)
    assert len(some.columns) < len(whole.columns)
    pd.testing.assert_frame_equal(some, whole[list(some.columns)])
