"""Benchmark a new single-arm result against pooled historical records, like with like.

Which record contributes which result is decided by :mod:`._select` (population levels, the new
trial's own record, cohorts of a whole trial); this module pools the chosen counts with every
estimator side by side and says when their conclusions differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialError, OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import check_choice, check_count, check_level
from oncotrial.evidence._meta import MetaProportionResult, meta_proportion
from oncotrial.evidence._records import RATE_ENDPOINTS, TrialRecord, canonical_subgroup
from oncotrial.evidence._select import select_outcomes
from oncotrial.stats import BinomialTestResult, binomial_test, proportion_ci

__all__ = ["ESTIMATORS", "CompareResult", "compare_proportion"]

#: The (measure, method) pairs shown side by side (metafor ``rma`` / ``rma.glmm``).
ESTIMATORS = (("PLO", "REML"), ("PLO", "DL"), ("PLO", "GLMM"), ("PFT", "REML"), ("PFT", "DL"))


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class CompareResult(Result):
    """A new trial's rate against the pooled rate of historical records.

    Attributes
    ----------
    endpoint, subgroup, population : str, str or None, str or None
        ``population`` is the tumour type compared (``'NEC'``: NEC-only trials and the NEC
        subgroups of mixed trials).
    studies : DataFrame
        The historical results pooled: id, name, population (whole trial or subgroup with its
        definition), x, n, proportion, weight (%).
    considered : DataFrame
        Every record handed in: id, name, tumor_type, population, count, n, value, status
        (``pooled`` / ``reference`` / ``excluded``) and the reason.
    references : DataFrame
        Rates printed without count and denominator (id, name, population, value, range_low,
        range_high): shown as reference lines, never pooled.
    skipped : tuple of str
        Ids of the records not pooled (``considered.status != 'pooled'``).
    pooled : MetaProportionResult
        With the chosen ``measure`` / ``method``.
    test : BinomialTestResult
        Exact binomial test of the new ``x/n`` against ``p0`` = the pooled estimate.
    estimators : DataFrame
        One row per (measure, method) of :data:`ESTIMATORS`: pooled, CI, PI, tau2, I², p-value
        of the binomial test against that pooled rate, and ``significant`` (p < 1 - level).
    note : str
        A sentence when the estimators' conclusions differ (else ``''``).
    new_x, new_n : int
    new_label : str

    .. versionchanged:: 0.2 (issue 20) ``population``, ``considered``, ``references``,
       ``estimators`` and ``note``; results are chosen like with like.
    """

    endpoint: str
    subgroup: str | None
    population: str | None
    studies: pd.DataFrame
    considered: pd.DataFrame
    references: pd.DataFrame
    skipped: tuple[str, ...]
    pooled: MetaProportionResult
    test: BinomialTestResult
    estimators: pd.DataFrame
    note: str
    new_x: int
    new_n: int
    new_label: str

    def summary(self) -> pd.DataFrame:
        """One row: the new rate, the pooled historical rate with CI/PI, tau2, I², p-value."""
        return pd.DataFrame([{
            "endpoint": self.endpoint, "population": self.population, "new_x": self.new_x,
            "new_n": self.new_n, "new_rate": self.new_x / self.new_n,
            "k_historical": self.pooled.k, "pooled": self.pooled.estimate,
            "pooled_ci_low": self.pooled.ci.low, "pooled_ci_high": self.pooled.ci.high,
            "pi_low": self.pooled.pi.low, "pi_high": self.pooled.pi.high,
            "tau2": self.pooled.tau2, "i2": self.pooled.i2, "measure": self.pooled.measure,
            "method": self.pooled.method, "alternative": self.test.alternative,
            "pvalue": self.test.pvalue,
        }])

    def forest_rows(self) -> pd.DataFrame:
        """Rows for :func:`oncotrial.report._forest.forest_plot`: studies (Clopper-Pearson
        95% CIs), the pooled diamond, and the new trial. Reference lines: :attr:`references`."""
        rows = []
        for r in self.studies.itertuples():
            ci = proportion_ci(int(r.x), int(r.n), method="clopper-pearson").ci
            sub = "" if r.population == "whole trial" else " [subgroup]"
            rows.append({"label": f"{r.id}{sub} ({r.x}/{r.n})", "estimate": r.proportion,
                         "low": ci.low, "high": ci.high, "weight": r.weight, "kind": "study"})
        p = self.pooled
        rows.append({"label": f"Pooled ({p.method}, {p.measure}), I² {p.i2:.0f}%",
                     "estimate": p.estimate, "low": p.ci.low, "high": p.ci.high,
                     "weight": None, "kind": "summary"})
        ci = proportion_ci(self.new_x, self.new_n, method="clopper-pearson").ci
        rows.append({"label": f"{self.new_label} ({self.new_x}/{self.new_n})",
                     "estimate": self.new_x / self.new_n, "low": ci.low, "high": ci.high,
                     "weight": None, "kind": "new"})
        return pd.DataFrame(rows)

    def forest_figure(self, *, xlabel: str | None = None):
        """The forest plot with the rate-only benchmarks as labelled reference lines (dotted;
        a shaded band for a printed range)."""
        from oncotrial.report._forest import forest_plot

        fig = forest_plot(self.forest_rows(), xlabel=xlabel or f"{self.endpoint.upper()} "
                          "(proportion)", ref_line=self.pooled.estimate, value_format="{:.3f}")
        ax = fig.axes[0]
        for i, r in enumerate(self.references.itertuples()):
            if pd.notna(r.value):
                ax.axvline(r.value / 100, color="#7f7f7f", ls=":", lw=1)
                ax.annotate(r.id, (r.value / 100, 1.0), xycoords=("data", "axes fraction"),
                            rotation=90, fontsize=6, va="top", ha="right", color="#555555")
            elif pd.notna(r.range_low) and pd.notna(r.range_high):
                ax.axvspan(r.range_low / 100, r.range_high / 100, color="#bbbbbb", alpha=0.25)
                ax.annotate(r.id, (r.range_low / 100, 1.0 - 0.04 * (i % 3)),
                            xycoords=("data", "axes fraction"), fontsize=6, va="top",
                            color="#555555")
        return fig


def _estimator_rows(x: int, n: int, xs: np.ndarray, ns: np.ndarray, alternative: str,
                    level: float) -> pd.DataFrame:
    rows = []
    for measure, method in ESTIMATORS:
        try:
            p = meta_proportion(xs, ns, measure=measure, method=method, level=level)
            pv = binomial_test(x, n, p.estimate, alternative=alternative).pvalue
            rows.append({"measure": measure, "method": method, "pooled": p.estimate,
                         "ci_low": p.ci.low, "ci_high": p.ci.high, "pi_low": p.pi.low,
                         "pi_high": p.pi.high, "tau2": p.tau2, "i2": p.i2, "pvalue": pv,
                         "significant": bool(pv < 1 - level), "error": ""})
        except (OncotrialError, ValueError, FloatingPointError) as exc:  # e.g. GLMM on k = 2
            rows.append({"measure": measure, "method": method, "pooled": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "pi_low": np.nan,
                         "pi_high": np.nan, "tau2": np.nan, "i2": np.nan, "pvalue": np.nan,
                         "significant": None, "error": str(exc)})
    return pd.DataFrame(rows)


def _disagreement(est: pd.DataFrame, level: float) -> str:
    ok = est[est.error == ""]
    if ok.significant.nunique() < 2:
        return ""

    def names(df: pd.DataFrame) -> str:
        return ", ".join(f"{r.method}/{r.measure} (p = {r.pvalue:.3f})" for r in df.itertuples())

    a = 1 - level
    return (f"The conclusion depends on the estimator: p < {a:g} with {names(ok[ok.significant])} "
            f"but p >= {a:g} with {names(ok[~ok.significant.astype(bool)])}. The pooled rate "
            "is uncertain (see the prediction interval); do not report one estimator's p-value "
            "alone.")


def compare_proportion(x: int, n: int, records: Iterable[TrialRecord], *,
                       endpoint: str = "orr", population: str | None = None,
                       subgroup: str | None = None, timepoint: str | None = None,
                       new_id: str | None = None, exclude_identical: bool = True,
                       measure: Literal["PLO", "PFT"] = "PLO",
                       method: Literal["REML", "DL", "GLMM"] = "REML",
                       alternative: Literal["greater", "less", "two-sided"] = "two-sided",
                       level: float = 0.95, new_label: str = "New trial",
                       **filters) -> CompareResult:
    """Pool like-with-like historical rates and test a new rate against the pooled one.

    Parameters
    ----------
    x, n : int
        The new trial's responders (or patients with the event) and evaluable patients.
    records : iterable of TrialRecord
        Every record to consider (e.g. :func:`oncotrial.evidence.load_records`); each one gets
        a row in ``considered`` with its status and reason.
    endpoint : {'orr', 'dcr', 'pfs_rate', 'os_rate'}, default='orr'
    population : {'NEC', 'NET', 'mixed'}, optional
        Tumour type compared: trials of only that type contribute their whole-trial result,
        mixed NET/NEC trials the result of their subgroup of that type (``NEC``, ``GEP-NEC``,
        ...), trials of the other type nothing. Defaults to the ``tumor_type`` filter. Without
        either, whole-trial results are pooled, and records mixing tumour types raise.
    subgroup : str, optional
        Pool exactly this subgroup (label unified, e.g. ``'GEP NEC'`` = ``'GEP-NEC'``) instead.
    timepoint : str, optional
        Required for ``pfs_rate`` / ``os_rate`` (e.g. ``'6 months'``): only landmark rates at
        that time are pooled.
    new_id : str, optional
        Id of the new trial's own record, left out of its history. With
        ``exclude_identical=True`` (default) a record whose result is exactly ``x/n`` is left
        out too (the reason says so).
    measure, method
        The headline estimator, passed to :func:`meta_proportion`. All of :data:`ESTIMATORS`
        are shown side by side in ``estimators``.
    alternative : {'two-sided', 'greater', 'less'}, default='two-sided'
        Of the exact binomial test (R ``binom.test(x, n, p = pooled)``).
    level : float, default=0.95
        Of the intervals; a p-value below ``1 - level`` counts as significant.
    **filters
        ``line``, ``drug_class``, ``target``, ``tumor_type``, ``grade``, ``primary_site``,
        ``phase`` as in :func:`search_records`; records not matching are listed as excluded.

    Returns
    -------
    CompareResult

    Notes
    -----
    The test treats the pooled estimate as a known ``p0``; it ignores the uncertainty of the
    pooled rate and the between-trial heterogeneity, so read it together with the prediction
    interval, which is the range expected for the true rate of a new trial like the old ones.

    Examples
    --------
    Second-line checkpoint inhibitors in NEC: NEC-only trials plus the NEC subgroups of mixed
    trials (never a mixed trial's whole-trial rate):

    >>> from oncotrial.evidence import load_records
    >>> res = compare_proportion(6, 30, load_records(), line=2, drug_class="ICI",
    ...                          tumor_type="NEC")
    >>> res.pooled.k, round(res.pooled.estimate, 6), round(res.test.pvalue, 6)
    (8, 0.166464, 0.622904)
    >>> res.considered.set_index("id").loc["DUNE-GEP-G3", "reason"]
    'mixed NET/NEC trial without a NEC subgroup result for orr (its whole-trial 3/33 mixes NET and NEC)'
    """
    func = "compare_proportion"
    n = check_count(n, func, "n")
    if n < 1:
        raise OncotrialValueError(f"`n` of `{func}` must be >= 1; got {n}.")
    x = check_count(x, func, "x", upper=n)
    check_choice(endpoint, RATE_ENDPOINTS, func, "endpoint")
    level = check_level(level, func)
    if endpoint in ("pfs_rate", "os_rate") and timepoint is None:
        raise OncotrialValueError(f"`timepoint` of `{func}` must be given for endpoint "
                                  f"{endpoint!r}; got None. Pass e.g. timepoint='6 months'.")
    sel = select_outcomes(records, endpoint=endpoint, population=population, subgroup=subgroup,
                          timepoint=timepoint, new_id=new_id, new_x=x, new_n=n,
                          exclude_identical=exclude_identical, func=func, **filters)
    used = [{"id": r.id, "name": r.name, "population": o.population, "x": o.count, "n": o.n,
             "proportion": o.count / o.n} for r, o in sel.pooled]
    if len(used) < 2:
        raise OncotrialValueError(
            f"`records` of `{func}` must give at least 2 historical studies with a count and "
            f"denominator for endpoint {endpoint!r}, population {sel.population!r}, subgroup "
            f"{subgroup!r}; got {len(used)}. Widen the filters, or see the reasons with "
            "select_outcomes (oncotrial.evidence._select).")
    studies = pd.DataFrame(used)
    pooled = meta_proportion(studies.x, studies.n, measure=measure, method=method, level=level)
    studies["weight"] = pooled.weights
    test = binomial_test(x, n, pooled.estimate, alternative=alternative)
    est = _estimator_rows(x, n, studies.x.to_numpy(), studies.n.to_numpy(), alternative, level)
    refs = pd.DataFrame([{"id": r.id, "name": r.name, "population": o.population,
                          "value": o.value, "range_low": o.range_low, "range_high": o.range_high}
                         for r, o in sel.references],
                        columns=["id", "name", "population", "value", "range_low", "range_high"])
    skipped = tuple(sel.considered.id[sel.considered.status != "pooled"])
    return CompareResult(endpoint=endpoint, subgroup=canonical_subgroup(subgroup),
                         population=sel.population,
                         studies=studies, considered=sel.considered, references=refs,
                         skipped=skipped, pooled=pooled, test=test, estimators=est,
                         note=_disagreement(est, level), new_x=x, new_n=n, new_label=new_label)
