"""Protocol text: the statistical-design paragraph of a protocol, from a design result.

Every paragraph states each assumption (rates, error rates, sidedness, accrual and follow-up
where they apply), the decision rule in numbers, the exact operating characteristics and the
reference of the method, in the style of published phase II methods sections (TALENT: "55
patients per group ... 90% power and alpha-error of 5%").
"""

from __future__ import annotations

import sys
from typing import Any

from oncotrial._errors import bad_value

__all__ = ["protocol_text"]


def _pct(x: float) -> str:
    """Percent with up to one decimal: 0.9 -> '90 %', 0.0444 -> '4.4 %'."""
    v = 100 * x
    return f"{v:.0f} %" if abs(v - round(v)) < 0.05 else f"{v:.1f} %"


def _patients(n: int, per: str | None) -> str:
    return f"{n} patients" + (f" per {per}" if per else "")


def _looks_rule(looks: list[int], fut: list[int]) -> str:
    parts = [f"{f} or fewer responses among the first {n}" for n, f in zip(looks, fut, strict=True)
             if f >= 0]
    none = [str(n) for n, f in zip(looks, fut, strict=True) if f < 0]
    txt = "; ".join(parts) if parts else "never"
    if none:
        txt += f" (no stop is possible at the look{'s' if len(none) > 1 else ''} after " \
               f"{', '.join(none)} patients)"
    return txt


def _single(d: Any, per: str | None) -> str:
    return (
        f"A sample size of {_patients(d.n, per)} provides {_pct(d.power_target)} power to reject "
        f"the null hypothesis that the true response rate is {_pct(d.p0)} or less, when the "
        f"true rate is {_pct(d.p1)}, at a one-sided significance level of {_pct(d.alpha_target)} "
        f"(exact single-stage binomial design; A'Hern, Stat Med 2001;20:859-866). The treatment "
        f"will be considered worth further study if {d.r} or more responses are observed among "
        f"the {d.n} patients. The exact type I error of this rule is {_pct(d.alpha)} and its "
        f"exact power {_pct(d.power)}.")


def _simon(d: Any, per: str | None, alpha_t: float, power_t: float) -> str:
    n2 = d.n - d.n1
    return (
        f"A Simon two-stage {d.kind} design (Simon, Control Clin Trials 1989;10:1-10) tests the "
        f"null hypothesis that the true response rate is {_pct(d.p0)} or less against the "
        f"alternative of {_pct(d.p1)}, with a one-sided type I error of at most {_pct(alpha_t)} "
        f"and a power of at least {_pct(power_t)}. In the first stage {_patients(d.n1, per)} "
        f"will be enrolled; if {d.r1} or fewer respond, the trial stops for futility. "
        f"Otherwise {n2} further patients will be enrolled, for a total of {d.n}, and the "
        f"treatment will be considered worth further study if {d.r + 1} or more responses are "
        f"observed among the {d.n} patients. The exact type I error is {_pct(d.alpha)} and the "
        f"exact power {_pct(d.power)}; if the true rate is {_pct(d.p0)}, the probability of "
        f"early termination is {_pct(d.pet0)} and the expected sample size {d.en0:.1f}.")


def _bop2(d: Any, per: str | None) -> str:
    looks = [n for n, _ in d.boundary]
    fut = [f for _, f in d.boundary]
    return (
        f"The Bayesian optimal phase II (BOP2) design (Zhou, Lee & Yuan, Stat Med "
        f"2017;36:3302-3314) will enrol at most {_patients(d.n, per)}, with interim analyses "
        f"after {', '.join(map(str, looks)) or 'none'} patients. With a Beta({d.a:g}, {d.b:g}) "
        f"prior for the response rate p, the trial stops for futility at an interim analysis "
        f"with n patients if Pr(p <= {d.p0:g} | data) > 1 - {d.lam:g} (n/{d.n})^{d.gamma:g}, "
        f"that is with {_looks_rule(looks, fut)}. At the final analysis the treatment will be "
        f"considered promising if {d.r_final} or more responses are observed among the {d.n} "
        f"patients. The probability of claiming promising is {_pct(d.alpha)} if the true "
        f"rate is {_pct(d.p0)} (type I error, target at most {_pct(d.alpha_target)}) "
        f"and {_pct(d.power)} if it is {_pct(d.p1)}; under the null rate the probability of "
        f"early stopping is {_pct(d.pet0)} and the expected sample size {d.en0:.1f}.")


