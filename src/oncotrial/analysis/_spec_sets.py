"""Study-spec sections of analysis sets, response estimates, safety tables and comparisons.

Parsed here and stored on :class:`~oncotrial.analysis.StudySpec` (``_spec.py`` keeps the
original sections). Every key is validated with the spec's error style: the message names
``[section].key`` and the remedy. ``docs/study-spec.md`` documents each key.

* ``[sets.NAME]`` -- an ICH E9 analysis set: ``label``, ``within`` (parent set), ``flag``
  (a Y/N column), ``require`` (``treated``, ``assessed``, ``measurable``),
  ``exclude_reasons`` (disposition reasons that exclude), ``reason_labels``.
* ``[populations]`` -- which set each analysis uses (``baseline``, ``response``, ``os``,
  ``pfs``, ``cox``, ``subgroups``, ``safety``).
* ``[response.orr]`` / ``[response.dcr]`` -- per-endpoint estimate: any ``proportion_ci``
  method or ``bayes`` (Beta prior, mean/median, equal-tailed/HPD, P(p > p0)).
* ``[[safety.tables]]`` and ``[safety.figure]`` -- AE tables (all, related, serious) with
  their own threshold and forced terms.
* ``[comparisons]`` -- arms/cohorts compared with a reference arm.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from oncotrial._errors import spec_error

__all__ = ["ANALYSES", "BUILTIN_SETS", "BinSpec", "ComparisonSpec", "EstimateSpec", "SafetyTableSpec",
           "SetSpec", "parse_bins", "parse_comparisons", "parse_estimates", "parse_safety_tables",
           "parse_sets"]

BUILTIN_SETS = ("enrolled", "treated", "evaluable")
ANALYSES = ("baseline", "response", "os", "pfs", "cox", "subgroups", "safety")
#: default set of each analysis (ICH E9: efficacy on the full analysis set, safety on treated)
DEFAULT_ANALYSIS_SETS = {"baseline": "fas", "response": "fas", "os": "fas", "pfs": "fas",
                         "cox": "fas", "subgroups": "fas", "safety": "treated"}
REQUIREMENTS = ("treated", "assessed", "measurable")
ESTIMATE_METHODS = ("clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull",
                    "mid-p", "wald", "bayes")
DIFF_METHODS = ("newcombe", "newcombe-cc", "score", "agresti-caffo", "wald")
AE_TABLE_KINDS = ("all", "related", "serious")


_err = spec_error  # one builder for every spec-entry error (oncotrial._errors)


def _check_keys(key: str, table: Any, allowed: dict[str, type]) -> dict:
    if not isinstance(table, dict):
        raise _err(key, "a table", table, f"Write it as a [{key.strip('[]')}] table.")
    for k, v in table.items():
        if k not in allowed:
            raise _err(f"{key}.{k}", f"a known key ({', '.join(sorted(allowed))})", k,
                       "Remove it or fix its spelling (see docs/study-spec.md).")
        typ = allowed[k]
        ok = (isinstance(v, int | float) and not isinstance(v, bool)) if typ is float else \
            (isinstance(v, typ) and not (typ is int and isinstance(v, bool)))
        if not ok:
            raise _err(f"{key}.{k}", f"of TOML type {typ.__name__}", v,
                       f"Write a {typ.__name__} value (see docs/study-spec.md).")
    return table


def _strs(key: str, values: list) -> tuple[str, ...]:
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise _err(f"{key}[{i}]", "a string", v, "Quote the value.")
    return tuple(values)


@dataclass(frozen=True, slots=True)
class SetSpec:
    """One analysis set (``[sets.NAME]``): members of ``within`` passing every rule."""

    name: str
    label: str
    within: str = "enrolled"
    flag: str | None = None
    require: tuple[str, ...] = ()
    exclude_reasons: tuple[str, ...] = ()
    reason_labels: tuple[tuple[str, str], ...] = ()
    builtin: bool = False  # enrolled, treated, evaluable and the default fas


@dataclass(frozen=True, slots=True)
class EstimateSpec:
    """How one response endpoint (ORR, DCR) is estimated (``[response.orr]``)."""

    method: str = "clopper-pearson"
    prior: tuple[float, float] = (1.0, 1.0)
    point: str = "mean"
    interval: str = "equal-tailed"
    p0: float | None = None
    also: str | None = None  # frequentist interval printed beside a Bayesian estimate
    decimals: int = 1


@dataclass(frozen=True, slots=True)
class SafetyTableSpec:
    """One adverse-event table (``[[safety.tables]]``) or the AE figure."""

    kind: str = "all"
    threshold: float = 10.0
    strict: bool = False  # True: frequency > threshold; False: >= threshold
    terms: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ComparisonSpec:
    """Arms/cohorts compared with a reference (``[comparisons]``)."""

    reference: str
    compare: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ("OS", "PFS", "ORR")
    diff_method: str = "newcombe"
    test: str = "fisher"


def parse_sets(raw: dict, efficacy_rule: str) -> tuple[tuple[SetSpec, ...], dict[str, str]]:
    """``[sets.*]`` and the analysis -> set assignments of ``[populations]``.

    Examples
    --------
    >>> sets, use = parse_sets({"sets": {"fas": {"within": "enrolled", "flag": "EFFFL"}},
    ...                         "populations": {"safety": "treated"}}, "flag")
    >>> [s.name for s in sets], use["response"], use["safety"]
    (['enrolled', 'treated', 'evaluable', 'fas'], 'fas', 'treated')
    """
    rule_sets = {"flag": SetSpec("evaluable", "Efficacy-evaluable", "treated", "EFFFL",
                                 builtin=True),
                 "treated": SetSpec("evaluable", "Efficacy-evaluable", "treated", builtin=True),
                 "treated-measurable": SetSpec("evaluable", "Efficacy-evaluable", "treated",
                                               None, ("measurable",), builtin=True)}
    out = [SetSpec("enrolled", "Enrolled", "", "ENRLFL", builtin=True),
           SetSpec("treated", "Treated (safety set)", "enrolled", "SAFFL", builtin=True),
           rule_sets[efficacy_rule]]
    defined = raw.get("sets", {})
    if not isinstance(defined, dict):
        raise _err("[sets]", "a table of [sets.NAME] tables", defined,
                   "Write e.g. [sets.fas] with within/flag/require keys.")
    allowed = {"label": str, "within": str, "flag": str, "require": list,
               "exclude_reasons": list, "reason_labels": dict}
    for name, t in defined.items():
        key = f"[sets.{name}]"
        _check_keys(key, t, allowed)
        if name in ("enrolled", "treated"):
            raise _err(key, "a new set name (enrolled and treated are built in)", name,
                       "Pick another name, e.g. fas or per_protocol.")
        within = t.get("within", "enrolled")
        known = [s.name for s in out] + [n for n in defined if n != name]
        if within not in known:
            raise _err(f"{key}.within", f"one of {known}", within, "Name a defined set.")
        req = _strs(f"{key}.require", t.get("require", []))
        for i, r in enumerate(req):
            if r not in REQUIREMENTS:
                raise _err(f"{key}.require[{i}]", f"one of {list(REQUIREMENTS)}", r,
                           "Pick one of the listed rules.")
        labels = t.get("reason_labels", {})
        for k, v in labels.items():
            if not isinstance(v, str):
                raise _err(f"{key}.reason_labels.{k}", "a string", v, "Quote the label.")
        spec = SetSpec(name, t.get("label", name), within, t.get("flag"), req,
                       tuple(r.upper() for r in _strs(f"{key}.exclude_reasons",
                                                       t.get("exclude_reasons", []))),
                       tuple(sorted((k.upper(), v) for k, v in labels.items())))
        out = [s for s in out if s.name != name] + [spec]
    _check_cycles(out)
    names = [s.name for s in out]
    if "fas" not in names:  # default full analysis set: the efficacy set of [populations]
        ev = next(s for s in out if s.name == "evaluable")
        out.append(SetSpec("fas", "Full analysis set", ev.within, ev.flag, ev.require,
                           builtin=True))
        names.append("fas")
    pop = raw.get("populations", {})
    use = dict(DEFAULT_ANALYSIS_SETS)
    for a in ANALYSES:
        if a in pop:
            v = pop[a]
            if v not in names:
                raise _err(f"[populations].{a}", f"one of the sets {names}", v,
                           "Name a built-in set or define it under [sets.NAME].")
            use[a] = v
    return tuple(out), use


def _check_cycles(sets: list[SetSpec]) -> None:
    by = {s.name: s for s in sets}
    for s in sets:
        seen, cur = {s.name}, s.within
        while cur:
            if cur in seen:
                raise _err(f"[sets.{s.name}].within", "free of cycles", cur,
                           "Make the chain of `within` end at enrolled.")
            seen.add(cur)
            cur = by[cur].within if cur in by else ""


def parse_estimates(rs: dict, default_method: str, level: float) -> dict[str, EstimateSpec]:
    """``[response.orr]`` and ``[response.dcr]``; absent endpoints use ``ci_method``.

    Examples
    --------
    >>> e = parse_estimates({"orr": {"method": "bayes", "also": "clopper-pearson"}},
    ...                     "wilson", 0.95)
    >>> e["orr"].method, e["orr"].also, e["dcr"].method
    ('bayes', 'clopper-pearson', 'wilson')
    """
    allowed = {"method": str, "prior": list, "point": str, "interval": str, "p0": float,
               "also": str, "decimals": int}
    out = {}
    for ep in ("orr", "dcr"):
        t = rs.get(ep)
        if t is None:
            out[ep] = EstimateSpec(method=default_method)
            continue
        key = f"[response.{ep}]"
        _check_keys(key, t, allowed)
        kw: dict[str, Any] = {"method": t.get("method", default_method)}
        if kw["method"] not in ESTIMATE_METHODS:
            raise _err(f"{key}.method", f"one of {list(ESTIMATE_METHODS)}", kw["method"],
                       "Pick an interval method or bayes.")
        if "prior" in t:
            pr = t["prior"]
            if (len(pr) != 2 or any(isinstance(v, bool) or not isinstance(v, int | float)
                                    or v <= 0 for v in pr)):
                raise _err(f"{key}.prior", "two positive numbers [a, b]", pr,
                           "E.g. prior = [1, 1] (uniform).")
            kw["prior"] = (float(pr[0]), float(pr[1]))
        for k, choices in (("point", ("mean", "median")), ("interval", ("equal-tailed", "hpd"))):
            if k in t:
                if t[k] not in choices:
                    raise _err(f"{key}.{k}", f"one of {list(choices)}", t[k],
                               "Pick one of the listed values.")
                kw[k] = t[k]
        if "p0" in t:
            if not 0 < t["p0"] < 1:
                raise _err(f"{key}.p0", "in (0, 1)", t["p0"], "E.g. p0 = 0.1.")
            kw["p0"] = float(t["p0"])
        if "also" in t:
            if t["also"] not in ESTIMATE_METHODS[:-1]:
                raise _err(f"{key}.also", f"one of {list(ESTIMATE_METHODS[:-1])}", t["also"],
                           "Name a frequentist interval method.")
            kw["also"] = t["also"]
        if "decimals" in t:
            if not 0 <= t["decimals"] <= 3:
                raise _err(f"{key}.decimals", "0, 1, 2 or 3", t["decimals"], "E.g. 0.")
            kw["decimals"] = t["decimals"]
        if kw["method"] != "bayes" and any(k in t for k in ("prior", "point", "interval",
                                                             "p0")):
            raise _err(f"{key}.method", "bayes when prior/point/interval/p0 are given",
                       kw["method"], 'Set method = "bayes" or remove the Bayesian keys.')
        out[ep] = EstimateSpec(**kw)
    return out


def parse_safety_tables(sf: dict, threshold: float) -> tuple[tuple[SafetyTableSpec, ...],
                                                             SafetyTableSpec | None, bool]:
    """``[[safety.tables]]`` (default: all, related, serious where the data have them) and
    ``[safety.figure]``; the third value says whether the tables were given explicitly.

    Examples
    --------
    >>> t, fig, explicit = parse_safety_tables(
    ...     {"tables": [{"kind": "all", "terms": ["Epistaxis"]}],
    ...      "figure": {"threshold": 5, "strict": True}}, 10.0)
    >>> t[0].terms, fig.threshold, fig.strict, explicit
    (('Epistaxis',), 5.0, True, True)
    """
    allowed = {"kind": str, "threshold": float, "strict": bool, "terms": list,
               "optional": bool}

    def one(key: str, t: dict) -> SafetyTableSpec:
        _check_keys(key, t, allowed)
        kind = t.get("kind", "all")
        if kind not in AE_TABLE_KINDS:
            raise _err(f"{key}.kind", f"one of {list(AE_TABLE_KINDS)}", kind,
                       "Pick one of the listed kinds.")
        thr = float(t.get("threshold", threshold))
        if not 0 <= thr <= 100:
            raise _err(f"{key}.threshold", "a percentage in [0, 100]", thr, "E.g. 10.")
        return SafetyTableSpec(kind, thr, bool(t.get("strict", False)),
                               _strs(f"{key}.terms", t.get("terms", [])),
                               bool(t.get("optional", False)))

    tabs = sf.get("tables")
    explicit = tabs is not None
    if tabs is None:
        out = tuple(SafetyTableSpec(k, threshold, optional=k != "all") for k in AE_TABLE_KINDS)
    else:
        if not isinstance(tabs, list):
            raise _err("[safety].tables", "an array of tables", tabs,
                       "Write [[safety.tables]] blocks.")
        out = tuple(one(f"[[safety.tables]][{i}]", t) for i, t in enumerate(tabs))
        kinds = [t.kind for t in out]
        if len(set(kinds)) != len(kinds):
            raise _err("[[safety.tables]].kind", "unique per table", kinds,
                       "List each kind once.")
    fig = one("[safety.figure]", sf["figure"]) if "figure" in sf else None
    return out, fig, explicit


@dataclass(frozen=True, slots=True)
class BinSpec:
    """A numeric baseline column shown in categories too (``[[baseline.bins]]``)."""

    column: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]


def parse_bins(raw: dict) -> tuple[BinSpec, ...]:
    """``[[baseline.bins]]``: ``column``, ``edges`` (right-closed intervals, the first closed on
    both sides, as R ``cut(..., include.lowest = TRUE)``) and optional ``labels``.

    Examples
    --------
    >>> parse_bins({"baseline": {"bins": [{"column": "ki67", "edges": [20, 55, 100],
    ...                                    "labels": ["21-55", ">55"]}]}})[0].labels
    ('21-55', '>55')
    """
    sec = raw.get("baseline", {})
    _check_keys("[baseline]", sec, {"bins": list})
    out = []
    for i, b in enumerate(sec.get("bins", [])):
        key = f"[[baseline.bins]][{i}]"
        _check_keys(key, b, {"column": str, "edges": list, "labels": list})
        if "column" not in b or "edges" not in b:
            raise _err(f"{key}.column", "given with edges", b, "Write column = ... and "
                       "edges = [...].")
        e = b["edges"]
        if (len(e) < 2 or any(isinstance(v, bool) or not isinstance(v, int | float) for v in e)
                or any(x >= y for x, y in pairwise(e))):
            raise _err(f"{key}.edges", "at least two increasing numbers", e,
                       "E.g. edges = [0, 5, 10, 20].")
        labels = _strs(f"{key}.labels", b.get("labels", []))
        if labels and len(labels) != len(e) - 1:
            raise _err(f"{key}.labels", f"{len(e) - 1} labels (one per interval)", labels,
                       "Give one label per interval or none.")
        labels = labels or tuple(f"{x:g}-{y:g}" for x, y in pairwise(e))
        out.append(BinSpec(b["column"], tuple(float(v) for v in e), labels))
    return tuple(out)


def parse_comparisons(raw: dict) -> ComparisonSpec | None:
    """``[comparisons]``: reference arm, compared arms, strata, endpoints, methods.

    Examples
    --------
    >>> parse_comparisons({"comparisons": {"reference": "Placebo", "strata": ["sex"]}}).strata
    ('sex',)
    """
    if "comparisons" not in raw:
        return None
    key = "[comparisons]"
    t = _check_keys(key, raw["comparisons"], {"reference": str, "compare": list,
                                               "strata": list, "endpoints": list,
                                               "diff_method": str, "test": str})
    if "reference" not in t:
        raise _err(f"{key}.reference", "given", None,
                   'Name the control arm, e.g. reference = "Placebo".')
    eps = _strs(f"{key}.endpoints", t.get("endpoints", ["OS", "PFS", "ORR"]))
    for i, e in enumerate(eps):
        if e not in ("OS", "PFS", "ORR"):
            raise _err(f"{key}.endpoints[{i}]", "one of ['OS', 'PFS', 'ORR']", e,
                       "Pick one of the listed endpoints.")
    dm = t.get("diff_method", "newcombe")
    if dm not in DIFF_METHODS:
        raise _err(f"{key}.diff_method", f"one of {list(DIFF_METHODS)}", dm,
                   "Newcombe's hybrid score interval is the usual choice.")
    test = t.get("test", "fisher")
    strata = _strs(f"{key}.strata", t.get("strata", []))
    if test not in ("fisher", "cmh"):
        raise _err(f"{key}.test", "one of ['fisher', 'cmh']", test,
                   "fisher: exact 2 x 2; cmh: Cochran-Mantel-Haenszel over the strata.")
    if test == "cmh" and not strata:
        raise _err(f"{key}.test", "fisher when no strata are given", test,
                   "Add strata = [...] or use test = \"fisher\".")
    return ComparisonSpec(t["reference"], _strs(f"{key}.compare", t.get("compare", [])),
                          strata, eps, dm, test)
