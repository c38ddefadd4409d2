"""pool_medians, pool_landmark_rates and compare_km (issue 20).

Expected values from R 4.2.2, metafor 3.8-1, survival 3.4 (the formulas of metamedian 1.2.1,
``metamedian_survival`` and ``pool.med``, written out with metafor / base R)::

    z <- qnorm(0.975)
    # TALENT cohorts, median PFS 15.6 (11.4-NR) and 15.7 (12.1-19.5): Wald se, rma.uni REML
    r <- rma.uni(yi=c(15.6, 15.7), vi=c((15.6-11.4)/z, (19.5-12.1)/(2*z))^2, method="REML")
    predict(r)  # 15.6563038621, 12.8799755812-18.4326321430; tau2 0; weights 43.696, 56.304
    # median of medians, second-line ICI in NEC (58 days = 58/30.4375 months)
    y <- c(58/30.4375, 2, 4, 3.94, 1.8, 1.8, 1.9); prob <- min(0.5, z/(2*sqrt(7)))
    quantile(y, c(0.5-prob, 0.5, 0.5+prob))  # 1.8000000000 1.9055441478 3.9533434158
    # three 12-month OS rates on the log scale
    s <- c(54.1, 40, 62); lo <- c(40.2, 28.5, 50.1); hi <- c(72.8, 56.1, 76.7)
    r <- rma.uni(yi=log(s/100), vi=((log(hi)-log(lo))/(2*z))^2, method="REML")
    predict(r, transf=exp)  # 0.5259327083 0.4114268705-0.6723071183, pi 0.3511945978-0.7876123820
    # r$tau2 0.0267580793, r$I2 56.9212049205; method="DL": 0.5260151648, tau2 0.0264872546
    # KM comparison (hand IPD): survdiff chisq 1.3189401448, p 0.2507823502,
    # coxph HR 2.2175707252 (0.5499893266-8.9413006452); with a second historical curve
    # merged: chisq 1.4120422144, p 0.2347176697, HR 2.0781642037 (0.6054893164-7.1326881255)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial import OncotrialValueError
from oncotrial.evidence import (
    Outcome,
    TrialRecord,
    compare_km,
    load_records,
    pool_landmark_rates,
    pool_medians,
    reconstruct_ipd,
    select_outcomes,
)

RECORDS = load_records()


def _rec(i: str, s: float, lo: float | None, hi: float | None, tt: str = "NEC") -> TrialRecord:
    o = Outcome("os_rate", "percent", "p", "q", value=s, ci_low=lo, ci_high=hi,
                timepoint="12 months")
    return TrialRecord(id=i, name=i, agents=("x",), primary_source="p",
                       sources=({"key": "p", "citation": "c"},), outcomes=(o,), file="-",
                       tumor_type=tt)


def test_pool_medians_1_wald_against_r() -> None:
    res = pool_medians(RECORDS, endpoint="median_pfs", line=2, tumor_type="NET")
    assert list(res.studies.id) == ["TALENT-panNET", "TALENT-GINET"]
    assert res.estimate == pytest.approx(15.6563038621, abs=1e-9)
    assert (res.ci.low, res.ci.high) == pytest.approx((12.8799755812, 18.4326321430), abs=1e-9)
    assert res.tau2 == 0 and res.studies.weight.tolist() == pytest.approx([43.696137887,
                                                                            56.303862113])
    c = res.considered.set_index("id")
    assert c.loc["TALENT", "reason"].startswith("whole trial whose cohorts")
    # medians printed without a CI cannot enter the Wald method and say so
    assert c.loc["AXITINIB-OCTREOTIDE", "status"] == "excluded"
    assert "does not match" in c.loc["AXITINIB-OCTREOTIDE", "reason"]  # line null


def test_pool_medians_2_median_of_medians_against_r() -> None:
    res = pool_medians(RECORDS, endpoint="median_pfs", line=2, drug_class="ICI",
                       tumor_type="NEC", method="median-of-medians")
    assert res.k == 7
    assert res.studies.estimate.iloc[0] == pytest.approx(58 / 30.4375)  # 58 days
    assert res.estimate == pytest.approx(1.9055441478, abs=1e-9)
    assert (res.ci.low, res.ci.high) == pytest.approx((1.8, 3.9533434158), abs=1e-9)
    c = res.considered.set_index("id")
    assert c.loc["DUNE-GEP-G3", "reason"] == ("mixed NET/NEC trial without a NEC subgroup "
                                              "result for median_pfs")
    with pytest.raises(OncotrialValueError, match="usable by method='wald'"):
        pool_medians(RECORDS, endpoint="median_pfs", line=2, drug_class="ICI", tumor_type="NEC")


def test_pool_medians_3_not_reached_listed() -> None:
    sel = select_outcomes(RECORDS, endpoint="median_os", line=2, tumor_type="NET",
                          needs_count=False, func="pool_medians").considered.set_index("id")
    assert sel.loc["TALENT-GINET", "reason"] == "median not reached"
    assert sel.loc["TALENT-panNET", "status"] == "pooled"


def test_pool_landmark_rates_1_against_r() -> None:
    recs = [_rec("A", 54.1, 40.2, 72.8), _rec("B", 40, 28.5, 56.1), _rec("C", 62, 50.1, 76.7),
            _rec("D", 50, None, None), _rec("E", 45, 30, 60, tt="NET")]
    res = pool_landmark_rates(recs, timepoint="12 months", population="NEC")
    assert res.k == 3 and res.method == "log-rate"
    assert res.estimate == pytest.approx(0.5259327083, abs=1e-9)
    assert (res.ci.low, res.ci.high) == pytest.approx((0.4114268705, 0.6723071183), abs=1e-9)
    assert (res.pi.low, res.pi.high) == pytest.approx((0.3511945978, 0.7876123820), abs=1e-9)
    assert res.tau2 == pytest.approx(0.0267580793, abs=1e-9)
    assert res.i2 == pytest.approx(56.9212049205, abs=1e-7)
    c = res.considered.set_index("id")
    assert c.loc["D", "status"] == "reference" and "without a confidence interval" in \
        c.loc["D", "reason"]
    assert c.loc["E", "reason"] == "NET-only trial; the comparison is about NEC"
    dl = pool_landmark_rates(recs, timepoint="12 months", population="NEC", tau2_method="DL")
    assert dl.estimate == pytest.approx(0.5260151648, abs=1e-9)
    assert dl.tau2 == pytest.approx(0.0264872546, abs=1e-9)
    # another landmark is not pooled with the 12-month rates
    with pytest.raises(OncotrialValueError, match="at least 2 rates with a CI"):
        pool_landmark_rates(recs, timepoint="6 months", population="NEC")


def test_compare_km_1_against_r() -> None:
    hist = reconstruct_ipd([0, 1, 2, 3, 4], [1, 0.9, 0.8, 0.7, 0.6], [0, 2], [10, 9])
    t, e = [0.5, 1.5, 2.5, 3.5, 5, 5], [1, 1, 1, 1, 0, 0]
    res = compare_km(t, e, {"H": hist})
    row = res.table.iloc[0]
    assert row.logrank_chisq == pytest.approx(1.3189401448, abs=1e-9)
    assert row.logrank_p == pytest.approx(0.2507823502, abs=1e-9)
    assert row.hr == pytest.approx(2.2175707252, abs=1e-6)
    assert (row.hr_low, row.hr_high) == pytest.approx((0.5499893266, 8.9413006452), abs=1e-6)
    assert (row.n_new, row.events_new, row.n_hist, row.events_hist) == (6, 4, 10, 4)
    assert row.median_new == 3.0 and np.isnan(row.median_hist)  # S = 0.5 on [2.5, 3.5): R midpoint
    h2 = pd.DataFrame({"time": [0.7, 1.2, 2.2, 6, 6, 6, 6, 6], "event": [1, 1, 1, 0, 0, 0, 0, 0]})
    res = compare_km(t, e, {"H": hist, "H2": h2}, landmarks=[2, 4])
    assert list(res.table.historical) == ["H", "H2", "all (merged)"]
    allrow = res.table.iloc[-1]
    assert allrow.logrank_chisq == pytest.approx(1.4120422144, abs=1e-9)
    assert allrow.hr == pytest.approx(2.0781642037, abs=1e-6)
    assert res.landmarks["H"].tolist() == pytest.approx([0.8, 0.6])
    assert res.landmarks["New trial"].tolist() == pytest.approx([4 / 6, 2 / 6])


def test_compare_km_2_errors() -> None:
    with pytest.raises(OncotrialValueError, match="`historical` of `compare_km` must hold"):
        compare_km([1, 2], [1, 0], {})
    with pytest.raises(OncotrialValueError, match="got list for 'X'"):
        compare_km([1, 2], [1, 0], {"X": [1, 2]})
