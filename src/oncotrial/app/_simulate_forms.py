"""The simulation calculator of the web app: its inputs and how they become a simulated trial.

The inputs are the options of ``oncotrial design simulate`` under the same names and with the
same defaults (except ``n_sim``: 2,000 trials per scenario, so that the page answers in about a
second; the CLI's is 10,000). Each design shows only the options the CLI reads for it
(:data:`oncotrial.design._simulate_cli.APPLIES`). The trial and its scenarios are built by the
CLI's own builder and simulated by :func:`oncotrial.design.simulate`, so a number in the
browser is the number ``oncotrial design simulate ... --json`` prints; the app holds no
statistics.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from oncotrial._errors import OncotrialValueError
from oncotrial.app._fields import Field, coerce_values, number_list

__all__ = ["APP_DEFAULT_N_SIM", "APP_MAX_N_SIM", "SIM_DESIGNS", "SIM_FIELDS", "SIM_LISTS", "applies", "build_trial",
           "coerce_sim", "visible_fields"]

WHERE = "the simulation form"
APP_DEFAULT_N_SIM = 2_000
#: the app simulates in its own process; larger runs belong to the CLI (and a Dask cluster)
APP_MAX_N_SIM = 1_000_000

#: the CLI's designs, grouped by kind (value -> label)
SIM_DESIGNS: dict[str, dict[str, str]] = {
    "Binary single arm": {"single-stage": "single stage (A'Hern)", "simon": "Simon two-stage",
                          "thall-simon": "Thall-Simon posterior monitoring",
                          "lee-liu": "Lee-Liu predictive probability", "bop2": "BOP2"},
    "Landmark survival, single arm": {"landmark": "landmark survival (Kaplan-Meier at t)"},
    "Two-arm time to event": {"two-arm": "two-arm log-rank / Cox"},
}
KIND_OF = {d: kind for kind, ds in SIM_DESIGNS.items() for d in ds}

#: comma-separated inputs: name -> (whole numbers?, example)
SIM_LISTS: dict[str, tuple[bool, str]] = {
    "rates": (False, "0.2,0.3,0.4"), "looks": (True, "10,20,30"), "true_s": (False, "0.5,0.72"),
    "breaks": (False, "6,12"), "relative_hazards": (False, "1,0.5"),
    "hr": (False, "1,0.8,0.7"), "info": (False, "0.5"), "efficacy": (False, "2.797,1.977"),
    "futility": (False, "0"),
}


def _transforms() -> tuple[str, ...]:
    from oncotrial.design import TRANSFORMS

    return tuple(TRANSFORMS)


SIM_FIELDS: tuple[Field, ...] = (
    Field("sim", "design to simulate", "simon", "select", choices=SIM_DESIGNS),
    Field("n_sim", "simulated trials per scenario (trials)", APP_DEFAULT_N_SIM, "int", 1000),
    Field("seed", "root seed (integer)", 20261201, "int", 1),
    # binary
    Field("p0", "p0: response rate under H0 (proportion)", 0.2, step=0.01),
    Field("p1", "p1: response rate under H1 (proportion)", 0.4, step=0.01),
    Field("rates", "true response rates to simulate (proportions, comma-separated; empty = p0,p1)",
          "", "text"),
    Field("simon_kind", "Simon design simulated", "optimal", "select", choices=("optimal", "minimax")),
    Field("nmax", "maximum sample size (patients)", 40, "int", 1),
    Field("nmin", "smallest Nmax searched (patients)", 10, "int", 1),
    Field("looks", "interim sizes (patients, comma-separated; empty = the design's default)", "", "text"),
    # landmark
    Field("s0", "S0: survival at the landmark under H0 (proportion)", 0.5, step=0.01),
    Field("s1", "S1: survival at the landmark under H1 (proportion)", 0.72, step=0.01),
    Field("landmark", "landmark time (months)", 12.0, step=1),
    Field("transform", "transformation whose n is enrolled", "log-log", "select", choices=_transforms()),
    Field("true_s", "true S(landmark) values to simulate (proportions, comma-separated; empty = S0,S1)",
          "", "text"),
    Field("law", "law of the event times (landmark; two-arm control arm)", "exponential", "select",
          choices=("exponential", "weibull", "piecewise", "cure")),
    Field("shape", "Weibull shape (> 1: rising hazard)", 1.0, step=0.1),
    Field("breaks", "piecewise law: times where the hazard changes (months, comma-separated)",
          "", "text"),
    Field("relative_hazards", "piecewise law: relative hazard of each piece (one more than the "
          "breaks, comma-separated)", "", "text"),
    Field("cure", "cure law: cured proportion (proportion)", None, step=0.01, optional=True),
    Field("dropout", "proportion lost to follow-up (landmark: by the landmark; two-arm: by the "
          "dropout time) (proportion)", 0.0, step=0.01),
    # survival, both kinds
    Field("n", "patients (empty = the design's n)", None, "int", 1, optional=True),
    Field("accrual", "accrual duration (months)", 18.0, step=1),
    Field("ramp", "linear ramp-up of accrual (months; 0 = uniform)", 0.0, step=1),
    Field("followup", "follow-up after the last entry (months)", 12.0, step=1),
    Field("alpha", "alpha: type I error (proportion)", 0.05, step=0.01),
    Field("power", "power (proportion)", 0.8, step=0.01),
    Field("sides", "sides of the test", "2", "select", choices=("1", "2")),
    # two-arm
    Field("hr", "hazard ratios to simulate (experimental / control, comma-separated; empty = 1,0.7)",
          "", "text"),
    Field("median0", "control median survival (months)", 12.0, step=1),
    Field("ratio", "allocation n_E / n_C (ratio)", 1.0, step=0.5),
    Field("events", "target events (events; empty = Schoenfeld's)", None, "int", 1, optional=True),
    Field("followup_only", "final analysis", "false", "select",
          choices={"false": "at the target events", "true": "at accrual + follow-up (calendar)"}),
    Field("info", "interim information fractions (comma-separated; empty = no interim)", "", "text"),
    Field("efficacy", "efficacy z bounds per analysis (comma-separated; empty = z at the end only)",
          "", "text"),
    Field("futility", "futility z bounds per interim (comma-separated; empty = none)", "", "text"),
    Field("test", "test of each analysis", "logrank", "select", choices=("logrank", "cox")),
    Field("delay", "delayed effect: HR = 1 before this time (months; 0 = proportional hazards)", 0.0,
          step=1),
    Field("early_hr", "hazard ratio before the delay (1: delayed effect; > 1: crossing hazards)",
          1.0, step=0.05),
    Field("dropout_by", "two-arm: time by which the dropout proportion is lost (months)", 12.0,
          step=1),
    Field("dropout_rate", "exponential dropout hazard (per month)", 0.0, step=0.005),
)
FIELDS_BY_NAME = {f.name: f for f in SIM_FIELDS}
ALWAYS = ("sim", "n_sim", "seed")


def applies(design: str) -> tuple[str, ...]:
    """Names of the inputs that ``design`` reads: the CLI's own list, in the form's order.

    Examples
    --------
    >>> applies("single-stage")
    ('sim', 'n_sim', 'seed', 'p0', 'p1', 'rates', 'alpha', 'power')
    """
    from oncotrial.design._simulate_cli import APPLIES

    names = set(APPLIES[design]) | set(ALWAYS)
    return tuple(f.name for f in SIM_FIELDS if f.name in names)


def visible_fields(design: str, law: str = "exponential") -> tuple[str, ...]:
    """The inputs shown for ``design``: a law's own inputs (``shape``, ``breaks``, ...) only with
    that law, as the CLI refuses them otherwise (``LAW_OPTIONS`` of the CLI).

    Examples
    --------
    >>> [n for n in visible_fields("landmark", "piecewise") if n in ("shape", "breaks", "cure")]
    ['breaks']
    """
    from oncotrial.design._simulate_cli import LAW_OPTIONS

    other = {n for lw, names in LAW_OPTIONS.items() if lw != law for n in names}
    return tuple(n for n in applies(design) if n not in other)


def coerce_sim(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The visible inputs of the chosen design as CLI option values.

    Raises :class:`OncotrialValueError` naming an empty or malformed input.

    Examples
    --------
    >>> coerce_sim({"sim": "two-arm", "hr": "1, 0.75", "sides": "1"})["sides"]
    1
    >>> try:
    ...     coerce_sim({"sim": "bop2", "looks": "10,20.5"})
    ... except ValueError as e:
    ...     print(str(e)[:62])
    `looks` of the simulation form must be comma-separated whole n
    """
    design = str(raw.get("sim") or "simon")
    if design not in KIND_OF:
        raise OncotrialValueError(f"`sim` of {WHERE} must be one of {list(KIND_OF)}; got {design!r}. "
                                  "Choose a design in the list.")
    law = str(raw.get("law") or "exponential")
    names = visible_fields(design, law)
    values = coerce_values([FIELDS_BY_NAME[n] for n in names], dict(raw), where=WHERE)
    for name, (whole, example) in SIM_LISTS.items():
        if name in values:
            number_list(values[name], name, whole=whole, where=WHERE, example=example)
            values[name] = values[name].strip() or None
    if not 2 <= values["n_sim"] <= APP_MAX_N_SIM:
        raise OncotrialValueError(
            f"`n_sim` of {WHERE} must be in [2, {APP_MAX_N_SIM:,}]; got {values['n_sim']!r}. For more "
            f"trials run `oncotrial design simulate {design} --n-sim N` (--backend dask for a cluster).")
    if "sides" in values:
        values["sides"] = int(values["sides"])
    if "followup_only" in values:
        values["followup_only"] = values["followup_only"] == "true"
    return values


