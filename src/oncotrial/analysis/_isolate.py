"""Failure isolation: one failing sub-analysis becomes an ``"error"`` entry, not a dead report.

:func:`isolated` runs one section of :func:`~oncotrial.analysis.analyze_study` (Cox, survival,
safety, ...). When it raises, the section's result is ``{"error": message}``, the message is
also collected under ``results["errors"][section]``, and the remaining sections are still
computed. The report shows the message as a note in that section, and ``oncotrial analyze``
exits with code 3 ("completed with analysis errors", docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from oncotrial._errors import SpecEntryError, error_message

__all__ = ["error_message", "isolated"]

T = TypeVar("T")


def isolated(errors: dict[str, str], section: str, func: Callable[..., T], *args: Any,
             **kwargs: Any) -> T | dict:
    """``func(*args, **kwargs)``, or ``{"error": message}`` (recorded in ``errors``) when it fails.

    Examples
    --------
    >>> errs = {}
    >>> isolated(errs, "cox", lambda: 1 / 0), errs
    ({'error': 'ZeroDivisionError: division by zero'}, {'cox': 'ZeroDivisionError: division by zero'})
    """
    try:
        return func(*args, **kwargs)
    except (KeyboardInterrupt, MemoryError):
        raise
    except SpecEntryError:
        raise  # a spec entry that cannot be honoured is refused whole (exit 2, issue 12)
    except Exception as exc:
        errors[section] = error_message(exc)
        return {"error": errors[section]}
