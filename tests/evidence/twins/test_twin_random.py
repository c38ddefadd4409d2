"""Random specs (targets read off simulated trials) through generator, io, derive and stats.

The expected numbers are those of the random spec (``random_spec.py``), computed from a
simulated trial with ``oncotrial.stats``; the twin is checked through the real engine.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from oncotrial._errors import OncotrialValueError
from oncotrial.derive import derive_study
from oncotrial.evidence.twins import generate_twin, write_twin
from oncotrial.io import read_template
from oncotrial.stats import kaplan_meier

sys.path.insert(0, str(Path(__file__).parent))
from random_spec import random_spec

DPM = 30.4375


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_twin_random_spec_reproduced(seed, tmp_path):
    spec, doc = random_spec(seed)
    tw = generate_twin(spec, seed=seed)
    study = read_template(write_twin(tw, tmp_path))
    res = derive_study(study)
    s = study.subjects
    code = "CBOR" if doc["trial"]["confirmed"]["value"] else "BOR"
    for c in doc["cohort"]:
        pop = c["population"]
        sub = s[s.cohort == c["name"]]
        assert len(sub) == pop["enrolled"]["value"]
        eff = sub.loc[sub.efficacy_fl == "Y", "subject_id"]
        assert len(eff) == pop["efficacy"]["value"]
        b = res.adrs[(res.adrs.PARAMCD == code) & res.adrs.USUBJID.isin(eff)]
        got = b.AVALC.replace({"MISSING": "NE"}).value_counts().to_dict()
        want = {k: c["bor"][k]["value"] for k in ("CR", "PR", "SD", "PD", "NE")}
        assert {k: got.get(k, 0) for k in want} == want
        for ep in ("pfs", "os"):
            g = res.adtte[(res.adtte.PARAMCD == ep.upper()) & res.adtte.USUBJID.isin(eff)]
            km = kaplan_meier(g.AVAL / DPM, g.CNSR == 0)
            med = c[ep]["median"]["value"]
            est = km.median().estimate
            if med == "NR":
                assert math.isnan(est)
            else:
                assert abs(est - med) <= 0.1, (ep, est, med)
            for lm in c[ep]["landmarks"]:
                surv = float(km.at([lm["month"]])["surv"].iloc[0])
                assert round(100 * surv, 1) == lm["percent"], (ep, lm)
        assert dict(sub[sub.efficacy_fl == "Y"].sex.value_counts()) == {
            k: v for k, v in c["baseline"]["categorical"][0]["counts"].items() if v}
        a = res.adae[(res.adae.WORSTFL == "Y") & res.adae.USUBJID.isin(sub.subject_id)]
        g = a[a.AEDECOD == "FATIGUE"].ATOXGRN.astype(int)
        counts = c["ae"][0]["counts"]
        assert (int(g.between(1, 2).sum()), int(g.between(3, 4).sum())) == (counts["1-2"], counts["3-4"])


def test_twin_random_infeasible_spec_raises_clearly():
    """A landmark printed as exactly 50.0% before the median needs R's midpoint rule on a flat
    S = 0.5, which the planner does not model: it must fail loudly, naming the checkpoints."""
    spec, _ = random_spec(16)
    with pytest.raises(OncotrialValueError, match=r"C2 OS: no arrangement of 34 subjects meets"):
        generate_twin(spec, seed=16)
