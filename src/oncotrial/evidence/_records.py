"""Published-trial records: schema, validated loading (package data + user files), search.

The schema is documented for people in ``docs/evidence.md``; this module is its single source of
truth. Built-in records live in ``oncotrial/evidence/records/*.yaml`` (one YAML list per source
paper); users add their own with ``load_records(extra=PATH)`` (a ``.yaml``/``.yml`` file or a
folder of them). Numbers are stored exactly as printed, each with its verbatim source sentence;
unknown values are ``null``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from oncotrial._errors import OncotrialValueError

__all__ = ["Outcome", "TrialRecord", "canonical_subgroup", "load_records", "records_frame",
           "search_records"]

ENDPOINTS = ("orr", "dcr", "median_pfs", "median_os", "median_dor", "pfs_rate", "os_rate",
             "deaths", "median_followup")
RATE_ENDPOINTS = ("orr", "dcr", "pfs_rate", "os_rate")
#: endpoints printed as a percentage: the poolable rates plus the share of patients who died
PERCENT_ENDPOINTS = (*RATE_ENDPOINTS, "deaths")
MEDIAN_ENDPOINTS = ("median_pfs", "median_os", "median_dor")
ASSESSORS = ("central", "investigator")
#: how a median follow-up was computed, as the paper states it
FOLLOWUP_METHODS = ("reverse KM", "alive patients", "not stated")
#: Canonical subgroup labels: alias (lower case) -> label, and label -> (tumour type of the
#: patients it describes or None, definition). A subgroup not listed here must carry its own
#: ``subgroup_definition`` in the record file.
SUBGROUP_ALIASES = {
    "nec": "NEC", "necs": "NEC", "poorly differentiated nec": "NEC",
    "net": "NET", "nets": "NET", "g3 net": "NET", "g3 nets": "NET",
    "gep-nec": "GEP-NEC", "gep nec": "GEP-NEC", "gepnec": "GEP-NEC",
    "gep-net": "GEP-NET", "gep net": "GEP-NET",
    "lung lcnec": "lung LCNEC", "pulmonary lcnec": "lung LCNEC",
}
SUBGROUPS: dict[str, tuple[str | None, str]] = {
    "NEC": ("NEC", "patients with poorly differentiated neuroendocrine carcinoma (NEC)"),
    "NET": ("NET", "patients with well-differentiated neuroendocrine tumours (NET)"),
    "GEP-NEC": ("NEC", "patients with NEC of gastroenteropancreatic origin"),
    "GEP-NET": ("NET", "patients with NET of gastroenteropancreatic origin"),
    "lung LCNEC": ("NEC", "patients with large-cell NEC of the lung"),
}
UNITS = ("percent", "months", "weeks", "days")
TUMOR_TYPES = ("NEC", "NET", "mixed")
GRADES = ("G1", "G2", "G3")
DIFFERENTIATION = ("well", "poorly")
PHASES = ("I", "II", "I/II", "II/III", "III")
LINES = (1, 2)  # 1 = first line; 2 = second line or later

# field -> (type, required); "list" fields hold strings.
RECORD_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("str", True), "name": ("str", True), "registry_id": ("str", False),
    "phase": ("str", False), "design": ("str", False), "randomized": ("bool", False),
    "line": ("int", False), "tumor_type": ("str", False), "grade": ("list", False),
    "differentiation": ("list", False), "primary_sites": ("list", False),
    "agents": ("list", True), "targets": ("list", False), "drug_class": ("list", False),
    "n_enrolled": ("int", False), "n_evaluable": ("int", False), "n_safety": ("int", False),
    "population_quote": ("str", False), "primary_source": ("str", True),
    "sources": ("sources", True), "notes": ("str", False),
    "superseded_by": ("str", False), "part_of": ("str", False), "outcomes": ("outcomes", True),
}
OUTCOME_FIELDS: dict[str, tuple[str, bool]] = {
    "endpoint": ("str", True), "subgroup": ("str", False), "value": ("num", False),
    "unit": ("str", True), "ci_low": ("num", False), "ci_high": ("num", False),
    "range_low": ("num", False), "range_high": ("num", False), "count": ("int", False),
    "n": ("int", False), "timepoint": ("str", False), "source": ("str", True),
    "quote": ("str", True), "derivation": ("str", False),
    "subgroup_definition": ("str", False), "subgroup_tumor_type": ("str", False),
    "assessor": ("str", False), "range_high_censored": ("bool", False),
    "not_reached": ("bool", False), "method": ("str", False),
}
SOURCE_FIELDS = {"key": True, "citation": True, "seed": False}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One printed number (with its CI/range and count) and the sentence it was read from."""

    endpoint: str
    unit: str
    source: str
    quote: str
    value: float | None = None
    subgroup: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    count: int | None = None
    n: int | None = None
    timepoint: str | None = None
    derivation: str | None = None
    subgroup_definition: str | None = None
    subgroup_tumor_type: str | None = None
    assessor: str | None = None
    range_high_censored: bool | None = None
    not_reached: bool | None = None
    method: str | None = None

    @property
    def population(self) -> str:
        """``'whole trial'`` or ``'subgroup: <label> (<definition>)'``.

        .. versionadded:: 0.2 (issue 20)
        """
        if self.subgroup is None:
            return "whole trial"
        return f"subgroup: {self.subgroup} ({self.subgroup_definition})"


