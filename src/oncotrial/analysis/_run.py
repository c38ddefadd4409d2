"""``oncotrial analyze``: spec -> analysis -> every output file; and the three-trial demo."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from oncotrial._csv import csv_text
from oncotrial._output import output_folder
from oncotrial._safe import safe_csv_frame
from oncotrial.analysis._pipeline import StudyAnalysis, analyze_study, results_json
from oncotrial.analysis._spec import StudySpec, load_study_spec, parse_study_spec
from oncotrial.io._define_xml import write_adam_xpt

DEMO_TRIALS = ("regomune", "nice-nec", "talent")


def _write_adam(analysis: StudyAnalysis, out: Path, raw_adam: bool = False) -> None:
    adam = out / "adam"
    adam.mkdir(parents=True, exist_ok=True)
    d = analysis.derived
    frames = {"adsl": analysis.adsl, "adrs": d.adrs, "adtte": d.adtte, "adae": d.adae,
              "gmi": d.gmi, "timepoints": d.timepoints, "derivation_log": d.log}
    for name, df in frames.items():
        if isinstance(df, pd.DataFrame) and len(df.columns):
            # csv_text: pandas' to_csv text, formatted per distinct value (issue 21)
            text = csv_text(df if raw_adam else safe_csv_frame(df), float_format="%.10g",
                            date_format="%Y-%m-%d")
            (adam / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    # ADaM out: SAS transport v5 + define.xml 2.0 (oncotrial.io._define_xml)
    write_adam_xpt(adam, {"ADSL": analysis.adsl, "ADRS": d.adrs, "ADTTE": d.adtte,
                          "ADAE": d.adae}, study=_study_name(analysis.spec.title))


def _study_name(title: str) -> str:
    """A define.xml study name from the spec title (letters, digits, '-', '_')."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "_", title).strip("_")[:40] or "STUDY"


def run_analysis(spec: StudySpec | str | Path, out_dir: str | Path,
                 progress: Callable[[str], None] | None = None, *, force: bool = False,
                 raw_adam: bool = False, data_cutoff: str | None = None) -> Path:
    """Analyse one study and write ``report.html``, ``results.json``, ``tables/``,
    ``figures/``, ``adam/`` and ``manifest.json`` into ``out_dir``; returns the report path.

    The folder is written atomically (:func:`oncotrial._output.output_folder`): into a
    temporary sibling renamed into place at the end, with ``manifest.json`` last; an earlier
    oncotrial output is replaced whole, any other non-empty folder is refused unless
    ``force=True``. Text cells of ``adam/*.csv`` that a spreadsheet would run as formulas are
    prefixed with ``'`` unless ``raw_adam=True`` (OWASP; docs/reliability.md). ``data_cutoff``
    overrides the spec's ``[study].data_cutoff``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from oncotrial.analysis import example_spec_path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = run_analysis(example_spec_path(), d)
    ...     sorted(x.name for x in pathlib.Path(d).iterdir())
    ['adam', 'figures', 'manifest.json', 'report.docx', 'report.html', 'report.pdf', 'results.json', 'tables']
    """
    from oncotrial.report import write_report
    from oncotrial.report._figures import start_figures

    step = progress or (lambda _label: None)
    spec_path = None
    if not isinstance(spec, StudySpec):
        spec_path = Path(spec)
        spec = load_study_spec(spec)
    if data_cutoff is not None:
        spec = dataclasses.replace(spec, data_cutoff=str(data_cutoff))
    final = Path(out_dir)
    with output_folder(final, command="analyze", force=force, spec=spec.to_dict(),
                       inputs={"spec": spec_path, "data": spec.data}) as out:
        analysis = analyze_study(spec, progress=step)
        # figures first: with 2 worker processes (large studies) they render while adam/ is
        # written (issue 21); write_report waits for them
        figures = start_figures(analysis, out / "figures")
        try:
            step("writing adam/")
            _write_adam(analysis, out, raw_adam)
            step("tables, figures and report.html")

            def write_results() -> None:  # while report.pdf is written (large studies)
                step("writing results.json and manifest.json")
                (out / "results.json").write_text(results_json(analysis.results),
                                                  encoding="utf-8")

            write_report(analysis, out, figures=figures, meanwhile=write_results)
        finally:
            figures.cancel()
    return final / "report.html"


def run_demo(out_dir: str | Path, progress: Callable[[str], None] | None = None, *,
             force: bool = False) -> Path:
    """Generate the three bundled trial twins, analyse each with its bundled spec and write
    ``out_dir/index.html`` linking the three reports; returns the index path.

    Data go to ``out_dir/data/<name>``, reports to ``out_dir/<name>/report.html``. The whole
    folder is written atomically, as :func:`run_analysis` writes its folder.
    """
    import tomllib

    from oncotrial.analysis import example_spec_path
    from oncotrial.evidence.twins import generate_twin, write_twin

    final = Path(out_dir)
    step = progress or (lambda _label: None)
    links = []
    with output_folder(final, command="demo", force=force) as out:
        for name in DEMO_TRIALS:
            step(f"{name}: generating the twin")
            write_twin(generate_twin(name), out / "data" / name)
            raw = tomllib.loads(example_spec_path(name).read_text(encoding="utf-8"))
            spec = parse_study_spec(raw, out)  # [study].data = "data/<name>"
            report = run_analysis(spec, out / name, progress=lambda s, n=name: step(f"{n}: {s}"))
            links.append((name, spec.title, report.relative_to(out)))
        _write_index(out, links)
    return final / "index.html"


def _write_index(out: Path, links: list) -> None:
    items = "\n".join(f'<li><a href="{html.escape(str(p))}">{html.escape(t)}</a> '
                      f"({html.escape(n)})</li>" for n, t, p in links)
    index = out / "index.html"
    index.write_text("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>oncotrial demo</title></head><body style=\"font-family:sans-serif;"
                     "max-width:800px;margin:2em auto\"><h1>oncotrial demo: three trial twins"
                     f"</h1><ul>\n{items}\n</ul><p>Each report is one self-contained file; "
                     "results.json beside it holds every number.</p></body></html>\n",
                     encoding="utf-8")


__all__ = ["DEMO_TRIALS", "load_study_spec", "run_analysis", "run_demo"]
