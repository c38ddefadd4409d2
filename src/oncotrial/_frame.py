"""Small pandas helpers shared by the derivation and analysis packages.

Hand-written because pandas has no single call with these semantics on every supported release:
``Series.map(mapper_series)`` casts an *empty* mapper to ``float64`` before mapping (pandas 3.x,
``pandas.core.algorithms.map_array``), which raises ``TypeError: Cannot cast DatetimeArray to dtype
float64`` when the mapper holds dates and no key matched anything (for example no subject has a PD).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["lookup"]


def lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``keys.map(values)`` that keeps the dtype of ``values``, even when ``values`` is empty.

    Parameters
    ----------
    keys : pandas.Series
        Keys to look up (e.g. ``USUBJID``); the result keeps their index.
    values : pandas.Series
        Values indexed by unique keys (e.g. a ``groupby(...).min()`` result).

    Returns
    -------
    pandas.Series
        ``values`` at each key, missing (NaT / NaN / NA) where a key is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> empty = pd.Series([], dtype="datetime64[ns]")
    >>> lookup(pd.Series(["S1", "S2"]), empty).dtype
    dtype('<M8[ns]')
    >>> lookup(pd.Series(["S2", "S1", "S3"]), pd.Series([1.5, 2.5], index=["S1", "S2"])).tolist()
    [2.5, 1.5, nan]
    """
    out = values.reindex(keys.to_numpy())
    out.index = keys.index
    out.name = keys.name
    return out
