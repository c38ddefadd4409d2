"""Template folder: reading, canonical types, defaults, unit conversion, round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.io import (
    TABLES,
    StudyData,
    example_data_path,
    read_study,
    read_template,
    validate,
    write_template,
    write_template_skeleton,
)


def test_read_template_1_columns_types_and_provenance(valid_dir):
    d = read_template(valid_dir)
    assert isinstance(d, StudyData) and d.kind == "template"
    for name, table in TABLES.items():
        assert list(d.table(name).columns) == [*table.column_names, "source_file", "source_row"]
    assert d.lesions["diameter"].dtype == "float64"
    assert str(d.subjects["ecog"].dtype) == "Int64"
    assert d.lesions["source_file"].unique().tolist() == ["lesions.csv"]
    assert d.lesions["source_row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert d.mapping_log.empty


def test_read_template_2_cm_converted_to_mm_and_defaults(valid_dir):
    les = read_template(valid_dir).lesions
    # row 2: 1.6 cm -> 16 mm; unit becomes mm; rows without a diameter have no unit
    assert les["diameter"].tolist()[:2] == [20.0, 16.0]
    assert les["unit"].tolist()[:3] == ["mm", "mm", pd.NA]
    # is_node defaults from site; evaluator defaults to INVESTIGATOR
    assert les["is_node"].tolist()[:3] == ["N", "Y", "N"]
    assert set(les["evaluator"]) == {"INVESTIGATOR"}
    assert les["status"].tolist()[4] == "TOO SMALL TO MEASURE"


def test_read_template_3_absent_optional_tables_are_empty(make_dir):
    folder = make_dir({name: None for name in
                       ("lesions.csv", "responses.csv", "exposure.csv", "prior_therapy.csv")})
    d = read_template(folder)
    assert len(d.lesions) == 0 and list(d.lesions.columns)[-2:] == ["source_file", "source_row"]
    assert len(d.adverse_events) == 2


def test_write_template_4_round_trip_is_identical(valid_dir, tmp_path):
    d = read_template(valid_dir)
    e = read_template(write_template(d, tmp_path / "copy"))
    for name in TABLES:
        pd.testing.assert_frame_equal(d.table(name), e.table(name))


def test_write_template_5_round_trip_of_example_and_sdtm_shaped_data(tmp_path):
    d = read_template(example_data_path())
    e = read_template(write_template(d, tmp_path / "ex"))
    for name in TABLES:
        pd.testing.assert_frame_equal(d.table(name), e.table(name))


def test_write_template_skeleton_6_headers_only(tmp_path):
    files = write_template_skeleton(tmp_path / "t")
    assert [f.name for f in files] == [t.file for t in TABLES.values()]
    for f, t in zip(files, TABLES.values(), strict=True):
        assert f.read_text().strip().split(",") == t.column_names
    # an empty skeleton is a valid (empty) study
    assert validate(tmp_path / "t").issues == []


def test_write_template_6b_existing_files_need_force(tmp_path):
    from oncotrial.io import example_data_path

    d = read_template(example_data_path())
    folder = write_template(d, tmp_path / "t")
    (folder / "subjects.csv").write_text("mine\n")
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    with pytest.raises(ValueError, match=r"`path` of `write_template` .* already holds "
                                         r"subjects\.csv, lesions\.csv.*force=True"):
        write_template(d, folder)
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before  # nothing touched
    with pytest.raises(ValueError, match="write_template_skeleton"):
        write_template_skeleton(folder)
    # force=True replaces the set, leaving no temporary file behind
    write_template(d, folder, force=True)
    assert sorted(f.name for f in folder.iterdir()) == sorted(t.file for t in TABLES.values())
    assert (folder / "subjects.csv").read_bytes() != b"mine\n"
    e = read_template(folder)
    pd.testing.assert_frame_equal(d.subjects, e.subjects)


def test_example_data_7_passes_validation_with_no_finding():
    d = read_study(example_data_path())
    assert d.report.issues == []
    assert d.subjects["cohort"].value_counts().to_dict() == {"pNET": 10, "siNET": 10}
    assert d.lesions.groupby("subject_id")["assessment_date"].nunique().min() >= 2


def test_read_study_8_evaluator_filter_on_template(make_dir):
    head = ("subject_id,assessment_date,visit,lesion_id,lesion_class,site,diameter,unit,"
            "status,evaluator\n")
    les = head + "S1,2020-01-05,BASELINE,T01,TARGET,LIVER,20,mm,,R1\n" \
                 "S1,2020-01-05,BASELINE,T01,TARGET,LIVER,21,mm,,R2\n"
    d = read_study(make_dir({"lesions.csv": les}), evaluator="r2")
    assert d.lesions["diameter"].tolist() == [21.0]


def test_read_template_9_not_a_folder(tmp_path):
    with pytest.raises(ValueError, match=r"`path` of `read_template` must be an existing folder"):
        read_template(tmp_path / "nope")
