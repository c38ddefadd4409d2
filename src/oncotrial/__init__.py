"""oncotrial — the phase II oncology trial workbench.

Data flows one way: ``io`` -> ``derive`` -> ``stats`` -> ``analysis`` -> ``report``;
``design`` and ``evidence`` stand beside that line. See the README for the map.
"""

from importlib.metadata import PackageNotFoundError, version

from oncotrial._errors import OncotrialError, OncotrialValueError

try:
    __version__ = version("oncotrial")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["OncotrialError", "OncotrialValueError", "__version__"]
