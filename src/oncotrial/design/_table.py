"""A small column table: the design tables before they become DataFrames (issue 21).

Every design's ``summary()``/``oc_table()`` returns a :class:`pandas.DataFrame` built from a
:class:`Table` (``Table.to_frame``). The ``oncotrial design`` commands print the
:class:`Table` itself, so they never import pandas (about 0.3 s of start-up, more than the
whole command otherwise costs). :meth:`Table.to_string` writes exactly what
``DataFrame.to_string`` writes for these tables -- numeric columns, string columns and
mixed string/number columns, with or without the index (``None`` cells, which pandas 3
prints as ``NaN`` in string columns and pandas 2 as ``None``, do not occur) -- which
``tests/design/test_table.py`` checks against pandas for every table the commands print.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Table"]

def _kind(values: Sequence[Any]) -> str:
    """The dtype kind pandas infers for a column: 'b', 'i', 'f' (numeric) or 'O'."""
    if isinstance(values, np.ndarray):
        k = values.dtype.kind
        return {"u": "i"}.get(k, k) if k in "biuf" else "O"
    vals = list(values)
    if vals and all(isinstance(v, bool | np.bool_) for v in vals):
        return "b"
    if vals and all(isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)
                    for v in vals):
        return "i"
    if vals and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                    for v in vals):
        return "f"
    return "O"


def _is_float(v: Any) -> bool:
    return isinstance(v, float | np.floating) and not np.isnan(v)


class Table:
    """Named columns of equal length, with an optional index (values and name).

    Parameters
    ----------
    columns : dict of str to sequence
        Column name -> values (lists of Python scalars or 1-d arrays), in display order.
    index : sequence, optional
        Row labels; default ``0, 1, ...`` (a ``RangeIndex`` in :meth:`to_frame`).
    index_name : str, optional
        The index's name (printed on its own line, as pandas does).

    Examples
    --------
    >>> t = Table({"n": [10, 29], "alpha": [0.0471, 0.05]}, index=["s1", "s2"])
    >>> print(t.to_string(float_format="{:.3f}".format))
         n  alpha
    s1  10  0.047
    s2  29  0.050
    >>> print(t.to_string(index=False, float_format="{:.3f}".format))
     n  alpha
    10  0.047
    29  0.050
    """

    __slots__ = ("columns", "index", "index_name")

    def __init__(self, columns: dict[str, Any], index: Sequence[Any] | None = None,
                 index_name: str | None = None) -> None:
        self.columns = dict(columns)
        self.index = None if index is None else list(index)
        self.index_name = index_name

    @classmethod
    def from_records(cls, rows: Sequence[dict[str, Any]], *, index: str | Sequence[Any] | None = None,
                     index_name: str | None = None) -> Table:
        """From row dicts (as ``DataFrame(rows)``); ``index`` names the column that becomes the
        index (as ``.set_index(index)``) or gives the labels.

        Examples
        --------
        >>> Table.from_records([{"m": "a", "n": 1}], index="m").columns
        {'n': [1]}
        """
        keys: list[str] = []
        for r in rows:
            keys += [k for k in r if k not in keys]
        cols = {k: [r.get(k, float("nan")) for r in rows] for k in keys}
        if isinstance(index, str):
            return cls({k: v for k, v in cols.items() if k != index}, cols[index], index)
        return cls(cols, index, index_name)

    def __len__(self) -> int:
        for v in self.columns.values():
            return len(v)
        return 0 if self.index is None else len(self.index)

    def to_frame(self) -> pd.DataFrame:
        """The :class:`pandas.DataFrame` of this table (pandas is imported here)."""
        import pandas as pd

        index = None if self.index is None else pd.Index(self.index, name=self.index_name)
        return pd.DataFrame(self.columns, index=index)

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, as ``DataFrame.to_dict(orient="records")`` (Python scalars)."""
        cols = {k: (v.tolist() if isinstance(v, np.ndarray) else list(v))
                for k, v in self.columns.items()}
        kinds = {k: _kind(v) for k, v in self.columns.items()}
        out = []
        for i in range(len(self)):
            row = {}
            for k, v in cols.items():
                x = v[i]
                if kinds[k] == "f" and x is not None:
                    x = float(x)
                elif isinstance(x, np.generic):
                    x = x.item()
                row[k] = x
            out.append(row)
        return out

    def to_string(self, *, index: bool = True,
                  float_format: Callable[[float], str] | None = None) -> str:
        """Plain-text table, character for character ``DataFrame.to_string(index=...)``.

        ``float_format`` formats float cells (as the ``display.float_format`` option does);
        only a callable is supported, and it is required when the table holds floats.
        """
        names = list(self.columns)
        strcols: list[list[str]] = []
        show_index_name = index and self.index_name is not None
        for name in names:
            values = self.columns[name]
            kind = _kind(values)
            cells = [self._cell(v, kind, index, float_format) for v in values]
            header = " " + str(name) if kind in "bif" else str(name)
            width = max([len(header), *(len(c) for c in cells)])  # to_string: no truncation
            col = [header.rjust(width)]
            if show_index_name:
                col.append("".rjust(width))
            strcols.append(col + [c.rjust(width) for c in cells])
        if index:
            labels = [str(v) for v in (self.index if self.index is not None
                                       else range(len(self)))]
            if show_index_name:
                labels = [str(self.index_name), *labels]
            width = max(len(v) for v in labels) if labels else 0
            strcols.insert(0, [""] + [v.ljust(width) for v in labels])
        if not strcols:
            return ""
        # pandas' adjoin(1, ...): every column but the last padded to its width + 1
        widths = [max(len(s) for s in col) + 1 for col in strcols[:-1]]
        lines = []
        for r in range(len(strcols[0])):
            parts = [col[r].ljust(w) for col, w in zip(strcols[:-1], widths, strict=True)]
            lines.append("".join(parts) + strcols[-1][r])
        return "\n".join(lines)

    @staticmethod
    def _cell(v: Any, kind: str, leading: bool, float_format: Callable[[float], str] | None) -> str:
        space = " " if leading else ""
        if kind == "f":
            if v is None or np.isnan(v):
                return "NaN"
            if float_format is None:
                raise TypeError("Table.to_string needs float_format for float columns")
            return float_format(v)
        if kind == "i":
            return f"{int(v): d}" if leading else f"{int(v):d}"
        if kind == "O" and _is_float(v):
            if float_format is None:
                raise TypeError("Table.to_string needs float_format for float cells")
            return float_format(v)
        if v is None:
            return space + "None"
        if isinstance(v, float | np.floating) and np.isnan(v):
            return space + "NaN"
        return space + str(v)
