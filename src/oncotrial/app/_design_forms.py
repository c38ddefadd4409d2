"""The design calculators of the web app, declared as data: inputs, the API call, key numbers.

Each :class:`DesignForm` names its inputs (label with unit, default, bounds) and a ``compute``
that calls the public :mod:`oncotrial.design` API with exactly the CLI's defaults. The app
holds no statistics: every number shown comes from the returned design object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oncotrial.app._fields import Field, number_list
from oncotrial.app._fields import coerce_values as _coerce

__all__ = ["DESIGN_FORMS", "DesignForm", "Field", "coerce_values", "protocol_text"]


@dataclass(frozen=True, slots=True)
class DesignForm:
    """A design calculator: its inputs, the API call and the headline numbers to show."""

    key: str
    title: str
    reference: str
    fields: tuple[Field, ...]
    compute: Callable[[dict[str, Any]], Any]
    headline: Callable[[Any], list[tuple[str, str, str]]]
    curves: Callable[[Any], dict[str, Any]] = field(default=lambda _d: {})


def _looks(v: str | None) -> list[int] | None:
    """Comma-separated look sizes as the CLI reads them (``None`` when empty)."""
    return number_list(v, "looks", whole=True)  # type: ignore[return-value]


def coerce_values(form: DesignForm, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn raw widget values (numbers, strings, ``None`` for an empty box) into API arguments.

    Raises :class:`OncotrialValueError` naming the empty or malformed input.

    Examples
    --------
    >>> coerce_values(DESIGN_FORMS["single-stage"], {"p0": 0.1, "p1": "0.25"})["p1"]
    0.25
    >>> try:
    ...     coerce_values(DESIGN_FORMS["single-stage"], {"p0": None})
    ... except ValueError as e:
    ...     print(str(e)[:37])
    `p0` of the design form must be given
    """
    return _coerce(form.fields, raw)


def protocol_text(design: object) -> str | None:
    """The protocol paragraph where the design API provides one (``text`` of its JSON)."""
    try:
        d = design.to_dict()  # type: ignore[attr-defined]
    except AttributeError:  # a design without to_dict has no text
        return None
    t = d.get("text") if isinstance(d, dict) else None
    return t if isinstance(t, str) and t.strip() else None


def _f(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}"


# ---- the forms -----------------------------------------------------------------------------

def _single(v: dict) -> Any:
    from oncotrial.design import single_stage_design
    return single_stage_design(v["p0"], v["p1"], v["alpha"], v["power"], nmax=v["nmax"])


def _single_head(d: Any) -> list[tuple[str, str, str]]:
    return [("n", "Sample size n (patients)", str(d.n)),
            ("r", "Reject H0 if responses ≥ r", str(d.r)),
            ("alpha", "Exact alpha", _f(d.alpha)), ("power", "Exact power", _f(d.power)),
            ("rule", "Decision rule", d.rule)]


def _simon(v: dict) -> Any:
    from oncotrial.design import simon_design
    return simon_design(v["p0"], v["p1"], v["alpha"], v["power"], nmax=v["nmax"])


def _simon_head(s: Any) -> list[tuple[str, str, str]]:
    o, m = s.optimal, s.minimax
    return [("optimal", "Optimal r1/n1, r/n", f"{o.r1}/{o.n1}, {o.r}/{o.n}"),
            ("optimal_en0", "Optimal EN(p0), PET(p0)", f"{o.en0:.2f}, {o.pet0:.4f}"),
            ("minimax", "Minimax r1/n1, r/n", f"{m.r1}/{m.n1}, {m.r}/{m.n}"),
            ("minimax_en0", "Minimax EN(p0), PET(p0)", f"{m.en0:.2f}, {m.pet0:.4f}"),
            ("rule", "Decision rule (optimal)", o.rule)]


def _simon_curves(s: Any) -> dict[str, Any]:
    out = {f"optimal {s.optimal.r1}/{s.optimal.n1}, {s.optimal.r}/{s.optimal.n}": s.optimal,
           f"minimax {s.minimax.r1}/{s.minimax.n1}, {s.minimax.r}/{s.minimax.n}": s.minimax}
    for d in s.admissible:
        key = f"admissible {d.r1}/{d.n1}, {d.r}/{d.n}"
        if (d.n, d.n1) not in {(s.optimal.n, s.optimal.n1), (s.minimax.n, s.minimax.n1)}:
            out[key] = d
    return out


def _inference(v: dict) -> Any:
    from oncotrial.design import simon_inference
    return simon_inference(v["x"], v["r1"], v["n1"], v["r"], v["n"], p0=v["p0"], level=v["level"])


