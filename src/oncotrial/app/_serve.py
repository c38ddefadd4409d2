"""Run the app with uvicorn (bundled with shiny), bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import sys

__all__ = ["LOCAL_HOSTS", "host_warning", "serve"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_warning(host: str) -> str | None:
    """The warning printed when the app listens beyond this machine (``None`` for loopback).

    Examples
    --------
    >>> host_warning("127.0.0.1") is None
    True
    >>> host_warning("0.0.0.0")[:8]
    'warning:'
    """
    if host in LOCAL_HOSTS:
        return None
    return (f"warning: oncotrial app listens on {host}: anyone who can reach this machine can use it, "
            "read the folders it can read and upload data. There is no login. Use --host 127.0.0.1 "
            "(the default) unless the network is trusted.")


def serve(host: str = "127.0.0.1", port: int = 8000, *, max_upload_mb: int | None = None) -> None:
    """Start the app and block until interrupted."""
    import uvicorn

    from oncotrial.app._main import create_app
    from oncotrial.app._uploads import DEFAULT_MAX_UPLOAD_MB

    warn = host_warning(host)
    if warn:
        print(warn, file=sys.stderr, flush=True)
    app = create_app(max_upload_mb=max_upload_mb or DEFAULT_MAX_UPLOAD_MB)
    shown = f"[{host}]" if ":" in host else host
    print(f"oncotrial app: http://{shown}:{port}/  (Ctrl+C stops it)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
