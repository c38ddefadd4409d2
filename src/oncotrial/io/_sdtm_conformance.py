"""SDTM variable conformance: every ``--DTC`` date and every numeric variable of every domain read,
whether oncotrial uses it or not (as Pinnacle 21 and CDISC CORE check them).

Rules (ids as printed by ``oncotrial validate``)
------------------------------------------------
bad-dtc      a ``--DTC`` value that is not an ISO 8601 date/datetime (``YYYY[-MM[-DD]]``, with
             an optional ``THH[:MM[:SS[.f]]]``) or not a calendar day (``2014-13-45``)
non-numeric  a numeric SDTM variable (``--STRESN``, ``--SEQ``, ``--DY``/``--STDY``/``--ENDY``,
             ``--DOSE``, ``--DOSTOT``, ``VISITNUM``, ``--TPTNUM``, ``AGE``) holding text

Severity: **error** when oncotrial maps the variable into the canonical model (``USED_DTC``,
``USED_NUMERIC``), **warning** when it does not (the value cannot change a result, but the data
would fail a conformance check). A finding already reported for the same file, row and column by
the canonical mapping is not repeated.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncotrial.io._coerce import emit, to_number
from oncotrial.io._dates import parse_dates
from oncotrial.io._issues import Issue

__all__ = ["USED_DTC", "USED_NUMERIC", "check_sdtm_variables", "drop_repeated",
           "is_checked_variable"]

#: --DTC variables the SDTM reader maps (dates of the canonical tables, last-alive sources).
USED_DTC = frozenset({"RFICDTC", "RFXSTDTC", "RFXENDTC", "DTHDTC", "DSSTDTC", "AESTDTC",
                      "AEENDTC", "EXSTDTC", "EXENDTC", "TUDTC", "TRDTC", "RSDTC"})
#: Numeric variables the SDTM reader maps.
USED_NUMERIC = frozenset({"AGE", "TRSTRESN", "EXDOSE", "DSSEQ", "AESEQ"})

_NUMERIC_SUFFIXES = ("STRESN", "SEQ", "DY", "DOSE", "DOSTOT", "TPTNUM")
_NUMERIC_NAMES = frozenset({"AGE", "VISITNUM"})


def _is_numeric_var(name: str) -> bool:
    return name in _NUMERIC_NAMES or (len(name) > 4 and name.endswith(_NUMERIC_SUFFIXES))


def is_checked_variable(name: str) -> bool:
    """Whether :func:`check_sdtm_variables` looks at variable ``name`` (--DTC or numeric).

    Examples
    --------
    >>> [is_checked_variable(v) for v in ("TRDTC", "TRSEQ", "VISITNUM", "TRTEST")]
    [True, True, True, False]
    """
    return name.endswith("DTC") or _is_numeric_var(name)


def check_sdtm_variables(dom: Mapping[str, pd.DataFrame]) -> list[Issue]:
    """Conformance findings for every domain frame (text cells, ``source_file``/``source_row``).

    Examples
    --------
    >>> dm = pd.DataFrame({"USUBJID": ["A"], "BRTHDTC": ["2014-13-45"], "RFXSTDTC": ["x"],
    ...                    "AGE": ["old"], "source_file": ["dm.csv"], "source_row": [1]})
    >>> [(i.severity, i.rule, i.column) for i in check_sdtm_variables({"dm": dm})]
    [('warning', 'bad-dtc', 'BRTHDTC'), ('error', 'bad-dtc', 'RFXSTDTC'), ('error', 'non-numeric', 'AGE')]
    """
    issues: list[Issue] = []
    for _d, df in dom.items():
        for c in df.columns:
            if c in ("source_file", "source_row"):
                continue
            name = str(c)
            if name.endswith("DTC"):
                bad = parse_dates(df[c]).status == "bad"
                emit(issues, bad, df, name, df[c],
                     "an ISO 8601 date YYYY-MM-DD (partial YYYY-MM / YYYY; time THH:MM[:SS] "
                     "allowed) that exists" + ("" if name in USED_DTC else
                                               "; not used by oncotrial"),
                     "bad-dtc", severity="error" if name in USED_DTC else "warning")
            elif _is_numeric_var(name):
                s = df[c]
                present = s.notna().to_numpy(bool)
                bad = present & ~np.isfinite(to_number(s).to_numpy())
                emit(issues, bad, df, name, s,
                     "a number" + ("" if name in USED_NUMERIC else "; not used by oncotrial"),
                     "non-numeric", severity="error" if name in USED_NUMERIC else "warning")
    return issues


def drop_repeated(issues: list[Issue], conformance: list[Issue]) -> list[Issue]:
    """``conformance`` findings not already reported (same file, row, column) in ``issues``.

    Examples
    --------
    >>> a = Issue("dm.csv", 1, "AGE", "x", "a number")
    >>> drop_repeated([a], [a, Issue("dm.csv", 2, "AGE", "y", "a number")])[0].row
    2
    """
    seen = {(i.file, i.row, i.column) for i in issues}
    return [i for i in conformance if (i.file, i.row, i.column) not in seen]