def _inference_head(d: Any) -> list[tuple[str, str, str]]:
    ci = d.ci
    return [("umvue", "UMVUE of p", _f(d.umvue)), ("mle", "MLE x/n", _f(d.mle)),
            ("p_value", "Stage-wise p-value", "—" if d.p_value is None else f"{d.p_value:.4g}"),
            ("ci", f"{ci.level:.0%} exact CI", f"{ci.low:.4f} to {ci.high:.4f}")]


def _oc_head(d: Any) -> list[tuple[str, str, str]]:
    return [("n", "Maximum sample size N", str(d.n)),
            ("alpha", "Exact alpha", _f(d.alpha)), ("power", "Exact power", _f(d.power)),
            ("en0", "EN(p0)", f"{d.en0:.2f}"), ("pet0", "PET(p0)", _f(d.pet0))]


def _posterior(v: dict) -> Any:
    from oncotrial.design import posterior_monitoring
    return posterior_monitoring(v["p0"], v["p1"], nmax=v["nmax"], looks=_looks(v["looks"]),
                                p_futility=v["p_futility"], p_efficacy=v["p_efficacy"])


def _predictive(v: dict) -> Any:
    from oncotrial.design import predictive_design
    return predictive_design(v["p0"], v["p1"], v["alpha"], v["power"], nmin=v["nmin"],
                             nmax=v["nmax"], first_look=v["first_look"])


def _predictive_head(d: Any) -> list[tuple[str, str, str]]:
    return [*_oc_head(d), ("theta", "theta_T, theta_L", f"{d.theta_t:g}, {d.theta_l:g}"),
            ("r_final", "Reject H0 at N if responses ≥", str(d.r_final))]


def _bop2(v: dict) -> Any:
    from oncotrial.design import bop2_design
    return bop2_design(v["p0"], v["p1"], v["alpha"], nmax=v["nmax"], looks=_looks(v["looks"]))


def _bop2_head(d: Any) -> list[tuple[str, str, str]]:
    return [*_oc_head(d), ("lambda", "lambda, gamma", f"{d.lam:g}, {d.gamma:g}"),
            ("r_final", "Reject H0 at N if responses ≥", str(d.r_final))]


def _landmark(v: dict) -> Any:
    from oncotrial.design import landmark_survival_design
    return landmark_survival_design(v["s0"], v["s1"], v["landmark"], v["accrual"], v["followup"],
                                    alpha=v["alpha"], power=v["power"], sides=int(v["sides"]),
                                    dropout=v["dropout"], dropout_method=v["dropout_method"])


def _landmark_head(d: Any) -> list[tuple[str, str, str]]:
    return [(f"n_{k}", f"Patients to enrol ({k})", str(d.n[k])) for k in d.n]


def _two_arm(v: dict) -> Any:
    from oncotrial.design import two_arm_survival_design
    return two_arm_survival_design(v["hr"], median0=v["median0"], accrual=v["accrual"],
                                   followup=v["followup"], alpha=v["alpha"], power=v["power"],
                                   sides=int(v["sides"]), ratio=v["ratio"], dropout=v["dropout"])


def _two_arm_head(d: Any) -> list[tuple[str, str, str]]:
    rows = [(f"events_{k}", f"Events ({k})", str(d.events[k])) for k in d.events]
    rows += [(f"n_{k}", f"Patients ({k})", str(d.n[k])) for k in d.n]
    return [*rows, ("prob_event", "P(event by the analysis)", _f(d.prob_event))]


P0 = Field("p0", "p0: response rate under H0 (proportion, 0–1)", 0.1, step=0.01)
P1 = Field("p1", "p1: response rate under H1 (proportion, > p0)", 0.25, step=0.01)
ALPHA = Field("alpha", "alpha: one-sided type I error (proportion)", 0.05, step=0.01)
POWER = Field("power", "power at p1 (proportion)", 0.9, step=0.01)

