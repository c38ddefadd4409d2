"""Probe class "malformed files" (issue 14): every broken input file is an error naming the file
(and row and column where there are ones), from the API and from every CLI command, with no
traceback."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.io import validate

from .conftest import IS_ROOT

SUBJECTS = ("subject_id,cohort,first_dose_date,age\n"
            "S1,A,2020-01-10,61\n"
            "S2,B,2020-02-10,70\n")
LESIONS = ("subject_id,assessment_date,lesion_id,lesion_class,diameter\n"
           "S1,2020-01-05,T01,TARGET,20\n"
           "S1,2020-03-01,T01,TARGET,12\n")


def _study(tmp_path, **files: bytes | str):
    d = tmp_path / "study"
    d.mkdir()
    base = {"subjects.csv": SUBJECTS, "lesions.csv": LESIONS}
    base.update(files)
    for name, content in base.items():
        if content is None:
            continue
        p = d / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return d


# (case id, file, content, rule, row, column)
CSV_CASES = [
    ("zero-bytes", "lesions.csv", b"", "empty-file", None, None),
    ("latin-1", "subjects.csv", "subject_id,cohort\nS1,Médecine\n".encode("latin-1"),
     "bad-encoding", 1, None),
    ("utf-16", "subjects.csv", "subject_id,cohort\nS1,A\n".encode("utf-16"), "bad-encoding",
     None, None),
    ("invalid-utf8", "lesions.csv", LESIONS.encode() + b"S1,2020-05-01,T01,TARGET,\xff\n",
     "bad-encoding", 3, None),
    ("ragged-short", "subjects.csv", SUBJECTS + "S3,C\n", "ragged-row", 3, None),
    ("ragged-long", "lesions.csv", LESIONS + "S1,2020-05-01,T01,TARGET,10,EXTRA\n",
     "ragged-row", 3, None),
    ("png-named-csv", "lesions.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-text",
     None, None),
    ("nul-byte", "lesions.csv", LESIONS.replace("TARGET,12", "TAR\x00GET,12").encode(),
     "nul-byte", 2, "lesion_class"),
    ("duplicate-column-case", "subjects.csv", "subject_id,cohort,AGE,age\nS1,A,99,61\n",
     "duplicate-column", None, "age"),
    ("unterminated-quote", "lesions.csv", LESIONS + 'S1,"2020-05-01,T01,TARGET,10\n',
     "bad-csv", None, None),
]


@pytest.mark.parametrize(("case", "name", "content", "rule", "row", "column"), CSV_CASES,
                         ids=[c[0] for c in CSV_CASES])
def test_malformed_csv_is_a_finding(tmp_path, case, name, content, rule, row, column):
    rep = validate(_study(tmp_path, **{name: content}))
    hits = [i for i in rep.errors if i.rule == rule]
    assert hits, [str(i) for i in rep.issues]
    assert hits[0].file == name and hits[0].row == row and hits[0].column == column
    res = CliRunner().invoke(app, ["validate", str(tmp_path / "study")])
    assert res.exit_code == 1 and rule in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("command", ["validate", "summary", "derive"])
def test_malformed_csv_every_command_exits_1_without_traceback(tmp_path, command):
    d = _study(tmp_path, **{"subjects.csv": "subject_id,cohort\nS1,Médecine\n".encode("latin-1")})
    args = {"validate": ["validate", str(d)], "summary": ["summary", str(d)],
            "derive": ["derive", "--data", str(d), "--out", str(tmp_path / "o")]}[command]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "subjects.csv" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def _dir_entry(path):
    path.mkdir()


def _loop(path):
    os.symlink(path.name, path)


@pytest.mark.parametrize("make", [_dir_entry, _loop], ids=["directory", "symlink-loop"])
@pytest.mark.parametrize("name", ["lesions.csv", "responses.csv"])
def test_optional_table_that_cannot_be_read_is_not_absent(tmp_path, make, name):
    d = _study(tmp_path, **{name: None} if name == "lesions.csv" else {})
    if name == "lesions.csv":
        (d / name).unlink(missing_ok=True)
    make(d / name)
    rep = validate(d)
    assert [(i.rule, i.file) for i in rep.errors] == [("unreadable-file", name)]


@pytest.mark.skipif(IS_ROOT, reason="root reads files without read permission")
def test_unreadable_file_is_a_finding(tmp_path):
    d = _study(tmp_path)
    (d / "lesions.csv").chmod(0)
    try:
        rep = validate(d)
    finally:
        (d / "lesions.csv").chmod(0o644)
    assert [(i.rule, i.file) for i in rep.errors] == [("unreadable-file", "lesions.csv")]


def _sdtm(tmp_path, fmt: str):
    pyreadstat = pytest.importorskip("pyreadstat")
    d = tmp_path / "sdtm"
    d.mkdir()
    (d / "dm.csv").write_text("USUBJID,ARM,RFXSTDTC\n" + "".join(
        f"S{i},A,2020-01-02\n" for i in range(546)))
    tr = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(546)], "TRTESTCD": "DIAMETER",
                       "TRDTC": "2020-01-01", "TRLNKID": "T01", "TRGRPID": "TARGET",
                       "TRSTRESN": 10.0 + pd.Series(range(546)) % 7})
    p = d / f"tr.{fmt}"
    pyreadstat.write_xport(tr, str(p), file_format_version=5 if fmt == "xpt" else 8)
    return d, p


@pytest.mark.parametrize("cut", [0.3, 0.77])
def test_truncated_xpt_is_refused(tmp_path, cut):
    d, p = _sdtm(tmp_path, "xpt")
    data = p.read_bytes()
    assert len(data) % 80 == 0
    p.write_bytes(data[: int(len(data) * cut)])
    rep = validate(d)
    assert [(i.rule, i.file) for i in rep.errors] == [("truncated-file", "tr.xpt")]


def test_corrupt_xpt_is_a_finding(tmp_path):
    d, p = _sdtm(tmp_path, "xpt")
    p.write_bytes(b"X" * 800)
    rep = validate(d)
    assert [(i.rule, i.file) for i in rep.errors] == [("corrupt-file", "tr.xpt")]
    res = CliRunner().invoke(app, ["validate", str(d)])
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_truncated_sas7bdat_row_count_against_header(tmp_path, monkeypatch):
    # pyreadstat cannot write sas7bdat: the reader is faked to return fewer rows than its
    # header promises, as a truncated file whose last page is lost does.
    pyreadstat = pytest.importorskip("pyreadstat")
    d = tmp_path / "sas"
    d.mkdir()
    (d / "dm.sas7bdat").write_bytes(b"stub")

    class Meta:
        number_rows = 546

    frame = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(147)], "ARM": "A"})
    monkeypatch.setattr(pyreadstat, "read_sas7bdat", lambda *a, **k: (frame.copy(), Meta()))
    rep = validate(d)
    assert [(i.rule, i.file) for i in rep.errors][:1] == [("truncated-file", "dm.sas7bdat")]
    assert "546" in rep.errors[0].expected and "147" in rep.errors[0].expected


def test_domain_override_outside_the_study(tmp_path):
    d, _ = _sdtm(tmp_path, "xpt")
    other = tmp_path / "elsewhere.csv"
    other.write_text("USUBJID,TRTESTCD,TRDTC,TRLNKID\nS1,DIAMETER,2020-01-01,T01\n")
    res = CliRunner().invoke(app, ["validate", str(d), "--domain", f"tr={other}"])
    assert res.exit_code in (0, 1) and "Traceback" not in res.output, res.output
    res = CliRunner().invoke(app, ["validate", str(d), "--domain", f"tr={tmp_path / 'no.csv'}"])
    assert res.exit_code == 1 and "missing-file" in res.output
