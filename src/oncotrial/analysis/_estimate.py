"""One response-rate estimate as the spec asks: a frequentist interval or a Beta posterior.

* any :func:`oncotrial.stats.proportion_ci` method: estimate x / n and its interval;
* ``bayes``: :func:`oncotrial.stats.beta_posterior` under the Beta(a, b) prior -- posterior
  mean or median, equal-tailed or HPD credible interval, P(p > p0) when ``p0`` is given
  (REGOMUNE, seed 000: 7/42 under Beta(1, 1) -> mean 18 %, 95 % interval 8-31 %);
* ``also``: a frequentist interval printed beside the Bayesian one.
"""

from __future__ import annotations

from oncotrial.analysis._common import ci_dict, num
from oncotrial.stats import beta_posterior, proportion_ci

__all__ = ["estimate"]


def _freq(x: int, n: int, method: str, level: float) -> dict:
    r = proportion_ci(x, n, method=method, level=level)
    return {"x": int(x), "n": int(n), "estimate": num(r.estimate), **ci_dict(r.ci)}


def estimate(x: int, n: int, est, level: float) -> dict:
    """JSON-ready estimate of ``x / n`` under the settings ``est`` (an ``EstimateSpec``).

    Examples
    --------
    >>> from oncotrial.analysis._spec_sets import EstimateSpec
    >>> r = estimate(7, 42, EstimateSpec(method="bayes", also="clopper-pearson"), 0.95)
    >>> round(r["estimate"], 4), [round(v, 3) for v in r["ci"]], r["method"]
    (0.1818, [0.084, 0.307], 'bayes')
    >>> [round(v, 3) for v in r["frequentist"]["ci"]]
    [0.07, 0.314]
    """
    if est.method != "bayes":
        return {**_freq(x, n, est.method, level), "decimals": est.decimals}
    a, b = est.prior
    post = beta_posterior(x, n, a=a, b=b, level=level, p0=est.p0)
    ci = post.equal_tailed if est.interval == "equal-tailed" else post.hpd
    out = {"x": int(x), "n": int(n), "estimate": num(post.mean if est.point == "mean"
                                                      else post.median),
           "ci": [num(ci.low), num(ci.high)], "level": num(level), "method": "bayes",
           "bayes": {"prior": [num(a), num(b)], "posterior": [num(post.shape1),
                                                                num(post.shape2)],
                     "point": est.point, "interval": est.interval, "mean": num(post.mean),
                     "median": num(post.median), "p0": est.p0,
                     "prob_above_p0": num(post.prob_above_p0)},
           "observed": num(x / n) if n else None, "decimals": est.decimals}
    if est.also:
        out["frequentist"] = _freq(x, n, est.also, level)
    return out
