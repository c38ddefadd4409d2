"""summarize_study: hand-counted numbers on the tiny VALID study (tests/io/conftest.py)."""

from __future__ import annotations

import math

from oncotrial.io import read_template
from oncotrial.io._summary import StudySummary, summarize_study


def test_summarize_study_1_hand_counts(valid_dir):
    s = summarize_study(read_template(valid_dir))
    assert isinstance(s, StudySummary)
    # subjects: A = S1 (61, F), B = S2 (70, M, died 2020-09)
    assert s.subjects.loc["A"].tolist() == [1, 1, 0, 61.0, 100.0, 0]
    assert s.subjects.loc["B", "deaths"] == 1
    # S1: 2 assessment dates, 2 baseline targets, SLD = 20 + 16 = 36 mm; B has no lesions
    assert s.tumour.loc["A"].tolist() == [1, 2, 2, 36.0]
    assert s.tumour.loc["B", "assessments"] == 0 and math.isnan(s.tumour.loc["B", "median_baseline_sld_mm"])
    # worst grades: S1 grade 2, S2 grade 3
    assert s.adverse_events.loc["A", "worst_grade_2"] == 1 and s.adverse_events.loc["B", "worst_grade_3"] == 1
    # exposure days: S1 2020-01-10..2020-06-01 = 144 days; S2 2020-02-10..2020-03-01 = 21
    assert s.exposure["median_days_on_treatment"].tolist() == [144.0, 21.0]
    assert list(s.summary().index) == ["A", "B"]