DESIGN_FORMS: dict[str, DesignForm] = {f.key: f for f in (
    DesignForm("single-stage", "Single stage (A'Hern)", "A'Hern RP. Stat Med 2001;20:859-866.",
               (P0, P1, ALPHA, POWER, Field("nmax", "largest n searched (patients)", 1000, "int", 1)),
               _single, _single_head, lambda d: {f"n={d.n}, reject if X ≥ {d.r}": d}),
    DesignForm("simon", "Simon two-stage", "Simon R. Control Clin Trials 1989;10:1-10; "
               "Jung SH et al. Stat Med 2004;23:561-569.",
               (P0, Field("p1", P1.label, 0.3, step=0.01), ALPHA, Field("power", POWER.label, 0.8, step=0.01),
                Field("nmax", "largest maximum sample size (patients)", 100, "int", 1)),
               _simon, _simon_head, _simon_curves),
    DesignForm("simon-inference", "Simon: inference after the trial",
               "Jung SH, Kim KM. Stat Med 2004;23:2155-2169; Koyama T, Chen H. Stat Med 2008;27:3145-3154.",
               (Field("x", "x: total responses observed (patients)", 6, "int", 1),
                Field("r1", "r1: stage-1 futility bound (responses)", 1, "int", 1),
                Field("n1", "n1: stage-1 size (patients)", 10, "int", 1),
                Field("r", "r: final bound (responses)", 5, "int", 1),
                Field("n", "n: maximum size (patients)", 29, "int", 1),
                Field("p0", "p0 for the p-value (proportion)", 0.1, step=0.01),
                Field("level", "confidence level (proportion)", 0.95, step=0.01)),
               _inference, _inference_head),
    DesignForm("bayes-posterior", "Bayesian posterior monitoring (Thall & Simon)",
               "Thall PF, Simon R. Biometrics 1994;50:337-349.",
               (Field("p0", "p0 = theta_S: standard response rate (proportion)", 0.2, step=0.01),
                Field("p1", "p1 = theta_S + delta: target rate (proportion)", 0.4, step=0.01),
                Field("nmax", "maximum sample size (patients)", 40, "int", 1),
                Field("looks", "look sizes (patients, comma-separated; empty = every patient)", "", "text"),
                Field("p_futility", "futility cutoff on P(E > S + delta) (probability)", 0.05, step=0.01),
                Field("p_efficacy", "efficacy cutoff on P(E > S) (probability)", 0.95, step=0.01)),
               _posterior, _oc_head, lambda d: {"posterior monitoring": d}),
    DesignForm("bayes-predictive", "Bayesian predictive probability (Lee & Liu)",
               "Lee JJ, Liu DD. Clin Trials 2008;5:93-106.",
               (Field("p0", P0.label, 0.2, step=0.01), Field("p1", P1.label, 0.4, step=0.01),
                Field("alpha", "type I error bound (proportion)", 0.1, step=0.01),
                Field("power", "power bound (proportion)", 0.9, step=0.01),
                Field("nmin", "smallest Nmax searched (patients)", 10, "int", 1),
                Field("nmax", "largest Nmax searched (patients)", 60, "int", 1),
                Field("first_look", "first interim size (patients)", 10, "int", 1)),
               _predictive, _predictive_head, lambda d: {f"Nmax = {d.n}": d}),
    DesignForm("bop2", "BOP2 (binary endpoint)", "Zhou H, Lee JJ, Yuan Y. Stat Med 2017;36:3302-3314.",
               (Field("p0", P0.label, 0.2, step=0.01), Field("p1", P1.label, 0.4, step=0.01),
                Field("alpha", "type I error bound (proportion)", 0.1, step=0.01),
                Field("nmax", "maximum sample size N (patients)", 40, "int", 1),
                Field("looks", "interim sizes (patients, comma-separated; empty = default)", "", "text")),
               _bop2, _bop2_head, lambda d: {f"BOP2, N = {d.n}": d}),
    DesignForm("survival-landmark", "Landmark survival, single arm",
               "Nagashima K et al. Pharm Stat 2021;20:1030-1041.",
               (Field("s0", "S0: survival at the landmark under H0 (proportion)", 0.9, step=0.01),
                Field("s1", "S1: survival at the landmark under H1 (proportion)", 0.96, step=0.01),
                Field("landmark", "landmark time (months)", 18.0, step=1),
                Field("accrual", "uniform accrual duration (months)", 24.0, step=1),
                Field("followup", "follow-up after the last entry (months)", 24.0, step=1),
                Field("dropout", "proportion lost to follow-up (proportion)", 0.0, step=0.01),
                Field("dropout_method", "dropout handling", "inflate", "select",
                      choices=("inflate", "exponential")),
                Field("alpha", "alpha (proportion)", 0.05, step=0.01),
                Field("power", "power (proportion)", 0.8, step=0.01),
                Field("sides", "sides of the test", "1", "select", choices=("1", "2"))),
               _landmark, _landmark_head),
    DesignForm("survival-two-arm", "Two-arm survival (log-rank)",
               "Schoenfeld D. Biometrika 1981;68:316-319; Freedman LS. Stat Med 1982;1:121-129.",
               (Field("hr", "hazard ratio under H1 (experimental / control)", 0.7, step=0.05),
                Field("median0", "control median survival (months)", 12.0, step=1),
                Field("accrual", "accrual duration (months)", 24.0, step=1),
                Field("followup", "follow-up after the last entry (months)", 12.0, step=1),
                Field("alpha", "alpha (proportion)", 0.05, step=0.01),
                Field("power", "power (proportion)", 0.8, step=0.01),
                Field("sides", "sides of the test", "2", "select", choices=("1", "2")),
                Field("ratio", "allocation n_E / n_C (ratio)", 1.0, step=0.5),
                Field("dropout", "proportion lost to follow-up (proportion)", 0.0, step=0.01)),
               _two_arm, _two_arm_head),
)}
