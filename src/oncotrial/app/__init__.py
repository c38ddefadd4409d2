"""oncotrial.app: the local web app (``oncotrial app``): design calculators and simulation, study analysis and
evidence in the browser. It holds no statistics: every page calls the API the CLI calls.
See ``docs/app.md``.

Imported lazily so that the CLI does not load shiny unless the app is started.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PAGES", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in ("PAGES", "create_app"):
        from oncotrial.app import _main
        return getattr(_main, name)
    if name == "serve":
        from oncotrial.app._serve import serve
        return serve
    raise AttributeError(f"module 'oncotrial.app' has no attribute {name!r}")
