"""Exception types shared by every oncotrial package.

House rule (STYLE.md #7): messages read
"`{param}` of `{func}` must be {constraint}; got {value!r}." followed by the remedy.
"""

from __future__ import annotations


class OncotrialError(Exception):
    """Base class of every error raised on purpose by oncotrial."""


class OncotrialValueError(OncotrialError, ValueError):
    """A user-supplied value is outside what a function accepts.

    Subclasses :class:`ValueError`, so ``except ValueError`` keeps working.

    Examples
    --------
    >>> raise OncotrialValueError("`level` of `proportion_ci` must be in (0, 1); got 1.5.")
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `level` of `proportion_ci` must be in (0, 1); got 1.5.
    """


class SpecEntryError(OncotrialValueError):
    """A study-spec entry that cannot be honoured: the whole analysis is refused (exit code 2).

    Raised with a message naming the spec key (house style: "`{key}` of the study spec must be
    ...; got ... . <remedy>"). Failure isolation (``analysis._isolate``) re-raises it instead of
    turning it into a note, since a report that silently ignored an entry would describe
    another analysis.

    Examples
    --------
    >>> isinstance(spec_error("[cox].covariates[0]", "a column", "AGEX", "Fix it."), ValueError)
    True
    """


def spec_error(key: str, constraint: str, value: object, remedy: str) -> SpecEntryError:
    """Build the error for a study-spec entry (returned, not raised).

    Examples
    --------
    >>> str(spec_error("[study].evaluator", "one of ['INV']", "BICR", "Use INV."))
    "`[study].evaluator` of the study spec must be one of ['INV']; got 'BICR'. Use INV."
    """
    return SpecEntryError(f"`{key}` of the study spec must be {constraint}; got {value!r}. {remedy}")


def bad_value(param: str, func: str, constraint: str, value: object, remedy: str = "") -> OncotrialValueError:
    """Build the house-style error for a bad argument (returned, not raised).

    Examples
    --------
    >>> str(bad_value("level", "proportion_ci", "in (0, 1)", 1.5, "Use e.g. 0.95."))
    '`level` of `proportion_ci` must be in (0, 1); got 1.5. Use e.g. 0.95.'
    """
    msg = f"`{param}` of `{func}` must be {constraint}; got {value!r}."
    if remedy:
        msg += " " + remedy
    return OncotrialValueError(msg)


def error_message(exc: BaseException) -> str:
    """One-line description of a failure (prefixed by the exception type unless it is an
    oncotrial error), for notes in reports and ``results.json``.

    Examples
    --------
    >>> error_message(ZeroDivisionError("division by zero"))
    'ZeroDivisionError: division by zero'
    """
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, OncotrialError) else f"{type(exc).__name__}: {text}"
