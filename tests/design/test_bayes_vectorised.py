"""Issue 21: the vectorised Bayesian design searches give the boundaries of the look-by-look code.

``golden/bayes_vectorised.json`` holds the outputs of ``posterior_monitoring`` and
``bop2_design`` computed before vectorisation (commit 8146a03, every look and count
evaluated one by one, every grid design recursed); the vectorised code must match them
exactly in the boundaries and to rounding in the operating characteristics.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oncotrial.design import bop2_design, posterior_monitoring
from oncotrial.design._bayes_posterior import _last_below, _prob_exceeds

GOLDEN = json.loads((Path(__file__).parent / "golden" / "bayes_vectorised.json").read_text())
OC_KEYS = ("alpha", "power", "en0", "pet0")


@pytest.mark.parametrize("case", GOLDEN["posterior_monitoring"], ids=lambda c: str(c["args"]["nmax"]))
def test_posterior_vectorised_1_matches_golden(case):
    kw = dict(case["args"])
    for key in ("prior_e", "prior_s"):
        if key in kw:
            kw[key] = tuple(kw[key])
    m = posterior_monitoring(**kw)
    want = case["result"]
    assert list(m.looks) == want["looks"]
    assert list(m.futility) == want["futility"]
    assert list(m.efficacy) == want["efficacy"]
    for k in (*OC_KEYS, "en1", "pet1"):
        assert getattr(m, k) == pytest.approx(want[k], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("case", GOLDEN["bop2_design"], ids=lambda c: str(c["args"]["nmax"]))
def test_bop2_vectorised_1_matches_golden(case):
    d = bop2_design(**case["args"])
    want = case["result"]
    assert (d.lam, d.gamma, d.r_final) == (want["lam"], want["gamma"], want["r_final"])
    assert [list(b) for b in d.boundary] == want["boundary"]
    for k in OC_KEYS:
        assert getattr(d, k) == pytest.approx(want[k], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("threshold", [0.02, 0.05, 0.5, 0.95, 0.999])
def test_posterior_vectorised_2_bisection_equals_full_scan(threshold, strict):
    """The bisection finds the same count as a scan of every x at every look."""
    from scipy.stats import beta

    nodes = beta.ppf((np.arange(200) + 0.5) / 200, 6, 24)
    ns = np.array([1, 2, 3, 7, 15, 40, 41, 90])
    got = _last_below(ns, 0.4, 1.6, 0.15, nodes, threshold, strict=strict)
    for n, f in zip(ns, got, strict=True):
        pr = _prob_exceeds(int(n), 0.4, 1.6, 0.15, nodes)
        want = int(np.searchsorted(pr, threshold, side="left" if strict else "right")) - 1
        assert f == want


def test_bop2_vectorised_2_progress_counts_blocks():
    seen: list[float] = []
    bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30], progress=seen.append)
    assert 1 <= len(seen) <= 20 and seen[-1] == 1.0 and seen == sorted(seen)
