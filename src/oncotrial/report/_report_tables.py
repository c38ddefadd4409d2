"""The report's tables as :class:`~oncotrial.report._table_model.ReportTable` models, in order.

Table 1 is built from the baseline rows of the results (label rows with indented levels, human
labels, "n (%)" / "median (range)"); the other tables take the display cells of
:func:`~oncotrial.report.build_tables` (so the numbers are the same strings) and add spanners per
cohort with their N, the CI level in headers, label rows for grouped rows, and footnotes from
:func:`~oncotrial.report._methods.table_footnotes`. Zero counts print as "0" (tern, gtsummary
``0``), not "0 (0.0)". Listings longer than :data:`LISTING_ROWS` rows go to the appendix.
"""

from __future__ import annotations

import re

import pandas as pd

from oncotrial.report._labels import Labels
from oncotrial.report._table_model import ReportTable, Row, Spanner, cohort_header, from_frame
from oncotrial.report._tables import _f, _lc, build_tables, table_titles

#: Per-patient listings with more rows than this go to the appendix (and their CSV).
LISTING_ROWS = 20
BASE_TITLES = {
    "flow": "Participant flow",
    "table1_baseline": "Baseline characteristics (treated population)",
    "table2_efficacy": "Tumour response (efficacy-evaluable population)",
    "table3_adverse_events": "Adverse events, worst grade per patient (safety population)",
    "survival": "Survival: medians, landmark rates and follow-up",
    "logrank": "Log-rank test across cohorts",
    "cox": "Cox regression: univariable and multivariable hazard ratios",
    "subgroups": "Objective response by subgroup",
    "gmi": "Growth modulation index per patient",
    "comparisons": "Comparisons with the reference arm",
    "notes": "Notes: spec entries not analysed and twin-spec assumptions",
}
_ZERO = re.compile(r"^0 \(0(\.0+)?\)$")


def _zero(cell: str) -> str:
    return "0" if _ZERO.match(cell) else cell


def _counts(results: dict, key: str) -> dict[str, int]:
    if key == "baseline":
        return {r["cohort"]: r["n"] for r in results["baseline"]}
    return {c: results["response"][c]["n_evaluable"] for c in results["study"]["cohorts"]}


def baseline_model(results: dict, title: str, notes: list[str]) -> ReportTable:
    """Table 1: a label row per variable with its levels indented (n (%)); numeric variables
    in one row (median (range)); columns per cohort with N."""
    lab = Labels(results)
    cohorts = results["study"]["cohorts"]
    counts = _counts(results, "baseline")
    by: dict[str, dict[str, dict[str, str]]] = {}
    numeric: set[str] = set()
    for r in results["baseline"]:
        cells = by.setdefault(r["variable"], {}).setdefault(r["level"], {})
        if "median" in r:
            numeric.add(r["variable"])
            cells[r["cohort"]] = ("—" if r["median"] is None else
                                  f"{_f(r['median'])} ({_f(r['min'])}-{_f(r['max'])})")
        else:
            cells[r["cohort"]] = _zero(f"{r['count']} ({_f(r['pct'])})")
    rows: list[Row] = []
    for var, levels in by.items():
        if var in numeric:
            cells = next(iter(levels.values()))
            rows.append(Row(lab.variable(var), tuple(cells.get(c, "") for c in cohorts)))
            continue
        rows.append(Row(lab.variable(var)))
        base = var.removesuffix(" (categories)")
        for lev, cells in levels.items():
            rows.append(Row(lab.level(base, lev), tuple(cells.get(c, "") for c in cohorts), 1))
    for var, pairs in results["spec"].get("level_labels") or []:
        have = by.get(var, by.get(f"{var} (categories)", {}))
        for code, _ in pairs:
            if code not in have:
                from oncotrial._errors import OncotrialValueError

                raise OncotrialValueError(
                    f"`[labels.levels.{var}].{code}` of the study spec must be a level of "
                    f"{var} in the data ({', '.join(map(str, have)) or 'none'}); got "
                    f"{code!r}. Fix the code or remove the line.")
    cols = tuple(cohort_header(c, counts.get(c, 0)) for c in cohorts)
    legend = ("n (%); median (range)" if numeric and len(numeric) < len(by) else
              "median (range)" if numeric else "n (%)")
    return ReportTable("table1_baseline", title, "Characteristic", cols, tuple(rows),
                       legend=legend, footnotes=tuple(notes))


