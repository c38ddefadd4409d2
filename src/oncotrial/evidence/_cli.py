"""CLI commands of oncotrial.evidence: ``evidence list | show | search | compare``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from oncotrial._errors import OncotrialError
from oncotrial.evidence._compare import compare_proportion
from oncotrial.evidence._records import TrialRecord, load_records, records_frame, search_records

evidence_app = typer.Typer(help="Published-trial records, meta-analysis and benchmarking.",
                           no_args_is_help=True)

RecordsOpt = Annotated[list[Path] | None, typer.Option(
    "--records", help="Extra record file or folder (YAML, schema in docs/evidence.md); repeatable.")]
NoBuiltin = Annotated[bool, typer.Option("--no-builtin", help="Ignore the shipped records.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def _console() -> Console:
    c = Console()
    return c if c.is_terminal else Console(width=200)


def _load(records: list[Path] | None, no_builtin: bool) -> list[TrialRecord]:
    try:
        return load_records(records, builtin=not no_builtin)
    except OncotrialError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _emit(df: pd.DataFrame, as_json: bool, as_csv: bool, title: str) -> None:
    if as_json:
        typer.echo(df.to_json(orient="records", indent=1, force_ascii=False))
    elif as_csv:
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        t = RichTable(title=title)
        for c in df.columns:
            t.add_column(str(c), overflow="fold")
        for row in df.itertuples(index=False):
            t.add_row(*["" if pd.isna(v) else str(v) for v in row])
        _console().print(t)


@evidence_app.command("list")
def list_command(records: RecordsOpt = None, no_builtin: NoBuiltin = False,
                 as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """List every record (id, name, registry id, phase, line, population, agents)."""
    recs = _load(records, no_builtin)
    _emit(records_frame(recs), as_json, as_csv, f"{len(recs)} trial records")


@evidence_app.command("show")
def show_command(record_id: Annotated[str, typer.Argument(help="Record id, e.g. NICE-NEC.")],
                 records: RecordsOpt = None, no_builtin: NoBuiltin = False,
                 as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Show one record: its fields, sources and every outcome with its source sentence."""
    recs = {r.id.lower(): r for r in _load(records, no_builtin)}
    r = recs.get(record_id.lower())
    if r is None:
        typer.echo(f"error: no record with id {record_id!r}; run `oncotrial evidence list`.",
                   err=True)
        raise typer.Exit(2)
    outcomes = pd.DataFrame([{f: getattr(o, f) for f in o.__slots__} for o in r.outcomes])
    if as_json:
        fields = {f: getattr(r, f) for f in r.__slots__ if f != "outcomes"}
        fields["outcomes"] = outcomes.to_dict(orient="records")
        typer.echo(json.dumps(fields, indent=1, ensure_ascii=False, default=list))
        return
    if as_csv:
        typer.echo(outcomes.to_csv(index=False), nl=False)
        return
    con = _console()
    con.print(f"[bold]{r.id}[/bold]: {r.name}")
    for f in ("registry_id", "phase", "design", "line", "tumor_type", "grade", "differentiation",
              "primary_sites", "agents", "targets", "drug_class", "n_enrolled", "n_evaluable",
              "notes", "file"):
        v = getattr(r, f)
        con.print(escape(f"  {f}: {'; '.join(v) if isinstance(v, tuple) else v}"))
    for s in r.sources:
        con.print(escape(f"  source [{s['key']}]: {s['citation']}"))
    _emit(outcomes.drop(columns=["derivation"]), False, False, "Outcomes")


def _filters(line, drug_class, target, tumor_type, grade, primary_site, phase) -> dict:
    return {"line": line, "drug_class": drug_class, "target": target, "tumor_type": tumor_type,
            "grade": grade, "primary_site": primary_site, "phase": phase}


LineOpt = Annotated[int | None, typer.Option(help="1 = first line, 2 = second line or later.")]
ClassOpt = Annotated[str | None, typer.Option("--drug-class", help="e.g. ICI, TKI, chemotherapy.")]
TargetOpt = Annotated[str | None, typer.Option(help="e.g. PD-1, PD-L1, CTLA-4, VEGFR.")]
TypeOpt = Annotated[str | None, typer.Option("--tumor-type",
                                             help="NEC (includes mixed), NET or mixed.")]
GradeOpt = Annotated[str | None, typer.Option(help="G1, G2 or G3.")]
SiteOpt = Annotated[str | None, typer.Option("--primary-site", help="e.g. pancreas, GEP.")]
PhaseOpt = Annotated[str | None, typer.Option(help="I, II, I/II, II/III or III.")]