def _posterior(d: Any, per: str | None) -> str:
    eff = "" if d.p_efficacy is None else (
        f", and stops early claiming promising if Pr(p > {d.p0:g} | data) > {d.p_efficacy:g}")
    return (
        f"Bayesian posterior monitoring (Thall & Simon, Biometrics 1994;50:337-349) with at most "
        f"{_patients(d.n, per)}, analyses after {', '.join(map(str, d.looks))} patients and a "
        f"Beta({d.prior_e[0]:g}, {d.prior_e[1]:g}) prior for the response rate p: the trial "
        f"stops for futility if Pr(p > {d.p1:g} | data) < {d.p_futility:g}, that is with "
        f"{_looks_rule(list(d.looks[:-1]), list(d.futility[:-1]))}{eff}. The exact probability "
        f"of claiming promising is {_pct(d.alpha)} if the true rate is {_pct(d.p0)} and "
        f"{_pct(d.power)} if it is {_pct(d.p1)}; under the null rate the expected sample size "
        f"is {d.en0:.1f}.")


def _predictive(d: Any, per: str | None) -> str:
    looks = [n for n, _ in d.boundary]
    fut = [f for _, f in d.boundary]
    return (
        f"A predictive-probability design (Lee & Liu, Clin Trials 2008;5:93-106) with at most "
        f"{_patients(d.n, per)} and a Beta({d.a:g}, {d.b:g}) prior: the trial stops for "
        f"futility when the predictive probability of success falls below {d.theta_l:g}, that "
        f"is with {_looks_rule(looks, fut)}; at the end the treatment is considered promising "
        f"if {d.r_final} or more responses are observed (Pr(p > {d.p0:g} | data) > "
        f"{d.theta_t:g}). The exact type I error is {_pct(d.alpha)} and the power "
        f"{_pct(d.power)} at a true rate of {_pct(d.p1)}; under the null rate the expected "
        f"sample size is {d.en0:.1f}.")


def _landmark(d: Any, per: str | None, transform: str) -> str:
    ne, n = d.n_evaluable[transform], d.n[transform]
    side = "two-sided" if d.sides == 2 else "one-sided"
    if d.dropout > 0 and d.dropout_method == "inflate":
        drop = (f" Allowing for {_pct(d.dropout)} of patients lost to follow-up "
                f"(n / (1 - {d.dropout:g})), {_patients(n, per)} will be enrolled.")
    elif d.dropout > 0:
        drop = (f" Loss to follow-up is modelled as exponential censoring with {_pct(d.dropout)} "
                f"lost by the landmark, which enters the variance; {_patients(n, per)} will be "
                f"enrolled.")
    else:
        drop = f" {_patients(n, per).capitalize()} will be enrolled (no loss to follow-up assumed)."
    who = f"{ne} patients" if d.dropout_method == "exponential" else f"{ne} evaluable patients"
    return (
        f"The primary endpoint is the survival probability at {d.landmark:g} months, estimated "
        f"by Kaplan-Meier. Assuming exponential survival, uniform accrual over {d.accrual:g} "
        f"months and {d.followup:g} months of further follow-up, {who} give "
        f"{_pct(d.power)} power to reject H0: S({d.landmark:g}) <= {_pct(d.s0)} when the true "
        f"value is {_pct(d.s1)}, with a {side} type I error of {_pct(d.alpha)} (test of the "
        f"{transform}-transformed Kaplan-Meier estimate; Nagashima et al., Pharm Stat "
        f"2021;20:499-511).{drop} H0 will be rejected if the Kaplan-Meier estimate of "
        f"S({d.landmark:g}) with {ne} patients exceeds {d.critical_value(transform):.3f}.")