def efficacy_model(results: dict, df: pd.DataFrame, title: str, notes: list[str]
                   ) -> ReportTable:
    """Table 2: best overall response categories under one label row, then the rates."""
    cohorts = results["study"]["cohorts"]
    counts = _counts(results, "response")
    rows: list[Row] = []
    in_bor = False
    for key, vals in zip(df.index, df.itertuples(index=False), strict=True):
        cells = tuple(str(v) for v in vals)
        if key.endswith(", n (%)"):
            if not in_bor:
                rows.append(Row("Best overall response, n (%)"))
                in_bor = True
            rows.append(Row(key.removesuffix(", n (%)"), tuple(_zero(c) for c in cells), 1))
            continue
        in_bor = False
        rows.append(Row(key, cells))
    cols = tuple(cohort_header(c, counts[c]) for c in cohorts)
    return ReportTable("table2_efficacy", title, "Response", cols, tuple(rows),
                       legend="n (%); rate: responders/n: % (CI)", footnotes=tuple(notes))


def ae_model(results: dict, stem: str, df: pd.DataFrame, title: str, notes: list[str]
             ) -> ReportTable:
    """Table 3: a spanner per cohort with its N over the grade columns."""
    cohorts = results["study"]["cohorts"]
    spanners, leaves = [], []
    cols = [str(c) for c in df.columns]
    for c in cohorts:
        mine = [x for x in cols if x.startswith(f"{c} (n = ") and x not in leaves]
        if not mine:
            continue
        n = mine[0][len(c) + 6:].split(")")[0]
        spanners.append(Spanner(f"{c} (N = {n})", len(mine)))
        leaves += mine
    if leaves != cols:  # an unexpected header: keep the flat columns rather than guess
        return from_frame(stem, title, df, stub="Adverse event", legend="n (%)",
                          footnotes=tuple(notes))
    heads = tuple(x.split(") ", 1)[1].capitalize().replace("Grade >= 3", "Grade ≥ 3")
                  for x in cols)
    rows = tuple(Row(str(k), tuple(_zero(str(v)) for v in vals))
                 for k, vals in zip(df.index, df.itertuples(index=False), strict=True))
    if not any(r.label.endswith(" *") for r in rows):  # the * footnote only where one is marked
        notes = [n for n in notes if not n.startswith("* ")]
    return ReportTable(stem, title, "Adverse event", heads, rows, tuple(spanners),
                       legend="n (%)", footnotes=tuple(notes))


def _ci_level(results: dict) -> str:
    return f"{100 * results['spec']['level']:g}% CI"


def cox_term(results: dict, term: str) -> str:
    """A Cox model term as a reader reads it: "Sex: Male vs Female", "Cohort: panNET vs GI-NET".

    Examples
    --------
    >>> r = {"spec": {}, "study": {"cohorts": ["A", "B", "All"]},
    ...      "cox": {"covariates": ["cohort", "sex", "age"], "univariable": [
    ...          {"term": "cohortA"}, {"term": "sexM"}, {"term": "age>=65"}]},
    ...      "baseline": [{"variable": "sex", "level": "F"}, {"variable": "sex", "level": "M"}]}
    >>> cox_term(r, "cohortA"), cox_term(r, "sexM"), cox_term(r, "age>=65")
    ('Cohort: A vs B', 'Sex: Male vs Female', 'Age, years: >=65')
    """
    lab = Labels(results)
    cx = results["cox"]
    covs = sorted(cx.get("covariates", []), key=len, reverse=True)
    cov = next((c for c in covs if term.startswith(c)), None)
    if cov is None:
        return term
    level = term[len(cov):]
    if not level:
        return f"{lab.variable(cov)} (per unit)"
    if level[0] in "<>":
        return f"{lab.variable(cov)}: {level}"
    if cov == "cohort":
        known = [c for c in results["study"]["cohorts"] if c != "All"]
    else:
        known = sorted({r["level"] for r in results.get("baseline") or []
                        if r["variable"] == cov and r["level"] != "Missing"})
    seen = {t["term"][len(cov):] for t in cx.get("univariable", []) if t["term"].startswith(cov)}
    ref = dict(cx.get("reference") or {}).get(cov)
    rest = [k for k in known if k not in seen]
    ref = ref if ref is not None else (rest[0] if len(rest) == 1 else None)
    text = f"{lab.variable(cov)}: {lab.level(cov, level)}"
    return text + (f" vs {lab.level(cov, ref)}" if ref is not None else "")


def build_report_tables(results: dict) -> list[ReportTable]:
    """Every report table as a model, in report order (appendix tables flagged)."""
    frames = build_tables(results)
    titles = {**BASE_TITLES, **table_titles(results), **_phase_titles(results)}
    from oncotrial.report._methods import table_footnotes

    try:
        foot = table_footnotes(results)
    except Exception:  # a failed analysis leaves its footnote out, never the table
        foot = {}
    lvl = _ci_level(results)
    lab = Labels(results)
    out: list[ReportTable] = []
    for stem, df in sorted(frames.items(), key=lambda kv: _order(kv[0])):
        try:
            out.append(_model(results, stem, df, titles, foot, lvl, lab))
        except Exception as exc:  # one broken table never takes the report down
            from oncotrial._errors import error_message
            from oncotrial.report._tables import note_frame

            results.setdefault("errors", {})[f"table:{stem}"] = error_message(exc)
            out.append(from_frame(stem, titles.get(stem, stem), note_frame(error_message(exc)),
                                  stub=""))
    return out