@dataclass(frozen=True, slots=True)
class TrialRecord:
    """One trial (or one cohort/arm of a trial) as published."""

    id: str
    name: str
    agents: tuple[str, ...]
    primary_source: str
    sources: tuple[dict, ...]
    outcomes: tuple[Outcome, ...]
    file: str
    registry_id: str | None = None
    phase: str | None = None
    design: str | None = None
    randomized: bool | None = None
    line: int | None = None
    tumor_type: str | None = None
    grade: tuple[str, ...] | None = None
    differentiation: tuple[str, ...] | None = None
    primary_sites: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    drug_class: tuple[str, ...] | None = None
    n_enrolled: int | None = None
    n_evaluable: int | None = None
    n_safety: int | None = None
    population_quote: str | None = None
    notes: str | None = None
    superseded_by: str | None = None
    part_of: str | None = None

    def outcome(self, endpoint: str, subgroup: str | None = None, *,
                assessor: str | None = None, timepoint: str | None = None) -> Outcome | None:
        """The outcome for ``endpoint``/``subgroup`` from the primary source (else the first).

        ``subgroup`` is matched after label unification (``'GEP NEC'`` = ``'GEP-NEC'``).
        Without ``assessor``, an outcome without one or assessed centrally comes first.
        """
        want = canonical_subgroup(subgroup)
        hits = [o for o in self.outcomes if o.endpoint == endpoint
                and (o.subgroup or "") == (want or "")
                and (assessor is None or o.assessor == assessor)
                and (timepoint is None or o.timepoint == timepoint)]
        hits.sort(key=lambda o: (o.source != self.primary_source, o.assessor == "investigator"))
        return hits[0] if hits else None

    def population_tumor_type(self, o: Outcome) -> str | None:
        """Tumour type of the patients an outcome describes: the record's for a whole-trial
        outcome, the subgroup's otherwise (None when the subgroup does not say)."""
        return self.tumor_type if o.subgroup is None else o.subgroup_tumor_type


def canonical_subgroup(label: str | None) -> str | None:
    """Unified subgroup label: ``'gep nec'`` -> ``'GEP-NEC'``, ``'NECs'`` -> ``'NEC'``.

    Examples
    --------
    >>> canonical_subgroup("GEP NEC"), canonical_subgroup("necs"), canonical_subgroup("Ki-67 >55%")
    ('GEP-NEC', 'NEC', 'Ki-67 >55%')
    """
    if label is None:
        return None
    return SUBGROUP_ALIASES.get(str(label).strip().lower(), str(label).strip())


# ----------------------------------------------------------------------------- validation
def _err(file: str, where: str, field: str, msg: str) -> OncotrialValueError:
    return OncotrialValueError(f"Evidence record file {file!s}, {where}, field `{field}`: {msg}")


def _check_type(value: Any, kind: str, file: str, where: str, field: str) -> Any:
    if value is None:
        return None
    ok = {
        "str": isinstance(value, str | int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, int | float) and not isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "sources": isinstance(value, list) and all(isinstance(v, dict) for v in value),
        "outcomes": isinstance(value, list) and all(isinstance(v, dict) for v in value),
    }[kind]
    if not ok:
        raise _err(file, where, field, f"must be of type {kind}; got {value!r}.")
    return str(value) if kind == "str" else value


