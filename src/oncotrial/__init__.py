"""oncotrial — the phase II oncology trial workbench.

Data flows one way: ``io`` -> ``derive`` -> ``stats`` -> ``analysis`` -> ``report``;
``design`` and ``evidence`` stand beside that line. See the README for the map.
"""

from oncotrial._errors import OncotrialError, OncotrialValueError

__all__ = ["OncotrialError", "OncotrialValueError", "__version__"]


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the installed metadata on first use: importlib.metadata
    # costs more than the rest of ``import oncotrial`` (CLI start-up, issue 21).
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("oncotrial")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'oncotrial' has no attribute {name!r}")
