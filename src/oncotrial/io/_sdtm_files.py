"""Finding and reading SDTM domain files (CSV, SAS transport v5/v8, sas7bdat) and merging SUPPxx.

File choice per domain (documented in docs/data-model.md, "Which file is read")
---------------------------------------------------------------------------------
Candidates for domain ``tu`` are files whose name, without extension and case-insensitively, is
``tu`` or starts with ``tu_`` (the pharmaversesdtm naming: ``tu_onco.csv``,
``tu_onco_recist.csv``), with extension ``.csv``, ``.xpt`` or ``.sas7bdat``.

1. an explicit override ``domains={"tu": "tu_onco_recist.csv"}`` wins;
2. else the file named exactly by the domain (``tu.xpt``);
3. else the only candidate;
4. else the *base* candidate, i.e. the one whose name is a prefix of every other candidate's
   name (``tu_onco`` for ``tu_onco`` + ``tu_onco_recist``), with a ``domain-variant`` warning
   naming the files left out and the override that selects them;
5. else a ``ambiguous-domain`` error listing the candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial._errors import bad_value
from oncotrial.io._coerce import clean_text
from oncotrial.io._issues import Issue

#: Domains the SDTM reader uses (SUPPxx merged into their parent domain).
DOMAINS: tuple[str, ...] = ("dm", "ds", "ex", "ae", "tu", "tr", "rs", "suppdm", "suppae")

#: Accepted file extensions and their format.
FORMATS: dict[str, str] = {".csv": "csv", ".xpt": "xpt", ".sas7bdat": "sas7bdat"}


def _candidates(files: list[Path], domain: str) -> list[Path]:
    out = []
    for f in files:
        stem = f.name[: -len(f.suffix)].lower() if f.suffix else f.name.lower()
        if stem == domain or stem.startswith(domain + "_"):
            out.append(f)
    return sorted(out, key=lambda p: p.name.lower())


def _stem(p: Path) -> str:
    return p.name[: -len(p.suffix)].lower()


def find_domain_files(folder: Path, domains: Mapping[str, str] | None,
                      issues: list[Issue]) -> dict[str, Path]:
    """Choose one file per domain by the documented rule; record problems in ``issues``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for n in ("DM.csv", "tu_onco.csv", "tu_onco_recist.csv"):
    ...         _ = (Path(tmp) / n).write_text("USUBJID\\n")
    ...     issues = []
    ...     got = find_domain_files(Path(tmp), None, issues)
    >>> sorted((k, v.name) for k, v in got.items()), [i.rule for i in issues]
    ([('dm', 'DM.csv'), ('tu', 'tu_onco.csv')], ['domain-variant'])
    """
    overrides = {str(k).lower(): v for k, v in (domains or {}).items()}
    for k in overrides:
        if k not in DOMAINS:
            raise bad_value("domains", "read_sdtm", f"keyed by SDTM domains {DOMAINS}", k)
    entries = [f for f in folder.iterdir() if f.suffix.lower() in FORMATS]
    files = [f for f in entries if f.is_file()]
    from oncotrial.io._files import check_entry

    for f in entries:  # a directory, link loop or unreadable entry is never silently absent
        if not f.is_file() and any(_candidates([f], d) for d in DOMAINS):
            check_entry(f, f.name, issues)
    chosen: dict[str, Path] = {}
    for d in DOMAINS:
        if d in overrides:
            p = Path(overrides[d])
            p = p if p.is_absolute() else folder / p
            if p.suffix.lower() not in FORMATS:
                issues.append(Issue(file=str(overrides[d]), row=None, column=None, value=None,
                                    expected=f"a .csv, .xpt or .sas7bdat file for domain "
                                             f"{d.upper()} (domains override)",
                                    rule="unknown-format"))
            elif not p.is_file():
                issues.append(Issue(file=str(overrides[d]), row=None, column=None, value=None,
                                    expected=f"an existing file for domain {d.upper()} "
                                             "(domains override)", rule="missing-file"))
            else:
                chosen[d] = p
            continue
        cands = _candidates(files, d)
        if not cands:
            continue
        exact = [c for c in cands if _stem(c) == d]
        if len(exact) == 1:
            chosen[d] = exact[0]
            continue
        if len(exact) > 1 or len(cands) > 1:
            pool = exact or cands
            shortest = min(pool, key=lambda p: len(_stem(p)))
            if not exact and all(_stem(c).startswith(_stem(shortest)) for c in pool) and \
                    sum(_stem(c) == _stem(shortest) for c in pool) == 1:
                chosen[d] = shortest
                others = ", ".join(c.name for c in pool if c != shortest)
                issues.append(Issue(
                    file=shortest.name, row=None, column=None, value=others, severity="warning",
                    expected=f"one {d.upper()} file; read {shortest.name} and left out the "
                             f"variants shown (select one with domains={{'{d}': 'FILE'}} or "
                             f"--domain {d}=FILE)", rule="domain-variant"))
            else:
                issues.append(Issue(
                    file=str(folder), row=None, column=None,
                    value=", ".join(c.name for c in pool),
                    expected=f"one file for domain {d.upper()}; choose with "
                             f"domains={{'{d}': 'FILE'}} or --domain {d}=FILE",
                    rule="ambiguous-domain"))
            continue
        chosen[d] = cands[0]
    return chosen


def _numbers_as_text(s: pd.Series) -> pd.Series:
    """Numeric column -> text: integral values without '.0', others by ``repr``."""
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(len(v), None, dtype=object)
    fin = np.isfinite(v)
    integral = fin & (np.mod(np.where(fin, v, 0.0), 1.0) == 0) & (np.abs(np.where(fin, v, 0)) < 1e15)
    out[integral] = v[integral].astype(np.int64).astype(str)
    rest = np.flatnonzero(fin & ~integral)
    out[rest] = [repr(float(x)) for x in v[rest]]
    return pd.Series(out, index=s.index, dtype="string")


def read_domain(path: Path, issues: list[Issue] | None = None, *,
                columns: Callable[[str], bool] | None = None) -> pd.DataFrame | None:
    """Read one domain file as text cells with upper-case variable names.

    CSV is read without type guessing; XPT (v5 or v8) with ``pyreadstat.read_xport`` and
    sas7bdat with ``pyreadstat.read_sas7bdat``, numeric variables turned into text (integral
    numbers without ``.0``) so every source gives the same cells. Empty cells and ``NA`` are
    missing. A file that cannot be read (see :mod:`oncotrial.io._files`) is recorded in
    ``issues`` and gives None. ``columns``, a predicate on the upper-case variable name, keeps
    only the variables it accepts (CSV: the others are never converted; every check of the
    file still covers them).
    """
    from oncotrial.io._files import read_csv_cells, read_sas_cells

    found: list[Issue] = [] if issues is None else issues
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "csv":
        # Issue 21: cleaned while still Arrow (one pass per column, no second frame).
        df = read_csv_cells(path, path.name, found, case="upper", clean=True, columns=columns)
        return None if df is None else _keep(df, columns).reset_index(drop=True)
    else:
        got = read_sas_cells(path, path.name, fmt, found)
        if got is None:
            return None
        df, _meta = got
        dup = pd.Index([str(c).strip().upper() for c in df.columns]).duplicated()
        for c in df.columns[dup]:
            found.append(Issue(file=path.name, row=None, column=str(c), value=None,
                               rule="duplicate-column",
                               expected="one variable per name (case-insensitive)"))
        if dup.any():
            return None
        for c in df.columns:
            if pd.api.types.is_numeric_dtype(df[c]):
                df[c] = _numbers_as_text(df[c])
    df.columns = [str(c).strip().upper() for c in df.columns]
    out = pd.DataFrame({c: clean_text(df[c]) for c in _keep(df, columns).columns},
                       index=df.index)
    return out.reset_index(drop=True)


def _keep(df: pd.DataFrame, columns: Callable[[str], bool] | None) -> pd.DataFrame:
    """``df`` with only the variables ``columns`` accepts (all of them when it is None)."""
    if columns is None or all(columns(str(c)) for c in df.columns):
        return df
    return df[[c for c in df.columns if columns(str(c))]]


def merge_supp(parent: pd.DataFrame, supp: pd.DataFrame, domain: str, supp_file: str,
               keep_qnams: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge a SUPPxx domain into its parent by USUBJID + IDVAR/IDVARVAL, one column per QNAM.

    A QNAM becomes a parent column (filling cells the parent leaves empty when the parent already
    has that variable). Returns the merged parent and the mapping-log rows (file, row, reason) of
    supplemental records not mapped: no parent record, a duplicate QNAM for one parent record,
    or a QNAM outside ``keep_qnams`` (when given).

    Examples
    --------
    >>> ae = pd.DataFrame({"USUBJID": ["A", "A"], "AESEQ": ["1", "2"]})
    >>> supp = pd.DataFrame({"USUBJID": ["A", "B"], "IDVAR": ["AESEQ"] * 2,
    ...                      "IDVARVAL": ["2", "1"], "QNAM": ["AETRTEM"] * 2, "QVAL": ["Y"] * 2})
    >>> merged, log = merge_supp(ae, supp, "AE", "suppae.csv")
    >>> merged["AETRTEM"].tolist(), log["row"].tolist()
    ([<NA>, 'Y'], [2])
    """
    need = ["USUBJID", "QNAM", "QVAL"]
    s = supp.copy()
    s["_row"] = np.arange(1, len(s) + 1)
    for c in ("IDVAR", "IDVARVAL"):
        if c not in s:
            s[c] = pd.Series(pd.NA, index=s.index, dtype="string")
    log_parts = []
    miss = s[need].isna().any(axis=1)
    if miss.any():
        log_parts.append(pd.DataFrame({"row": s.loc[miss, "_row"],
                                       "reason": "USUBJID, QNAM or QVAL missing"}))
    s = s[~miss]
    if keep_qnams is not None:
        other = ~s["QNAM"].str.upper().isin(keep_qnams)
        if other.any():
            log_parts.append(pd.DataFrame({
                "row": s.loc[other, "_row"],
                "reason": "QNAM " + s.loc[other, "QNAM"] + " is not part of the canonical model"}))
        s = s[~other]
    p = parent.copy()
    p["_prow"] = np.arange(len(p))
    links = []
    for idvar, grp in s.groupby(s["IDVAR"].fillna(""), sort=False):
        if idvar:
            if idvar not in p.columns:
                log_parts.append(pd.DataFrame({"row": grp["_row"],
                                               "reason": f"IDVAR {idvar} is not a {domain} variable"}))
                continue
            keyed = p[["USUBJID", idvar, "_prow"]].rename(columns={idvar: "IDVARVAL"})
            m = grp.merge(keyed, on=["USUBJID", "IDVARVAL"], how="left")
        else:
            m = grp.drop(columns="IDVARVAL").merge(p[["USUBJID", "_prow"]], on="USUBJID",
                                                   how="left")
        orphan = m["_prow"].isna()
        if orphan.any():
            log_parts.append(pd.DataFrame({
                "row": m.loc[orphan, "_row"],
                "reason": f"no {domain} record for this USUBJID/" + (idvar or "subject")}))
        links.append(m[~orphan])
    if links:
        lk = pd.concat(links, ignore_index=True)
        lk["_prow"] = lk["_prow"].astype("int64")
        dup = lk.duplicated(["_prow", "QNAM"], keep="first")
        if dup.any():
            log_parts.append(pd.DataFrame({"row": lk.loc[dup, "_row"],
                                           "reason": "duplicate QNAM for one parent record"}))
        lk = lk[~dup]
        wide = lk.pivot(index="_prow", columns="QNAM", values="QVAL")
        for q in wide.columns:
            vals = p["_prow"].map(wide[q]).astype("string")
            p[q] = p[q].fillna(vals) if q in p.columns else vals
    log = (pd.concat(log_parts, ignore_index=True) if log_parts
           else pd.DataFrame({"row": pd.Series([], dtype="int64"), "reason": []}))
    log.insert(0, "file", supp_file)
    return p.drop(columns="_prow"), log


__all__ = ["DOMAINS", "FORMATS", "find_domain_files", "merge_supp", "read_domain"]