def _cli_defaults() -> dict[str, Any]:
    """Every option of ``oncotrial design simulate`` with its default (typer ``Annotated`` form)."""
    from oncotrial.design._simulate_cli import simulate_cmd

    out = {}
    for name, p in inspect.signature(simulate_cmd).parameters.items():
        if name not in ("ctx", "design"):
            out[name] = p.default
    return out


def build_trial(values: Mapping[str, Any]) -> tuple[Any, Any]:
    """The trial and scenarios ``oncotrial design simulate`` builds from these options.

    Options the chosen design does not read keep the CLI's defaults, as on the command line.
    Each scenario is checked by the trial (a rate outside [0, 1], a negative hazard ratio).

    Examples
    --------
    >>> trial, scen = build_trial(coerce_sim({"sim": "simon", "p0": 0.1, "p1": 0.3}))
    >>> type(trial).__name__, scen
    ('SimonDesign', [0.1, 0.3])
    """
    from oncotrial.design import BinaryTrial
    from oncotrial.design._simulate_cli import SimDesign, _build

    opts = {**_cli_defaults(), **{k: v for k, v in values.items() if k != "sim"}}
    trial, scen = _build(SimDesign(values["sim"]), opts)
    checker = trial if hasattr(trial, "check_scenario") else BinaryTrial.from_design(trial)
    for sc in (scen.values() if isinstance(scen, Mapping) else scen):  # type: ignore[union-attr]
        checker.check_scenario(sc)
    return trial, scen
