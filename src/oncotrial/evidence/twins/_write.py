"""Writing a twin in the template format (one CSV per canonical table)."""

from __future__ import annotations

from pathlib import Path

from oncotrial.evidence.twins._generate import TwinDataset
from oncotrial.io._schema import TABLES

__all__ = ["write_twin"]


def write_twin(twin: TwinDataset, path: str | Path) -> list[Path]:
    """Write the twin's tables as the template CSVs into folder ``path`` (created if needed).

    Output is byte-identical for the same spec and seed (fixed row order, column order of the
    schema, ``\\n`` line ends).

    Examples
    --------
    >>> import tempfile
    >>> from oncotrial.evidence.twins import generate_twin
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(p.name for p in write_twin(generate_twin("talent", seed=1), d))
    ['adverse_events.csv', 'exposure.csv', 'lesions.csv', 'prior_therapy.csv', 'responses.csv', 'subjects.csv']
    """
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in twin.tables().items():
        f = out / TABLES[name].file
        df[TABLES[name].column_names].to_csv(f, index=False, lineterminator="\n")
        written.append(f)
    return written
