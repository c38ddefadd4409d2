"""SDTM reader on tiny hand-made folders: every mapping rule, SUPPxx, file choice, XPT/sas7bdat.

Expected values are written by hand from the inline source rows (row numbers count data rows).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.io import DataValidationError, read_sdtm, read_study, validate

DM = """USUBJID,ARM,ARMCD,ACTARM,ARMNRS,RFICDTC,RFXSTDTC,RFXENDTC,DTHDTC,AGE,AGEU,SEX
S1,Drug A,A,Drug A,,2020-01-01,2020-01-05,2020-03-01,,60,YEARS,F
S2,Screen Failure,SCRNFAIL,Screen Failure,SCREEN FAILURE,,,,,24,MONTHS,M
"""
DS = """USUBJID,DSSEQ,DSCAT,DSDECOD,DSSTDTC
S1,1,PROTOCOL MILESTONE,RANDOMIZED,2020-01-03
S1,2,DISPOSITION EVENT,ADVERSE EVENT,2020-02-01
S1,3,DISPOSITION EVENT,COMPLETED,2020-04-15
S1,4,OTHER EVENT,FINAL LAB VISIT,2020-05-01
"""
AE = """USUBJID,AESEQ,AETERM,AEDECOD,AESOC,AESEV,AETOXGR,AEREL,AESER,AESTDTC,AEENDTC
S1,1,sickness,NAUSEA,GASTROINTESTINAL DISORDERS,MILD,,POSSIBLE,N,2020-01-10,2020-01-12
S1,2,tired,FATIGUE,GENERAL DISORDERS,,GRADE 3,REMOTE,Y,2020-02,
"""
SUPPAE = """USUBJID,IDVAR,IDVARVAL,QNAM,QVAL
S1,AESEQ,1,AETRTEM,Y
S1,AESEQ,9,AETRTEM,Y
S1,AESEQ,2,AEXYZ,1
"""
EX = """USUBJID,EXTRT,EXDOSE,EXDOSU,EXSTDTC,EXENDTC
S1,DRUG A,60,mg,2020-01-05,2020-03-01
"""
TU = """USUBJID,TULNKID,TUTESTCD,TUSTRESC,TULOC,TUEVAL
S1,T01,TUMIDENT,TARGET,LIVER,INVESTIGATOR
S1,T02,TUMIDENT,TARGET,LYMPH NODE,INVESTIGATOR
S1,NT01,TUMIDENT,NON-TARGET,BONE,INVESTIGATOR
"""
TR = """USUBJID,TRLNKID,TRGRPID,TRTESTCD,TRSTRESC,TRSTRESN,TRSTRESU,TRSTAT,TREVAL,VISIT,TRDTC
S1,T01,TARGET,LDIAM,3,3,cm,,INVESTIGATOR,BASELINE,2020-01-04
S1,T01,TARGET,LPERP,2,2,cm,,INVESTIGATOR,BASELINE,2020-01-04
S1,T02,TARGET,LDIAM,25,25,mm,,INVESTIGATOR,BASELINE,2020-01-04
S1,T02,TARGET,LPERP,15,15,mm,,INVESTIGATOR,BASELINE,2020-01-04
S1,NT01,NON-TARGET,TUMSTATE,PRESENT,,,,INVESTIGATOR,BASELINE,2020-01-04
S1,,,SUMDIAM,45,45,mm,,INVESTIGATOR,BASELINE,2020-01-04
S1,T01,TARGET,DIAMETER,12,12,mm,,INVESTIGATOR,WEEK 8,2020-03-01
S1,T01,TARGET,LDIAM,13,13,mm,,INVESTIGATOR,WEEK 8,2020-03-01
S1,T02,TARGET,LPERP,,,,NOT DONE,INVESTIGATOR,WEEK 8,2020-03-01
S1,NT01,NON-TARGET,TUMSTATE,UNEQUIVOCAL,,,,INVESTIGATOR,WEEK 8,2020-03-01
S1,NEW01,NEW,TUMSTATE,UNEQUIVOCAL,,,,INVESTIGATOR,WEEK 8,2020-03-01
S1,T01,TARGET,DIAMETER,10,10,mm,,INVESTIGATOR,WEEK 16,2020-04
"""
RS = """USUBJID,RSTESTCD,RSCAT,RSSTRESC,RSEVAL,RSEVALID,RSACPTFL,VISIT,RSDTC
S1,OVRLRESP,RECIST 1.1,PD,INDEPENDENT ASSESSOR,RADIOLOGIST 1,Y,WEEK 8,2020-03-01
S1,TRGRESP,RECIST 1.1,PR,INDEPENDENT ASSESSOR,RADIOLOGIST 1,Y,WEEK 8,2020-03-01
S1,OVRLRESP,iRECIST,iUPD,INVESTIGATOR,,,WEEK 8,2020-03-01
S1,OVRLRESP,RECIST 1.1,CHECK,INVESTIGATOR,,,WEEK 8,2020-03-01
S1,OVRLRESP,RECIST 1.1,SD,INVESTIGATOR,,,WEEK 16,2020-04
"""
FILES = {"dm.csv": DM, "ds.csv": DS, "ae.csv": AE, "suppae.csv": SUPPAE, "ex.csv": EX,
         "tu.csv": TU, "tr.csv": TR, "rs.csv": RS}


@pytest.fixture
def sdtm_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sdtm"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder


def _log(d, file):
    lg = d.mapping_log[d.mapping_log["file"] == file]
    return dict(zip(lg["row"], lg["reason"], strict=True))


def test_read_sdtm_1_subjects_from_dm_and_ds(sdtm_dir):
    d = read_sdtm(sdtm_dir)
    s = d.subjects.set_index("subject_id")
    assert d.kind == "sdtm" and s.loc["S1", "cohort"] == "Drug A"
    assert s.loc["S1", "consent_date"] == "2020-01-01"
    assert s.loc["S1", "randomization_date"] == "2020-01-03"
    assert s.loc["S1", "eos_reason"] == "COMPLETED"  # the last disposition event
    # last alive: latest date of any domain = DS FINAL LAB VISIT 2020-05-01
    assert s.loc["S1", "last_alive_date"] == "2020-05-01"
    assert (s.loc["S1", "enrolled_fl"], s.loc["S1", "safety_fl"]) == ("Y", "Y")
    # screen failure: not enrolled, not treated; 24 months = 2 years
    assert (s.loc["S2", "enrolled_fl"], s.loc["S2", "safety_fl"]) == ("N", "N")
    assert s.loc["S2", "age"] == 2.0 and pd.isna(s.loc["S2", "last_alive_date"])
    assert _log(d, "ds.csv") == {
        2: "disposition event superseded by a later one (eos_reason takes the last)",
        4: "DS OTHER EVENT / FINAL LAB VISIT is not part of the canonical model"}


def test_read_sdtm_2_adverse_events_aerel_grade_suppae(sdtm_dir):
    d = read_sdtm(sdtm_dir)
    ae = d.adverse_events
    assert ae["term"].tolist() == ["NAUSEA", "FATIGUE"]
    assert ae["related"].tolist() == ["Y", "N"]  # POSSIBLE -> Y, REMOTE -> N
    assert ae["grade"].tolist() == [pd.NA, 3]  # "GRADE 3" -> 3
    assert ae["severity"].tolist() == ["MILD", pd.NA]
    assert ae["treatment_emergent"].tolist() == ["Y", pd.NA]  # from SUPPAE AETRTEM
    assert _log(d, "suppae.csv") == {
        2: "no AE record for this USUBJID/AESEQ",
        3: "QNAM AEXYZ is not part of the canonical model"}


def test_read_sdtm_3_lesion_measurement_choice(sdtm_dir):
    d = read_sdtm(sdtm_dir)
    les = d.lesions.set_index("source_row")
    # baseline: non-nodal T01 -> LDIAM (3 cm = 30 mm); nodal T02 -> LPERP (short axis 15 mm)
    assert les.loc[1, ["lesion_id", "diameter", "unit", "is_node"]].tolist() == ["T01", 30.0, "mm", "N"]
    assert les.loc[4, ["lesion_id", "diameter", "is_node", "site"]].tolist() == ["T02", 15.0, "Y", "LYMPH NODE"]
    # week 8: DIAMETER beats LDIAM; NOT DONE keeps the record without a diameter
    assert les.loc[7, "diameter"] == 12.0
    assert les.loc[9, "status"] == "NOT DONE" and pd.isna(les.loc[9, "diameter"])
    assert sorted(les.index) == [1, 4, 5, 7, 9, 10, 11, 12]
    # week 16 dated 2020-04: day imputed to the first of the month, flagged D (ADaM ADTF)
    assert les.loc[12, ["assessment_date", "date_imputation", "diameter"]].tolist() == ["2020-04-01", "D", 10.0]
    assert les["date_imputation"].notna().sum() == 1
    log = _log(d, "tr.csv")
    assert log[2] == "TRTESTCD LPERP is not the RECIST measurement of a non-nodal target lesion"
    assert log[3] == "TRTESTCD LDIAM is not the RECIST measurement of a nodal target lesion"
    assert log[6].startswith("TRTESTCD SUMDIAM: no TRLNKID")
    assert log[8] == "TRTESTCD LDIAM superseded by DIAMETER for this lesion and assessment"
    assert 12 not in log


def test_read_sdtm_4_non_target_and_new_status(sdtm_dir):
    les = read_sdtm(sdtm_dir).lesions.set_index("source_row")
    assert les.loc[5, ["lesion_class", "status"]].tolist() == ["NON-TARGET", "PRESENT"]
    assert les.loc[10, "status"] == "UNEQUIVOCAL PROGRESSION"
    # NEW01 has no TU record: class from TRGRPID, UNEQUIVOCAL new lesion -> PRESENT
    assert les.loc[11, ["lesion_class", "status", "site"]].tolist() == ["NEW", "PRESENT", pd.NA]


def test_read_sdtm_5_warnings_for_unplaceable_records(sdtm_dir):
    rep = read_sdtm(sdtm_dir).report
    got = sorted((i.rule, i.file, i.row, i.column) for i in rep.issues)
    assert got == [("partial-date", "rs.csv", 5, "RSDTC"), ("partial-date", "tr.csv", 12, "TRDTC"),
                   ("unknown-code", "rs.csv", 4, "RSSTRESC"),
                   ("unlinked-lesion", "tr.csv", 11, "TRLNKID")]
    assert all(i.severity == "warning" for i in rep.issues)


def test_read_sdtm_6_responses_and_evaluator(sdtm_dir):
    d = read_sdtm(sdtm_dir)
    assert d.responses[["response", "evaluator", "accepted", "source_row"]].values.tolist() == [
        ["PD", "RADIOLOGIST 1", "Y", 1], ["SD", "INVESTIGATOR", pd.NA, 5]]
    assert d.responses["date_imputation"].tolist() == [pd.NA, "D"]
    assert _log(d, "rs.csv") == {
        2: "RSTESTCD TRGRESP: only OVRLRESP is mapped", 3: "RSCAT IRECIST is not RECIST 1.1",
        4: "RSSTRESC CHECK is not a RECIST 1.1 response code"}
    only = read_sdtm(sdtm_dir, evaluator="radiologist 1")
    assert len(only.lesions) == 0 and len(only.responses) == 1
    with pytest.raises(ValueError, match=r"`evaluator` of `read_sdtm`.*Available: INVESTIGATOR"):
        read_sdtm(sdtm_dir, evaluator="RADIOLOGIST 9")


def test_read_sdtm_7_every_record_mapped_or_logged(sdtm_dir):
    d = read_sdtm(sdtm_dir)
    for file, table, n in (("tr.csv", "lesions", 12), ("rs.csv", "responses", 5),
                           ("ae.csv", "adverse_events", 2), ("dm.csv", "subjects", 2)):
        mapped = set(d.table(table)["source_row"])
        logged = set(_log(d, file))
        assert mapped.isdisjoint(logged)
        assert mapped | logged == set(range(1, n + 1)), file


def test_read_sdtm_8_errors_name_sdtm_variables(sdtm_dir):
    (sdtm_dir / "tr.csv").write_text(TR.replace("25,25,mm", "25,25,in"))
    (sdtm_dir / "ae.csv").write_text(AE.replace("REMOTE", "MAYBE").replace("S1,2,", "S9,2,"))
    with pytest.raises(DataValidationError) as exc:
        read_sdtm(sdtm_dir)
    got = sorted((i.rule, i.file, i.row, i.column) for i in exc.value.report.errors)
    # the nodal LDIAM row (3) is not mapped, so its bad unit is no error; LPERP row 4 is fine
    assert got == [("unknown-code", "ae.csv", 2, "AEREL"),
                   ("unknown-subject", "ae.csv", 2, "USUBJID")]
    (sdtm_dir / "tr.csv").write_text(TR.replace("15,15,mm", "15,15,in"))
    bad = [i for i in validate(sdtm_dir).errors if i.rule == "bad-unit"]
    assert [(i.file, i.row, i.column, i.value) for i in bad] == [("tr.csv", 4, "TRSTRESU", "in")]


def test_read_sdtm_9_missing_dm_and_required_variable(sdtm_dir):
    (sdtm_dir / "dm.csv").unlink()
    (sdtm_dir / "ex.csv").write_text("USUBJID,EXTRT\nS1,DRUG A\n")
    rep = read_sdtm(sdtm_dir, _raise=False).report
    errs = sorted((i.rule, i.column) for i in rep.errors)
    assert errs == [("missing-column", "EXSTDTC"), ("missing-file", None)]


def test_domain_files_10_variants_override_and_ambiguity(sdtm_dir):
    (sdtm_dir / "tr.csv").rename(sdtm_dir / "tr_onco.csv")
    (sdtm_dir / "tr_onco_recist.csv").write_text(TR.splitlines()[0] + "\n")
    d = read_sdtm(sdtm_dir)
    (v,) = [i for i in d.report.issues if i.rule == "domain-variant"]
    assert (v.file, v.value, v.severity) == ("tr_onco.csv", "tr_onco_recist.csv", "warning")
    assert len(d.lesions) == 8
    e = read_sdtm(sdtm_dir, domains={"tr": "tr_onco_recist.csv"})
    assert len(e.lesions) == 0
    (sdtm_dir / "tr_other.csv").write_text(TR)
    rep = validate(sdtm_dir)
    (amb,) = [i for i in rep.errors if i.rule == "ambiguous-domain"]
    assert amb.value == "tr_onco.csv, tr_onco_recist.csv, tr_other.csv"


@pytest.mark.parametrize("version", [5, 8])
def test_read_sdtm_11_xpt_gives_the_same_tables_as_csv(sdtm_dir, tmp_path, version):
    pyreadstat = pytest.importorskip("pyreadstat")
    xdir = tmp_path / f"xpt{version}"
    xdir.mkdir()
    for name in FILES:
        df = pd.read_csv(sdtm_dir / name, dtype=str, keep_default_na=False)
        for c in ("AGE", "AESEQ", "EXDOSE", "DSSEQ", "TRSTRESN"):
            if c in df:  # numeric SDTM variables are numeric in XPT
                df[c] = pd.to_numeric(df[c])
        stem = name.split(".")[0]
        pyreadstat.write_xport(df, str(xdir / f"{stem.upper()}.xpt"), table_name=stem.upper(),
                               file_format_version=version)
    a, b = read_sdtm(sdtm_dir), read_sdtm(xdir)
    for name in ("subjects", "lesions", "responses", "adverse_events", "exposure"):
        x = a.table(name).drop(columns="source_file")
        y = b.table(name).drop(columns="source_file")
        pd.testing.assert_frame_equal(x, y)
    assert b.lesions["source_file"].iloc[0] == "TR.xpt"


def test_read_sdtm_12_sas7bdat_dispatch(sdtm_dir, tmp_path, monkeypatch):
    # pyreadstat cannot write sas7bdat, so only the dispatch is tested: a .sas7bdat file is
    # handed to pyreadstat.read_sas7bdat and its numeric columns are turned into text.
    pyreadstat = pytest.importorskip("pyreadstat")
    sdir = tmp_path / "sas"
    sdir.mkdir()
    (sdir / "dm.sas7bdat").write_bytes(b"stub: the reader is faked")
    frame = pd.read_csv(sdtm_dir / "dm.csv", dtype=str, keep_default_na=False)
    frame["AGE"] = [60.0, 24.0]
    calls = []

    def fake(path, *args, **kwargs):
        calls.append(Path(path).name)
        return frame.copy(), None

    monkeypatch.setattr(pyreadstat, "read_sas7bdat", fake)
    d = read_study(sdir)
    assert calls == ["dm.sas7bdat"] and d.kind == "sdtm"
    assert d.subjects["age"].tolist() == [60.0, 2.0]