#: Body order: the seed papers' Table 1 (baseline), 2 (response), 3 (adverse events), then the
#: time-to-event tables, the flow by cohort (the flow chart is Figure 1) and the notes.
ORDER = ("table1_baseline", "table2_efficacy", "table3_adverse_events", "survival", "logrank",
         "comparisons", "cox", "subgroups", "flow", "gmi", "notes")


def _order(stem: str) -> tuple[int, str]:
    if stem in ORDER:
        return (ORDER.index(stem), "")
    if stem.startswith("table3_adverse_events_"):
        kind = stem.removeprefix("table3_adverse_events_")
        return (ORDER.index("table3_adverse_events"), "0" if kind in ("related", "serious")
                else "1")  # related/serious, then the phases in the spec's order (stable sort)
    return (len(ORDER), stem)


def _model(results: dict, stem: str, df: pd.DataFrame, titles: dict, foot: dict, lvl: str,
       lab: Labels) -> ReportTable:
    """The model of one table from its display frame (dispatch by stem)."""
    title = titles.get(stem, stem.replace("_", " ").capitalize())
    notes = foot.get(stem, [])
    if list(df.columns) == ["Note"] and stem != "notes":  # a failed analysis: its note
        return (from_frame(stem, title, df, stub=""))
    elif stem == "table1_baseline":
        return (baseline_model(results, title, notes))
    elif stem == "table2_efficacy":
        return (efficacy_model(results, df, title, notes))
    elif stem.startswith("table3_adverse_events"):
        return (ae_model(results, stem, df, title,
                            foot.get(stem, foot.get("table3_adverse_events", []))))
    elif stem == "survival":
        ren = {c: c.replace("(CI)", f"({lvl})") for c in map(str, df.columns)}
        return (from_frame(stem, title, df, stub="Endpoint / cohort", rename=ren,
                              legend="median and rates: estimate (CI)", footnotes=notes))
    elif stem == "cox":
        return (from_frame(stem, title, df, stub="Model / term",
                              rename={"HR (CI)": f"HR ({lvl})"}, footnotes=notes,
                              row_label=lambda *k: (cox_term(results, k[-1]) if len(k) > 1
                                                    else k[0].capitalize())))
    elif stem == "subgroups":
        return (from_frame(stem, title, df, stub="Subgroup",
                              rename={"ORR, % (CI)": f"ORR, % ({lvl})"}, footnotes=notes,
                              row_label=lambda *k: (lab.level(k[0].lower(), k[-1])
                                                    if len(k) > 1 else k[0])))
    elif stem == "comparisons":
        return (from_frame(stem, title, df, stub="Comparison / endpoint",
                              rename={"Effect (CI)": f"Effect ({lvl})"}, footnotes=notes))
    elif stem == "flow":
        return (_flow_model(results, df, title, notes))
    elif stem == "gmi":
        return (from_frame(stem, title, df, stub="Patient", footnotes=notes,
                              appendix=len(df) > LISTING_ROWS))
    else:
        return (from_frame(stem, title, df, footnotes=notes))


def _phase_titles(results: dict) -> dict[str, str]:
    from oncotrial._safe import slug

    safety = results.get("safety") if isinstance(results.get("safety"), dict) else {}
    sets = results["study"].get("analysis_sets")
    pop = (f", {_lc(results['study']['set_labels'][sets['safety']])}" if sets else
           " (safety population)")
    return {f"table3_adverse_events_{slug(p).replace('-', '_')}":
            f"Adverse events, worst grade per patient, {p.lower()} phase{pop}"
            for p in safety.get("phases", {})}


def _flow_model(results: dict, df: pd.DataFrame, title: str, notes: list[str]) -> ReportTable:
    t = from_frame("flow", title, df, footnotes=tuple(notes))
    rows = tuple(Row(r.label[:1].upper() + r.label[1:], r.cells,
                     1 if (r.indent or r.label.startswith("Excluded: ")) else 0)
                 for r in t.rows)
    return ReportTable("flow", title, t.stub or "Analysis set", t.columns, rows,
                       footnotes=tuple(notes))


__all__ = ["BASE_TITLES", "LISTING_ROWS", "build_report_tables", "cox_term"]
