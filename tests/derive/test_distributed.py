"""Issue 21: ``derive`` partitioned by subject (locally and on a Dask LocalCluster) equals the
whole-study derive exactly -- every table, row order, dtypes, the derivation log and the data
warnings -- on pharmaversesdtm and on a small synthetic study with subjects that have records
in only some domains, a subject missing from the subject table and study-level warnings.

The expected values are the local ``derive_study`` itself (the oracle of this feature); the
cluster is started once per module (two single-threaded worker processes, loopback only).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial._errors import OncotrialValueError
from oncotrial.cli import app
from oncotrial.derive import _distributed as D
from oncotrial.derive import derive_study, derive_study_partitioned
from oncotrial.io import read_sdtm, read_template

FRAMES = ("adsl", "adrs", "adtte", "adae", "timepoints", "rs_comparison", "gmi", "log")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")  # the optional extra `cluster`
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0")
    client = distributed.Client(lc)
    yield client
    client.close()
    lc.close()


def _quiet(f, *a, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = f(*a, **kw)
    return res, sorted(str(w.message) for w in caught if w.category.__name__ ==
                       "DerivationWarning")


def _assert_same(got, ref):
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name), obj=name)
    assert got.settings == ref.settings


def _write_study(folder: Path) -> Path:
    """Eight subjects: full records, lesions only, AEs only, no records, two evaluators for
    some subjects, baseline only, a cm diameter."""
    folder.mkdir()
    pd.DataFrame({
        "subject_id": [f"S0{i}" for i in range(1, 9)], "cohort": "GI",
        "first_dose_date": ["2014-01-03", "2014-01-05", "2014-01-07", "2014-01-09",
                            "2014-01-11", "2014-01-13", "2014-01-15", "2014-01-17"],
        "last_dose_date": ["2014-04-01", None, None, "2014-03-01", None, None, "2014-02-01",
                           None],
        "death_date": [None, None, None, None, None, "2014-07-01", "2014-05-01", None],
        "last_alive_date": ["2014-06-30"] * 5 + [None, None, "2014-06-30"],
    }).to_csv(folder / "subjects.csv", index=False)
    rows = []

    def les(s, ev, dates, sizes, unit="mm", lid="T1"):
        for d, x in zip(dates, sizes, strict=True):
            rows.append({"subject_id": s, "assessment_date": d, "lesion_id": lid,
                         "lesion_class": "TARGET", "diameter": x, "unit": unit,
                         "evaluator": ev})

    d3 = ["2014-01-02", "2014-02-14", "2014-03-28"]
    les("S01", "INVESTIGATOR", d3, [40, 26, 24])
    les("S02", "INVESTIGATOR", d3, [40, 44, 50])
    les("S02", "RADIOLOGIST", d3, [42, 30, 28])
    les("S05", "INVESTIGATOR", d3[:1], [30])
    les("S06", "INVESTIGATOR", d3, [50, 70, 80])
    les("S06", "RADIOLOGIST", d3, [4.8, 6.5, 7.0], unit="cm")
    les("S08", "INVESTIGATOR", d3, [33, 20, 18])
    pd.DataFrame(rows).to_csv(folder / "lesions.csv", index=False)
    pd.DataFrame({"subject_id": ["S01", "S01", "S02", "S06", "S08"],
                  "assessment_date": d3[1:] + d3[1:2] * 3,
                  "response": ["PR", "PR", "SD", "PD", "PR"]}
                 ).to_csv(folder / "responses.csv", index=False)
    pd.DataFrame({"subject_id": ["S01", "S04", "S04", "S07"], "ae_id": ["1", "1", "2", "1"],
                  "term": ["NAUSEA", "RASH", "FATIGUE", "ANAEMIA"], "grade": [2, 1, 3, 4],
                  "start_date": ["2014-01-20", "2014-02-01", "2014-02-10", "2014-01-30"]}
                 ).to_csv(folder / "adverse_events.csv", index=False)
    pd.DataFrame({"subject_id": ["S01", "S04", "S07"], "drug": "X",
                  "start_date": ["2014-01-03", "2014-01-09", "2014-01-15"],
                  "end_date": ["2014-04-01", "2014-03-01", "2014-02-01"]}
                 ).to_csv(folder / "exposure.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = _write_study(tmp_path_factory.mktemp("dist") / "study")
    study = read_template(folder, data_cutoff="2014-12-31")
    return folder, study


def _with_orphan(study):
    """The synthetic study plus lesion and AE rows of S09, who is not in the subject table,
    and an exact duplicate lesion record of S08 (the readers refuse both; derive logs them)."""
    les = study.lesions[study.lesions["subject_id"] == "S01"].copy()
    les["subject_id"] = les["subject_id"].str.replace("S01", "S09")
    les["unit"] = les["unit"].str.replace("mm", "cm")  # in cm: a study-level warning
    les["diameter"] = les["diameter"] / 10
    s08 = study.lesions[study.lesions["subject_id"] == "S08"]
    les = pd.concat([s08.iloc[[1]], les])
    ae = study.adverse_events[study.adverse_events["subject_id"] == "S01"].copy()
    ae["subject_id"] = ae["subject_id"].str.replace("S01", "S09")
    return SimpleNamespace(subjects=study.subjects, lesions=pd.concat([study.lesions, les]),
                           responses=study.responses, exposure=study.exposure,
                           adverse_events=pd.concat([study.adverse_events, ae]),
                           prior_therapy=study.prior_therapy)


@pytest.mark.parametrize("kw", [{}, {"irecist": True}, {"conventions": "admiral"}])
def test_derive_study_partitioned_1_synthetic_every_partition_count(synthetic, kw):
    _, study = synthetic
    study = _with_orphan(study)
    ref, ref_w = _quiet(derive_study, study, **kw)
    # the orphan is derived as locally (lesions -> time points; RS mode: only its AEs)
    assert "S09" in set(ref.adae["USUBJID"]) | set(ref.timepoints.get("USUBJID", []))
    for what in ("converted to mm", "exact duplicate lesion record") if not kw else ():
        assert ref.log["REASON"].str.contains(what).any()
    for n in (1, 2, 3, 5, 9, 50):  # 50 > 9 subjects: one part per subject, then merged
        got, got_w = _quiet(derive_study_partitioned, study, partitions=n, backend="local",
                            **kw)
        _assert_same(got, ref)
        assert got_w == ref_w
        info = D.partition_info
        assert info.requested == n and info.partitions <= min(n, 9) and not info.note
        if n == 3:  # S01-S03, S04-S06, S07-S09 each have rows of every table, but S07-S09
            # no RADIOLOGIST assessment (BOR, PFS... are per study evaluator): joined to
            # S04-S06 (admiral: the investigator's only, nothing to join)
            admiral = kw.get("conventions") == "admiral"
            assert (info.partitions, info.rounds, info.sizes) == (
                (3, 1, [3, 3, 2]) if admiral else (2, 2, [3, 5]))
    # one part per subject: parts without rows of a table, or without the RADIOLOGIST's
    # assessments, were merged with a neighbour
    assert 1 < info.partitions < 9


def test_derive_study_partitioned_2_study_level_warning_merged():
    # 5 subjects, each with two cm diameters: the whole-study warning counts all ten and
    # names the first; every part's own count is merged into that one message
    subj = pd.DataFrame({"subject_id": [f"S{i}" for i in range(5)],
                         "first_dose_date": "2014-01-03"})
    les = pd.DataFrame({"subject_id": [f"S{i}" for i in range(5) for _ in range(2)],
                        "lesion_id": "T1", "lesion_class": "TARGET", "unit": "CM",
                        "assessment_date": ["2014-01-02", "2014-02-14"] * 5,
                        "visit": ["BASELINE", "WEEK 6"] * 5, "diameter": [4.0, 2.0] * 5})
    study = SimpleNamespace(subjects=subj, lesions=les)
    ref, _ = _quiet(derive_study, study)
    msg = ref.log.loc[ref.log["DECISION"] == "data warning", "REASON"].tolist()
    assert msg == ["10 lesion diameter(s) were given in cm and converted to mm (x10); first: "
                   "(subject_id='S0', lesion_id='T1', visit='BASELINE'); and 9 more."]
    for n in (2, 5):
        got, _ = _quiet(derive_study_partitioned, study, partitions=n, backend="local")
        _assert_same(got, ref)


def test_derive_study_partitioned_3_no_post_baseline_anywhere():
    subj = pd.DataFrame({"subject_id": ["S1", "S2", "S3"], "first_dose_date": "2014-01-03"})
    les = pd.DataFrame({"subject_id": ["S1", "S2", "S3"], "lesion_id": "T1",
                        "lesion_class": "TARGET", "assessment_date": "2014-01-02",
                        "diameter": [40.0, 30.0, 20.0]})
    study = SimpleNamespace(subjects=subj, lesions=les)
    ref, ref_w = _quiet(derive_study, study)
    got, got_w = _quiet(derive_study_partitioned, study, partitions=3, backend="local")
    _assert_same(got, ref)
    assert got_w == ref_w and len(got_w) == 1  # warned once, logged once


def test_derive_study_partitioned_4_unordered_tables_one_part(synthetic):
    _, study = synthetic
    back = SimpleNamespace(**{n: getattr(study, n).iloc[::-1] for n in D.TABLES})
    ref, _ = _quiet(derive_study, back)
    got, _ = _quiet(derive_study_partitioned, back, partitions=4, backend="local")
    _assert_same(got, ref)
    assert D.partition_info.partitions == 1
    assert "not ordered by subject_id" in D.partition_info.note
    # sorted by subject (rows of a subject keep their order), it is cut again
    ordered = D.sort_by_subject(back)
    assert ordered.lesions["subject_id"].is_monotonic_increasing
    ref, _ = _quiet(derive_study, ordered)
    got, _ = _quiet(derive_study_partitioned, ordered, partitions=3, backend="local")
    _assert_same(got, ref)
    assert D.partition_info.partitions > 1


def test_derive_study_partitioned_5_data_error_is_the_local_message(synthetic):
    _, study = synthetic
    les = study.lesions
    extra = les[les["subject_id"] == "S06"].iloc[[0]].assign(diameter=51.0)
    pos = int((les["subject_id"] == "S06").to_numpy().argmax())
    dup = SimpleNamespace(**{n: getattr(study, n) for n in D.TABLES})
    dup.lesions = pd.concat([les.iloc[:pos], extra, les.iloc[pos:]])  # conflicting duplicate
    with pytest.raises(OncotrialValueError) as local:
        derive_study(dup, check_type="error")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(OncotrialValueError) as part:
            derive_study_partitioned(dup, partitions=3, backend="local", check_type="error")
    assert str(part.value) == str(local.value)


def test_derive_study_partitioned_6_argument_errors(synthetic):
    _, study = synthetic
    with pytest.raises(OncotrialValueError, match="`backend` of `derive_study_partitioned`"):
        derive_study_partitioned(study, backend="spark")
    with pytest.raises(OncotrialValueError, match="`scheduler` of `derive_study_partitioned`"):
        derive_study_partitioned(study, backend="local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(OncotrialValueError, match="`partitions` of"):
        derive_study_partitioned(study, backend="local", partitions=0)
    with pytest.raises(OncotrialValueError, match="`confirm` of"):
        derive_study_partitioned(study, backend="local", confirm=28)


@pytest.mark.shared
@pytest.mark.slow
def test_derive_study_partitioned_7_dask_synthetic_and_pharmaverse(cluster, synthetic,
                                                                 pharmaverse_dir):
    _, study = synthetic
    study = _with_orphan(study)
    ref, ref_w = _quiet(derive_study, study)
    for n in (2, 20):  # 20 > 9 subjects
        got, got_w = _quiet(derive_study_partitioned, study, partitions=n, scheduler=cluster)
        _assert_same(got, ref)
        assert got_w == ref_w
    pv = read_sdtm(pharmaverse_dir)
    for kw in ({}, {"irecist": True}):
        ref, ref_w = _quiet(derive_study, pv, **kw)
        got, got_w = _quiet(derive_study_partitioned, pv, partitions=5, scheduler=cluster,
                            **kw)
        _assert_same(got, ref)
        assert got_w == ref_w
        assert D.partition_info.partitions == 5


@pytest.mark.slow
def test_derive_study_partitioned_8_cli_dask_writes_the_same_files(cluster, synthetic,
                                                                 tmp_path):
    folder, _ = synthetic
    runner = CliRunner()
    outs = {}
    for backend, extra in (("local", []), ("dask", ["--scheduler", cluster.scheduler.address,
                                                    "--partitions", "3", "--no-progress"])):
        out = tmp_path / backend
        res = runner.invoke(app, ["derive", "--data", str(folder), "--out", str(out),
                                  "--data-cutoff", "2014-12-31", "--backend", backend, *extra])
        assert res.exit_code == 0, res.output
        outs[backend] = out
    names = sorted(p.name for p in outs["local"].iterdir())
    assert names == sorted(p.name for p in outs["dask"].iterdir())
    assert {"adsl.csv", "adrs.csv", "derivation_log.csv", "adsl.xpt"} <= set(names)
    stamp = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")  # XPT header: the clock
    for name in names:
        if name == "manifest.json":  # holds the run's time
            continue
        a, b = ((outs[k] / name).read_bytes() for k in ("local", "dask"))
        if name.endswith(".xpt"):
            assert len(stamp.findall(a)) >= 2
            a, b = stamp.sub(b"<time>", a), stamp.sub(b"<time>", b)
        assert a == b, name


def test_derive_study_partitioned_9_cli_errors_name_the_option(synthetic, tmp_path):
    folder, _ = synthetic
    runner = CliRunner()
    res = runner.invoke(app, ["derive", "--data", str(folder), "--out", str(tmp_path / "a"),
                              "--backend", "spark"])
    assert res.exit_code == 2 and "--backend must be local or dask" in res.output
    res = runner.invoke(app, ["derive", "--data", str(folder), "--out", str(tmp_path / "b"),
                              "--scheduler", "tcp://127.0.0.1:8786"])
    assert res.exit_code == 2 and "need --backend dask" in res.output
    res = runner.invoke(app, ["derive", "--data", str(folder), "--out", str(tmp_path / "c"),
                              "--data-cutoff", "2014-12-31", "--backend", "dask",
                              "--scheduler", "not-an-address"])
    assert res.exit_code == 2, res.output
    assert "`scheduler` of `derive_study_partitioned` must be the address" in res.output
    assert not (tmp_path / "c").exists()
