"""Benchmark a new single-arm result against pooled historical records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._result import Result
from oncotrial._validation import check_choice, check_count
from oncotrial.evidence._meta import MetaProportionResult, meta_proportion
from oncotrial.evidence._records import RATE_ENDPOINTS, TrialRecord
from oncotrial.stats import BinomialTestResult, binomial_test, proportion_ci

__all__ = ["CompareResult", "compare_proportion"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class CompareResult(Result):
    """A new trial's rate against the pooled rate of historical records.

    Attributes
    ----------
    endpoint, subgroup : str, str or None
    studies : DataFrame
        The historical studies pooled: id, name, x, n, proportion, weight (%).
    skipped : tuple of str
        Ids of matching records without a count and denominator for the endpoint.
    pooled : MetaProportionResult
    test : BinomialTestResult
        Exact binomial test of the new ``x/n`` against ``p0`` = the pooled estimate.
    new_x, new_n : int
    new_label : str
    """

    endpoint: str
    subgroup: str | None
    studies: pd.DataFrame
    skipped: tuple[str, ...]
    pooled: MetaProportionResult
    test: BinomialTestResult
    new_x: int
    new_n: int
    new_label: str

    def summary(self) -> pd.DataFrame:
        """One row: the new rate, the pooled historical rate with CI/PI, tau2, I², p-value."""
        return pd.DataFrame([{
            "endpoint": self.endpoint, "new_x": self.new_x, "new_n": self.new_n,
            "new_rate": self.new_x / self.new_n, "k_historical": self.pooled.k,
            "pooled": self.pooled.estimate, "pooled_ci_low": self.pooled.ci.low,
            "pooled_ci_high": self.pooled.ci.high, "pi_low": self.pooled.pi.low,
            "pi_high": self.pooled.pi.high, "tau2": self.pooled.tau2, "i2": self.pooled.i2,
            "alternative": self.test.alternative, "pvalue": self.test.pvalue,
        }])

    def forest_rows(self) -> pd.DataFrame:
        """Rows for :func:`oncotrial.report._forest.forest_plot`: studies (Clopper-Pearson
        95% CIs), the pooled diamond, and the new trial."""
        rows = []
        for r in self.studies.itertuples():
            ci = proportion_ci(int(r.x), int(r.n), method="clopper-pearson").ci
            rows.append({"label": f"{r.id} ({r.x}/{r.n})", "estimate": r.proportion,
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


def compare_proportion(x: int, n: int, records: Iterable[TrialRecord], *,
                       endpoint: str = "orr", subgroup: str | None = None,
                       measure: Literal["PLO", "PFT"] = "PLO",
                       method: Literal["REML", "DL", "GLMM"] = "REML",
                       alternative: Literal["greater", "less", "two-sided"] = "two-sided",
                       new_label: str = "New trial") -> CompareResult:
    """Pool the historical rates of ``records`` and test a new rate against the pooled one.

    Parameters
    ----------
    x, n : int
        The new trial's responders (or patients with the event) and evaluable patients.
    records : iterable of TrialRecord
        Historical records, typically from :func:`oncotrial.evidence.search_records`. From each,
        the ``endpoint`` outcome of ``subgroup`` (``None`` = whole population) with a count and
        denominator is used (the record's primary source first); records without one are listed
        in ``skipped``.
    endpoint : {'orr', 'dcr', 'pfs_rate', 'os_rate'}, default='orr'
    subgroup : str, optional
        E.g. ``'NEC'`` to use the NEC subgroups of mixed trials.
    measure, method
        Passed to :func:`meta_proportion`.
    alternative : {'two-sided', 'greater', 'less'}, default='two-sided'
        Of the exact binomial test (R ``binom.test(x, n, p = pooled)``).

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
    >>> from oncotrial.evidence import load_records, search_records
    >>> hist = search_records(load_records(), line=2, drug_class="ICI", tumor_type="NEC")
    >>> res = compare_proportion(6, 30, hist)
    >>> res.pooled.k, round(res.pooled.estimate, 6), round(res.test.pvalue, 6)
    (6, 0.129842, 0.270831)
    """
    func = "compare_proportion"
    n = check_count(n, func, "n")
    if n < 1:
        raise OncotrialValueError(f"`n` of `{func}` must be >= 1; got {n}.")
    x = check_count(x, func, "x", upper=n)
    check_choice(endpoint, RATE_ENDPOINTS, func, "endpoint")
    used, skipped = [], []
    for r in records:
        o = r.outcome(endpoint, subgroup)
        if o is None or o.count is None or o.n is None:
            skipped.append(r.id)
            continue
        used.append({"id": r.id, "name": r.name, "x": o.count, "n": o.n,
                     "proportion": o.count / o.n})
    if len(used) < 2:
        raise OncotrialValueError(
            f"`records` of `{func}` must give at least 2 historical studies with a count and "
            f"denominator for endpoint {endpoint!r}, subgroup {subgroup!r}; got {len(used)}. "
            "Widen the filters or choose another subgroup (e.g. subgroup='NEC').")
    studies = pd.DataFrame(used)
    pooled = meta_proportion(studies.x, studies.n, measure=measure, method=method)
    studies["weight"] = pooled.weights
    test = binomial_test(x, n, pooled.estimate, alternative=alternative)
    return CompareResult(endpoint=endpoint, subgroup=subgroup, studies=studies,
                         skipped=tuple(skipped), pooled=pooled, test=test, new_x=x, new_n=n,
                         new_label=new_label)
