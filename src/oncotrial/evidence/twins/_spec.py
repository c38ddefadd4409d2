"""Twin spec: what a publication reports, each number with its source or stated as an assumption.

A spec is a TOML file (format in ``docs/twins.md``). Every reported quantity is a table
``{ value = ..., source = "..." }`` or ``{ value = ..., assumption = "..." }`` -- exactly one of
the two -- so that no number enters a twin silently. :func:`load_spec` parses and validates a
spec and returns a frozen :class:`TwinSpec`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from oncotrial._errors import OncotrialValueError
from oncotrial.evidence.twins._subgroups import parse_subgroups

__all__ = [
    "BUNDLED_SPECS",
    "AEBand",
    "AERow",
    "Cohort",
    "Drug",
    "Endpoint",
    "Landmark",
    "Pooled",
    "Reported",
    "TwinSpec",
    "bundled_spec_path",
    "load_spec",
]

_FUNC = "load_spec"
BOR_CODES = ("CR", "PR", "SD", "PD", "NE")
NEKind = Literal["death-before-assessment", "targets-not-evaluable"]
NE_KINDS = ("death-before-assessment", "targets-not-evaluable")
#: Bundled specs (package data ``oncotrial/evidence/twins/specs/<name>.toml``).
BUNDLED_SPECS = ("regomune", "nice-nec", "talent")
#: Days per month used to convert every month figure (Julian year / 12).
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, slots=True)
class Reported:
    """A value with its provenance: ``source`` (citation) xor ``assumption`` (stated as such)."""

    value: Any
    source: str | None = None
    assumption: str | None = None

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None


@dataclass(frozen=True, slots=True)
class Landmark:
    """A reported Kaplan-Meier rate: ``percent`` at ``month``, printed with ``decimals`` digits."""

    month: float
    percent: float
    decimals: int
    ci: tuple[float, float] | None
    source: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What is reported for one time-to-event endpoint (PFS, OS or DoR) of one cohort.

    ``median`` is in months; ``math.inf`` means "not reached". ``censor_window`` (months) is
    where censored times may fall (follow-up of patients without the event).
    """

    median: Reported | None = None
    median_ci: Reported | None = None
    landmarks: tuple[Landmark, ...] = ()
    events: Reported | None = None
    censor_window: Reported | None = None
    range: Reported | None = None  # DoR: (min, max) months
    range_max_censored: bool = False
    followup_alive: Reported | None = None  # OS: median (range) follow-up of alive patients


@dataclass(frozen=True, slots=True)
class AEBand:
    """A band of CTCAE grades ``[low, high]`` (worst grade per subject and term)."""

    low: int
    high: int

    @classmethod
    def parse(cls, text: str, where: str) -> AEBand:
        t = text.replace(" ", "")
        try:
            if t.startswith(">="):
                return cls(int(t[2:]), 5)
            if "-" in t:
                a, b = t.split("-")
                return cls(int(a), int(b))
            return cls(int(t), int(t))
        except ValueError:
            raise _err(where, "a grade band like '1-2', '3-4', '>=3' or '5'", text) from None

    def __str__(self) -> str:
        if self.high == 5 and self.low < 5:
            return f">={self.low}"
        return f"{self.low}-{self.high}" if self.high != self.low else str(self.low)


@dataclass(frozen=True, slots=True)
class AERow:
    """Subjects whose worst grade of ``term`` falls in each band (one published table row)."""

    term: str
    counts: tuple[tuple[AEBand, int], ...]
    source: str
    soc: str = ""


@dataclass(frozen=True, slots=True)
class Drug:
    """One study drug schedule: an administration record every ``every_days`` days."""

    name: str
    dose: Reported
    unit: str
    every_days: int
    duration_days: int = 1
    start_day: int = 0
    max_records: int | None = None
    max_day: int | None = None
    phase: str = ""


