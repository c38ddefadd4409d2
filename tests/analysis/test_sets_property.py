"""Property: every subject is accounted for in every analysis set -- a set holds a subset of
its parent, and each parent member outside the set has exactly one non-empty reason."""

from __future__ import annotations

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial.analysis._populations import add_sets, flow_counts, reason_column, set_column
from oncotrial.analysis._spec_sets import parse_sets

YN = st.sampled_from(["Y", "N"])
REASONS = st.sampled_from(["", "PROTOCOL VIOLATION", "INELIGIBLE", "WITHDREW"])


@st.composite
def adsl_frames(draw):
    n = draw(st.integers(1, 25))
    rows = [{"USUBJID": f"s{i}", "COHORT": draw(st.sampled_from(["A", "B"])),
             "ENRLFL": draw(YN), "SAFFL": draw(YN), "EFFFL": draw(YN),
             "EOSREAS": draw(REASONS)} for i in range(n)]
    assessed = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    adrs = pd.DataFrame({"USUBJID": [r["USUBJID"] for r, a in zip(rows, assessed, strict=True)
                                     if a], "PARAMCD": "CBOR", "AVALC": "PR"})
    return pd.DataFrame(rows), adrs


@settings(max_examples=60, deadline=None)
@given(adsl_frames())
@example((pd.DataFrame({"USUBJID": ["a"], "COHORT": "A", "ENRLFL": "N", "SAFFL": "Y",
                        "EFFFL": "Y", "EOSREAS": ""}),
          pd.DataFrame({"USUBJID": [], "PARAMCD": [], "AVALC": []})))
def test_sets_account_for_every_subject(frames):
    adsl, adrs = frames
    sets, _ = parse_sets({"sets": {
        "fas": {"within": "enrolled", "flag": "EFFFL"},
        "pp": {"within": "fas", "require": ["treated", "assessed"],
               "exclude_reasons": ["PROTOCOL VIOLATION"]}}}, "flag")
    out = add_sets(adsl, adrs, sets, "CBOR")
    by = {s.name: s for s in sets}
    for s in sets:
        m = out[set_column(s.name)].eq("Y")
        parent = out[set_column(s.within)].eq("Y") if s.within else pd.Series(True, out.index)
        assert not (m & ~parent).any()                       # subset of the parent
        why = out[reason_column(s.name)]
        assert (why[m] == "").all() and (why[~m] != "").all()  # one reason per exclusion
    fl = flow_counts(out, ["All"], sets)["All"]["sets"]
    for name, f in fl.items():
        parent_n = fl[by[name].within]["n"] if by[name].within else len(out)
        assert f["n"] + sum(f["excluded"].values()) == parent_n