def _check_fields(raw: dict, spec: dict[str, tuple[str, bool]], file: str, where: str) -> dict:
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise _err(file, where, unknown[0], f"unknown field. Allowed fields: {', '.join(spec)}.")
    out = {}
    for field, (kind, required) in spec.items():
        if required and raw.get(field) is None:
            raise _err(file, where, field, "is required and missing (null).")
        out[field] = _check_type(raw.get(field), kind, file, where, field)
    return out


def _decimals(v: float) -> int:
    s = repr(float(v))
    frac = s.split(".")[1] if "." in s else ""
    return 0 if frac in ("", "0") else len(frac)


def _check_outcome(o: dict, rec: dict, file: str, where: str) -> Outcome:
    if o["endpoint"] not in ENDPOINTS:
        raise _err(file, where, "endpoint", f"must be one of {ENDPOINTS}; got {o['endpoint']!r}.")
    if o["unit"] not in UNITS:
        raise _err(file, where, "unit", f"must be one of {UNITS}; got {o['unit']!r}.")
    rate = o["endpoint"] in PERCENT_ENDPOINTS
    if rate != (o["unit"] == "percent"):
        raise _err(file, where, "unit", f"{o['endpoint']} needs unit "
                   f"{'percent' if rate else 'months, weeks or days'}; got {o['unit']!r}.")
    if o["assessor"] is not None and o["assessor"] not in ASSESSORS:
        raise _err(file, where, "assessor", f"must be one of {ASSESSORS}; got {o['assessor']!r}.")
    if o["method"] is not None and o["method"] not in FOLLOWUP_METHODS:
        raise _err(file, where, "method", f"must be one of {FOLLOWUP_METHODS}; got "
                   f"{o['method']!r}.")
    if o["method"] is not None and o["endpoint"] != "median_followup":
        raise _err(file, where, "method", "is only used with endpoint median_followup.")
    if o["not_reached"] and o["value"] is not None:
        raise _err(file, where, "not_reached", f"a median not reached has value null; got "
                   f"{o['value']!r}.")
    if o["subgroup"] is not None:
        o["subgroup"] = canonical_subgroup(o["subgroup"])
        known = SUBGROUPS.get(o["subgroup"])
        if o["subgroup_definition"] is None:
            if known is None:
                raise _err(file, where, "subgroup_definition", f"is required for subgroup "
                           f"{o['subgroup']!r} (not one of the labels {sorted(SUBGROUPS)}): say "
                           "which patients it holds, e.g. 'Ki-67 > 55%, of 37 evaluable'.")
            o["subgroup_definition"] = known[1]
        if o["subgroup_tumor_type"] is None and known is not None:
            o["subgroup_tumor_type"] = known[0]
    elif o["subgroup_definition"] is not None or o["subgroup_tumor_type"] is not None:
        raise _err(file, where, "subgroup_definition", "needs a `subgroup` label.")
    if o["subgroup_tumor_type"] is not None and o["subgroup_tumor_type"] not in TUMOR_TYPES:
        raise _err(file, where, "subgroup_tumor_type", f"must be one of {TUMOR_TYPES}; got "
                   f"{o['subgroup_tumor_type']!r}.")
    for f in ("value", "ci_low", "ci_high", "range_low", "range_high"):
        v = o[f]
        if v is None:
            continue
        if v < 0 or (rate and v > 100):
            raise _err(file, where, f, f"must be in [0, 100] for a percentage and >= 0 otherwise; "
                       f"got {v!r}.")
    v, lo, hi = o["value"], o["ci_low"], o["ci_high"]
    if v is not None and ((lo is not None and lo > v) or (hi is not None and hi < v)):
        raise _err(file, where, "ci_low" if lo is not None and lo > v else "ci_high",
                   f"the CI [{lo}, {hi}] does not contain the estimate {v}.")
    if o["n"] is not None and o["n"] < 1:
        raise _err(file, where, "n", f"must be >= 1; got {o['n']!r}.")
    if o["count"] is not None:
        if o["count"] < 0 or (o["n"] is not None and o["count"] > o["n"]):
            raise _err(file, where, "count", f"must be in [0, n={o['n']}]; got {o['count']!r}.")
        if o["n"] is not None and v is not None:
            pct = 100.0 * o["count"] / o["n"]
            tol = 0.5 * 10.0 ** (-_decimals(v)) + 1e-9
            if abs(pct - v) > tol:
                raise _err(file, where, "count", f"{o['count']}/{o['n']} = {pct:.2f}% does not "
                           f"round to the printed {v}%.")
    keys = {s["key"] for s in rec["sources"]}
    if o["source"] not in keys:
        raise _err(file, where, "source", f"must be one of the record's source keys {sorted(keys)}; "
                   f"got {o['source']!r}.")
    return Outcome(**o)


