"""Study page: choose data (a folder on the server's disk or an uploaded zip), validate it,
edit the study spec, run the analysis with progress, view and download the report.

Uploads and outputs live in the session's own temporary folder (``SessionFiles``), which the
app serves read-only under ``/session-files/<token>/``; the report is shown in an iframe from
there. The page calls :func:`oncotrial.io.validate`, :func:`oncotrial.analysis.parse_study_spec`
and :func:`oncotrial.analysis.run_analysis` -- the CLI's own API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import shutil
import time
import tomllib
from pathlib import Path
from typing import Any

from shiny import reactive, render, ui

from oncotrial._errors import OncotrialError
from oncotrial.app._fields import download, silent
from oncotrial.app._uploads import find_study_folder, safe_extract, zip_folder

__all__ = ["REPORT_FORMATS", "SessionFiles", "report_formats", "study_page_server", "study_page_ui"]

SPEC_TEMPLATES = ("nice-nec", "talent", "regomune", "example")


@dataclasses.dataclass
class SessionFiles:
    """A session's folder under the app's root: ``upload/``, ``out/``, ``outputs.zip``."""

    root: Path
    token: str

    @classmethod
    def create(cls, app_root: Path) -> SessionFiles:
        token = secrets.token_hex(16)
        folder = app_root / token
        folder.mkdir(parents=True)
        return cls(folder, token)

    @property
    def out(self) -> Path:
        return self.root / "out"

    def url(self, path: Path) -> str:
        return f"/session-files/{self.token}/{path.relative_to(self.root).as_posix()}"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def spec_template(name: str, data: Path | None) -> str:
    """A bundled spec's TOML with ``[study].data`` pointing at ``data`` (absolute).

    Examples
    --------
    >>> 'data = "/d"' in spec_template("example", Path("/d"))
    True
    """
    from oncotrial.analysis import example_spec_path

    text = example_spec_path(name).read_text(encoding="utf-8")
    if data is not None:
        text = re.sub(r'(?m)^data\s*=.*$', lambda _m: f"data = {_toml_str(str(data))}", text, count=1)
    return text


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


REPORT_FORMATS = ("html", "docx", "pdf")


def report_formats(report: Path) -> tuple[str, ...]:
    """The formats of the report present beside ``report`` (``report.html``, ``.docx``, ``.pdf``).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "report.html").write_text("<!doctype html>"); _ = (d / "report.pdf").write_bytes(b"%PDF")
    >>> report_formats(d / "report.html")
    ('html', 'pdf')
    """
    return tuple(ext for ext in REPORT_FORMATS if report.with_suffix(f".{ext}").is_file())


def spec_default_rows() -> list[dict[str, str]]:
    """Every study-spec setting with its default (``StudySpec`` fields; required ones say so)."""
    from oncotrial.analysis import StudySpec

    rows = []
    for f in dataclasses.fields(StudySpec):
        if f.default is not dataclasses.MISSING:
            d = repr(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            d = repr(f.default_factory())
        else:
            d = "(required)"
        rows.append({"setting": f.name, "default": d})
    return rows


def study_page_ui(max_upload_mb: int) -> Any:
    """The study page's layout."""
    return ui.layout_sidebar(
        ui.sidebar(
            ui.h4("1. Data"),
            ui.input_text("study_folder", "Folder on the server's disk (template or SDTM)", value=""),
            ui.input_action_button("use_folder", "Use this folder", class_="btn-secondary"),
            ui.input_file("study_zip", f"…or upload a zip (at most {max_upload_mb} MB)", accept=[".zip"]),
            ui.h4("2. Study spec"),
            ui.input_select("spec_template", "Start from a bundled spec", choices=list(SPEC_TEMPLATES)),
            ui.input_file("spec_file", "…or upload a spec (TOML)", accept=[".toml"]),
            ui.input_text_area("spec_text", "Spec (TOML; docs/study-spec.md)", value="", rows=14,
                               width="100%"),
            ui.h4("3. Analysis"),
            ui.input_action_button("run_analysis", "Run the analysis", class_="btn-primary"),
            ui.output_ui("study_message"),
            width=440, open="always",
        ),
        ui.output_ui("data_status"),
        ui.h4("Validation findings"),
        ui.output_data_frame("findings"),
        ui.output_ui("progress"),
        ui.output_ui("downloads"),
        ui.output_ui("report_frame"),
        ui.h4("Spec settings and their defaults"),
        ui.output_data_frame("spec_defaults"),
    )