@dataclass(frozen=True, slots=True)
class Cohort:
    """One cohort: populations, best overall response, endpoints, baseline, AEs, prior therapy."""

    name: str
    enrolled: Reported
    safety: Reported
    efficacy: Reported
    not_treated_reason: str
    not_evaluable_reason: str
    bor: dict[str, Reported]
    ne_kind: str
    pfs: Endpoint
    os: Endpoint
    dor: Endpoint
    baseline_population: str
    categorical: tuple[tuple[str, dict[str, int], str, dict], ...]
    continuous: tuple[tuple[str, dict[str, Any], str], ...]
    ae_rows: tuple[AERow, ...]
    ae_any: tuple[tuple[AEBand, int, str], ...]
    prior_therapy: tuple[tuple[str, int, str, str], ...]  # regimen, count, group, source
    primary_site: str = ""
    subgroups: tuple = ()  # of _subgroups.Subgroup (issue 20)


@dataclass(frozen=True, slots=True)
class Pooled:
    """Trial-level targets over all cohorts pooled (a paper's "Total" column).

    ``dor`` (median, range) is tuned jointly over every cohort's responders without moving a
    per-cohort target; ``pfs`` (median, ci) is kept: pooled tuning never moves it further away.
    """

    label: str = ""
    pfs: Endpoint = field(default_factory=Endpoint)
    dor: Endpoint = field(default_factory=Endpoint)
    #: ``[pooled] followup``: median follow-up (months) by reverse Kaplan-Meier over all
    #: cohorts (issue 20; TALENT "At a median follow-up of 23 months").
    os_followup: Reported | None = None


@dataclass(frozen=True, slots=True)
class TwinSpec:
    """A parsed, validated twin spec (see ``docs/twins.md``)."""

    name: str
    title: str
    reference: str
    accrual: Reported
    evaluator: str
    confirmed: Reported
    confirm_days: Reported
    sd_min_days: Reported
    assessment_days: Reported
    assessment_every_days: Reported
    visit_window_days: Reported
    drugs: tuple[Drug, ...]
    cohorts: tuple[Cohort, ...]
    notes: tuple[str, ...] = ()
    ctcae_version: str = ""
    assumptions: dict[str, str] = field(default_factory=dict)
    path: str = ""
    pooled: Pooled | None = None

    def cohort(self, name: str) -> Cohort:
        for c in self.cohorts:
            if c.name == name:
                return c
        raise KeyError(name)


def _err(where: str, constraint: str, value: object, remedy: str = "") -> OncotrialValueError:
    msg = f"`{where}` of `{_FUNC}` must be {constraint}; got {value!r}."
    return OncotrialValueError(msg + (" " + remedy if remedy else ""))


_REMEDY = ("Write reported numbers as { value = ..., source = \"Table 2 ...\" } and numbers the "
           "paper does not give as { value = ..., assumption = \"why this value\" }.")