def _parse_record(raw: Any, file: str, idx: int) -> TrialRecord:
    where = f"record #{idx + 1}"
    if not isinstance(raw, dict):
        raise _err(file, where, "<record>", f"must be a mapping; got {type(raw).__name__}.")
    where = f"record {raw.get('id', '#' + str(idx + 1))!r}"
    rec = _check_fields(raw, RECORD_FIELDS, file, where)
    for i, s in enumerate(rec["sources"]):
        unknown = sorted(set(s) - set(SOURCE_FIELDS))
        if unknown:
            raise _err(file, f"{where} source #{i + 1}", unknown[0], "unknown field.")
        for f, req in SOURCE_FIELDS.items():
            if req and not s.get(f):
                raise _err(file, f"{where} source #{i + 1}", f, "is required and missing.")
    if rec["primary_source"] not in {s["key"] for s in rec["sources"]}:
        raise _err(file, where, "primary_source", "must be one of the keys in `sources`.")
    for field, allowed in (("phase", PHASES), ("tumor_type", TUMOR_TYPES), ("line", LINES)):
        if rec[field] is not None and rec[field] not in allowed:
            raise _err(file, where, field, f"must be one of {allowed} or null; got {rec[field]!r}.")
    for field, allowed in (("grade", GRADES), ("differentiation", DIFFERENTIATION)):
        for v in rec[field] or []:
            if v not in allowed:
                raise _err(file, where, field, f"entries must be in {allowed}; got {v!r}.")
    for field in ("n_enrolled", "n_evaluable", "n_safety"):
        if rec[field] is not None and rec[field] < 1:
            raise _err(file, where, field, f"must be >= 1; got {rec[field]!r}.")
    if rec["n_enrolled"] and rec["n_evaluable"] and rec["n_evaluable"] > rec["n_enrolled"]:
        raise _err(file, where, "n_evaluable", f"exceeds n_enrolled ({rec['n_enrolled']}).")
    if rec["n_enrolled"] and rec["n_safety"] and rec["n_safety"] > rec["n_enrolled"]:
        raise _err(file, where, "n_safety", f"exceeds n_enrolled ({rec['n_enrolled']}).")
    outcomes = tuple(
        _check_outcome(_check_fields(o, OUTCOME_FIELDS, file, f"{where} outcome #{j + 1}"),
                       rec, file, f"{where} outcome #{j + 1}")
        for j, o in enumerate(rec["outcomes"])
    )
    tup = {k: (tuple(v) if isinstance(v, list) and k not in ("sources", "outcomes") else v)
           for k, v in rec.items()}
    tup["sources"] = tuple(dict(s) for s in rec["sources"])
    tup["outcomes"] = outcomes
    return TrialRecord(file=file, **tup)


def _read_file(path: Path, label: str) -> list[TrialRecord]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise OncotrialValueError(f"Evidence record file {label} is not valid YAML: {exc}") from None
    if data is None:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise OncotrialValueError(f"Evidence record file {label} must hold a record or a list of "
                                  f"records; got {type(data).__name__}.")
    return [_parse_record(r, label, i) for i, r in enumerate(data)]


def _builtin_files() -> list[tuple[Path, str]]:
    folder = resources.files("oncotrial.evidence") / "records"
    return sorted((Path(str(p)), f"records/{p.name}") for p in folder.iterdir()
                  if p.name.endswith((".yaml", ".yml")))


