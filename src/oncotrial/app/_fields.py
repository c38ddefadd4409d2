"""Form inputs shared by the design and simulation pages: declared fields, their widgets, the
URL round trip and the conversion of raw widget values into API arguments.

A :class:`Field` names one input (label with unit, default, kind); :func:`widget` makes its
Shiny input, :func:`initial_value` reads its start value from the URL query string and
:func:`coerce_values` turns the browser's values into API arguments, raising
:class:`~oncotrial._errors.OncotrialValueError` with the input's name and label. One parser
(:func:`parse_number`) serves the URL and the form, so a shared link and a typed value are
read alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from oncotrial._errors import OncotrialValueError

__all__ = ["Field", "choice_values", "coerce_values", "download", "initial_value", "number_list",
           "parse_number", "silent", "widget"]

Kind = Literal["float", "int", "select", "text"]


@dataclass(frozen=True, slots=True)
class Field:
    """One labelled input of a form (``name`` is the API keyword and the URL key).

    ``optional`` numbers may be left empty (``None`` is passed on: the API's default).
    """

    name: str
    label: str
    default: Any
    kind: Kind = "float"
    step: float | None = None
    choices: tuple[str, ...] | dict[str, dict[str, str]] = ()
    help: str = ""
    optional: bool = False


def parse_number(f: Field, v: Any, *, where: str = "the design form") -> float | int | None:
    """``v`` as the number ``f`` holds (``None`` for an empty optional box).

    Examples
    --------
    >>> parse_number(Field("n", "n (patients)", 1, "int"), "12")
    12
    >>> try:
    ...     parse_number(Field("n", "n (patients)", 1, "int"), "1.5")
    ... except ValueError as e:
    ...     print(str(e)[:45])
    `n` of the design form must be a whole number
    """
    if v is None or (isinstance(v, str) and not v.strip()):
        if f.optional:
            return None
        raise OncotrialValueError(f"`{f.name}` of {where} must be given; got {v!r}. Enter a number ({f.label}).")
    try:
        num = float(v)
    except (TypeError, ValueError):
        raise OncotrialValueError(f"`{f.name}` of {where} must be a number; got {v!r}. "
                                  f"Enter a number ({f.label}).") from None
    if f.kind != "int":
        return num
    if num != int(num):
        raise OncotrialValueError(f"`{f.name}` of {where} must be a whole number; got {v!r}. Round it ({f.label}).")
    return int(num)


def number_list(v: Any, name: str, *, whole: bool = False, where: str = "the design form",
                example: str = "10,20,30") -> list[float] | list[int] | None:
    """Comma-separated numbers (``None`` when empty), whole numbers when ``whole``.

    Examples
    --------
    >>> number_list("0.1, 0.3", "rates")
    [0.1, 0.3]
    >>> number_list("", "rates") is None
    True
    """
    if v is None or not str(v).strip():
        return None
    what = "whole numbers" if whole else "numbers"
    try:
        nums = [float(s) for s in str(v).split(",") if s.strip()]
    except ValueError:
        nums = None
    if nums is None or not nums or (whole and any(x != int(x) for x in nums)):
        raise OncotrialValueError(f"`{name}` of {where} must be comma-separated {what}; got {v!r}. "
                                  f"Write them like {example}.")
    return [int(x) for x in nums] if whole else nums


def coerce_values(fields: Iterable[Field], raw: dict[str, Any], *, where: str = "the design form") -> dict[str, Any]:
    """Turn raw widget values (numbers, strings, ``None`` for an empty box) into API arguments.

    Raises :class:`OncotrialValueError` naming the empty or malformed input.
    """
    out: dict[str, Any] = {}
    for f in fields:
        v = raw.get(f.name, f.default)
        if f.kind == "text":
            out[f.name] = "" if v is None else str(v)
        elif f.kind == "select":
            out[f.name] = str(v if v is not None else f.default)
        else:
            out[f.name] = parse_number(f, v, where=where)
    return out


def initial_value(f: Field, query: dict[str, str]) -> Any:
    """The field's start value: from the URL query when it parses, else its default."""
    v = query.get(f.name)
    if v is None:
        return f.default
    if f.kind in ("float", "int"):
        try:
            return parse_number(f, v)
        except OncotrialValueError:
            return f.default
    if f.kind == "select" and v not in choice_values(f):
        return f.default
    return v


def choice_values(f: Field) -> tuple[str, ...]:
    """The values a select field accepts (its choices, flattened from groups).

    Examples
    --------
    >>> choice_values(Field("law", "law", "a", "select", choices={"G": {"a": "A"}, "b": "B"}))
    ('a', 'b')
    """
    if not isinstance(f.choices, dict):
        return tuple(f.choices)
    out: list[str] = []
    for k, v in f.choices.items():
        out += list(v) if isinstance(v, dict) else [k]
    return tuple(out)


def widget(f: Field, value: Any) -> Any:
    """The Shiny input of a field, labelled with its unit."""
    from shiny import ui

    if f.kind == "select":
        choices = f.choices if isinstance(f.choices, dict) else list(f.choices)
        return ui.input_select(f.name, f.label, choices=choices, selected=str(value))
    if f.kind == "text":
        return ui.input_text(f.name, f.label, value=str(value))
    return ui.input_numeric(f.name, f.label, value=value, step=f.step)


def silent() -> Exception:
    """Shiny's silent exception: an output shows nothing (its error is shown elsewhere)."""
    from shiny.types import SilentException

    return SilentException()


def download(**kwargs: Any) -> Any:
    """The download renderer: ``render.download_button`` (shiny >= 1.4; ``render.download`` is
    deprecated there) or ``render.download`` on the older shiny we support (>= 1.2). Paired in
    the UI with ``ui.download_button`` of the same id, as before."""
    from shiny import render

    return getattr(render, "download_button", render.download)(**kwargs)
