"""The `oncotrial derive` command on a tiny CSV template study (hand-checked outputs)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app


def test_cli_derive_1_template_folder(tmp_path):
    data = tmp_path / "study"
    data.mkdir()
    pd.DataFrame({"subject_id": ["S1", "S2"], "cohort": ["GI", "GI"],
                  "first_dose_date": ["2014-01-03", "2014-01-03"],
                  "last_alive_date": ["2014-06-30", "2014-06-30"]}).to_csv(
        data / "subjects.csv", index=False)
    dates = ["2014-01-02", "2014-02-14", "2014-03-28"]
    pd.DataFrame({"subject_id": ["S1"] * 3 + ["S2"] * 3, "assessment_date": dates * 2,
                  "lesion_id": "T1", "lesion_class": "TARGET", "diameter": [40, 26, 24, 40, 44, 50],
                  "unit": "mm"}).to_csv(data / "lesions.csv", index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["derive", "--data", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} >= {"adsl.csv", "adrs.csv", "adtte.csv", "adae.csv",
                                              "derivation_log.csv"}
    adrs = pd.read_csv(out / "adrs.csv")
    bor = adrs[adrs["PARAMCD"] == "CBOR"].set_index("USUBJID")["AVALC"].to_dict()
    # S1: 40 -> 26 (-35%) -> 24 mm, 42 days apart: confirmed PR. S2: 40 -> 44 -> 50 mm
    # (+25% and +10 mm over nadir 40) -> PD at day 85, after SD at day 42 (>= 42) -> SD.
    assert bor == {"S1": "PR", "S2": "SD"}
    tte = pd.read_csv(out / "adtte.csv")
    pfs = tte[tte["PARAMCD"] == "PFS"].set_index("USUBJID")
    assert pfs.loc["S2", ["AVAL", "CNSR"]].tolist() == [85.0, 0]
    assert pfs.loc["S1", ["AVAL", "CNSR"]].tolist() == [85.0, 1]
    log = pd.read_csv(out / "derivation_log.csv")
    assert log["REASON"].str.contains("+25.0% and +10 mm over nadir 40 mm -> PD",
                                      regex=False).any()


def test_cli_derive_2_needs_one_source(tmp_path):
    res = CliRunner().invoke(app, ["derive", "--out", str(tmp_path)])
    assert res.exit_code != 0


def _tiny(tmp_path):
    data = tmp_path / "study"
    data.mkdir()
    pd.DataFrame({"subject_id": ["S1"], "cohort": ["GI"], "first_dose_date": ["2014-01-03"],
                  "last_alive_date": ["2014-06-30"]}).to_csv(data / "subjects.csv", index=False)
    pd.DataFrame({"subject_id": ["S1"] * 3, "assessment_date": ["2014-01-02", "2014-02-14",
                                                                 "2014-03-28"],
                  "lesion_id": "T1", "lesion_class": "TARGET", "diameter": [40, 50, 56],
                  "unit": "mm"}).to_csv(data / "lesions.csv", index=False)
    return data


def test_cli_derive_3_responses_from_rs_without_responses_says_so(tmp_path):
    # issue 15: this used to give BOR = MISSING for everyone without a word
    res = CliRunner().invoke(app, ["derive", "--data", str(_tiny(tmp_path)), "--out",
                                   str(tmp_path / "out"), "--responses-from", "rs"])
    assert res.exit_code != 0
    text = res.output + str(res.exception)
    assert "`responses_from` of `derive_study` must be 'lesions' when the study has no " \
           "responses" in text


def test_cli_derive_4_irecist_and_conventions(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["derive", "--data", str(_tiny(tmp_path)), "--out", str(out),
                                   "--irecist", "--conventions", "admiral",
                                   "--responses-from", "lesions", "--reference", "first-dose"])
    assert res.exit_code == 0, res.output
    adrs = pd.read_csv(out / "adrs.csv")
    # 40 -> 50 mm (+25 %, +10 mm): iUPD; 56 mm 42 days later, +6 mm over iUPD: iCPD
    assert adrs.loc[adrs["PARAMCD"] == "IOVR", "AVALC"].tolist() == ["iUPD", "iCPD"]
    assert set(adrs["PARAMCD"]) >= {"DEATH", "BCP", "CBCP", "IBOR"}
    tte = pd.read_csv(out / "adtte.csv").set_index("PARAMCD")
    # iPFS dated at the iUPD (2014-02-14): 42 days from 2014-01-03, +1
    assert tte.loc["IPFS", ["AVAL", "CNSR"]].tolist() == [43.0, 0]


@pytest.mark.shared
def test_cli_derive_5_admiral_preset_on_pharmaverse(tmp_path, pharmaverse_dir):
    out = tmp_path / "out"
    args = ["derive", "--sdtm", str(pharmaverse_dir), "--out", str(out), "--conventions",
            "admiral"]
    for d in ("tu", "tr", "rs"):
        args += ["--domain", f"{d}={d}_onco_recist.csv"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    adrs = pd.read_csv(out / "adrs.csv", dtype=str)
    s1015 = adrs[adrs["USUBJID"] == "01-701-1015"].set_index("PARAMCD")
    # pharmaverseadam adrs_onco: BOR CR 2014-03-06, BCP Y, DEATH N; the NE of RSDTC 2014-02
    # imputed to the last day (tests/derive/golden/pharmaverseadam_adrs.csv)
    assert s1015.loc["BOR", ["AVALC", "ADT"]].tolist() == ["CR", "2014-03-06"]
    assert s1015.loc["BCP", "AVALC"] == "Y" and s1015.loc["DEATH", "AVALC"] == "N"
    ovr = adrs[(adrs["USUBJID"] == "01-701-1015") & (adrs["PARAMCD"] == "OVR")]
    assert ovr["ADT"].tolist() == ["2014-01-23", "2014-02-28", "2014-03-06"]
    assert set(adrs["EVALUATOR"].dropna()) <= {"INVESTIGATOR", ""}
    bad = CliRunner().invoke(app, ["derive", "--sdtm", str(pharmaverse_dir), "--out",
                                   str(out), "--domain", "rs"])
    assert bad.exit_code != 0 and "DOMAIN=FILE" in bad.output
