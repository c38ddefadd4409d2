"""RECIST 1.1 special cases (issue 15): reappearance after CR, equivocal new lesion later
confirmed, split and coalesced lesions. Expected values are written by hand from the quoted
guideline text (Eisenhauer et al. 2009)."""

from __future__ import annotations

import warnings

import pandas as pd

from oncotrial.derive import derive_study, derive_vars_recist

D = ["2014-01-02", "2014-02-13", "2014-03-27", "2014-05-08", "2014-06-19"]


def les(rows):
    """rows: (visit index, lesion_id, class, node?, diameter, status[, lesion_link])."""
    out = []
    for r in rows:
        v, lid, cls, node, diam, status = r[:6]
        out.append({"subject_id": "S1", "assessment_date": D[v], "visit": f"V{v}",
                    "lesion_id": lid, "lesion_class": cls, "is_node": "Y" if node else "N",
                    "diameter": diam, "status": status,
                    "lesion_link": r[6] if len(r) > 6 else None})
    return pd.DataFrame(out)


def tp(rows, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return derive_vars_recist(les(rows), check_type="warning", **kw)


def test_derive_vars_recist_special_1_target_reappears_after_cr():
    # Table 3 note: "If a CR is truly met at first time point, then any disease seen at a
    # subsequent time point, even disease meeting PR criteria relative to baseline, makes the
    # disease PD at that point (since disease must have reappeared after CR)."
    # Sum 30 -> 0 (CR) -> 0 (CR, confirmed) -> 3 mm: +3 mm over nadir 0 (< 5 mm), -90 % from
    # baseline (PR by the sum) -> PD.
    out = tp([(0, "T1", "TARGET", False, 30, None), (1, "T1", "TARGET", False, 0, None),
              (2, "T1", "TARGET", False, 0, None), (3, "T1", "TARGET", False, 3, None)])
    assert out["AVALC"].tolist() == ["", "CR", "CR", "PD"]
    assert out["TRGRESP"].tolist() == ["", "CR", "CR", "PD"]
    assert "disease reappeared" in out["REASON"].iloc[3]
    # a single, unconfirmed CR (Table 3 note a, second case: "the original CR should be
    # changed to PR"): the sum rule decides, +3 mm over nadir 0 is not PD -> PR
    out = tp([(0, "T1", "TARGET", False, 30, None), (1, "T1", "TARGET", False, 0, None),
              (2, "T1", "TARGET", False, 3, None)])
    assert out["AVALC"].tolist() == ["", "CR", "PR"]


def test_derive_vars_recist_special_1b_non_target_reappears_after_confirmed_cr():
    rows = [(0, "T1", "TARGET", False, 30, None), (0, "NT1", "NON-TARGET", False, None,
                                                   "PRESENT")]
    for v in (1, 2):
        rows += [(v, "T1", "TARGET", False, 0, None),
                 (v, "NT1", "NON-TARGET", False, None, "ABSENT")]
    rows += [(3, "T1", "TARGET", False, 0, None),
             (3, "NT1", "NON-TARGET", False, None, "PRESENT")]
    out = tp(rows)
    assert out["NTRGRESP"].tolist() == ["", "CR", "CR", "PD"]
    assert out["AVALC"].tolist() == ["", "CR", "CR", "PD"]


def test_derive_vars_recist_special_2_node_back_to_10mm_after_cr():
    # 4.3.1: CR = "Any pathological lymph nodes ... must have reduction in short axis to
    # <10 mm"; a node 8 mm at CR growing to 12 mm (+4 mm, < 5 mm absolute) is disease again.
    out = tp([(0, "N1", "TARGET", True, 20, None), (1, "N1", "TARGET", True, 8, None),
              (2, "N1", "TARGET", True, 8, None), (3, "N1", "TARGET", True, 12, None)])
    assert out["AVALC"].tolist() == ["", "CR", "CR", "PD"]
    # 9 mm after CR is still normal (< 10 mm): stays CR
    out = tp([(0, "N1", "TARGET", True, 20, None), (1, "N1", "TARGET", True, 8, None),
              (2, "N1", "TARGET", True, 9, None)])
    assert out["AVALC"].tolist() == ["", "CR", "CR"]


def test_derive_vars_recist_special_3_reappearance_reaches_pfs_and_pd():
    # The PD from reappearance is an event for PD, PFS and DoR (issue 15: it used to stay PR).
    subj = pd.DataFrame({"subject_id": ["S1"], "cohort": ["A"],
                         "first_dose_date": ["2014-01-03"]})
    les_ = les([(0, "T1", "TARGET", False, 30, None), (1, "T1", "TARGET", False, 0, None),
                (2, "T1", "TARGET", False, 0, None), (3, "T1", "TARGET", False, 3, None)])
    from types import SimpleNamespace
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = derive_study(SimpleNamespace(subjects=subj, lesions=les_))
    a = res.adrs.set_index("PARAMCD")
    assert a.loc["PD", "AVALC"] == "Y"
    assert str(a.loc["PD", "ADT"].date()) == "2014-05-08"
    t = res.adtte.set_index("PARAMCD")
    # PFS: 2014-01-03 -> 2014-05-08 = 125 days + 1; DoR from first CR 2014-02-13 = 84 + 1
    assert (t.loc["PFS", "AVAL"], t.loc["PFS", "CNSR"]) == (126.0, 0)
    assert (t.loc["DOR", "AVAL"], t.loc["DOR", "CNSR"]) == (85.0, 0)


def test_derive_vars_recist_special_4_equivocal_new_lesion_confirmed_is_backdated():
    # 4.3.4: "If repeat scans confirm there is definitely a new lesion, then progression
    # should be declared using the date of the initial scan."
    base = [(0, "T1", "TARGET", False, 40, None)]
    rows = [*base, (1, "T1", "TARGET", False, 38, None), (1, "NEW1", "NEW", False, None,
                                                          "EQUIVOCAL"),
            (2, "T1", "TARGET", False, 38, None), (2, "NEW1", "NEW", False, None, "PRESENT")]
    out = tp(rows)
    assert out["NEWLPROG"].tolist() == ["", "Y", "Y"]
    assert out["AVALC"].tolist() == ["", "PD", "PD"]
    assert "4.3.4" in out["REASON"].iloc[1]
    # never confirmed: stays equivocal, not PD
    out = tp([*base, (1, "T1", "TARGET", False, 38, None),
              (1, "NEW1", "NEW", False, None, "EQUIVOCAL"),
              (2, "T1", "TARGET", False, 38, None)])
    assert out["NEWLPROG"].tolist() == ["", "EQUIVOCAL", "N"]
    assert out["AVALC"].tolist() == ["", "SD", "SD"]


def test_derive_vars_recist_special_5_split_lesion_fragments_are_summed():
    # 4.3.1 special notes: "When non-nodal lesions 'fragment', the longest diameters of the
    # fragmented portions should be added together to calculate the target lesion sum."
    # T1 40 mm + T2 20 mm = 60; at V1 T1 splits into T1.1 (15) + T1.2 (14): 29 + 20 = 49.
    rows = [(0, "T1", "TARGET", False, 40, None), (0, "T2", "TARGET", False, 20, None),
            (1, "T1.1", "TARGET", False, 15, None, "T1"),
            (1, "T1.2", "TARGET", False, 14, None, "T1"),
            (1, "T2", "TARGET", False, 20, None)]
    out = tp(rows)
    assert out["TRGSUM"].tolist() == [60.0, 49.0]
    assert out["NTRGASS"].tolist() == [2, 2]
    assert out["TRGRESP"].tolist() == ["", "SD"]
    # without the link the fragments are not baseline lesions: excluded, T1 unmeasured -> NE
    rows_nolink = [r[:6] for r in rows]
    assert tp(rows_nolink)["TRGRESP"].tolist() == ["", "NE"]


def test_derive_vars_recist_special_6_coalesced_lesions_keep_the_survivor():
    # 4.3.1: "If the lesions have truly coalesced such that they are no longer separable, the
    # vector of the longest diameter in this instance should be the maximal longest diameter
    # for the 'coalesced lesion'." T2 merges into T1 (survivor, 50 mm); T2 counts 0 mm.
    rows = [(0, "T1", "TARGET", False, 30, None), (0, "T2", "TARGET", False, 20, None),
            (1, "T1", "TARGET", False, 50, None), (1, "T2", "TARGET", False, None, None, "T1")]
    out = tp(rows)
    assert out["TRGSUM"].tolist() == [50.0, 50.0]
    assert out["NTRGASS"].tolist() == [2, 2]
    assert out["TRGRESP"].tolist() == ["", "SD"]
