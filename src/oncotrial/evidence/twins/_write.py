"""Writing a twin in the template format (through :func:`oncotrial.io.write_template`)."""

from __future__ import annotations

from pathlib import Path

from oncotrial.evidence.twins._generate import TwinDataset
from oncotrial.io import StudyData, write_template

__all__ = ["to_study_data", "write_twin"]


def to_study_data(twin: TwinDataset) -> StudyData:
    """The twin's tables as an :class:`oncotrial.io.StudyData` (``kind='template'``).

    Examples
    --------
    >>> from oncotrial.evidence.twins import generate_twin
    >>> to_study_data(generate_twin("nice-nec", seed=1)).subjects.shape[0]
    38
    """
    t = twin.tables()
    return StudyData(subjects=t["subjects"], lesions=t["lesions"], responses=t["responses"],
                     adverse_events=t["adverse_events"], exposure=t["exposure"],
                     prior_therapy=t["prior_therapy"], kind="template",
                     source=f"twin:{twin.spec.name}:seed={twin.seed}")


def write_twin(twin: TwinDataset, path: str | Path, *, force: bool = False) -> Path:
    """Write the twin as a template folder (one CSV per canonical table) and return the folder.

    A folder that already holds template files is refused unless ``force=True``
    (:func:`oncotrial.io.write_template`: all six files or none).

    Output is byte-identical for the same spec and seed (fixed row order, schema column
    order). ``oncotrial.io.read_template`` reads it back; ``oncotrial derive --data`` derives it.

    Examples
    --------
    >>> import tempfile
    >>> from oncotrial.evidence.twins import generate_twin
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(p.name for p in write_twin(generate_twin("talent", seed=1), d).iterdir())
    ['adverse_events.csv', 'exposure.csv', 'lesions.csv', 'prior_therapy.csv', 'responses.csv', 'subjects.csv']
    """
    return write_template(to_study_data(twin), path, force=force)
