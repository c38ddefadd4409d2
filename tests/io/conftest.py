"""Fixtures for io tests: a tiny valid template folder written from inline tables."""

from __future__ import annotations

from pathlib import Path

import pytest

#: A small valid study: 2 subjects, 1 has lesions over two visits, AEs, exposure, prior therapy.
VALID: dict[str, str] = {
    "subjects.csv": (
        "subject_id,cohort,consent_date,first_dose_date,last_dose_date,death_date,age,sex,ecog\n"
        "S1,A,2020-01-02,2020-01-10,2020-06-01,,61,F,0\n"
        "S2,B,2020-02-01,2020-02-10,2020-03-01,2020-09,70,M,1\n"
    ),
    "lesions.csv": (
        "subject_id,assessment_date,visit,lesion_id,lesion_class,site,diameter,unit,status\n"
        "S1,2020-01-05,BASELINE,T01,TARGET,LIVER,20,mm,\n"
        "S1,2020-01-05,BASELINE,T02,TARGET,LYMPH NODE,1.6,cm,\n"
        "S1,2020-01-05,BASELINE,NT01,NON-TARGET,BONE,,,PRESENT\n"
        "S1,2020-03-01,WEEK 8,T01,TARGET,LIVER,12,mm,\n"
        "S1,2020-03-01,WEEK 8,T02,TARGET,LYMPH NODE,,,TOO SMALL TO MEASURE\n"
        "S1,2020-03-01,WEEK 8,NT01,NON-TARGET,BONE,,,ABSENT\n"
    ),
    "responses.csv": (
        "subject_id,assessment_date,visit,response,evaluator\n"
        "S2,2020-03-20,WEEK 6,SD,\n"
    ),
    "adverse_events.csv": (
        "subject_id,ae_id,term,soc,grade,start_date,end_date,related,serious\n"
        "S1,1,NAUSEA,GASTROINTESTINAL DISORDERS,2,2020-01-15,2020-01-20,Y,N\n"
        "S2,1,FATIGUE,GENERAL DISORDERS,3,2020-02,,N,Y\n"
    ),
    "exposure.csv": (
        "subject_id,drug,start_date,end_date,dose,unit\n"
        "S1,DRUG X,2020-01-10,2020-06-01,60,mg\n"
        "S2,DRUG X,2020-02-10,2020-03-01,40,mg\n"
    ),
    "prior_therapy.csv": (
        "subject_id,line,regimen,start_date,end_date,progression_date\n"
        "S1,1,FOLFOX,2019-01-01,2019-06-30,2019-06-30\n"
    ),
}


def write_folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    """A folder with the VALID template files."""
    return write_folder(tmp_path / "study", VALID)


@pytest.fixture
def make_dir(tmp_path: Path):
    """Write VALID with some files replaced: make_dir(**{"lesions.csv": "..."})."""
    counter = iter(range(1000))

    def _make(files: dict[str, str | None]) -> Path:
        merged = {**VALID, **files}
        merged = {k: v for k, v in merged.items() if v is not None}
        return write_folder(tmp_path / f"study{next(counter)}", merged)

    return _make


@pytest.fixture
def valid_files() -> dict[str, str]:
    """The VALID template files as a dict (file name -> CSV text)."""
    return dict(VALID)
