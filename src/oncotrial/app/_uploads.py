"""Per-session folders and zip-slip-safe extraction of uploaded studies.

Hand-written because :meth:`zipfile.ZipFile.extractall` silently rewrites unsafe names
(drops a leading ``/`` and ``..``) instead of refusing them, follows no size limit and
writes symlink entries as files: an upload must be refused whole with a message that names
the entry, and never write outside its session folder.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from oncotrial._errors import OncotrialValueError

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "find_study_folder", "safe_extract", "zip_folder"]

DEFAULT_MAX_UPLOAD_MB = 200


def _bad(name: str, constraint: str, value: object, remedy: str) -> OncotrialValueError:
    return OncotrialValueError(f"`{name}` of the upload must be {constraint}; got {value!r}. {remedy}")


def safe_extract(archive: str | Path, dest: str | Path, *, max_bytes: int) -> Path:
    """Extract ``archive`` into ``dest`` (created), refusing anything that could escape it.

    Refused, with nothing written: absolute names, drive letters, ``..`` components,
    symlinks and other special files, more than ``max_bytes`` uncompressed in total, and a
    file that is not a zip archive.

    Examples
    --------
    >>> import io, tempfile, zipfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(d / "bad.zip", "w") as z:
    ...     z.writestr("../evil.txt", "x")
    >>> try:
    ...     safe_extract(d / "bad.zip", d / "out", max_bytes=10**6)
    ... except ValueError as e:
    ...     print(str(e)[:60])
    `entry` of the upload must be a relative path inside the arc
    """
    dest = Path(dest)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise _bad("file", "a zip archive", Path(archive).name,
                   "Zip the study folder (template CSVs, SDTM or ADaM files) and upload the .zip.") from None
    with zf:
        infos = zf.infolist()
        total = 0
        for info in infos:
            name = info.filename
            p = PurePosixPath(name.replace("\\", "/"))
            if (name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in p.parts):
                raise _bad("entry", "a relative path inside the archive", name,
                           "Re-create the zip from inside the study folder.")
            ftype = stat.S_IFMT(info.external_attr >> 16)  # 0: no Unix type recorded (e.g. Windows)
            if ftype and ftype not in (stat.S_IFREG, stat.S_IFDIR):
                raise _bad("entry", "a regular file or folder (no symlinks or devices)", name,
                           "Replace links by the files they point to and zip again.")
            total += info.file_size
            if total > max_bytes:
                raise _bad("archive", f"at most {max_bytes // 2**20} MiB uncompressed", Path(archive).name,
                           "Upload only the study's data files, or start the app with a larger limit.")
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        for info in infos:
            target = (root / info.filename.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):  # pragma: no cover - excluded by the checks above
                raise _bad("entry", "inside the session folder", info.filename, "Re-create the zip.")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return dest


def find_study_folder(root: str | Path) -> Path | None:
    """The folder holding the study files: ``root`` itself, or the first subfolder (breadth
    first, ignoring ``__MACOSX``) that :func:`oncotrial.io.detect_kind` recognises, or that holds
    ADaM datasets (``adsl.*``).

    Examples
    --------
    >>> from oncotrial.io import example_data_path
    >>> find_study_folder(example_data_path()) == example_data_path()
    True
    """
    from oncotrial.io import detect_kind

    queue = [Path(root)]
    while queue:
        folder = queue.pop(0)
        if detect_kind(folder) is not None or any(folder.glob("adsl.*")):
            return folder
        queue += sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "__MACOSX")
    return None


def zip_folder(folder: str | Path, archive: str | Path) -> Path:
    """Zip every file under ``folder`` (names relative to it) into ``archive``.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "a").mkdir(); _ = (d / "a" / "x.txt").write_text("1")
    >>> zipfile.ZipFile(zip_folder(d / "a", d / "a.zip")).namelist()
    ['x.txt']
    """
    folder, archive = Path(folder), Path(archive)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.is_symlink():
                zf.write(p, p.relative_to(folder).as_posix())
    return archive
