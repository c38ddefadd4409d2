"""Time-to-event analyses: Kaplan-Meier OS/PFS with landmarks and follow-up, Cox regression.

* :func:`oncotrial.stats.kaplan_meier` with the spec's ``conf_type`` (R ``survfit``), median
  and landmark rates (R ``summary(fit, times=)``), numbers at risk;
* median follow-up by reverse Kaplan-Meier (:func:`oncotrial.stats.followup_median`);
* univariable :func:`oncotrial.stats.cox_ph` per covariate and the multivariable model of
  :func:`oncotrial.stats.backward_select` (seed 002: Wald p >= 0.05 removed, at least two kept).

Times are ADTTE ``AVAL`` days / the spec's days per unit (months: 30.4375); the event indicator
comes from :func:`oncotrial.derive.event_from_cnsr` (the one CNSR boundary, STYLE.md #5).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from oncotrial._errors import SpecEntryError
from oncotrial.analysis._common import ALL, ci_dict, in_cohort, num
from oncotrial.analysis._populations import set_column
from oncotrial.derive import event_from_cnsr
from oncotrial.stats import backward_select, cox_ph, followup_median, kaplan_meier


def endpoint_data(adsl: pd.DataFrame, adtte: pd.DataFrame, param: str, evaluator: str,
                  spec, pop: str | None = None) -> pd.DataFrame:
    """ADSL (the endpoint's analysis set: flag column ``pop``, default the set the spec names
    for the endpoint) joined to one ADTTE parameter, with ``TIME`` and ``EVENT``."""
    if pop is None:
        pop = _pop(spec, param)
    ev = "" if param == "OS" else evaluator
    t = adtte[(adtte["PARAMCD"] == param) & (adtte["EVALUATOR"].fillna("") == ev)]
    d = adsl[adsl[pop].eq("Y")].merge(t[["USUBJID", "AVAL", "CNSR"]], on="USUBJID")
    return d.assign(TIME=d["AVAL"].to_numpy(float) / spec.days_per_unit,
                    EVENT=event_from_cnsr(d["CNSR"].to_numpy()).astype(int))


def _pop(spec, param: str) -> str:
    if hasattr(spec, "set_of"):
        return set_column(spec.set_of(param.lower()))
    return "ANLSAF"


def risk_times(spec, tmax: float) -> tuple[float, ...]:
    """The spec's risk-table times, else 0, 3, 6, ... (6-month steps beyond 24 months)."""
    if spec.risk_times:
        return spec.risk_times
    step = 3.0 if tmax <= 24 else 6.0 if tmax <= 60 else 12.0
    return tuple(float(x) for x in np.arange(0.0, tmax + 1e-9, step))


def km_analysis(adsl: pd.DataFrame, adtte: pd.DataFrame, cohorts: list[str], spec,
                evaluator: str) -> tuple[dict, dict]:
    """Per endpoint and cohort: n, events, median (CI), landmark rates, risk table, follow-up.

    Returns the JSON part and the fitted curves (``{endpoint: {cohort: KMResult}}``) for the
    figures.
    """
    out, fits = {}, {}
    for i, param in enumerate(spec.surv_endpoints):
        d = endpoint_data(adsl, adtte, param, evaluator, spec)
        if not len(d):
            raise SpecEntryError(
                f"`[survival].endpoints[{i}]` of the study spec must be an endpoint the data "
                f"can give; got {param!r} (no ADTTE {param} record in its analysis set). Remove "
                "it from [survival].endpoints or check the data (dates, tumour assessments).")
        tmax = float(d["TIME"].max())
        times = risk_times(spec, tmax)
        out[param], fits[param] = {}, {}
        for c in cohorts:
            g = d[in_cohort(d, c)]
            if not len(g):
                continue
            fit = kaplan_meier(g["TIME"].to_numpy(), g["EVENT"].to_numpy(),
                               conf_type=spec.conf_type, level=spec.level)
            med = fit.median()
            lm = fit.at(list(spec.landmarks))
            lm_rows = {}
            for t in spec.landmarks:
                row = lm[np.isclose(lm["time"].to_numpy(float), t)]
                lm_rows[f"{t:g}"] = (None if not len(row) else
                                     {"surv": num(row["surv"].iloc[0]),
                                      "ci": [num(row["lower"].iloc[0]), num(row["upper"].iloc[0])],
                                      "n_risk": int(row["n_risk"].iloc[0])})
            rt = fit.risk_table(list(times))
            fu = followup_median(g["TIME"].to_numpy(), g["EVENT"].to_numpy())
            out[param][c] = {"n": int(fit.n), "events": int(fit.n_events_total),
                             "median": num(med.estimate), **ci_dict(med.ci),
                             "conf_type": spec.conf_type, "landmarks": lm_rows,
                             "risk_table": {f"{t:g}": int(n) for t, n in
                                            zip(times, rt["n_risk"], strict=True)},
                             "followup_median": num(fu.estimate),
                             "followup_method": "reverse Kaplan-Meier"}
            fits[param][c] = fit
    return out, fits


