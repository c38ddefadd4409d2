"""The `oncotrial derive` command on a tiny CSV template study (hand-checked outputs)."""

from __future__ import annotations

import pandas as pd
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