def load_records(extra: str | Path | Iterable[str | Path] | None = None, *,
                 builtin: bool = True) -> list[TrialRecord]:
    """Load and validate trial records: the built-in ones and/or user files.

    Parameters
    ----------
    extra : path or list of paths, optional
        YAML files, or folders whose ``*.yaml``/``*.yml`` files are read, with records in the
        schema of ``docs/evidence.md``.
    builtin : bool, default=True
        Include the records shipped with oncotrial.

    Returns
    -------
    list of TrialRecord

    Raises
    ------
    OncotrialValueError
        Naming the file and field for: an unknown field, a missing required field, a number
        outside its range, a CI not containing its estimate, a count that does not round to its
        printed percentage, an unknown source key, a duplicate ``id``, an unknown
        ``superseded_by`` target.

    Examples
    --------
    >>> recs = load_records()
    >>> nice = next(r for r in recs if r.id == "NICE-NEC")
    >>> o = nice.outcome("orr")
    >>> o.count, o.n, o.value
    (21, 37, 56.8)
    """
    files = _builtin_files() if builtin else []
    paths = [] if extra is None else ([extra] if isinstance(extra, str | Path) else list(extra))
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += sorted((f, str(f)) for f in p.iterdir() if f.suffix in (".yaml", ".yml"))
        elif p.is_file():
            files.append((p, str(p)))
        else:
            raise OncotrialValueError(f"`extra` of `load_records` must be an existing file or "
                                      f"folder; got {str(p)!r}.")
    records: list[TrialRecord] = []
    seen: dict[str, str] = {}
    for path, label in files:
        for r in _read_file(path, label):
            if r.id in seen:
                raise _err(label, f"record {r.id!r}", "id",
                           f"duplicate id; already defined in {seen[r.id]}.")
            seen[r.id] = label
            records.append(r)
    for r in records:
        for field in ("superseded_by", "part_of"):
            target = getattr(r, field)
            if target is not None and target not in seen:
                raise _err(r.file, f"record {r.id!r}", field,
                           f"refers to an unknown id {target!r}.")
    return records


def records_frame(records: Iterable[TrialRecord]) -> pd.DataFrame:
    """One row per record with the searchable fields (lists joined by ``'; '``)."""

    def j(v):
        return None if v is None else "; ".join(v)

    rows = [{
        "id": r.id, "name": r.name, "registry_id": r.registry_id, "phase": r.phase,
        "design": r.design, "line": r.line, "tumor_type": r.tumor_type, "grade": j(r.grade),
        "primary_sites": j(r.primary_sites), "agents": j(r.agents), "targets": j(r.targets),
        "drug_class": j(r.drug_class), "n_enrolled": r.n_enrolled, "n_evaluable": r.n_evaluable,
        "n_outcomes": len(r.outcomes),
    } for r in records]
    cols = ["line", "n_enrolled", "n_evaluable"]
    return pd.DataFrame(rows).astype(dict.fromkeys(cols, "Int64")) if rows else pd.DataFrame(rows)


def _has(values: tuple[str, ...] | None, wanted: str | None) -> bool:
    if wanted is None:
        return True
    return values is not None and any(wanted.lower() == v.lower() for v in values)


def search_records(records: Iterable[TrialRecord], *, line: int | None = None,
                   drug_class: str | None = None, target: str | None = None,
                   tumor_type: str | None = None, grade: str | None = None,
                   primary_site: str | None = None, phase: str | None = None,
                   include_superseded: bool = False) -> list[TrialRecord]:
    """Filter records; every given filter must match (case-insensitive, exact list entries).

    ``tumor_type='NEC'`` keeps NEC-only records *and* mixed NEC/NET ones (which usually report a
    NEC subgroup); pass ``'mixed'`` or ``'NET'`` to match those values exactly. A record whose
    field is null never matches a filter on that field.

    Examples
    --------
    >>> [r.id for r in search_records(load_records(), line=1, drug_class="ICI")]
    ['NET-001-AVELUMAB', 'NIVO-TEM-NCT03728361', 'CA209-538-NEN', 'NICE-NEC']
    """
    out = []
    for r in records:
        if r.superseded_by is not None and not include_superseded:
            continue
        if line is not None and r.line != line:
            continue
        if phase is not None and (r.phase or "").lower() != phase.lower():
            continue
        if tumor_type is not None:
            tt = tumor_type.upper() if tumor_type.lower() != "mixed" else "mixed"
            ok = r.tumor_type == tt or (tt == "NEC" and r.tumor_type == "mixed")
            if not ok:
                continue
        if not (_has(r.drug_class, drug_class) and _has(r.targets, target)
                and _has(r.grade, grade) and _has(r.primary_sites, primary_site)):
            continue
        out.append(r)
    return out
