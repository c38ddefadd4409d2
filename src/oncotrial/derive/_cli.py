"""CLI command ``oncotrial derive``: a thin layer over :func:`oncotrial.derive.derive_study`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from oncotrial._output import output_folder
from oncotrial._safe import safe_csv_frame
from oncotrial.derive._pipeline import derive_study

ADSL_DATES = ["RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT", "NACTDT", "REFDT"]


def _write(df, path: Path, raw: bool = False) -> None:
    out = df.copy()
    for c in out.columns:
        if str(out[c].dtype).startswith("datetime64"):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    (out if raw else safe_csv_frame(out)).to_csv(path, index=False)


def derive_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the ADaM CSVs to.")],
    sdtm: Annotated[Path | None, typer.Option("--sdtm", help="SDTM folder (dm, tu, tr, rs).")]
    = None,
    data: Annotated[Path | None, typer.Option("--data", help="CSV template folder.")] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="first-dose or randomization: origin of TTE and SD window "
                            "(default: the conventions').")] = None,
    confirm_days: Annotated[int, typer.Option(
        "--confirm-days", help="RECIST 1.1 4.6.1 confirmation interval (days).")] = 28,
    sd_min_days: Annotated[int, typer.Option(
        "--sd-min-days", help="SD minimum duration from the reference date (days).")] = 42,
    evaluator: Annotated[str | None, typer.Option(
        "--evaluator", help="e.g. INVESTIGATOR or 'RADIOLOGIST 1'.")] = None,
    responses_from: Annotated[str | None, typer.Option(
        "--responses-from", help="lesions (derive from TU/TR) or rs (use RS as given); "
                                 "default: the conventions'.")] = None,
    assessment_interval_days: Annotated[int | None, typer.Option(
        "--assessment-interval-days",
        help="Enables the PFS 'two or more missed assessments' censoring rule.")] = None,
    dor_basis: Annotated[str | None, typer.Option(
        "--dor-basis", help="confirmed (CBOR) or unconfirmed (BOR) responders enter DOR and TTR.")]
    = None,
    conventions: Annotated[str, typer.Option(
        "--conventions", help="oncotrial (default) or admiral: admiral/admiralonco template "
                              "conventions (docs/derivations.md).")] = "oncotrial",
    last_dose_fallback: Annotated[str | None, typer.Option(
        "--last-dose-fallback", help="missing (default) or exposure-start: TRTEDT without "
                                     "any exposure end date.")] = None,
    irecist: Annotated[bool, typer.Option(
        "--irecist", help="Also derive iRECIST IOVR/IBOR/IPFS from lesions.")] = False,
    domain: Annotated[list[str] | None, typer.Option(
        "--domain", help="With --sdtm: the file of a domain, e.g. --domain "
                         "rs=rs_onco_recist.csv (repeatable).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a non-empty --out that is not an earlier oncotrial output.")]
    = False,
    data_cutoff: Annotated[str | None, typer.Option(
        "--data-cutoff", help="Data cut-off YYYY-MM-DD; later dates are data errors "
                              "(default: today).")] = None,
    raw_adam: Annotated[bool, typer.Option(
        "--raw-adam", help="Write cells as they are (default: cells starting with = + - @ get "
                           "a leading ' against spreadsheet formula injection).")] = False,
    backend: Annotated[str, typer.Option(
        "--backend", help="local (this process) or dask: partitioned by subject on "
                          "dask.distributed, same result (docs/derivations.md).")] = "local",
    workers: Annotated[int, typer.Option(
        "--workers", help="--backend dask: LocalCluster worker processes.")] = 2,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="--backend dask: a running scheduler, e.g. tcp://HOST:8786.")]
    = None,
    partitions: Annotated[int | None, typer.Option(
        "--partitions", help="--backend dask: parts to cut the subjects into (default two "
                             "per worker).")] = None,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="--backend dask: progress bar of parts derived "
                                         "(default: on a terminal).")] = None,
) -> None:
    """Derive ADSL, ADRS (OVR/BOR/CBOR/...), ADTTE (OS/PFS/DOR/TTR), ADAE and the log.

    Writes CSVs, and ADSL/ADRS/ADTTE/ADAE also as SAS transport v5 (.xpt) with define.xml 2.0.
    """
    if (sdtm is None) == (data is None):
        raise typer.BadParameter("give exactly one of --sdtm DIR or --data DIR")
    if backend not in ("local", "dask"):
        raise typer.BadParameter(f"--backend must be local or dask; got {backend!r}")
    if backend == "local" and (scheduler is not None or partitions is not None):
        raise typer.BadParameter("--scheduler and --partitions need --backend dask")
    from oncotrial.io import read_sdtm, read_template

    t0 = time.perf_counter()
    from oncotrial.derive._conventions import conventions_of

    conv = conventions_of(conventions, evaluator=evaluator)
    domains = {}
    for item in domain or []:
        key, sep, file = item.partition("=")
        if not sep or not key.strip() or not file.strip():
            raise typer.BadParameter(f"--domain must be DOMAIN=FILE (e.g. rs=rs.csv); got "
                                     f"{item!r}")
        domains[key.strip().lower()] = file.strip()
    study = (read_sdtm(sdtm, evaluator=conv.evaluator, domains=domains or None,
                       data_cutoff=data_cutoff)
             if sdtm is not None else read_template(data, data_cutoff=data_cutoff))
    kw = {"reference": reference, "confirm_days": confirm_days, "sd_min_days": sd_min_days,
          "evaluator": evaluator, "responses_from": responses_from,
          "assessment_interval_days": assessment_interval_days, "dor_basis": dor_basis,
          "conventions": conventions, "last_dose_fallback": last_dose_fallback,
          "irecist": irecist}
    if backend == "dask":
        from oncotrial.derive._distributed import derive_study_partitioned

        res = derive_study_partitioned(study, backend="dask", workers=workers,
                                       scheduler=scheduler, partitions=partitions,
                                       progress=progress, **kw)
        from oncotrial.derive import _distributed

        info = _distributed.partition_info
        if info is not None:
            typer.echo(f"--backend dask: {info.partitions} part(s) of {info.sizes} subjects"
                       + (f"; {info.note}" if info.note else ""), err=True)
    else:
        res = derive_study(study, **kw)
    adrs = res.adrs.drop(columns=["REASON"])
    files = {"adsl.csv": res.adsl, "adrs.csv": adrs, "adtte.csv": res.adtte,
             "adae.csv": res.adae, "derivation_log.csv": res.log}
    if len(res.rs_comparison):
        files["rs_comparison.csv"] = res.rs_comparison
    if len(res.gmi):
        files["gmi.csv"] = res.gmi
    with output_folder(out, command="derive", force=force, spec=dict(res.settings),
                       inputs={"data": sdtm if sdtm is not None else data}) as tmp:
        for name, df in files.items():
            _write(df, tmp / name, raw_adam)
        from oncotrial.io._define_xml import write_adam_xpt

        xpt = write_adam_xpt(tmp, {"ADSL": res.adsl, "ADRS": adrs, "ADTTE": res.adtte,
                                   "ADAE": res.adae})
    typer.echo(f"oncotrial derive: {len(res.adsl)} subjects, {len(adrs)} ADRS rows, "
               f"{len(res.adtte)} ADTTE rows, {len(res.adae)} ADAE rows "
               f"in {time.perf_counter() - t0:.2f} s -> {out} "
               f"(CSV; XPT v5 + define.xml: {', '.join(p.name for p in xpt)})")
    if len(res.rs_comparison):
        c = res.rs_comparison
        n_dis = int((c["AGREE"] == "N").sum())
        typer.echo(f"RS comparison: {len(c) - n_dis}/{len(c)} visits agree; "
                   f"{n_dis} disagreement(s) in rs_comparison.csv (derived responses are used).")


def register(app: typer.Typer) -> None:
    """Add ``derive`` to the ``oncotrial`` app."""
    app.command("derive")(derive_command)
