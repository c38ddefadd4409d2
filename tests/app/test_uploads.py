"""Zip-slip-safe extraction of uploads and the host warning (no browser needed)."""

from __future__ import annotations

import stat
import zipfile

import pytest

from oncotrial.app._serve import host_warning, serve
from oncotrial.app._uploads import find_study_folder, safe_extract


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize("name", ["/etc/evil.csv", "../evil.csv", "a/../../evil.csv", "C:/evil.csv",
                                  "a\\..\\..\\evil.csv"])
def test_safe_extract_1_refuses_escaping_names(tmp_path, name) -> None:
    z = _zip(tmp_path / "z.zip", [("ok.csv", "1", None), (name, "x", None)])
    with pytest.raises(ValueError, match="must be a relative path inside the archive"):
        safe_extract(z, tmp_path / "out", max_bytes=10**6)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.csv").exists()


def test_safe_extract_2_refuses_symlinks(tmp_path) -> None:
    z = _zip(tmp_path / "z.zip", [("link", "/etc/passwd", stat.S_IFLNK | 0o777)])
    with pytest.raises(ValueError, match="no symlinks"):
        safe_extract(z, tmp_path / "out", max_bytes=10**6)


def test_safe_extract_3_size_limit_and_not_a_zip(tmp_path) -> None:
    z = _zip(tmp_path / "z.zip", [("a.csv", "x" * 2000, None)])
    with pytest.raises(ValueError, match="uncompressed"):
        safe_extract(z, tmp_path / "out", max_bytes=1000)
    (tmp_path / "n.zip").write_text("not a zip")
    with pytest.raises(ValueError, match="must be a zip archive"):
        safe_extract(tmp_path / "n.zip", tmp_path / "out", max_bytes=1000)


def test_safe_extract_4_extracts_and_finds_the_study(tmp_path) -> None:
    z = _zip(tmp_path / "z.zip", [("study/subjects.csv", "subject_id\n", stat.S_IFREG | 0o644),
                                  ("__MACOSX/x", "", None)])
    out = safe_extract(z, tmp_path / "out", max_bytes=10**6)
    assert (out / "study" / "subjects.csv").read_text() == "subject_id\n"
    assert find_study_folder(out) == out / "study"


def test_serve_1_warns_beyond_loopback(monkeypatch, capsys) -> None:
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(host=host, port=port))
    serve("0.0.0.0", 8123)
    assert seen == {"host": "0.0.0.0", "port": 8123}
    assert "warning: oncotrial app listens on 0.0.0.0" in capsys.readouterr().err
    assert host_warning("127.0.0.1") is None
    serve()
    assert seen["host"] == "127.0.0.1" and "warning" not in capsys.readouterr().err
