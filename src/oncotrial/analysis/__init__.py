"""oncotrial.analysis: a study spec + data -> every result of the report (no plotting).

See docs/study-spec.md (the spec) and docs/report.md (what is computed and how it is shown).
"""

from pathlib import Path

from oncotrial.analysis._pipeline import StudyAnalysis, analyze_study, results_json
from oncotrial.analysis._run import DEMO_TRIALS, run_analysis, run_demo
from oncotrial.analysis._spec import (
    DAYS_PER_UNIT,
    CoxSpec,
    StudySpec,
    SubgroupSpec,
    load_study_spec,
    parse_study_spec,
)

BUNDLED_STUDY_SPECS = ("example", "regomune", "nice-nec", "talent")


def example_spec_path(name: str = "example") -> Path:
    """Path of a bundled study spec (``example``, ``regomune``, ``nice-nec``, ``talent``).

    Examples
    --------
    >>> example_spec_path().name
    'example.toml'
    """
    if name not in BUNDLED_STUDY_SPECS:
        from oncotrial._errors import bad_value
        raise bad_value("name", "example_spec_path", f"one of {list(BUNDLED_STUDY_SPECS)}", name)
    return Path(__file__).parent / "specs" / f"{name}.toml"


__all__ = [
    "BUNDLED_STUDY_SPECS",
    "DAYS_PER_UNIT",
    "DEMO_TRIALS",
    "CoxSpec",
    "StudyAnalysis",
    "StudySpec",
    "SubgroupSpec",
    "analyze_study",
    "example_spec_path",
    "load_study_spec",
    "parse_study_spec",
    "results_json",
    "run_analysis",
    "run_demo",
]
