"""Probe class "faults" (issue 14): killed, failing and concurrent runs never leave a folder that
mixes runs, stale files or half-written files; a user's files are never overwritten."""

from __future__ import annotations

import errno
import json
import threading
import time

import pytest
from typer.testing import CliRunner

from oncotrial._output import (
    MANIFEST,
    OutputLockedError,
    output_folder,
    read_manifest,
    verify_output,
    write_files,
)
from oncotrial.cli import app
from oncotrial.io import example_data_path

from .conftest import IS_ROOT


def _write(target, files: dict[str, str], **kw):
    with output_folder(target, command="test", **kw) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)


def test_failure_midway_leaves_the_previous_output_untouched(tmp_path):
    out = tmp_path / "out"
    _write(out, {"report.html": "old", "results.json": "{}"})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError), output_folder(out, command="test") as tmp:
        (tmp / "results.json").write_text('{"new": 1}')
        raise RuntimeError("killed while writing report.html")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp, no lock left


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    out = tmp_path / "out"
    for name in (".out.tmp-999-abc", ".out.old-999-abc"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "figure.svg").write_bytes(b"")  # the 0-byte SVG of a killed run
    _write(out, {"a.csv": "x\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert verify_output(out) == []


def test_rerun_replaces_the_output_whole(tmp_path):
    out = tmp_path / "out"
    _write(out, {"tables/cox.csv": "old", "figures/forest_cox.svg": "<svg/>", "report.html": "1"})
    _write(out, {"report.html": "2"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        MANIFEST, "report.html"]


def test_manifest_lists_inputs_spec_versions_outputs(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text("x = 1\n")
    out = tmp_path / "out"
    _write(out, {"a.txt": "abc"}, inputs={"spec": spec, "data": example_data_path()},
           spec={"k": 1})
    m = json.loads((out / MANIFEST).read_text())
    assert m["complete"] is True and m["spec"] == {"k": 1} and m["command"] == "test"
    assert {"oncotrial", "numpy", "pandas", "scipy"} <= set(m["versions"])
    assert m["outputs"] == [{"path": "a.txt", "bytes": 3, "sha256":
                             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]
    roles = [(e["role"], e["path"]) for e in m["inputs"]]
    assert ("spec", "s.toml") in roles and ("data", "subjects.csv") in roles


def test_incomplete_manifest_is_not_an_output(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.txt": "1"})
    m = json.loads((out / MANIFEST).read_text())
    m["complete"] = False
    (out / MANIFEST).write_text(json.dumps(m))
    assert read_manifest(out) is None and verify_output(out) == ["no complete manifest.json"]
    with pytest.raises(ValueError, match="oncotrial did not write"):
        _write(out, {"b.txt": "2"})


def test_tampered_output_is_detected(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.txt": "1"})
    (out / "a.txt").write_text("2")
    (out / "user.txt").write_text("mine")
    assert verify_output(out) == ["a.txt: sha256 differs from the manifest",
                                  "user.txt: not listed in the manifest"]


@pytest.mark.parametrize("extra", ["notes.txt", "sub/notes.txt"])
def test_foreign_files_are_refused_without_force(tmp_path, extra):
    out = tmp_path / "out"
    (out / extra).parent.mkdir(parents=True)
    (out / extra).write_text("a user's file")
    with pytest.raises(ValueError, match="pass --force"):
        _write(out, {"a.txt": "1"})
    assert (out / extra).read_text() == "a user's file"
    _write(out, {"a.txt": "1"}, force=True)
    assert not (out / extra).exists()


def test_user_file_added_to_an_earlier_output_is_refused(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.txt": "1"})
    (out / "my-notes.txt").write_text("keep")
    with pytest.raises(ValueError, match=r"my-notes\.txt"):
        _write(out, {"a.txt": "2"})


def test_second_run_into_the_same_folder_is_refused_or_waits(tmp_path):
    out = tmp_path / "out"
    entered, release = threading.Event(), threading.Event()

    def first():
        with output_folder(out, command="test") as tmp:
            (tmp / "a.txt").write_text("first")
            entered.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    entered.wait(10)
    try:
        with pytest.raises(OutputLockedError, match="locked by process"):
            _write(out, {"a.txt": "second"})
    finally:
        threading.Timer(0.3, release.set).start()
    _write(out, {"a.txt": "second"}, wait=10)  # waits for the first run, then replaces it
    t.join()
    assert (out / "a.txt").read_text() == "second" and verify_output(out) == []


@pytest.mark.parametrize("where", ["file", "under-file", "contains-input"])
def test_bad_out_paths_are_usage_errors(tmp_path, where):
    f = tmp_path / "f.txt"
    f.write_text("x")
    target = {"file": f, "under-file": f / "out", "contains-input": tmp_path}[where]
    with pytest.raises(ValueError, match="`out` of `test` must be"):
        _write(target, {"a": "1"}, inputs={"data": f})
    assert f.read_text() == "x"


@pytest.mark.skipif(IS_ROOT, reason="root may write into read-only folders")
def test_read_only_location_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        res = CliRunner().invoke(app, ["template", str(ro / "t")])
    finally:
        ro.chmod(0o755)
    assert res.exit_code == 2 and "not writable" in res.output


def test_cli_out_under_a_file_exits_2(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    res = CliRunner().invoke(app, ["derive", "--data", str(example_data_path()), "--out",
                                   str(f / "out")])
    assert res.exit_code == 2 and "under the file" in res.output
    assert "Traceback" not in res.output


def test_disk_full_exits_4_and_replaces_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, {"adsl.csv": "old"}, )
    import oncotrial.derive._cli as dcli

    def full(df, path, raw=False):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(dcli, "_write", full)
    res = CliRunner().invoke(app, ["derive", "--data", str(example_data_path()), "--out",
                                   str(out)])
    assert res.exit_code == 4, res.output
    assert "No space left on device" in res.output and "Traceback" not in res.output
    assert (out / "adsl.csv").read_text() == "old" and verify_output(out) == []


def test_write_files_is_all_or_none(tmp_path, monkeypatch):
    # single files (write_template, stats km --out, simulate JSON/plot): a failure while the set
    # is written leaves every target as it was and no temporary file behind
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a\n")
    real = type(tmp_path).write_text

    def full(self, *args, **kw):
        if ".b.csv.part" in self.name:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kw)

    monkeypatch.setattr(type(tmp_path), "write_text", full)
    with pytest.raises(OSError, match="No space left"):
        write_files({a: "new a\n", b: "new b\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert a.read_text() == "old a\n"
    monkeypatch.undo()
    write_files({a: "new a\r\n", b: b"\x00"})
    assert a.read_bytes() == b"new a\r\n" and b.read_bytes() == b"\x00"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


@pytest.mark.parametrize("command", ["template", "twin"])
def test_template_and_twin_never_overwrite_study_data_without_force(tmp_path, command):
    study = tmp_path / "study"
    study.mkdir()
    (study / "subjects.csv").write_text("subject_id,cohort\nS1,A\n")
    args = (["template", str(study)] if command == "template"
            else ["twin", "--example", "nice-nec", "--out", str(study)])
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "--force" in res.output, res.output
    assert (study / "subjects.csv").read_text() == "subject_id,cohort\nS1,A\n"
    res = CliRunner().invoke(app, args)  # also refused when the folder is its own output
    res = CliRunner().invoke(app, [*args, "--force"])
    assert res.exit_code == 0, res.output
    assert (study / "subjects.csv").read_text() != "subject_id,cohort\nS1,A\n"
    res = CliRunner().invoke(app, args)  # a written template/twin is study data too
    assert res.exit_code == 2


def test_debug_shows_the_traceback(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    res = CliRunner().invoke(app, ["--debug", "template", str(f)])
    assert res.exit_code == 2 and "Traceback" in res.output
    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["template", str(f)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert time.perf_counter() - t0 < 30
