"""Assemble the web app (Shiny for Python): three pages, local assets only, per-session folders.

Shiny for Python is the convention for statisticians coming from R Shiny (teal, the BOP2
app); every script, style and font it uses ships in the ``shiny`` wheel and is served by
this process, so no request leaves the machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from shiny import App, ui

from oncotrial.app._design_page import design_page_server, design_page_ui
from oncotrial.app._evidence_page import evidence_page_server, evidence_page_ui
from oncotrial.app._study_page import SessionFiles, study_page_server, study_page_ui
from oncotrial.app._uploads import DEFAULT_MAX_UPLOAD_MB

__all__ = ["PAGES", "create_app"]

PAGES = ("design", "study", "evidence")

# Keeps the address bar in step with the design inputs (sent by the server), so the URL can be
# shared; written inline, no external script.
_URL_SCRIPT = """
$(function() {
  Shiny.addCustomMessageHandler("oncotrial-url", function(msg) {
    var url = window.location.pathname + msg.query;
    if (url !== window.location.pathname + window.location.search) {
      window.history.replaceState(null, "", url);
    }
  });
});
"""

_STYLE = """
.oncotrial-headline { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
.oncotrial-headline dt { font-weight: normal; color: #555; }
.oncotrial-headline dd { margin: 0; font-weight: 600; }
.oncotrial-error { white-space: pre-wrap; }
"""


def create_app(*, root: str | Path | None = None, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB) -> App:
    """Build the app. Session folders go under ``root`` (a fresh temporary folder by default).

    Examples
    --------
    >>> type(create_app()).__name__
    'App'
    """
    app_root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="oncotrial-app-"))
    app_root.mkdir(parents=True, exist_ok=True)

    def page(request: Any) -> Any:
        query = dict(request.query_params)
        selected = query.get("page") if query.get("page") in PAGES else "design"
        if "design" in query and "page" not in query:
            selected = "design"
        return ui.page_navbar(
            ui.nav_panel("Design", design_page_ui(query), value="design"),
            ui.nav_panel("Study", study_page_ui(max_upload_mb), value="study"),
            ui.nav_panel("Evidence", evidence_page_ui(), value="evidence"),
            title="oncotrial", id="page", selected=selected, fillable=False,
            header=ui.head_content(ui.tags.script(_URL_SCRIPT), ui.tags.style(_STYLE)),
        )

    def server(input: Any, output: Any, session: Any) -> None:
        files = SessionFiles.create(app_root)
        session.on_ended(files.remove)
        design_page_server(input, session, files.root / "simulate")
        study_page_server(input, session, files, max_upload_mb)
        evidence_page_server(input, session)

    return App(page, server, static_assets={"/session-files": app_root})
