"""Issue 21: the vectorised io paths equal the per-cell logic they replace.

Each test states the reference computation (the code the fast path replaced, or pandas'
own per-cell function) and checks the fast path against it on hypothesis-generated inputs;
found examples are kept as ``@example``.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncotrial.io._coerce import clean_text, map_values, to_number
from oncotrial.io._files import _ARROW_TEXT, read_csv_cells
from oncotrial.io._issues import Issue
from oncotrial.io._sdtm_tumor import _superseded, joint_codes

#: Text cells as SDTM files hold them: codes, numbers, blanks, NA, padding, missing.
CELLS = st.one_of(st.none(), st.sampled_from(["", "NA", " a", "A", "a ", "1", "01", "1.5",
                                               "x", " 2e3", "inf", "nan", "-0", "T01"]),
                  st.text(alphabet="aA1 -._", max_size=4))


def _series(values: list) -> pd.Series:
    return pd.Series(values, dtype="string")


@settings(max_examples=80, deadline=None)
@given(st.lists(CELLS, max_size=30))
@example(["1", "1", None])
@example([None, None])
@example([])
def test_to_number_1_equals_pandas_to_numeric(values):
    s = _series(values)
    expected = pd.to_numeric(s, errors="coerce").astype("float64")
    got = to_number(s)
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert got.index.equals(s.index)


@settings(max_examples=80, deadline=None)
@given(st.lists(CELLS, max_size=30))
@example(["a", None, "a", "x"])
@example([None])
def test_map_values_2_equals_series_map(values):
    s = _series(values)
    mapping = {"A": "Y", "a": "N", "1": "one", "T01": "T"}
    expected = s.map(mapping).astype("string")
    pd.testing.assert_series_equal(map_values(s, mapping).astype("string"), expected)
    nums = {"a": 1, "x": 2.5}
    pd.testing.assert_series_equal(map_values(s, nums).astype("float64"),
                                   s.map(nums).astype("float64"))


def _text_key(*parts: pd.Series) -> pd.Series:
    """The text key the lesion link used before issue 21 (unit separator between parts)."""
    sep = "\x1f"
    out = parts[0].astype("string")
    for p in parts[1:]:
        out = out + sep + p.astype("string")
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", None]), st.sampled_from(["I", "R"]),
                          st.sampled_from(["T1", "T2", "NT1", None])), max_size=40))
@example([("S1", "I", "T1"), ("S1", "I", None), ("S1", "I", "T1")])
def test_joint_codes_3_equal_keys_equal_codes(rows):
    a, b, c = (_series([r[i] for r in rows]) for i in range(3))
    codes = joint_codes([a, b, c])
    key = _text_key(a, b, c)
    assert ((codes < 0) == key.isna().to_numpy()).all()
    ok = np.flatnonzero(codes >= 0)
    for i in ok:
        for j in ok:
            assert (codes[i] == codes[j]) == (key.iloc[i] == key.iloc[j])


def _superseded_reference(tr: pd.DataFrame, key: list[str]) -> tuple[np.ndarray, pd.Series]:
    """The superseded-measurement rule as map_lesions wrote it before issue 21."""
    best = tr.groupby(key, sort=False, dropna=False)["_prio"].transform("min")
    loser = (tr["_prio"] > best).to_numpy()
    win = tr[~loser].drop_duplicates(key).set_index(key)
    lost = tr[loser]
    taken = lost.set_index(key).index.map(
        dict(zip(win.index, win["TRTESTCD"], strict=True))).astype("string")
    return loser, pd.Series(taken, index=lost.index)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2"]), st.sampled_from(["D1", "D2", None]),
                          st.sampled_from(["T1", "T2"]),
                          st.sampled_from([("DIAMETER", 0.0), ("LDIAM", 1.0), ("SAXIS", 1.0),
                                           ("LPERP", 2.0), ("TUMSTATE", 0.0)])),
                min_size=1, max_size=30))
@example([("S1", "D1", "T1", ("LDIAM", 1.0)), ("S1", "D1", "T1", ("DIAMETER", 0.0)),
          ("S1", "D1", "T1", ("SAXIS", 1.0))])
def test_superseded_4_equals_the_dict_lookup(rows):
    tr = pd.DataFrame({"USUBJID": _series([r[0] for r in rows]),
                       "_ev": _series(["INVESTIGATOR"] * len(rows)),
                       "_date": _series([r[1] for r in rows]),
                       "TRLNKID": _series([r[2] for r in rows]),
                       "TRTESTCD": _series([r[3][0] for r in rows]),
                       "_prio": [r[3][1] for r in rows]})
    key = ["USUBJID", "_ev", "_date", "TRLNKID"]
    loser, winner = _superseded(tr, key)
    ref_loser, ref_taken = _superseded_reference(tr, key)
    np.testing.assert_array_equal(loser, ref_loser)
    got = pd.Series(tr["TRTESTCD"].array.take(winner[loser]), index=tr.index[loser])
    pd.testing.assert_series_equal(got, ref_taken, check_names=False)


def _write_csv(path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows(rows)


CSV_CELLS = st.one_of(st.sampled_from(["", "NA", " a ", "A", "1", "x\ny", 'say "hi"',
                                       "\t2014-01-02 ", "na", "\u00a0b\u2003"]),
                      st.text(alphabet="aZ 1,\"\n", max_size=5))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(CSV_CELLS, CSV_CELLS), min_size=1, max_size=12))
@example([(" a ", "NA"), ("", "x\ny")])
def test_read_csv_cells_5_clean_equals_clean_text(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "tr.csv"
    _write_csv(path, ["USUBJID", "TRORRES"], [list(r) for r in rows])
    raw_issues: list[Issue] = []
    raw = read_csv_cells(path, "tr.csv", raw_issues, case="upper")
    issues: list[Issue] = []
    got = read_csv_cells(path, "tr.csv", issues, case="upper", clean=True)
    assert [str(i) for i in issues] == [str(i) for i in raw_issues]
    if raw is None:
        assert got is None
        return
    expected = pd.DataFrame({c: clean_text(raw[c]) for c in raw.columns}, index=raw.index)
    pd.testing.assert_frame_equal(got, expected)


def test_read_csv_cells_6_clean_fallback_path(tmp_path):
    """A file pyarrow rejects (one column) goes the csv-module way and is cleaned there."""
    path = tmp_path / "dm.csv"
    path.write_text("USUBJID\n S1 \nNA\n\n")
    got = read_csv_cells(path, "dm.csv", [], case="upper", clean=True)
    assert got["USUBJID"].tolist() == ["S1", pd.NA]
    assert str(got["USUBJID"].dtype) == "string"
    assert isinstance(_ARROW_TEXT, bool)


def test_read_csv_cells_7_cells_spanning_lines_across_blocks(tmp_path):
    """Quoted multi-line cells in a file of several pyarrow blocks (1 MiB each): the
    newline-cut read is refused and the quote-aware read gives the csv module's cells."""
    from oncotrial.io._files import _read_careful

    rng = np.random.default_rng(21)
    texts = np.array(["plain", "two\nlines", 'q "x"\n', "a,b", "", "NA", " pad "])
    rows = [[f"S{i}", t, str(i)] for i, t in enumerate(texts[rng.integers(0, 7, 60_000)])]
    path = tmp_path / "tr.csv"
    _write_csv(path, ["USUBJID", "TRORRES", "TRSEQ"], rows)
    assert path.stat().st_size > 1 << 20
    issues: list[Issue] = []
    got = read_csv_cells(path, "tr.csv", issues, case="upper")
    expected = _read_careful(path, "tr.csv", [], "upper", 0)
    assert issues == []
    pd.testing.assert_frame_equal(got.astype(object), expected.astype(object))
    assert got["TRORRES"].str.contains("\n", regex=False).sum() > 10_000
