"""Output folders that are complete or absent: temporary sibling, manifest last, rename, lock.

Every command that writes a folder (``analyze``, ``demo``, ``derive``, ``template``, ``twin``)
goes through :func:`output_folder`:

1. **Checks before any work.** The target must not be a file, must not lie under a file, its
   parent must be writable, and it must not contain an input (the spec, the data folder) or the
   current directory. A non-empty target that is not an oncotrial output (no valid
   ``manifest.json``), or an oncotrial output holding files its manifest does not list (a
   user's own files), is refused unless ``force=True`` (``--force``).
2. **Lock.** A sibling lock file ``.NAME.lock`` is held with ``fcntl.flock`` for the whole run;
   a second run into the same folder waits up to ``wait`` seconds, then is refused naming the
   process that holds it. The kernel releases the lock when a process dies, so a killed run never
   blocks later ones.
3. **Temporary sibling.** Everything is written into ``.NAME.tmp-PID-XXXX`` next to the target
   (same file system, so the final rename is atomic).
4. **Manifest last.** ``manifest.json`` lists the inputs (sha256, bytes), the spec, the
   versions of oncotrial and its main libraries and every output file (sha256, bytes); it is
   written after every other file and has ``"complete": true``.
5. **Rename into place.** A previous target is renamed aside, the temporary folder renamed to the
   target, and the old one removed: no file of an earlier run survives (no stale ``cox.csv``),
   and no reader ever sees a mix of two runs. When anything fails, the temporary folder is
   removed and the previous output is left exactly as it was.

Leftovers of a run killed between steps (``.NAME.tmp-*``, ``.NAME.old-*``) are removed by the
next run into the same folder, under the lock. Hand-written because no library in the
dependency set combines an atomic directory swap, a manifest and an advisory lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from oncotrial._errors import OncotrialValueError

try:  # POSIX; on other platforms the lock falls back to exclusive creation
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["MANIFEST", "OutputLockedError", "file_sha256", "hash_inputs", "output_folder",
           "read_manifest", "verify_output", "write_files"]

#: File name of the manifest written last into every output folder.
MANIFEST = "manifest.json"
#: Version of the manifest layout.
MANIFEST_FORMAT = 1


class OutputLockedError(OncotrialValueError):
    """Another run holds the lock of the output folder."""


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x"; _ = p.write_bytes(b"abc")
    ...     file_sha256(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_files(files: Mapping[Path, str | bytes]) -> None:
    """Write single files complete or absent: every one to a temporary sibling first, then all
    renamed into place; on any failure no temporary file is left and no target is touched.

    Text is written as UTF-8 with its line endings as given. Checking that a target may be
    replaced (``force``) is the caller's: the messages name the caller's argument.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_files({Path(d) / "a.csv": "x\\n1\\n", Path(d) / "b.bin": b"\\x00"})
    ...     sorted(p.name for p in Path(d).iterdir())
    ['a.csv', 'b.bin']
    """
    parts: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            part = target.with_name(f".{target.name}.part-{os.getpid()}")
            parts.append((part, target))
            if isinstance(data, bytes):
                part.write_bytes(data)
            else:
                part.write_text(data, encoding="utf-8", newline="")
        for part, target in parts:
            os.replace(part, target)
    finally:
        for part, _ in parts:
            part.unlink(missing_ok=True)


def _files_under(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("*") if p.is_file() and not p.is_symlink()),
                  key=lambda p: p.relative_to(root).as_posix())


def hash_inputs(inputs: Mapping[str, Path | str | None]) -> list[dict]:
    """Manifest entries of the inputs: every file (of a folder: every file below it).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "a.csv").write_text("x\\n")
    ...     [(e["role"], e["path"], e["bytes"]) for e in hash_inputs({"data": d})]
    [('data', 'a.csv', 2)]
    """
    out: list[dict] = []
    for role, p in inputs.items():
        if p is None:
            continue
        p = Path(p)
        if p.is_dir():
            for f in _files_under(p):
                out.append({"role": role, "path": f.relative_to(p).as_posix(),
                            "sha256": file_sha256(f), "bytes": f.stat().st_size})
        elif p.is_file():
            out.append({"role": role, "path": p.name,
                        "sha256": file_sha256(p), "bytes": p.stat().st_size})
    return out


def _versions() -> dict[str, str]:
    from importlib import metadata

    from oncotrial import __version__

    vers = {"oncotrial": __version__, "python": sys.version.split()[0]}
    for pkg in ("numpy", "pandas", "scipy", "matplotlib", "pyreadstat", "jinja2"):
        try:
            vers[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover - optional
            continue
    return vers


def read_manifest(folder: str | Path) -> dict | None:
    """The folder's manifest when it is a complete oncotrial manifest, else None.

    Examples
    --------
    >>> read_manifest("/no/such/folder") is None
    True
    """
    p = Path(folder) / MANIFEST
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(m, dict) or m.get("tool") != "oncotrial" or m.get("complete") is not True \
            or not isinstance(m.get("outputs"), list):
        return None
    return m


def verify_output(folder: str | Path) -> list[str]:
    """Problems of an output folder against its manifest (empty list: complete and intact).

    Reports a missing or incomplete manifest, listed files that are missing or whose sha256
    differs, and files the manifest does not list.

    Examples
    --------
    >>> verify_output("/no/such/folder")
    ['no complete manifest.json']
    """
    folder = Path(folder)
    m = read_manifest(folder)
    if m is None:
        return [f"no complete {MANIFEST}"]
    problems = []
    listed = set()
    for e in m["outputs"]:
        rel = str(e.get("path", ""))
        listed.add(rel)
        f = folder / rel
        if not f.is_file():
            problems.append(f"{rel}: missing")
        elif file_sha256(f) != e.get("sha256"):
            problems.append(f"{rel}: sha256 differs from the manifest")
    for f in _files_under(folder):
        rel = f.relative_to(folder).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not listed in the manifest")
    return problems


def _foreign_files(folder: Path) -> list[str]:
    """Files in an existing folder that an oncotrial output would not own."""
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    if not entries:
        return []
    m = read_manifest(folder)
    if m is None:
        return [p.name for p in entries]
    listed = {str(e.get("path")) for e in m["outputs"]} | {MANIFEST}
    return [f.relative_to(folder).as_posix() for f in _files_under(folder)
            if f.relative_to(folder).as_posix() not in listed]


def _bad(func: str, constraint: str, value: object, remedy: str) -> OncotrialValueError:
    return OncotrialValueError(f"`out` of `{func}` must be {constraint}; got {value!r}. {remedy}")


def _check_target(out: Path, func: str, force: bool, protect: Iterable[Path],
                  replace_outputs: bool) -> None:
    for anc in [out, *out.parents]:
        if anc.exists() and not anc.is_dir():
            where = "a file" if anc == out else f"under the file {anc}"
            raise _bad(func, "a folder path", str(out), f"It is {where}; choose another --out.")
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise _bad(func, "a dedicated output folder", str(out),
                   "Refusing to replace a root or home folder; choose e.g. --out results.")
    cwd = Path.cwd().resolve()
    guarded = [(cwd, "the current directory")] + [(Path(p).resolve(), "an input")
                                                   for p in protect if p is not None]
    for p, what in guarded:
        if p == out or out in p.parents:
            raise _bad(func, f"a folder that does not contain {what}", str(out),
                       f"It holds {p}; write the output elsewhere (e.g. a sibling folder).")
    parent = out.parent
    probe = next((a for a in [parent, *parent.parents] if a.exists()), None)
    if probe is None or not os.access(probe, os.W_OK | os.X_OK):
        raise _bad(func, "in a writable location", str(out),
                   f"{probe} is not writable; choose another --out or fix the permissions.")
    if out.is_dir() and not force:
        if not replace_outputs and any(out.iterdir()):
            raise _bad(func, "a new or empty folder", str(out),
                       "It already holds files (study data are never overwritten); pass --force "
                       "(force=True) to replace the whole folder, or choose another folder.")
        foreign = _foreign_files(out)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more"
                                              if len(foreign) > 5 else "")
            raise _bad(func, "a new or empty folder or an earlier oncotrial output", str(out),
                       f"It holds files oncotrial did not write ({shown}); pass --force "
                       "(force=True) to replace the whole folder, or choose another folder.")


@contextlib.contextmanager
def _lock(out: Path, func: str, wait: float) -> Iterator[None]:
    lock = out.parent / f".{out.name}.lock"
    deadline = time.monotonic() + wait
    while True:
        if fcntl is None:  # pragma: no cover - Windows fallback
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
                break
            except FileExistsError:
                holder = "another process"
        else:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                holder = f"process {holder}"
                os.close(fd)
            else:
                try:
                    same = os.fstat(fd).st_ino == os.stat(lock).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    break
                os.close(fd)  # the previous holder removed the file meanwhile: retry
                continue
        if time.monotonic() >= deadline:
            raise OutputLockedError(
                f"`out` of `{func}` must not be written by two runs at once; got {str(out)!r}, "
                f"locked by {holder} ({lock}). Wait for that run to finish, or write to another "
                "folder.")
        time.sleep(0.1)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _remove_leftovers(out: Path) -> None:
    for p in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(p, ignore_errors=True)


def _write_manifest(tmp: Path, command: str, inputs: list[dict], spec: object) -> None:
    outputs = [{"path": f.relative_to(tmp).as_posix(), "sha256": file_sha256(f),
                "bytes": f.stat().st_size} for f in _files_under(tmp)
               if f.relative_to(tmp).as_posix() != MANIFEST]
    m = {"tool": "oncotrial", "format": MANIFEST_FORMAT, "command": command,
         "versions": _versions(), "inputs": inputs, "spec": spec, "outputs": outputs,
         "complete": True}
    text = json.dumps(m, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    part = tmp / (MANIFEST + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, tmp / MANIFEST)


@contextlib.contextmanager
def output_folder(out: str | Path, *, command: str, force: bool = False,
                  inputs: Mapping[str, Path | str | None] | None = None,
                  spec: object = None, protect: Iterable[Path | str | None] = (),
                  wait: float = 0.0, replace_outputs: bool = True) -> Iterator[Path]:
    """Write an output folder atomically; yields the temporary folder to write into.

    Parameters
    ----------
    out : str or Path
        The target folder.
    command : str
        Name recorded in the manifest and used in messages (e.g. ``'analyze'``).
    force : bool, default=False
        Replace a non-empty folder that is not (only) an oncotrial output.
    inputs : mapping of str to path, optional
        Role -> input file or folder, hashed into the manifest (``{'spec': ..., 'data': ...}``).
        Inputs are also protected: the target may not contain them.
    spec : object, optional
        JSON-ready settings recorded in the manifest.
    protect : iterable of path, optional
        Further paths the target may not contain.
    wait : float, default=0
        Seconds to wait for a concurrent run's lock before refusing.
    replace_outputs : bool, default=True
        Replace an earlier oncotrial output without ``force``. ``template`` and ``twin`` pass
        False: they write study data a user may have edited, so any non-empty folder needs
        ``force``.

    Raises
    ------
    OncotrialValueError
        The target is refused (see the module notes); nothing was written.
    OutputLockedError
        Another run holds the folder's lock after ``wait`` seconds.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     target = Path(d) / "out"
    ...     with output_folder(target, command="demo") as tmp:
    ...         _ = (tmp / "a.txt").write_text("1")
    ...     sorted(p.name for p in target.iterdir()), verify_output(target)
    (['a.txt', 'manifest.json'], [])
    """
    func = command
    target = Path(os.path.abspath(Path(out).expanduser()))
    if target.exists():
        target = target.resolve()
    inputs = dict(inputs or {})
    _check_target(target, func, force, [*inputs.values(), *protect], replace_outputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _bad(func, "a folder path that can be created", str(target),
                   f"{exc.strerror or exc}; choose another --out.") from None
    hashed = hash_inputs(inputs)  # before any work: the manifest names what was read
    with _lock(target, func, wait):
        _remove_leftovers(target)
        token = f"{os.getpid()}-{secrets.token_hex(3)}"
        tmp = target.parent / f".{target.name}.tmp-{token}"
        tmp.mkdir()
        try:
            yield tmp
            _write_manifest(tmp, command, hashed, spec)
            old = target.parent / f".{target.name}.old-{token}"
            if target.exists():
                os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
