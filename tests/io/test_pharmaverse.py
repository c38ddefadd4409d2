"""SDTM reader on ../shared/data/pharmaversesdtm (skipped when absent).

Expected counts come from the source CSVs with plain pandas, not from the reader.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import read_sdtm

pytestmark = pytest.mark.shared


def _csv(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, na_values=["", "NA"])


@pytest.fixture(scope="module")
def pv(pharmaverse_dir):
    return read_sdtm(pharmaverse_dir)


def test_pharmaverse_1_subject_and_ae_counts(pv, pharmaverse_dir):
    dm = _csv(pharmaverse_dir, "dm.csv")
    ae = _csv(pharmaverse_dir, "ae.csv")
    assert len(pv.subjects) == len(dm) == 306
    assert set(pv.subjects["subject_id"]) == set(dm["USUBJID"])
    assert len(pv.adverse_events) == len(ae) == 1191
    # SUPPAE AETRTEM joined on AESEQ: every AE has the flag in this data
    assert pv.adverse_events["treatment_emergent"].notna().sum() == 1191
    # deaths: DM DTHDTC
    assert pv.subjects["death_date"].notna().sum() == dm["DTHDTC"].notna().sum() == 3


def test_pharmaverse_2_lesion_counts(pv, pharmaverse_dir):
    tr = _csv(pharmaverse_dir, "tr_onco.csv")
    tu = _csv(pharmaverse_dir, "tu_onco.csv")
    placeable = tr["TRDTC"].str.len() >= 7  # YYYY-MM: day imputed to the 1st (date_imputation D)
    target = (tr["TRGRPID"] == "TARGET") & (tr["TRTESTCD"] == "DIAMETER")
    status = tr["TRGRPID"].isin(["NON-TARGET", "NEW"]) & (tr["TRTESTCD"] == "TUMSTATE")
    expected = tr[(target | status) & placeable & tr["TRLNKID"].notna()]
    assert len(pv.lesions) == len(expected) == 26724
    assert (pv.lesions["date_imputation"] == "D").sum() == (tr.loc[expected.index, "TRDTC"].str.len() == 7).sum()
    # one lesion per TU identification (subject, evaluator, TULNKID)
    n_lesions = pv.lesions.drop_duplicates(["subject_id", "evaluator", "lesion_id"]).shape[0]
    assert n_lesions == len(tu) == 7734
    # the diameter is TRSTRESN of the DIAMETER row it came from (all in mm)
    src = expected.assign(row=expected.index + 1).set_index("row")
    tgt = pv.lesions[pv.lesions["lesion_class"] == "TARGET"].set_index("source_row")
    want = pd.to_numeric(src.loc[tgt.index, "TRSTRESN"])
    pd.testing.assert_series_equal(tgt["diameter"], want, check_names=False, check_index=False)
    want_ev = expected["TREVALID"].fillna(expected["TREVAL"]).value_counts().to_dict()
    assert pv.lesions["evaluator"].value_counts().to_dict() == want_ev


def test_pharmaverse_3_every_record_mapped_or_logged(pv, pharmaverse_dir):
    for file, table in (("tr_onco.csv", "lesions"), ("rs_onco.csv", "responses"),
                        ("ae.csv", "adverse_events"), ("dm.csv", "subjects")):
        n = len(_csv(pharmaverse_dir, file))
        mapped = set(pv.table(table)["source_row"])
        logged = set(pv.mapping_log.loc[pv.mapping_log["file"] == file, "row"])
        assert mapped.isdisjoint(logged) and mapped | logged == set(range(1, n + 1)), file


def test_pharmaverse_4_responses(pv, pharmaverse_dir):
    rs = _csv(pharmaverse_dir, "rs_onco.csv")
    ovr = rs[(rs["RSTESTCD"] == "OVRLRESP") & (rs["RSCAT"] == "RECIST 1.1")]
    ok = ovr[ovr["RSSTRESC"].isin(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"])]
    assert len(ovr) - len(ok) == 3  # three 'CHECK' records
    assert len(pv.responses) == len(ok) == 1896


def test_pharmaverse_5_validate_exits_0_with_documented_warnings(pharmaverse_dir):
    res = CliRunner().invoke(app, ["validate", str(pharmaverse_dir), "--limit", "100"])
    assert res.exit_code == 0, res.output
    rep = read_sdtm(pharmaverse_dir).report
    assert rep.ok
    assert sorted({(i.rule, i.file) for i in rep.issues}) == [
        ("domain-variant", "rs_onco.csv"), ("domain-variant", "tr_onco.csv"),
        ("domain-variant", "tu_onco.csv"), ("lesion-after-baseline", "tr_onco.csv"),
        ("partial-date", "tr_onco.csv"), ("unknown-code", "rs_onco.csv")]


def test_pharmaverse_6_recist_variant_by_override(pharmaverse_dir):
    d = read_sdtm(pharmaverse_dir, evaluator="RADIOLOGIST 1",
                  domains={"tu": "tu_onco_recist.csv", "tr": "tr_onco_recist.csv",
                           "rs": "rs_onco_recist.csv"})
    assert set(d.lesions["evaluator"]) == {"RADIOLOGIST 1"}
    assert d.report.ok
    # nodal targets take LPERP (short axis), non-nodal LDIAM
    tr = _csv(pharmaverse_dir, "tr_onco_recist.csv")
    tgt = d.lesions[d.lesions["lesion_class"] == "TARGET"]
    codes = tr.loc[tgt["source_row"] - 1, "TRTESTCD"].to_numpy()
    assert ((codes == "LPERP") == (tgt["is_node"] == "Y").to_numpy()).all()