def study_page_server(input: Any, session: Any, files: SessionFiles, max_upload_mb: int) -> None:
    """Wire the study page to the session's folder."""
    data_dir: reactive.Value[Path | None] = reactive.value(None)
    message: reactive.Value[tuple[str, str] | None] = reactive.value(None)
    report: reactive.Value[Path | None] = reactive.value(None)
    steps: list[str] = []
    uploads = [0]

    def say(kind: str, text: str) -> None:
        message.set((kind, text))

    @reactive.effect
    @reactive.event(input.use_folder)
    def _use_folder() -> None:
        p = Path(input.study_folder().strip()).expanduser()
        if not p.is_dir():
            say("danger", f"`folder` of the study page must be an existing folder; got {str(p)!r}. "
                          "Give the absolute path of a template or SDTM folder.")
            return
        data_dir.set(find_study_folder(p) or p)
        say("info", f"Using {data_dir()}")

    @reactive.effect
    @reactive.event(input.study_zip)
    def _upload() -> None:
        info = (input.study_zip() or [None])[0]
        if info is None:
            return
        if info["size"] > max_upload_mb * 2**20:
            say("danger", f"`file` of the upload must be at most {max_upload_mb} MB; got {info['size']} bytes. "
                          "Upload only the study's data files.")
            return
        uploads[0] += 1
        dest = files.root / "upload" / str(uploads[0])
        try:
            safe_extract(info["datapath"], dest, max_bytes=max_upload_mb * 2**20 * 4)
        except OncotrialError as exc:
            shutil.rmtree(dest, ignore_errors=True)
            say("danger", str(exc))
            return
        found = find_study_folder(dest)
        if found is None:
            say("danger", f"`file` of the upload must hold a template (subjects.csv) or SDTM (dm.*) folder; "
                          f"got {info['name']!r}. Zip the study folder itself.")
            return
        data_dir.set(found)
        say("info", f"Uploaded {info['name']}: study files in {found.relative_to(files.root)}")

    @reactive.effect
    def _fill_spec() -> None:
        name = input.spec_template()
        d = data_dir()
        with reactive.isolate():
            ui.update_text_area("spec_text", value=spec_template(name, d))

    @reactive.effect
    @reactive.event(input.spec_file)
    def _spec_upload() -> None:
        info = (input.spec_file() or [None])[0]
        if info is None:
            return
        text = Path(info["datapath"]).read_text(encoding="utf-8", errors="replace")
        d = data_dir()
        if d is not None:
            text = re.sub(r'(?m)^data\s*=.*$', lambda _m: f"data = {_toml_str(str(d))}", text, count=1)
        ui.update_text_area("spec_text", value=text)

    @reactive.calc
    def report_findings() -> Any:
        from oncotrial.io import validate

        d = data_dir()
        return None if d is None else validate(d)

    @render.ui
    def data_status() -> Any:
        rep = report_findings()
        if rep is None:
            return ui.p("Choose a folder or upload a zip to begin.")
        n_err, n_warn = len(rep.errors), len(rep.warnings)
        cls = "success" if rep.ok else "danger"
        return ui.div(f"Data: {data_dir()} — {n_err} errors, {n_warn} warnings",
                      class_=f"alert alert-{cls}", id="validation-status")

    @render.data_frame
    def findings() -> Any:
        rep = report_findings()
        return None if rep is None else render.DataGrid(rep.to_frame(), filters=True)

    @render.data_frame
    def spec_defaults() -> Any:
        import pandas as pd

        return render.DataGrid(pd.DataFrame(spec_default_rows()))

    @render.ui
    def study_message() -> Any:
        m = message()
        return None if m is None else ui.div(m[1], class_=f"alert alert-{m[0]} oncotrial-study-message")

    @reactive.extended_task
    async def analyse(spec: Any, out: Path) -> Path:
        from oncotrial.analysis import run_analysis

        return await asyncio.to_thread(run_analysis, spec, out, steps.append)

    @reactive.effect
    @reactive.event(input.run_analysis)
    def _run() -> None:
        from oncotrial.analysis import parse_study_spec

        try:
            raw = tomllib.loads(input.spec_text())
            spec = parse_study_spec(raw, files.root)
        except tomllib.TOMLDecodeError as exc:
            say("danger", f"`spec` of the study page must be valid TOML; {exc}. Fix the syntax at that line.")
            return
        except OncotrialError as exc:
            say("danger", str(exc))
            return
        if files.out.exists():
            shutil.rmtree(files.out)
        (files.root / "outputs.zip").unlink(missing_ok=True)
        steps.clear()
        report.set(None)
        say("info", "Analysis running…")
        analyse(spec, files.out)

    @reactive.effect
    def _done() -> None:
        status = analyse.status()
        if status == "success":
            path = analyse.result()
            zip_folder(files.out, files.root / "outputs.zip")
            report.set(path)
            say("success", f"Analysis finished: {len(steps)} steps; report.html and every output are ready.")
        elif status == "error":
            try:
                analyse.result()
            except Exception as exc:  # any failure is shown to the user, nothing hidden
                say("danger", f"The analysis stopped: {exc}")

    @render.ui
    def progress() -> Any:
        if analyse.status() != "running":
            return None
        reactive.invalidate_later(0.4)
        last = steps[-1] if steps else "starting"
        return ui.div(ui.tags.strong("Running: "), f"step {len(steps)}: {last}",
                      class_="alert alert-warning", id="analysis-progress")

    def _formats() -> tuple[str, ...]:
        r = report()
        return () if r is None else report_formats(r)

    # report.docx / report.pdf are offered when, and as long as, they are in the output folder
    present = reactive.poll(_formats, 1.0)(_formats)

    @render.ui
    def downloads() -> Any:
        if report() is None:
            return None
        buttons = [ui.download_button(f"dl_report_{ext}", f"report.{ext}") for ext in present()]
        buttons.append(ui.download_button("dl_outputs_zip", "All outputs (zip)"))
        return ui.div(*buttons, class_="d-flex gap-2 my-2", id="report-downloads")

    @render.ui
    def report_frame() -> Any:
        r = report()
        if r is None:
            return None
        return ui.tags.iframe(src=f"{files.url(r)}?t={time.time_ns()}", id="report-frame",
                              style="width:100%;height:80vh;border:1px solid #ccc")

    def _file(suffix: str) -> Path:
        r = report()
        if r is None:
            raise silent()
        return r.with_suffix(suffix)

    @download(filename="report.html")
    def dl_report_html() -> Any:
        return str(_file(".html"))

    @download(filename="report.docx")
    def dl_report_docx() -> Any:
        return str(_file(".docx"))

    @download(filename="report.pdf")
    def dl_report_pdf() -> Any:
        return str(_file(".pdf"))

    @download(filename="oncotrial-outputs.zip")
    def dl_outputs_zip() -> Any:
        _file(".html")
        return str(files.root / "outputs.zip")

