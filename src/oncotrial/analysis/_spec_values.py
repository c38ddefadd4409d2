"""Value checks of the study spec's existing keys, run before any other parsing or work.

:func:`check_spec_values` walks the raw TOML mapping once and refuses, with the key path in the
message (``[survival].landmarks[0]``), every value that would pass a type check but fail deep
inside an analysis: non-finite numbers anywhere (``inf``, ``nan``), non-positive or absurd
windows (``confirm_days = 1e18``, ``teae_window_days = 10**9``), negative times, empty lists
where an analysis needs entries (``endpoints = []``), list entries of the wrong type
(``subgroups = [1, 2]``, ``phases = [""]``) and an unparseable ``data_cutoff``. Unknown keys and
choices are left to :func:`oncotrial.analysis._spec.parse_study_spec`.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from oncotrial._errors import spec_error

__all__ = ["MAX_WINDOW_DAYS", "check_spec_values"]

#: Upper bounds of day windows: RECIST confirmation / SD minimum (one year) and the TEAE window
#: (ten years); larger values would silently turn every response unconfirmed or every AE
#: treatment-emergent.
MAX_WINDOW_DAYS: dict[str, int] = {"confirm_days": 365, "sd_min_days": 365,
                                   "teae_window_days": 3650}


_err = spec_error  # one builder for every spec-entry error (oncotrial._errors)


def _finite_everywhere(node: Any, path: str) -> None:
    if isinstance(node, float) and not math.isfinite(node):
        raise _err(path, "a finite number", node, "Write a number such as 12 (no inf/nan).")
    if isinstance(node, dict):
        for k, v in node.items():
            top = f"[[{k}]]" if isinstance(v, list) and k == "subgroups" else f"[{k}]"
            _finite_everywhere(v, f"{path}.{k}" if path else top)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _finite_everywhere(v, f"{path}[{i}]")


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _times(sec: dict, name: str, key: str, *, positive: bool) -> None:
    if key not in sec or not isinstance(sec[key], list):
        return
    for i, v in enumerate(sec[key]):
        if not _is_num(v) or (v <= 0 if positive else v < 0):
            raise _err(f"[{name}].{key}[{i}]", "a positive number" if positive else
                       "a number >= 0", v, "List times in the spec's time unit, e.g. [6, 12].")


def _strings(sec: dict, name: str, key: str, *, nonempty_list: bool = False) -> None:
    if key not in sec or not isinstance(sec[key], list):
        return
    if nonempty_list and not sec[key]:
        raise _err(f"[{name}].{key}", "a non-empty list", sec[key],
                   "List at least one entry, or remove the key for the default.")
    for i, v in enumerate(sec[key]):
        if not isinstance(v, str) or not v.strip():
            raise _err(f"[{name}].{key}[{i}]", "a non-empty string", v, "Quote the value.")


def _window(sec: dict, name: str, key: str) -> None:
    if key not in sec:
        return
    v, hi = sec[key], MAX_WINDOW_DAYS[key]
    if isinstance(v, float) and v.is_integer() and abs(v) <= hi:
        return  # a float like 28.0 is reported as a type error by the parser
    if _is_num(v) and not 0 <= v <= hi:
        raise _err(f"[{name}].{key}", f"a whole number of days in [0, {hi}]", v,
                   "E.g. 28 (RECIST 1.1 confirmation: at least 4 weeks).")


def check_spec_values(raw: Any) -> None:
    """Refuse spec values that are well-typed but unusable; the key path names each one.

    Examples
    --------
    >>> check_spec_values({"study": {"title": "T", "data": "d"},
    ...                    "survival": {"landmarks": [6, 12]}})
    >>> def message(raw):
    ...     try:
    ...         check_spec_values(raw)
    ...     except ValueError as e:
    ...         return str(e).split(";")[0]
    >>> message({"survival": {"landmarks": [float("inf")]}})
    '`[survival].landmarks[0]` of the study spec must be a finite number'
    >>> message({"response": {"confirm_days": 10**18}})
    '`[response].confirm_days` of the study spec must be a whole number of days in [0, 365]'
    """
    if not isinstance(raw, dict):
        raise _err("(top level)", "a TOML table", type(raw).__name__, "Write [study] etc.")
    _finite_everywhere(raw, "")
    sections = {k: v for k, v in raw.items() if isinstance(v, dict)}
    st = sections.get("study", {})
    for key in ("title", "data"):
        if key in st and isinstance(st[key], str) and not st[key].strip():
            raise _err(f"[study].{key}", "a non-empty string", st[key], f"Give the {key}.")
    if "data_cutoff" in st:
        _cutoff(st["data_cutoff"])
    rs = sections.get("response", {})
    for key in ("confirm_days", "sd_min_days"):
        _window(rs, "response", key)
    sv = sections.get("survival", {})
    _strings(sv, "survival", "endpoints", nonempty_list=True)
    _times(sv, "survival", "landmarks", positive=True)
    _times(sv, "survival", "risk_times", positive=False)
    sf = sections.get("safety", {})
    _window(sf, "safety", "teae_window_days")
    _strings(sf, "safety", "phases")
    _strings(sections.get("cohorts", {}), "cohorts", "order")
    cx = sections.get("cox", {})
    _strings(cx, "cox", "covariates")
    if "min_variables" in cx and _is_num(cx["min_variables"]) and cx["min_variables"] < 0:
        raise _err("[cox].min_variables", "an integer >= 0", cx["min_variables"], "E.g. 2.")
    for key in ("cuts", "reference"):
        if isinstance(cx.get(key), dict):
            for k, v in cx[key].items():
                ok = _is_num(v) if key == "cuts" else isinstance(v, str | int)
                if not ok or isinstance(v, bool):
                    raise _err(f"[cox].{key}.{k}", "a number" if key == "cuts" else
                               "a level (string)", v, "See docs/study-spec.md, [cox].")
    subs = raw.get("subgroups")
    if isinstance(subs, list):
        for i, sg in enumerate(subs):
            if not isinstance(sg, dict):
                raise _err(f"[[subgroups]][{i}]", "a table with name, column and optional cut",
                           sg, "Write [[subgroups]] blocks with column = \"age\" etc.")
            for key in ("name", "column"):
                if key in sg and (not isinstance(sg[key], str) or not sg[key].strip()):
                    raise _err(f"[[subgroups]][{i}].{key}", "a non-empty string", sg[key],
                               "Quote the value.")


def _cutoff(value: Any) -> None:
    if isinstance(value, datetime.datetime | datetime.date):
        return
    if isinstance(value, str):
        try:
            datetime.date.fromisoformat(value)
            return
        except ValueError:
            pass
    raise _err("[study].data_cutoff", "an ISO 8601 date (YYYY-MM-DD)", value,
               "E.g. data_cutoff = 2024-01-31.")
