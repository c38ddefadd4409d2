"""``oncotrial analyze``: spec -> analysis -> every output file; and the three-trial demo."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from oncotrial.analysis._pipeline import StudyAnalysis, analyze_study, results_json
from oncotrial.analysis._spec import StudySpec, load_study_spec, parse_study_spec
from oncotrial.io._define_xml import write_adam_xpt

DEMO_TRIALS = ("regomune", "nice-nec", "talent")


def _write_adam(analysis: StudyAnalysis, out: Path) -> None:
    adam = out / "adam"
    adam.mkdir(parents=True, exist_ok=True)
    d = analysis.derived
    frames = {"adsl": analysis.adsl, "adrs": d.adrs, "adtte": d.adtte, "adae": d.adae,
              "gmi": d.gmi, "timepoints": d.timepoints, "derivation_log": d.log}
    for name, df in frames.items():
        if isinstance(df, pd.DataFrame) and len(df.columns):
            df.to_csv(adam / f"{name}.csv", index=False, lineterminator="\n",
                      date_format="%Y-%m-%d", float_format="%.10g")
    # ADaM out: SAS transport v5 + define.xml 2.0 (oncotrial.io._define_xml)
    write_adam_xpt(adam, {"ADSL": analysis.adsl, "ADRS": d.adrs, "ADTTE": d.adtte,
                          "ADAE": d.adae}, study=_study_name(analysis.spec.title))


def _study_name(title: str) -> str:
    """A define.xml study name from the spec title (letters, digits, '-', '_')."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "_", title).strip("_")[:40] or "STUDY"


def run_analysis(spec: StudySpec | str | Path, out_dir: str | Path,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Analyse one study and write ``report.html``, ``results.json``, ``tables/``,
    ``figures/`` and ``adam/`` into ``out_dir``; returns the report path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from oncotrial.analysis import example_spec_path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = run_analysis(example_spec_path(), d)
    ...     sorted(x.name for x in pathlib.Path(d).iterdir())
    ['adam', 'figures', 'report.html', 'results.json', 'tables']
    """
    from oncotrial.report import write_report

    step = progress or (lambda _label: None)
    analysis = analyze_study(spec, progress=step)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    step("writing results.json and adam/")
    (out / "results.json").write_text(results_json(analysis.results), encoding="utf-8")
    _write_adam(analysis, out)
    step("tables, figures and report.html")
    return write_report(analysis, out)


def run_demo(out_dir: str | Path, progress: Callable[[str], None] | None = None) -> Path:
    """Generate the three bundled trial twins, analyse each with its bundled spec and write
    ``out_dir/index.html`` linking the three reports; returns the index path.

    Data go to ``out_dir/data/<name>``, reports to ``out_dir/<name>/report.html``.
    """
    import tomllib

    from oncotrial.analysis import example_spec_path
    from oncotrial.evidence.twins import generate_twin, write_twin

    out = Path(out_dir).resolve()
    step = progress or (lambda _label: None)
    links = []
    for name in DEMO_TRIALS:
        step(f"{name}: generating the twin")
        write_twin(generate_twin(name), out / "data" / name)
        raw = tomllib.loads(example_spec_path(name).read_text(encoding="utf-8"))
        spec = parse_study_spec(raw, out)  # [study].data = "data/<name>"
        report = run_analysis(spec, out / name, progress=lambda s, n=name: step(f"{n}: {s}"))
        links.append((name, spec.title, report.relative_to(out)))
    items = "\n".join(f'<li><a href="{html.escape(str(p))}">{html.escape(t)}</a> '
                      f"({html.escape(n)})</li>" for n, t, p in links)
    index = out / "index.html"
    index.write_text("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>oncotrial demo</title></head><body style=\"font-family:sans-serif;"
                     "max-width:800px;margin:2em auto\"><h1>oncotrial demo: three trial twins"
                     f"</h1><ul>\n{items}\n</ul><p>Each report is one self-contained file; "
                     "results.json beside it holds every number.</p></body></html>\n",
                     encoding="utf-8")
    return index


__all__ = ["DEMO_TRIALS", "load_study_spec", "run_analysis", "run_demo"]