def _two_arm(d: Any, per: str | None, method: str) -> str:
    side = "two-sided" if d.sides == 2 else "one-sided"
    c, e = d.n_arms[method]
    ref = ("Schoenfeld, Biometrika 1981;68:316-319" if method == "schoenfeld"
           else "Freedman, Stat Med 1982;1:121-129")
    drop = f", inflated by 1/(1 - {d.dropout:g}) for loss to follow-up" if d.dropout > 0 else ""
    rnd = ("from the rounded number of events" if d.rounding == "events"
           else "from the unrounded number of events, as rpact")
    return (
        f"Assuming exponential survival with a median of {d.median0:g} months in the control "
        f"arm, a hazard ratio of {d.hr:g}, uniform accrual over {d.accrual:g} months and "
        f"{d.followup:g} months of further follow-up, {d.events[method]} events are required "
        f"for the log-rank test to have {_pct(d.power)} power at a {side} significance level "
        f"of {_pct(d.alpha)} with {d.ratio:g}:1 allocation (experimental:control; {ref}). "
        f"With an average probability of an event of {_pct(d.prob_event)} by the analysis, "
        f"{d.n[method]} patients ({e} experimental, {c} control) will be enrolled (rounded up "
        f"{rnd}{drop}).")


def _is(obj: object, module: str, name: str) -> bool:
    """``isinstance(obj, oncotrial.design.<module>.<name>)`` without importing the module: an
    instance implies its module is loaded, so an absent module answers False (start-up,
    issue 21: a command does not import the other designs' modules)."""
    cls = getattr(sys.modules.get(f"oncotrial.design.{module}"), name, None)
    return cls is not None and isinstance(obj, cls)


def protocol_text(design: Any, *, per: str | None = None, transform: str = "arcsine",
                  method: str = "schoenfeld", choice: str = "optimal") -> str:
    """The design paragraph of a protocol for a design result.

    Parameters
    ----------
    design : any design result of :mod:`oncotrial.design`
    per : str, optional
        Unit the sample size refers to, e.g. ``'cohort'`` ("55 patients per cohort").
    transform : str, default='arcsine'
        Landmark designs: the transformation whose n is quoted.
    method : {'schoenfeld', 'freedman'}, default='schoenfeld'
        Two-arm designs: the event formula quoted.
    choice : {'optimal', 'minimax'}, default='optimal'
        Simon searches: the design quoted.

    Examples
    --------
    >>> from oncotrial.design import single_stage_design
    >>> protocol_text(single_stage_design(0.10, 0.25, 0.05, 0.90), per="cohort")[:78]
    'A sample size of 55 patients per cohort provides 90 % power to reject the null'
    """
    func = "protocol_text"
    if _is(design, "_single_stage", "SingleStageDesign"):
        return _single(design, per)
    if _is(design, "_simon", "SimonSearch"):
        if choice not in ("optimal", "minimax"):
            raise bad_value("choice", func, "'optimal' or 'minimax'", choice)
        return _simon(getattr(design, choice), per, design.alpha_target, design.power_target)
    if _is(design, "_simon", "SimonDesign"):
        return _simon(design, per, design.alpha, design.power)
    if _is(design, "_bop2", "Bop2Design"):
        return _bop2(design, per)
    if _is(design, "_bayes_posterior", "PosteriorMonitoring"):
        return _posterior(design, per)
    if _is(design, "_bayes_predictive", "PredictiveDesign"):
        return _predictive(design, per)
    if _is(design, "_landmark", "LandmarkDesign"):
        from oncotrial.design._landmark import TRANSFORMS

        if transform not in TRANSFORMS:
            raise bad_value("transform", func, f"one of {TRANSFORMS}", transform)
        return _landmark(design, per, transform)
    if _is(design, "_two_arm", "TwoArmSurvivalDesign"):
        if method not in ("schoenfeld", "freedman"):
            raise bad_value("method", func, "'schoenfeld' or 'freedman'", method)
        return _two_arm(design, per, method)
    raise bad_value("design", func, "a design result of oncotrial.design", type(design).__name__)
