"""A study with subjects but no tumour, response or other record derives instead of crashing
(it was an internal error in derive_param_tte: ``.dt`` on an empty object column)."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from oncotrial.derive import derive_study


def test_subjects_only_study_is_censored_at_the_reference_date():
    s = pd.DataFrame({"subject_id": ["S1", "S2"],
                      "first_dose_date": pd.to_datetime(["2020-01-01", "2020-02-01"])})
    with warnings.catch_warnings():
        # pandas 3: no deprecated fill of a datetime column with an untyped empty one
        future = getattr(pd.errors, "Pandas4Warning", None)
        if future is not None:
            warnings.simplefilter("error", future)
        with pytest.warns(UserWarning, match="no subject has a post-baseline tumour assessment"):
            r = derive_study(SimpleNamespace(subjects=s))
    t = r.adtte.set_index(["USUBJID", "PARAMCD"])
    for sid in ("S1", "S2"):
        for param in ("OS", "PFS"):
            assert (t.loc[(sid, param), "AVAL"], t.loc[(sid, param), "CNSR"]) == (1.0, 1)
    assert len(r.adsl) == 2
