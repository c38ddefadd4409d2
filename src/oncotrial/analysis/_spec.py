"""Study specification (TOML): what to analyse and how, validated key by key.

The spec is the single place where a study's analysis choices live: data source, populations,
cohorts, endpoint methods, landmarks, subgroups, Cox covariates, safety settings and the time
unit. ``docs/study-spec.md`` has a complete annotated example. Unknown keys and bad values
raise :class:`~oncotrial.OncotrialValueError` naming the key (``[section].key``) and the remedy.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oncotrial._errors import OncotrialValueError, spec_error
from oncotrial.analysis._adam_spec import AdamSpec, parse_adam_section
from oncotrial.analysis._spec_sets import (
    BinSpec,
    ComparisonSpec,
    EstimateSpec,
    SafetyTableSpec,
    SetSpec,
    parse_bins,
    parse_comparisons,
    parse_estimates,
    parse_safety_tables,
    parse_sets,
)
from oncotrial.analysis._spec_values import check_spec_values

__all__ = ["DAYS_PER_UNIT", "CoxSpec", "StudySpec", "SubgroupSpec", "load_study_spec",
           "parse_labels", "parse_study_spec"]

# Days per reported time unit. Months = days / 30.4375 (365.25 / 12), the convention of the
# seed papers' "months" and of R ``survival`` users' ``time / 30.4375``.
DAYS_PER_UNIT: dict[str, float] = {"months": 30.4375, "weeks": 7.0, "days": 1.0}
CI_METHODS = ("clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull", "mid-p",
              "wald")
CONF_TYPES = ("log", "log-log", "plain", "logit", "arcsin")
EFFICACY_RULES = ("flag", "treated", "treated-measurable")
SURV_ENDPOINTS = ("OS", "PFS")
AE_COLUMNS = ("any", "1-2", "3-4", "5", ">=3")  # grade 5 is shown whenever any exists


@dataclass(frozen=True, slots=True)
class SubgroupSpec:
    """One subgroup variable for the ORR subgroup analysis (``[[subgroups]]``)."""

    name: str
    column: str
    cut: float | None = None  # numeric column: levels "< cut" and ">= cut"
    optional: bool = False  # absent column: a note in the report instead of an error


@dataclass(frozen=True, slots=True)
class CoxSpec:
    """Cox regression settings (``[cox]``); empty ``covariates`` disables the analysis."""

    endpoint: str = "OS"
    covariates: tuple[str, ...] = ()
    cuts: tuple[tuple[str, float], ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    alpha_remove: float = 0.05
    min_variables: int = 2
    test: str = "wald"
    ties: str = "efron"
    optional: tuple[str, ...] = ()  # covariates that may be absent or without usable values


@dataclass(frozen=True, slots=True)
class StudySpec:
    """A validated study specification (see :func:`load_study_spec`)."""

    title: str
    data: Path
    evaluator: str | None = None
    time_unit: str = "months"
    ctcae_version: str = "5.0"
    efficacy_rule: str = "flag"
    cohort_order: tuple[str, ...] = ()
    overall: bool = False
    cohort_exclude: tuple[str, ...] = ()
    cohorts_optional: bool = False
    safety_by: str = "cohort"  # "actual_arm": safety tables by treatment received (ICH E9)
    ci_method: str = "clopper-pearson"
    level: float = 0.95
    confirmation: bool = True
    reference: str = "first-dose"
    confirm_days: int = 28
    no_assessment: str = "missing"  # "NE": patients without assessment counted as not evaluable
    sd_min_days: int = 42
    conf_type: str = "log"
    surv_endpoints: tuple[str, ...] = SURV_ENDPOINTS
    landmarks: tuple[float, ...] = (6.0, 12.0)
    risk_times: tuple[float, ...] = ()
    ae_threshold: float = 10.0
    teae_window_days: int = 30
    phases: tuple[str, ...] = ()
    subgroups: tuple[SubgroupSpec, ...] = ()
    conventions: str = "oncotrial"
    irecist: bool = False
    cox: CoxSpec = field(default_factory=CoxSpec)
    adam: AdamSpec = field(default_factory=AdamSpec)  # [adam]: ADaM input folders only
    sets: tuple[SetSpec, ...] = ()
    analysis_sets: tuple[tuple[str, str], ...] = ()
    estimates: tuple[tuple[str, EstimateSpec], ...] = ()
    ae_columns: tuple[str, ...] = AE_COLUMNS
    ae_tables: tuple[SafetyTableSpec, ...] = ()
    ae_tables_explicit: bool = False
    ae_figure: SafetyTableSpec | None = None
    comparisons: ComparisonSpec | None = None
    twin: str | None = None
    baseline_bins: tuple[BinSpec, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # [labels]: variable -> report label
    level_labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # [labels.levels]

    def set_of(self, analysis: str) -> str:
        """Name of the analysis set used by ``analysis`` (``response``, ``os``, ...)."""
        return dict(self.analysis_sets)[analysis]

    def estimate(self, endpoint: str) -> EstimateSpec:
        """Estimate settings of a response endpoint (``orr``, ``dcr``)."""
        return dict(self.estimates)[endpoint]
    data_cutoff: str | None = None  # ISO date; dates after it are data errors (default: today)

    @property
    def days_per_unit(self) -> float:
        """Days in one reported time unit (months: 30.4375)."""
        return DAYS_PER_UNIT[self.time_unit]

    def to_dict(self) -> dict:
        """JSON-ready echo of every setting (paths as strings)."""
        d = asdict(self)
        d["data"] = self.data.name
        return d


# key -> (type, default or required) per section; validation is declared here.
_SCHEMA: dict[str, dict[str, tuple]] = {
    "study": {"title": (str,), "data": (str,), "evaluator": (str,), "time_unit": (str,),
              "ctcae_version": (str,), "twin": (str,),
              "conventions": (str,), "data_cutoff": (object,)},
    "populations": {"efficacy": (str,), "baseline": (str,), "response": (str,), "os": (str,),
                    "pfs": (str,), "cox": (str,), "subgroups": (str,), "safety": (str,)},
    "cohorts": {"order": (list,), "overall": (bool,), "exclude": (list,),
                "optional": (bool,), "safety_by": (str,)},
    "response": {"ci_method": (str,), "level": (float,), "confirmation": (bool,),
                 "reference": (str,), "confirm_days": (int,), "sd_min_days": (int,),
                 "orr": (dict,), "dcr": (dict,), "no_assessment": (str,),
                 "irecist": (bool,)},
    "survival": {"conf_type": (str,), "endpoints": (list,), "landmarks": (list,),
                 "risk_times": (list,)},
    "safety": {"ae_threshold": (float,), "teae_window_days": (int,), "phases": (list,),
               "tables": (list,), "figure": (dict,), "columns": (list,)},
    "cox": {"endpoint": (str,), "covariates": (list,), "cuts": (dict,), "reference": (dict,),
            "alpha_remove": (float,), "min_variables": (int,), "test": (str,), "ties": (str,),
            "optional": (list,)},
}
_SUBGROUP_KEYS = {"name": str, "column": str, "cut": float, "optional": bool}


_err = spec_error  # one builder for every spec-entry error (oncotrial._errors)


def _typed(key: str, value: Any, typ: type) -> Any:
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typ is int and isinstance(value, bool):
        raise _err(key, "an integer", value, "Write a whole number, e.g. 28.")
    if not isinstance(value, typ):
        raise _err(key, f"of TOML type {typ.__name__}", value,
                   f"Write a {typ.__name__} value (see docs/study-spec.md).")
    return value


def _choice(key: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _err(key, f"one of {list(choices)}", value, "Pick one of the listed values.")
    return value


def _section(raw: dict, name: str) -> dict:
    sec = raw.get(name, {})
    if not isinstance(sec, dict):
        raise _err(f"[{name}]", "a table", sec, f"Write it as a [{name}] section.")
    allowed = _SCHEMA[name]
    out = {}
    for k, v in sec.items():
        if k not in allowed:
            raise _err(f"[{name}].{k}", f"a known key ({', '.join(sorted(allowed))})", k,
                       "Remove it or fix its spelling (see docs/study-spec.md).")
        out[k] = _typed(f"[{name}].{k}", v, allowed[k][0])
    return out


def _numbers(key: str, values: list, *, positive: bool = True) -> tuple[float, ...]:
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float) or (positive and v <= 0):
            raise _err(f"{key}[{i}]", "a positive number", v, "List times in the time unit, "
                       "e.g. [6, 12].")
        out.append(float(v))
    return tuple(out)


def _strings(key: str, values: list) -> tuple[str, ...]:
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise _err(f"{key}[{i}]", "a string", v, "Quote the value.")
    return tuple(values)


def parse_study_spec(raw: dict, base: Path | str = ".") -> StudySpec:
    """Validate a parsed TOML mapping and build a :class:`StudySpec`.

    ``base`` is the folder against which ``[study].data`` is resolved (the spec file's folder).

    Examples
    --------
    >>> s = parse_study_spec({"study": {"title": "T", "data": "d"},
    ...                       "response": {"ci_method": "wilson-cc"}})
    >>> s.ci_method, s.time_unit, s.days_per_unit
    ('wilson-cc', 'months', 30.4375)
    >>> try:
    ...     parse_study_spec({"study": {"title": "T", "data": "d", "colour": 1}})
    ... except ValueError as e:
    ...     print(str(e)[:44])
    `[study].colour` of the study spec must be a
    """
    check_spec_values(raw)  # every existing key's value, before any other work (issue 14)
    known = set(_SCHEMA) | {"subgroups", "sets", "comparisons", "baseline", "adam", "labels"}
    for k in raw:
        if k not in known:
            raise _err(k, f"a known section ({', '.join(sorted(known))})", k,
                       "Remove it or fix its spelling (see docs/study-spec.md).")
    st = _section(raw, "study")
    for req in ("title", "data"):
        if req not in st:
            raise _err(f"[study].{req}", "given", None, f"Add `{req} = ...` under [study].")
    kw: dict[str, Any] = {"title": st["title"], "data": (Path(base) / st["data"]).resolve()}
    if "evaluator" in st:
        kw["evaluator"] = st["evaluator"].strip().upper()
    if "time_unit" in st:
        kw["time_unit"] = _choice("[study].time_unit", st["time_unit"], tuple(DAYS_PER_UNIT))
    if "ctcae_version" in st:
        kw["ctcae_version"] = st["ctcae_version"]
    if "twin" in st:
        kw["twin"] = st["twin"]
    if "conventions" in st:
        kw["conventions"] = _choice("[study].conventions", st["conventions"],
                                    ("oncotrial", "admiral"))
    if "data_cutoff" in st:
        kw["data_cutoff"] = str(st["data_cutoff"])[:10]
    pop = _section(raw, "populations")
    if "efficacy" in pop:
        kw["efficacy_rule"] = _choice("[populations].efficacy", pop["efficacy"], EFFICACY_RULES)
    sets, use = parse_sets({**raw, "populations": pop}, kw.get("efficacy_rule", "flag"))
    kw["sets"], kw["analysis_sets"] = sets, tuple(sorted(use.items()))
    co = _section(raw, "cohorts")
    if "order" in co:
        kw["cohort_order"] = _strings("[cohorts].order", co["order"])
    if "exclude" in co:
        kw["cohort_exclude"] = _strings("[cohorts].exclude", co["exclude"])
    if "overall" in co:
        kw["overall"] = co["overall"]
    if "optional" in co:
        kw["cohorts_optional"] = co["optional"]
    if "safety_by" in co:
        kw["safety_by"] = _choice("[cohorts].safety_by", co["safety_by"],
                                  ("cohort", "actual_arm"))
    rs = _section(raw, "response")
    if "ci_method" in rs:
        kw["ci_method"] = _choice("[response].ci_method", rs["ci_method"], CI_METHODS)
    if "level" in rs:
        if not 0 < rs["level"] < 1:
            raise _err("[response].level", "in (0, 1)", rs["level"], "Use e.g. 0.95.")
        kw["level"] = rs["level"]
    if "reference" in rs:
        kw["reference"] = _choice("[response].reference", rs["reference"],
                                  ("first-dose", "randomization"))
    if "no_assessment" in rs:
        kw["no_assessment"] = _choice("[response].no_assessment", rs["no_assessment"],
                                      ("missing", "NE"))
    for k in ("confirmation", "irecist"):
        if k in rs:
            kw[k] = rs[k]
    for k in ("confirm_days", "sd_min_days"):
        if k in rs:
            if rs[k] < 0:
                raise _err(f"[response].{k}", ">= 0", rs[k], "Use days, e.g. 28.")
            kw[k] = rs[k]
    kw["estimates"] = tuple(sorted(parse_estimates(
        rs, kw.get("ci_method", "clopper-pearson"), kw.get("level", 0.95)).items()))
    sv = _section(raw, "survival")
    if "conf_type" in sv:
        kw["conf_type"] = _choice("[survival].conf_type", sv["conf_type"], CONF_TYPES)
    if "endpoints" in sv:
        eps = _strings("[survival].endpoints", sv["endpoints"])
        for e in eps:
            _choice("[survival].endpoints", e, SURV_ENDPOINTS)
        kw["surv_endpoints"] = eps
    if "landmarks" in sv:
        kw["landmarks"] = _numbers("[survival].landmarks", sv["landmarks"])
    if "risk_times" in sv:
        kw["risk_times"] = _numbers("[survival].risk_times", sv["risk_times"], positive=False)
    sf = _section(raw, "safety")
    if "ae_threshold" in sf:
        if not 0 <= sf["ae_threshold"] <= 100:
            raise _err("[safety].ae_threshold", "a percentage in [0, 100]", sf["ae_threshold"],
                       "E.g. 10 lists terms seen in >= 10% of the safety population.")
        kw["ae_threshold"] = sf["ae_threshold"]
    if "teae_window_days" in sf:
        kw["teae_window_days"] = sf["teae_window_days"]
    if "phases" in sf:
        kw["phases"] = tuple(p.upper() for p in _strings("[safety].phases", sf["phases"]))
    if "columns" in sf:
        cols = _strings("[safety].columns", sf["columns"])
        for i, c in enumerate(cols):
            _choice(f"[safety].columns[{i}]", c, AE_COLUMNS)
        kw["ae_columns"] = cols
    kw["ae_tables"], kw["ae_figure"], kw["ae_tables_explicit"] = parse_safety_tables(
        sf, kw.get("ae_threshold", 10.0))
    kw["comparisons"] = parse_comparisons(raw)
    kw["baseline_bins"] = parse_bins(raw)
    kw["labels"], kw["level_labels"] = parse_labels(raw, kw["baseline_bins"])
    subs = raw.get("subgroups", [])
    if not isinstance(subs, list):
        raise _err("subgroups", "an array of tables", subs, "Write [[subgroups]] blocks.")
    out = []
    for i, sg in enumerate(subs):
        for k, v in sg.items():
            if k not in _SUBGROUP_KEYS:
                raise _err(f"[[subgroups]][{i}].{k}", "one of name, column, cut, optional", k,
                           "Remove it or fix its spelling.")
            _typed(f"[[subgroups]][{i}].{k}", v, _SUBGROUP_KEYS[k])
        if "column" not in sg:
            raise _err(f"[[subgroups]][{i}].column", "given", None, "Name a subjects column.")
        cut = sg.get("cut")
        out.append(SubgroupSpec(sg.get("name", sg["column"]), sg["column"],
                                None if cut is None else float(cut),
                                bool(sg.get("optional", False))))
    kw["subgroups"] = tuple(out)
    cx = _section(raw, "cox")
    ckw: dict[str, Any] = {}
    if "endpoint" in cx:
        ckw["endpoint"] = _choice("[cox].endpoint", cx["endpoint"], SURV_ENDPOINTS)
    if "covariates" in cx:
        ckw["covariates"] = _strings("[cox].covariates", cx["covariates"])
    if "cuts" in cx:
        ckw["cuts"] = tuple(sorted((k, float(_typed(f"[cox].cuts.{k}", v, float)))
                                   for k, v in cx["cuts"].items()))
    if "reference" in cx:
        ckw["reference"] = tuple(sorted((k, str(v)) for k, v in cx["reference"].items()))
    if "optional" in cx:
        opt = _strings("[cox].optional", cx["optional"])
        for i, c in enumerate(opt):
            if c not in ckw.get("covariates", ()):
                raise _err(f"[cox].optional[{i}]", "one of [cox].covariates", c,
                           "List only covariates of the model.")
        ckw["optional"] = opt
    if "alpha_remove" in cx:
        if not 0 < cx["alpha_remove"] < 1:
            raise _err("[cox].alpha_remove", "in (0, 1)", cx["alpha_remove"], "Use e.g. 0.05.")
        ckw["alpha_remove"] = cx["alpha_remove"]
    if "min_variables" in cx:
        ckw["min_variables"] = cx["min_variables"]
    if "test" in cx:
        ckw["test"] = _choice("[cox].test", cx["test"], ("wald", "lr"))
    if "ties" in cx:
        ckw["ties"] = _choice("[cox].ties", cx["ties"], ("efron", "breslow", "exact"))
    kw["cox"] = CoxSpec(**ckw)
    kw["adam"] = parse_adam_section(raw.get("adam", {}))
    return StudySpec(**kw)


def parse_labels(raw: dict, bins: tuple[BinSpec, ...] = ()) -> tuple[tuple, tuple]:
    """``[labels]``: report labels of baseline variables, ``[labels.levels.<variable>]``: of
    their coded levels; a key that names no baseline variable is an error naming the key.

    Examples
    --------
    >>> parse_labels({"labels": {"ecog": "ECOG PS", "levels": {"sex": {"F": "Women"}}}})
    ((('ecog', 'ECOG PS'),), (('sex', (('F', 'Women'),)),))
    >>> try:
    ...     parse_labels({"labels": {"ecgo": "ECOG"}})
    ... except ValueError as e:
    ...     print(str(e)[:40])
    `[labels].ecgo` of the study spec must b
    """
    from oncotrial.analysis._common import BASELINE_COLUMNS

    sec = raw.get("labels", {})
    if not isinstance(sec, dict):
        raise _err("[labels]", "a table", sec, "Write it as a [labels] section.")
    known = (*BASELINE_COLUMNS, *(f"{b.column} (categories)" for b in bins), "cohort")
    labels, levels = [], []
    for k, v in sec.items():
        if k == "levels":
            if not isinstance(v, dict):
                raise _err("[labels.levels]", "a table", v, "Write [labels.levels.sex] F = ...")
            for var, codes in v.items():
                if var not in known:
                    raise _err(f"[labels.levels].{var}", f"a baseline variable ({', '.join(known)})",
                               var, "Fix its spelling or remove it (see docs/study-spec.md).")
                if not isinstance(codes, dict):
                    raise _err(f"[labels.levels].{var}", "a table of code = label", codes,
                               f'Write [labels.levels.{var}] and lines such as "CODE" = "Label".')
                pairs = tuple(sorted((str(c), _typed(f"[labels.levels.{var}].{c}", lab, str))
                                     for c, lab in codes.items()))
                levels.append((var, pairs))
            continue
        if k not in known:
            raise _err(f"[labels].{k}", f"a baseline variable ({', '.join(known)}) or levels", k,
                       "Fix its spelling or remove it (see docs/study-spec.md).")
        labels.append((k, _typed(f"[labels].{k}", v, str)))
    return tuple(sorted(labels)), tuple(sorted(levels))


def load_study_spec(path: str | Path) -> StudySpec:
    """Read and validate a study spec TOML file; ``[study].data`` is relative to the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "s.toml"
    ...     _ = p.write_text('[study]\\ntitle = "X"\\ndata = "data"\\n')
    ...     load_study_spec(p).data.name
    'data'
    """
    path = Path(path)
    if not path.is_file():
        raise OncotrialValueError(f"`spec` of `load_study_spec` must be an existing TOML file; "
                                  f"got {str(path)!r}. Check the path (see examples/*.toml).")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise OncotrialValueError(f"`spec` of `load_study_spec` must be valid TOML; {path}: "
                                  f"{exc}. Fix the syntax at that line.") from None
    return parse_study_spec(raw, path.parent)
