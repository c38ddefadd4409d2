"""Result-object conventions shared by every estimator (STYLE.md #3).

Each public estimator returns a frozen, slotted dataclass that subclasses :class:`Result`:
named fields, ``summary()`` -> DataFrame, a readable ``__repr__`` and ``_repr_html_``.
Confidence intervals are :class:`ConfidenceInterval`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where a table is rendered, not here: the design modules build on Result
# and `oncotrial design ...` must start without pandas (issue 21).


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided interval with the level and method that produced it.

    Examples
    --------
    >>> ci = ConfidenceInterval(0.1, 0.4, 0.95, "clopper-pearson")
    >>> ci.low, ci.high
    (0.1, 0.4)
    """

    low: float
    high: float
    level: float
    method: str

    def __iter__(self):
        """Allow ``lo, hi = ci``."""
        yield self.low
        yield self.high


class Result:
    """Mixin for result dataclasses: subclasses implement :meth:`summary`.

    ``__repr__`` prints the class name and the summary table; ``_repr_html_`` renders it in
    notebooks.
    """

    __slots__ = ()

    def summary(self) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        import pandas as pd

        with pd.option_context("display.width", 120, "display.max_columns", 20):
            return f"{type(self).__name__}\n{self.summary().to_string()}"

    def _repr_html_(self) -> str:
        return f"<strong>{type(self).__name__}</strong>" + self.summary().to_html()