def _rep(d: dict, key: str, where: str, *, required: bool = True, kind: type | tuple = (int, float),
         ) -> Reported | None:
    if key not in d:
        if required:
            raise _err(f"{where}.{key}", "present", None, _REMEDY)
        return None
    v = d[key]
    w = f"{where}.{key}"
    if not isinstance(v, dict) or "value" not in v:
        raise _err(w, "a table with `value` and `source` or `assumption`", v, _REMEDY)
    src, asm = v.get("source"), v.get("assumption")
    if (src is None) == (asm is None):
        raise _err(w, "given exactly one of `source` and `assumption`", v, _REMEDY)
    for t in (src, asm):
        if t is not None and (not isinstance(t, str) or not t.strip()):
            raise _err(w, "a non-empty citation or assumption text", t)
    val = v["value"]
    vals = val if isinstance(val, list) else [val]
    for x in vals:
        if isinstance(x, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise _err(w + ".value", f"of type {kind}", x)
        if not isinstance(x, kind):
            raise _err(w + ".value", f"of type {kind}", x)
    extra = set(v) - {"value", "source", "assumption", "ci"}
    if extra:
        raise _err(w, "keys value, source/assumption (and ci)", sorted(extra))
    return Reported(val, src, asm)


def _count(d: dict, key: str, where: str, *, required: bool = True) -> Reported | None:
    r = _rep(d, key, where, required=required, kind=int)
    if r is not None and (isinstance(r.value, bool) or r.value < 0):
        raise _err(f"{where}.{key}.value", "a non-negative integer", r.value)
    return r


def _months(x: Any, where: str) -> float:
    if isinstance(x, str) and x.upper() == "NR":
        return math.inf
    if isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0:
        return float(x)
    raise _err(where, "a positive number of months or \"NR\" (not reached)", x)


def _decimals(x: float) -> int:
    s = repr(float(x))
    return 0 if s.endswith(".0") else len(s.split(".")[1])


def _endpoint(d: dict | None, where: str) -> Endpoint:
    if d is None:
        return Endpoint()
    med = None
    if "median" in d:
        m = d["median"]
        if not isinstance(m, dict) or "value" not in m:
            raise _err(f"{where}.median", "a table with value and source", m, _REMEDY)
        _rep({"median": {k: v for k, v in m.items() if k != "value"} | {"value": 1.0}},
             "median", where)
        med = Reported(_months(m["value"], f"{where}.median.value"), m.get("source"),
                       m.get("assumption"))
    ci = None
    if isinstance(d.get("median"), dict) and "ci" in d["median"]:
        c = d["median"]["ci"]
        ci = Reported(tuple(_months(x, f"{where}.median.ci") for x in c), med.source if med else None,
                      med.assumption if med else None)
    lms = []
    for i, lm in enumerate(d.get("landmarks", [])):
        w = f"{where}.landmarks[{i}]"
        if not isinstance(lm, dict) or not {"month", "percent", "source"} <= set(lm):
            raise _err(w, "a table with month, percent and source", lm)
        pct = lm["percent"]
        if not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
            raise _err(w + ".percent", "in [0, 100]", pct)
        dec = int(lm.get("decimals", _decimals(pct)))
        lci = tuple(float(x) for x in lm["ci"]) if "ci" in lm else None
        lms.append(Landmark(float(_months(lm["month"], w + ".month")), float(pct), dec, lci,
                            lm["source"]))
    months = [lm.month for lm in lms]
    if months != sorted(months) or len(set(months)) != len(months):
        raise _err(f"{where}.landmarks", "strictly increasing in month", months)
    rng = _rep(d, "range", where, required=False)
    return Endpoint(median=med, median_ci=ci, landmarks=tuple(lms),
                    events=_count(d, "events", where, required=False),
                    censor_window=_rep(d, "censor_window", where, required=False),
                    range=rng, range_max_censored=bool(d.get("range_max_censored", False)),
                    followup_alive=_rep(d, "followup_alive", where, required=False))


def _cohort(d: dict, i: int, n_visits: int) -> Cohort:
    w = f"cohort[{i}]"
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise _err(f"{w}.name", "a non-empty string", name)
    pop = d.get("population", {})
    enrolled = _count(pop, "enrolled", f"{w}.population")
    safety = _count(pop, "safety", f"{w}.population")
    efficacy = _count(pop, "efficacy", f"{w}.population")
    if not efficacy.value <= safety.value <= enrolled.value:
        raise _err(f"{w}.population", "efficacy <= safety <= enrolled",
                   (efficacy.value, safety.value, enrolled.value))
    bd = d.get("bor", {})
    bor = {k: _count(bd, k, f"{w}.bor") for k in BOR_CODES}
    tot = sum(r.value for r in bor.values())
    if tot != efficacy.value:
        raise _err(f"{w}.bor", f"counts summing to the efficacy population ({efficacy.value})", tot,
                   "Count NE (no assessment / not evaluable) in the denominator as the paper does.")
    ne_kind = bd.get("ne_kind", "death-before-assessment")
    if ne_kind not in NE_KINDS:
        raise _err(f"{w}.bor.ne_kind", f"one of {NE_KINDS}", ne_kind)
    cat, cont = [], []
    base = d.get("baseline", {})
    bpop = base.get("population", "efficacy")
    if bpop not in ("efficacy", "enrolled"):
        raise _err(f"{w}.baseline.population", "'efficacy' or 'enrolled'", bpop)
    nb = efficacy.value if bpop == "efficacy" else enrolled.value
    for j, b in enumerate(base.get("categorical", [])):
        bw = f"{w}.baseline.categorical[{j}]"
        if not {"variable", "counts"} <= set(b) or ("source" in b) == ("assumption" in b):
            raise _err(bw, "a table with variable, counts and source xor assumption", b, _REMEDY)
        counts = {str(k): int(v) for k, v in b["counts"].items()}
        if sum(counts.values()) != nb:
            raise _err(bw + ".counts", f"summing to the baseline population ({nb})",
                       sum(counts.values()), "Add a MISSING category for unknown values.")
        edges = b.get("edges", {})
        if edges and set(edges) != set(counts) - {"MISSING"}:
            raise _err(bw + ".edges", "one [low, high] pair per category except MISSING",
                       sorted(edges))
        cat.append((b["variable"], counts, b.get("source") or "ASSUMPTION: " + b["assumption"],
                    {"edges": edges}))
    for j, b in enumerate(base.get("continuous", [])):
        bw = f"{w}.baseline.continuous[{j}]"
        if "variable" not in b or ("source" in b) == ("assumption" in b):
            raise _err(bw, "a table with variable and source xor assumption", b, _REMEDY)
        cont.append((b["variable"], {k: v for k, v in b.items() if k not in ("variable", "source")},
                     b.get("source") or "ASSUMPTION: " + b["assumption"]))
    rows = []
    for j, a in enumerate(d.get("ae", [])):
        aw = f"{w}.ae[{j}]"
        if not {"term", "counts", "source"} <= set(a):
            raise _err(aw, "a table with term, counts and source", a)
        cnt = tuple((AEBand.parse(k, aw), int(v)) for k, v in a["counts"].items())
        for band, v in cnt:
            if v > safety.value:
                raise _err(f"{aw}.counts.{band}", f"<= the safety population ({safety.value})", v)
        rows.append(AERow(a["term"], cnt, a["source"], a.get("soc", "")))
    ae_any = tuple((AEBand.parse(a["band"], f"{w}.ae_any"), int(a["count"]), a["source"])
                   for a in d.get("ae_any", []))
    prior = []
    for j, p in enumerate(d.get("prior_therapy", [])):
        pw = f"{w}.prior_therapy[{j}]"
        if not {"regimen", "count", "source"} <= set(p):
            raise _err(pw, "a table with regimen, count, source (and optional group)", p)
        prior.append((p["regimen"], int(p["count"]), p.get("group", ""), p["source"]))
    for g in {p[2] for p in prior if p[2]}:
        tot_g = sum(p[1] for p in prior if p[2] == g)
        if tot_g > nb:
            raise _err(f"{w}.prior_therapy", f"group {g!r} counts <= {nb} (groups are exclusive)", tot_g)
    return Cohort(
        name=name, enrolled=enrolled, safety=safety, efficacy=efficacy,
        not_treated_reason=pop.get("not_treated_reason", "NOT TREATED"),
        not_evaluable_reason=pop.get("not_evaluable_reason", "NO POST-BASELINE ASSESSMENT"),
        bor=bor, ne_kind=ne_kind,
        pfs=_endpoint(d.get("pfs"), f"{w}.pfs"), os=_endpoint(d.get("os"), f"{w}.os"),
        dor=_endpoint(d.get("dor"), f"{w}.dor"),
        baseline_population=bpop, categorical=tuple(cat), continuous=tuple(cont),
        ae_rows=tuple(rows), ae_any=ae_any, prior_therapy=tuple(prior),
        primary_site=d.get("primary_site", ""),
        subgroups=parse_subgroups(d.get("subgroup"), w, cat, nb, efficacy.value,
                                  bor["CR"].value + bor["PR"].value, _err),
    )


_POOLED_KEYS = {"label", "pfs", "dor", "followup"}
_POOLED_EP_KEYS = {"pfs": {"median"}, "dor": {"median", "range"}}


def _pooled(d: Any, cohorts: tuple[Cohort, ...]) -> Pooled | None:
    """``[pooled]``: trial-level (all cohorts) targets, each with source xor assumption."""
    if d is None:
        return None
    if not isinstance(d, dict) or set(d) - _POOLED_KEYS:
        raise _err("pooled", f"a table with keys among {sorted(_POOLED_KEYS)}",
                   sorted(set(d) - _POOLED_KEYS) if isinstance(d, dict) else d)
    eps = {}
    for k, allowed in _POOLED_EP_KEYS.items():
        sub = d.get(k)
        if sub is not None and (not isinstance(sub, dict) or set(sub) - allowed):
            raise _err(f"pooled.{k}", f"a table with keys among {sorted(allowed)}",
                       sorted(set(sub) - allowed) if isinstance(sub, dict) else sub)
        eps[k] = _endpoint(sub, f"pooled.{k}")
    rng = eps["dor"].range
    if rng is not None:
        v = rng.value
        if not isinstance(v, list) or len(v) != 2 or not 0 < v[0] <= v[1]:
            raise _err("pooled.dor.range.value", "[shortest, longest] months", v)
        ends = [c.dor.range.value for c in cohorts if c.dor.range is not None]
        if len(ends) != len(cohorts) or not (
                math.isclose(min(e[0] for e in ends), v[0], abs_tol=0.05)
                and math.isclose(max(e[1] for e in ends), v[1], abs_tol=0.05)):
            raise _err("pooled.dor.range.value",
                       "the shortest and longest of the cohorts' dor.range (it is met through them)",
                       v, "Give every cohort its [cohort.dor] range.")
    med = eps["dor"].median
    if med is not None and math.isinf(med.value):
        raise _err("pooled.dor.median.value", "a number of months (a reached median)", "NR")
    fu = _rep(d, "followup", "pooled", required=False, kind=(int, float))
    if fu is not None and (isinstance(fu.value, bool) or not fu.value > 0):
        raise _err("pooled.followup.value", "a positive number of months", fu.value)
    return Pooled(label=str(d.get("label", "")), pfs=eps["pfs"], dor=eps["dor"], os_followup=fu)


def _drug(d: dict, i: int) -> Drug:
    w = f"treatment.drug[{i}]"
    for k in ("name", "unit", "every_days"):
        if k not in d:
            raise _err(f"{w}.{k}", "present", None)
    return Drug(name=d["name"], dose=_rep(d, "dose", w), unit=d["unit"], every_days=int(d["every_days"]),
                duration_days=int(d.get("duration_days", 1)), start_day=int(d.get("start_day", 0)),
                max_records=d.get("max_records"), max_day=d.get("max_day"), phase=d.get("phase", ""))


def parse_spec(doc: dict, path: str = "") -> TwinSpec:
    """Validate a spec already read into a dict (see :func:`load_spec`)."""
    t = doc.get("trial")
    if not isinstance(t, dict) or "name" not in t:
        raise _err("trial.name", "present", None, "Start the spec with a [trial] table.")
    s = doc.get("schedule", {})
    adays = _rep(s, "assessment_days", "schedule", kind=int)
    vals = adays.value if isinstance(adays.value, list) else [adays.value]
    if not vals or vals != sorted(vals) or vals[0] <= 0:
        raise _err("schedule.assessment_days.value", "a non-empty increasing list of days > 0", vals)
    window = _count(s, "visit_window_days", "schedule")
    every = _count(s, "assessment_every_days", "schedule")
    gaps = [b - a for a, b in zip([0, *vals], [*vals, vals[-1] + every.value], strict=True)]
    if min(gaps) - 2 * window.value < 21:
        raise _err("schedule.visit_window_days.value",
                   "small enough that consecutive assessments stay >= 21 days apart", window.value)
    cohorts = doc.get("cohort", [])
    if not cohorts:
        raise _err("cohort", "at least one [[cohort]] table", None)
    parsed = tuple(_cohort(c, i, len(vals)) for i, c in enumerate(cohorts))
    if len({c.name for c in parsed}) != len(parsed):
        raise _err("cohort[].name", "unique", [c.name for c in parsed])
    tr = doc.get("treatment", {})
    drugs = tuple(_drug(d, i) for i, d in enumerate(tr.get("drug", [])))
    if not drugs:
        raise _err("treatment.drug", "at least one [[treatment.drug]] table", None)
    acc = _rep(t, "accrual", "trial", kind=str)
    if not isinstance(acc.value, list) or len(acc.value) != 2:
        raise _err("trial.accrual.value", "[first_enrolment, last_enrolment] ISO dates", acc.value)
    asm = doc.get("assumptions", {})
    if not isinstance(asm, dict):
        raise _err("assumptions", "a table of name = \"statement\"", asm)
    return TwinSpec(
        name=str(t["name"]), title=str(t.get("title", "")), reference=str(t.get("reference", "")),
        accrual=acc, evaluator=str(t.get("evaluator", "INVESTIGATOR")),
        confirmed=_rep(t, "confirmed", "trial", kind=bool),
        confirm_days=_count(t, "confirm_days", "trial"), sd_min_days=_count(t, "sd_min_days", "trial"),
        assessment_days=adays, assessment_every_days=every, visit_window_days=window,
        drugs=drugs, cohorts=parsed, notes=tuple(doc.get("notes", [])),
        ctcae_version=str(t.get("ctcae_version", "")),
        assumptions={str(k): str(v) for k, v in asm.items()}, path=path,
        pooled=_pooled(doc.get("pooled"), parsed),
    )


def bundled_spec_path(name: str) -> Path:
    """Path of a bundled spec (``'regomune'``, ``'nice-nec'`` or ``'talent'``).

    Examples
    --------
    >>> bundled_spec_path("talent").name
    'talent.toml'
    """
    if name not in BUNDLED_SPECS:
        raise OncotrialValueError(
            f"`name` of `bundled_spec_path` must be one of {BUNDLED_SPECS}; got {name!r}.")
    return Path(str(resources.files("oncotrial.evidence.twins") / "specs" / f"{name}.toml"))


def load_spec(spec: str | Path) -> TwinSpec:
    """Read and validate a twin spec (TOML) -- a path, or the name of a bundled spec.

    Parameters
    ----------
    spec : str or path
        A ``.toml`` file, or one of ``'regomune'``, ``'nice-nec'``, ``'talent'``.

    Returns
    -------
    TwinSpec

    Raises
    ------
    OncotrialValueError
        Naming the offending key path, e.g. ``cohort[1].bor``, when a number has neither
        ``source`` nor ``assumption``, counts do not add up, or a value is out of range.

    Examples
    --------
    >>> s = load_spec("talent")
    >>> [(c.name, c.enrolled.value, c.efficacy.value) for c in s.cohorts]
    [('panNET', 55, 52), ('GI-NET', 56, 55)]
    """
    if isinstance(spec, str) and spec in BUNDLED_SPECS:
        path = bundled_spec_path(spec)
    else:
        path = Path(spec)
    if not path.is_file():
        raise OncotrialValueError(
            f"`spec` of `load_spec` must be a TOML file or one of {BUNDLED_SPECS}; got {str(spec)!r}.")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise OncotrialValueError(f"`spec` of `load_spec` must be valid TOML; {path}: {e}.") from None
    return parse_spec(doc, str(path))