@evidence_app.command("search")
def search_command(line: LineOpt = None, drug_class: ClassOpt = None, target: TargetOpt = None,
                   tumor_type: TypeOpt = None, grade: GradeOpt = None,
                   primary_site: SiteOpt = None, phase: PhaseOpt = None,
                   records: RecordsOpt = None, no_builtin: NoBuiltin = False,
                   as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Records matching every given filter."""
    hits = search_records(_load(records, no_builtin),
                          **_filters(line, drug_class, target, tumor_type, grade, primary_site,
                                     phase))
    _emit(records_frame(hits), as_json, as_csv, f"{len(hits)} matching records")


@evidence_app.command("compare")
def compare_command(
    responders: Annotated[int, typer.Option(help="Responders (events) in the new trial.")],
    n: Annotated[int, typer.Option("--n", help="Evaluable patients in the new trial.")],
    endpoint: Annotated[str, typer.Option(help="orr, dcr, pfs_rate or os_rate.")] = "orr",
    population: Annotated[str | None, typer.Option(
        help="NEC or NET: trials of only that type plus the matching subgroups of mixed trials "
             "(default: --tumor-type).")] = None,
    subgroup: Annotated[str | None, typer.Option(help="Pool exactly this subgroup.")] = None,
    timepoint: Annotated[str | None, typer.Option(
        help="Landmark of pfs_rate/os_rate, e.g. '6 months'.")] = None,
    new_id: Annotated[str | None, typer.Option(
        "--new-id", help="Record id of the new trial (left out of its history).")] = None,
    keep_identical: Annotated[bool, typer.Option(
        "--keep-identical", help="Keep records reporting exactly responders/n.")] = False,
    measure: Annotated[str, typer.Option(help="PLO or PFT.")] = "PLO",
    method: Annotated[str, typer.Option(help="REML, DL or GLMM.")] = "REML",
    alternative: Annotated[str, typer.Option(help="two-sided, greater or less.")] = "two-sided",
    label: Annotated[str, typer.Option(help="Label of the new trial.")] = "New trial",
    plot: Annotated[Path | None, typer.Option(help="Write a forest plot (PNG/SVG/PDF).")] = None,
    line: LineOpt = None, drug_class: ClassOpt = None, target: TargetOpt = None,
    tumor_type: TypeOpt = None, grade: GradeOpt = None, primary_site: SiteOpt = None,
    phase: PhaseOpt = None, records: RecordsOpt = None, no_builtin: NoBuiltin = False,
    as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Pool like-with-like historical results and test a new trial's rate against them.

    Every record is listed with its status (pooled / reference / excluded) and the reason.
    """
    recs = _load(records, no_builtin)
    try:
        res = compare_proportion(
            responders, n, recs, endpoint=endpoint, population=population, subgroup=subgroup,
            timepoint=timepoint, new_id=new_id, exclude_identical=not keep_identical,
            measure=measure, method=method, alternative=alternative, new_label=label,
            **_filters(line, drug_class, target, tumor_type, grade, primary_site, phase))
    except OncotrialError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if plot is not None:
        from oncotrial.report._figure_base import save_figure

        fig = res.forest_figure()
        fmt = plot.suffix.lstrip(".").lower() or "png"
        save_figure(fig, plot.with_suffix(""), formats=(fmt,))
    if as_json:
        out = {"summary": res.summary().to_dict(orient="records")[0],
               "studies": res.studies.to_dict(orient="records"),
               "considered": json.loads(res.considered.to_json(orient="records")),
               "references": json.loads(res.references.to_json(orient="records")),
               "estimators": json.loads(res.estimators.to_json(orient="records")),
               "note": res.note, "skipped": list(res.skipped)}
        typer.echo(json.dumps(out, indent=1, default=float))
        return
    if as_csv:
        typer.echo(res.summary().to_csv(index=False), nl=False)
        return
    _emit(res.studies.round(4), False, False,
          f"Historical results pooled (population {res.population or 'as recorded'})")
    s = res.summary().iloc[0]
    con = _console()
    con.print(f"Pooled {endpoint} ({method}, {measure}, k={res.pooled.k}): {s.pooled:.3f} "
              f"[{s.pooled_ci_low:.3f}, {s.pooled_ci_high:.3f}], prediction interval "
              f"[{s.pi_low:.3f}, {s.pi_high:.3f}], tau2 {s.tau2:.4f}, I2 {s.i2:.1f}%")
    con.print(f"{label}: {responders}/{n} = {responders / n:.3f}; exact binomial test vs "
              f"{s.pooled:.3f} ({alternative}): p = {s.pvalue:.4g}")
    est = res.estimators.drop(columns=["error"]).round(4)
    _emit(est, False, False, "Estimators side by side")
    if res.note:
        con.print(escape(res.note))
    if len(res.references):
        _emit(res.references, False, False, "Reference values (no count/denominator; not pooled)")
    other = res.considered[res.considered.status == "excluded"]
    unmatched = other.reason.str.startswith("does not match the filters")
    _emit(other[~unmatched][["id", "population", "count", "n", "reason"]], False, False,
          "Records left out, and why")
    if unmatched.any():
        con.print(escape(f"Not matching the filters ({int(unmatched.sum())}): "
                         f"{', '.join(other.id[unmatched])} (--json lists each reason)"))
    if plot is not None:
        con.print(f"Forest plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``evidence`` command group to the ``oncotrial`` app."""
    app.add_typer(evidence_app, name="evidence")
