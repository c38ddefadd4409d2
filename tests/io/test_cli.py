"""`oncotrial validate`, `template`, `demo`: exit codes, printed table, files written."""

from __future__ import annotations

from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import TABLES, example_data_path

runner = CliRunner()


def test_cli_validate_1_clean_folder_exits_0(valid_dir):
    res = runner.invoke(app, ["validate", str(valid_dir)])
    assert res.exit_code == 0 and "template folder" in res.output and "No problems" in res.output


def test_cli_validate_2_errors_exit_1_with_table_and_write_nothing(make_dir, valid_files):
    folder = make_dir({"lesions.csv": valid_files["lesions.csv"].replace("LIVER,20,mm", "LIVER,20,in")})
    before = sorted(p.name for p in folder.iterdir())
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 1
    for cell in ("bad-unit", "lesions.csv", "unit", "1 error(s)", "expected"):
        assert cell in res.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_cli_validate_3_warnings_only_exit_0(make_dir):
    organs = ["LIVER", "LIVER", "LIVER"]
    les = ("subject_id,assessment_date,lesion_id,lesion_class,site,diameter\n"
           + "".join(f"S1,2020-01-05,T{k},TARGET,{o},15\n" for k, o in enumerate(organs)))
    res = runner.invoke(app, ["validate", str(make_dir({"lesions.csv": les}))])
    assert res.exit_code == 0 and "too-many-targets-per-organ" in res.output


def test_cli_validate_4_unrecognised_folder(tmp_path):
    res = runner.invoke(app, ["validate", str(tmp_path)])
    assert res.exit_code == 1 and "missing-file" in res.output


def test_cli_template_5_writes_six_headers(tmp_path):
    res = runner.invoke(app, ["template", str(tmp_path / "tpl")])
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir()) == sorted(
        [t.file for t in TABLES.values()] + ["manifest.json"])  # manifest: issue 14


def test_cli_summary_6_prints_cohort_counts():
    res = runner.invoke(app, ["summary"])
    assert res.exit_code == 0, res.output
    assert "No problems found" in res.output
    for text in ("Subjects per cohort", "pNET", "siNET", "worst", "Exposure"):
        assert text in res.output
    assert str(example_data_path()) in res.output.replace("\n", "")
