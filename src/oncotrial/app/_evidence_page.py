"""Evidence page: browse and search the trial records with their source sentences, and
compare a new trial's rate with the pooled historical one (forest plot).

Filters are those of ``oncotrial evidence search`` (:func:`oncotrial.evidence.search_records`)
plus a free-text box over id, name and agents; the comparison is
:func:`oncotrial.evidence.compare_proportion` and its plot the report's forest plot.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from shiny import reactive, render, ui

from oncotrial._errors import OncotrialError

__all__ = ["evidence_page_server", "evidence_page_ui"]

_ANY = ""


def _choice(id_: str, label: str, options: list[str]) -> Any:
    return ui.input_select(id_, label, choices={_ANY: "any", **{o: o for o in options}}, selected=_ANY)


def evidence_page_ui() -> Any:
    """The evidence page's layout."""
    return ui.layout_sidebar(
        ui.sidebar(
            ui.h4("Search"),
            ui.input_text("ev_text", "Text (id, name, agents)", value=""),
            _choice("ev_line", "Line of therapy", ["1", "2"]),
            ui.input_text("ev_drug_class", "Drug class (e.g. ICI, TKI, chemotherapy)", value=""),
            ui.input_text("ev_target", "Target (e.g. PD-1, VEGFR)", value=""),
            _choice("ev_tumor_type", "Tumour type", ["NEC", "NET", "mixed"]),
            _choice("ev_grade", "Grade", ["G1", "G2", "G3"]),
            ui.input_text("ev_primary_site", "Primary site (e.g. pancreas, GEP)", value=""),
            _choice("ev_phase", "Phase", ["I", "II", "I/II", "II/III", "III"]),
            ui.h4("Compare a new trial"),
            ui.input_numeric("cmp_responders", "Responders (patients)", value=7, min=0, step=1),
            ui.input_numeric("cmp_n", "Evaluable patients", value=38, min=1, step=1),
            ui.input_select("cmp_endpoint", "Endpoint", choices=["orr", "dcr", "pfs_rate", "os_rate"]),
            ui.input_select("cmp_population", "Population pooled (like with like: NEC-only trials "
                            "plus the NEC subgroups of mixed trials)", choices=["NEC", "NET"]),
            ui.input_text("cmp_subgroup", "Subgroup (empty = whole population; e.g. NEC)", value=""),
            ui.input_select("cmp_measure", "Measure", choices=["PLO", "PFT"]),
            ui.input_select("cmp_method", "Method", choices=["REML", "DL", "GLMM"]),
            ui.input_select("cmp_alternative", "Alternative", choices=["two-sided", "greater", "less"]),
            ui.input_text("cmp_label", "Label of the new trial", value="New trial"),
            width=380, open="always",
        ),
        ui.output_ui("ev_count"),
        ui.output_data_frame("ev_records"),
        ui.h4("Outcomes of the selected record, with their source sentences"),
        ui.output_data_frame("ev_outcomes"),
        ui.h4("Comparison with the pooled historical rate"),
        ui.output_ui("cmp_summary"),
        ui.output_plot("cmp_forest", height="480px"),
        ui.output_data_frame("cmp_studies"),
    )


def evidence_page_server(input: Any, session: Any) -> None:
    """Wire the evidence page to :mod:`oncotrial.evidence`."""
    from oncotrial.evidence import compare_proportion, load_records, records_frame, search_records

    records = load_records()

    @reactive.calc
    def hits() -> list[Any]:
        filters = {"line": int(input.ev_line()) if input.ev_line() else None,
                   "drug_class": input.ev_drug_class().strip() or None,
                   "target": input.ev_target().strip() or None,
                   "tumor_type": input.ev_tumor_type() or None, "grade": input.ev_grade() or None,
                   "primary_site": input.ev_primary_site().strip() or None, "phase": input.ev_phase() or None}
        found = search_records(records, **filters)
        text = input.ev_text().strip().lower()
        if text:
            found = [r for r in found if text in " ".join((r.id, r.name, *r.agents)).lower()]
        return found

    @render.ui
    def ev_count() -> Any:
        return ui.p(f"{len(hits())} of {len(records)} records match.", id="evidence-count")

    @render.data_frame
    def ev_records() -> Any:
        return render.DataGrid(records_frame(hits()).astype(object).where(lambda d: d.notna(), ""),
                               selection_mode="row")

    @render.data_frame
    def ev_outcomes() -> Any:
        rows = ev_records.cell_selection()["rows"]
        found = hits()
        if not rows or rows[0] >= len(found):
            return None
        rec = found[rows[0]]
        df = pd.DataFrame([{f: getattr(o, f) for f in o.__slots__} for o in rec.outcomes])
        cols = [c for c in ("endpoint", "subgroup", "timepoint", "value", "unit", "ci_low", "ci_high",
                            "count", "n", "source", "quote") if c in df.columns]
        return render.DataGrid(df[cols].astype(object).where(df[cols].notna(), ""))

    @reactive.calc
    def comparison() -> Any:
        try:
            return compare_proportion(
                int(input.cmp_responders()), int(input.cmp_n()), hits(), endpoint=input.cmp_endpoint(),
                population=input.cmp_population(),
                subgroup=input.cmp_subgroup().strip() or None, measure=input.cmp_measure(),
                method=input.cmp_method(), alternative=input.cmp_alternative(),
                new_label=input.cmp_label() or "New trial")
        except (OncotrialError, TypeError) as exc:
            return str(exc) if isinstance(exc, OncotrialError) else "Enter whole numbers of patients."

    @render.ui
    def cmp_summary() -> Any:
        res = comparison()
        if isinstance(res, str):
            return ui.div(res, class_="alert alert-danger oncotrial-error")
        s = res.summary().iloc[0]
        return ui.div(
            ui.p(f"Pooled {res.endpoint} (k = {res.pooled.k}): {s.pooled:.3f} "
                 f"[{s.pooled_ci_low:.3f}, {s.pooled_ci_high:.3f}]; prediction interval "
                 f"[{s.pi_low:.3f}, {s.pi_high:.3f}]; tau² {s.tau2:.4f}; I² {s.i2:.1f} %"),
            ui.p(f"{input.cmp_label()}: {input.cmp_responders()}/{input.cmp_n()}; exact binomial test "
                 f"against the pooled rate ({input.cmp_alternative()}): p = {s.pvalue:.4g}"),
            ui.p(f"Skipped (no count or denominator): {', '.join(res.skipped)}") if res.skipped else None,
            id="compare-summary")

    @render.plot(alt="Forest plot")
    def cmp_forest() -> Any:
        from oncotrial.report._forest import forest_plot

        res = comparison()
        if isinstance(res, str):
            return None
        return forest_plot(res.forest_rows(), xlabel=f"{res.endpoint.upper()} (proportion)",
                           ref_line=res.pooled.estimate, value_format="{:.3f}")

    @render.data_frame
    def cmp_studies() -> Any:
        res = comparison()
        return None if isinstance(res, str) else render.DataGrid(res.studies.round(4))