def _covariate_frame(d: pd.DataFrame, spec) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Model columns of the Cox covariates; a covariate the data lack, or one without two
    usable values, is an error naming ``[cox].covariates[i]`` unless it is listed in
    ``[cox].optional`` (then a note)."""
    cuts = dict(spec.cox.cuts)
    cols, notes = [], []
    for i, cov in enumerate(spec.cox.covariates):
        what = None
        if cov not in d:
            what = "absent from the data"
        elif d[cov].isna().all():
            what = "without values in the analysis set"
        if what is None:
            if cov in cuts:
                x = pd.to_numeric(d[cov], errors="coerce")
                lab = pd.Series(np.where(x >= cuts[cov], f">={cuts[cov]:g}",
                                         f"<{cuts[cov]:g}"), index=d.index, dtype=object)
                lab[x.isna()] = None
                d = d.assign(**{cov: lab})
            elif not pd.api.types.is_numeric_dtype(d[cov]):
                d = d.assign(**{cov: d[cov].astype(object).where(d[cov].notna(), None)})
            else:
                d = d.assign(**{cov: pd.to_numeric(d[cov], errors="coerce").astype(float)})
            if d[cov].dropna().nunique() < 2:
                what = "without two distinct usable values"
        if what is not None:
            if cov not in spec.cox.optional:
                raise SpecEntryError(
                    f"`[cox].covariates[{i}]` of the study spec must name a subjects column "
                    f"with usable values; got {cov!r} ({what}). Fix or remove the covariate, "
                    "or list it in [cox].optional.")
            notes.append(f"Covariate {cov!r} not in the model: {what} (optional entry).")
            continue
        cols.append(cov)
    return d, cols, notes


def _term_counts(d: pd.DataFrame, cols: list[str], term: str, terms: list[str]) -> dict:
    """Who a Cox term describes, counted in the model's complete-case data ``d``: its covariate,
    level and reference level (the covariate's one level without a term among the model's
    ``terms``), and n and events at the level and at the reference (a numeric covariate: the
    model's n and events). The forest plot prints them per row."""
    by_len = sorted(cols, key=len, reverse=True)
    cov = next((c for c in by_len if term.startswith(c)), None)
    ev = d["EVENT"].astype(bool)
    if cov is None or pd.api.types.is_numeric_dtype(d[cov]) or term == cov:
        return {"covariate": cov, "level": None, "reference": None, "n": len(d),
                "events": int(ev.sum()), "ref_n": None, "ref_events": None}
    x = d[cov].astype(str)
    own = {t[len(cov):] for t in terms
           if next((c for c in by_len if t.startswith(c)), None) == cov}
    rest = sorted(set(x) - own)
    ref = rest[0] if len(rest) == 1 else None
    lvl = term[len(cov):]
    at, at_ref = x == lvl, (x == ref if ref is not None else ~(x == lvl))
    return {"covariate": cov, "level": lvl, "reference": ref, "n": int(at.sum()),
            "events": int(ev[at].sum()), "ref_n": int(at_ref.sum()),
            "ref_events": int(ev[at_ref].sum())}


def _rows(fit, label: str, d: pd.DataFrame | None = None, cols: list[str] | None = None,
          ) -> list[dict]:
    t = fit.table
    rows = [{"model": label, "term": str(k), "hr": num(r["hr"]), "ci": [num(r["hr_lower"]),
             num(r["hr_upper"])], "p": num(r["p"]), "coef": num(r["coef"]), "se": num(r["se"])}
            for k, r in t.iterrows()]
    if d is not None and cols:
        terms = [row["term"] for row in rows]
        for row in rows:
            row.update(_term_counts(d, cols, row["term"], terms))
    return rows


def cox_analysis(adsl: pd.DataFrame, adtte: pd.DataFrame, spec, evaluator: str) -> dict | None:
    """Univariable Cox HR per covariate and the backward-selected multivariable model."""
    cx = spec.cox
    if not cx.covariates:
        return None
    pop = (set_column(spec.set_of("cox")) if hasattr(spec, "set_of") else None)
    d = endpoint_data(adsl, adtte, cx.endpoint, evaluator, spec, pop=pop)
    d, cols, notes = _covariate_frame(d, spec)
    if not cols:
        return {"endpoint": cx.endpoint, "covariates": [], "notes": notes, "univariable": []}
    d = d.dropna(subset=cols).reset_index(drop=True)
    kw = {"ties": cx.ties, "level": spec.level}
    ref = {k: v for k, v in cx.reference if k in cols}
    out = {"endpoint": cx.endpoint, "n": len(d), "events": int(d["EVENT"].sum()),
           "covariates": cols, "ties": cx.ties, "level": spec.level, "univariable": [],
           "reference": ref, "notes": notes,
           "set": spec.set_of("cox") if hasattr(spec, "set_of") else "treated"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for c in cols:
            fit = cox_ph(d, "TIME", "EVENT", [c], reference=ref or None, **kw)
            out["univariable"] += _rows(fit, "univariable", d, [c])
        if len(cols) >= 1:
            sel = backward_select(d, "TIME", "EVENT", cols, alpha_remove=cx.alpha_remove,
                                  min_variables=min(cx.min_variables, len(cols)), test=cx.test,
                                  reference=ref or None, **kw)
            out["multivariable"] = _rows(sel.final, "multivariable", d, list(sel.selected))
            out["selection"] = {"selected": list(sel.selected),
                                "removed": [{"step": s.step, "covariate": s.removed,
                                             "p": num(s.pvalue)} for s in sel.steps],
                                "alpha_remove": cx.alpha_remove,
                                "min_variables": min(cx.min_variables, len(cols)),
                                "test": cx.test,
                                "reached_significant_set": bool(sel.reached_significant_set)}
    out["warnings"] = sorted({str(w.message) for w in caught})
    return out


__all__ = ["ALL", "cox_analysis", "endpoint_data", "km_analysis", "risk_times"]
