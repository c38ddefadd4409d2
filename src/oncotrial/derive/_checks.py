"""Input checks shared by the derivations: required columns, check_type, data warnings."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError
from oncotrial._validation import check_choice

CheckType = Literal["error", "warning", "none"]
CHECK_TYPES = ("error", "warning", "none")


class DerivationWarning(UserWarning):
    """A documented data problem that a derivation worked around (and logged).

    The message names the subject, the lesion or record, and the visit; the same text goes to
    the derivation log, so nothing is dropped silently.
    """


def require_columns(dataset: object, columns: Iterable[str], func: str, param: str) -> pd.DataFrame:
    """Check ``dataset`` is a DataFrame holding ``columns``; return it.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "f", "dataset").shape
    (1, 1)
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "f", "dataset")
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `dataset` of `f` must have columns ['a', 'b']; \
missing ['b']. See oncotrial.io._schema for the canonical columns.
    """
    if not isinstance(dataset, pd.DataFrame):
        raise OncotrialValueError(
            f"`{param}` of `{func}` must be a pandas DataFrame; got {type(dataset).__name__}.")
    cols = list(columns)
    missing = [c for c in cols if c not in dataset.columns]
    if missing:
        raise OncotrialValueError(
            f"`{param}` of `{func}` must have columns {cols}; missing {missing}. "
            "See oncotrial.io._schema for the canonical columns.")
    return dataset


def check_check_type(check_type: str, func: str) -> str:
    """Validate a ``check_type`` argument (STYLE.md rule 8)."""
    return check_choice(check_type, CHECK_TYPES, func, "check_type")


def report(problem: str, check_type: str, remedy: str = "") -> None:
    """Raise (``'error'``) or warn (``'warning'``) about a data problem; ``'none'`` is silent.

    With ``'none'`` the caller still writes the problem to the derivation log.
    """
    msg = problem + (" " + remedy if remedy else "")
    if check_type == "error":
        raise OncotrialValueError(msg)
    if check_type == "warning":
        warnings.warn(msg, DerivationWarning, stacklevel=3)


def warn(message: str) -> None:
    """Emit a :class:`DerivationWarning`."""
    warnings.warn(message, DerivationWarning, stacklevel=3)


def text(series: pd.Series) -> pd.Series:
    """Strip and upper-case a text column; empty strings become missing (object, None).

    Computed once per distinct text and spread back by one take (issue 21: lesion and
    response columns of millions of rows hold a few hundred distinct values).

    Examples
    --------
    >>> text(pd.Series([" pr", "", None, "PR "])).tolist()
    ['PR', None, None, 'PR']
    """
    s = series.astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="string").str.strip().str.upper()
    u = u.mask(u == "")
    vals = np.append(u.astype(object).where(u.notna(), None).to_numpy(), None)
    return pd.Series(vals[np.where(codes < 0, len(u), codes)], index=series.index,
                     name=series.name, dtype=object)


def first_rows(frame: pd.DataFrame, cols: list[str], n: int = 3) -> str:
    """Describe up to ``n`` rows of ``frame`` as ``col=value`` lists, for messages."""
    parts = []
    for _, r in frame.head(n).iterrows():
        parts.append("(" + ", ".join(f"{c}={r[c]!r}" for c in cols if c in frame.columns) + ")")
    more = len(frame) - n
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
