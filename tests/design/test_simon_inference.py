"""Tests for inference after a Simon two-stage trial (Jung & Kim 2004; Koyama & Chen 2008)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta, binom

from oncotrial import OncotrialValueError
from oncotrial.design import simon_inference

DESIGN = (1, 10, 5, 29)  # Simon's optimal design for p0 .10, p1 .30


def _outcomes(r1, n1, n):
    """All stage-wise outcomes in increasing order: (stage, x)."""
    return [(1, x) for x in range(r1 + 1)] + [(2, x) for x in range(r1 + 1, n + 1)]


def _prob(stage, x, r1, n1, n, p):
    if stage == 1:
        return binom.pmf(x, n1, p)
    return sum(binom.pmf(k, n1, p) * binom.pmf(x - k, n - n1, p) for k in range(r1 + 1, n1 + 1))


def test_simon_inference_1_early_stop_is_clopper_pearson():
    res = simon_inference(1, *DESIGN, p0=0.1)
    assert res.stage == 1 and res.umvue == 0.1 and res.mle == 0.1
    assert res.ci.low == pytest.approx(beta.ppf(0.025, 1, 10), abs=1e-9)
    assert res.ci.high == pytest.approx(beta.ppf(0.975, 2, 9), abs=1e-9)
    assert res.p_value == pytest.approx(binom.sf(0, 10, 0.1), abs=1e-14)


def test_simon_inference_2_pvalue_by_enumeration():
    r1, n1, _r, n = DESIGN
    res = simon_inference(7, *DESIGN, p0=0.1)
    outs = _outcomes(r1, n1, n)
    i = outs.index((2, 7))
    p_enum = sum(_prob(s, x, r1, n1, n, 0.1) for s, x in outs[i:])
    assert res.p_value == pytest.approx(p_enum, abs=1e-14)
    # CI limits: exact tail probabilities at the limits equal 0.025
    assert sum(_prob(s, x, r1, n1, n, res.ci.low) for s, x in outs[i:]) == pytest.approx(0.025, abs=1e-9)
    assert sum(_prob(s, x, r1, n1, n, res.ci.high) for s, x in outs[: i + 1]) == pytest.approx(0.025, abs=1e-9)


def test_simon_inference_3_umvue_hand_computed():
    # x = 7 after stage 2 of 1/10, 5/29 (n2 = 19): x1 in 2..7
    num = sum(comb(9, k - 1) * comb(19, 7 - k) for k in range(2, 8))
    den = sum(comb(10, k) * comb(19, 7 - k) for k in range(2, 8))
    assert simon_inference(7, *DESIGN).umvue == float(Fraction(num, den))


def test_simon_inference_4_edges():
    lo = simon_inference(0, *DESIGN, p0=0.1)
    assert lo.ci.low == 0.0 and lo.p_value == 1.0
    hi = simon_inference(29, *DESIGN, p0=0.1)
    assert hi.ci.high == 1.0 and hi.umvue == 1.0
    with pytest.raises(OncotrialValueError, match="`x` of `simon_inference`"):
        simon_inference(30, *DESIGN)
    with pytest.raises(OncotrialValueError, match="`r` of `simon_inference` must be >= `r1`"):
        simon_inference(3, 4, 10, 3, 29)


@settings(max_examples=10, deadline=None)
@given(p=st.floats(0.02, 0.98), r1=st.integers(0, 3), n1=st.integers(5, 10), n2=st.integers(1, 10))
def test_simon_inference_5_umvue_unbiased(p, r1, n1, n2):
    n = n1 + n2
    r1 = min(r1, n1 - 1)
    mean = sum(_prob(s, x, r1, n1, n, p) * simon_inference(x, r1, n1, r1, n).umvue
               for s, x in _outcomes(r1, n1, n))
    assert mean == pytest.approx(p, abs=1e-10)
