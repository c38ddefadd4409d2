"""The ``[adam]`` section of the study spec: how an ADaM input folder maps onto the analysis.

Only read when ``[study].data`` is an ADaM folder (``docs/study-spec.md``, ``docs/data-model.md``
"ADaM input"). Keys:

* ``arm`` -- ``"TRT01P"`` (default: planned treatment, as randomised, ICH E9 intention to treat)
  or ``"TRT01A"`` (actual treatment); the ADSL variable whose values are the report's cohorts;
* ``efficacy_flag`` -- the ADSL population flag of the efficacy population when
  ``[populations].efficacy = "flag"``: one of ``EFFFL``, ``FASFL``, ``ITTFL``, ``PPROTFL``,
  ``SAFFL``; default the first of EFFFL, FASFL, ITTFL the ADSL has;
* ``[adam.parameters]`` -- PARAMCD per analysis role where the data differ from the admiral /
  admiralonco names (roles ``OVR, BOR, CBOR, MDIS, OS, PFS, DOR, TTR, SDIAM``), e.g.
  ``DOR = "DURRSP"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncotrial._errors import spec_error
from oncotrial.io._adam_checks import PARAM_ROLES

ARM_CHOICES = ("TRT01P", "TRT01A")
EFFICACY_FLAGS = ("EFFFL", "FASFL", "ITTFL", "PPROTFL", "SAFFL")


@dataclass(frozen=True, slots=True)
class AdamSpec:
    """A validated ``[adam]`` section.

    Examples
    --------
    >>> AdamSpec().arm, AdamSpec().parameter_map()
    ('TRT01P', {})
    """

    arm: str = "TRT01P"
    efficacy_flag: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()

    def parameter_map(self) -> dict[str, str]:
        """``{role: PARAMCD}`` of the overrides."""
        return dict(self.parameters)


_err = spec_error  # one builder for every spec-entry error (oncotrial._errors)


def parse_adam_section(sec: Any) -> AdamSpec:
    """Validate the ``[adam]`` table of a parsed spec.

    Examples
    --------
    >>> parse_adam_section({"arm": "TRT01A", "parameters": {"DOR": "rsd"}}).parameters
    (('DOR', 'RSD'),)
    >>> try:
    ...     parse_adam_section({"arm": "ARM"})
    ... except ValueError as e:
    ...     print(str(e)[:50])
    `[adam].arm` of the study spec must be one of ['TR
    """
    if not isinstance(sec, dict):
        raise _err("[adam]", "a table", sec, "Write it as an [adam] section.")
    known = {"arm", "efficacy_flag", "parameters"}
    for k in sec:
        if k not in known:
            raise _err(f"[adam].{k}", f"a known key ({', '.join(sorted(known))})", k,
                       "Remove it or fix its spelling (see docs/study-spec.md).")
    kw: dict[str, Any] = {}
    if "arm" in sec:
        arm = str(sec["arm"]).upper()
        if arm not in ARM_CHOICES:
            raise _err("[adam].arm", f"one of {list(ARM_CHOICES)}", sec["arm"],
                       "TRT01P analyses as planned (randomised), TRT01A as treated.")
        kw["arm"] = arm
    if "efficacy_flag" in sec:
        fl = str(sec["efficacy_flag"]).upper()
        if fl not in EFFICACY_FLAGS:
            raise _err("[adam].efficacy_flag", f"one of {list(EFFICACY_FLAGS)}",
                       sec["efficacy_flag"], "Name the ADSL population flag of the efficacy "
                       "population.")
        kw["efficacy_flag"] = fl
    if "parameters" in sec:
        ps = sec["parameters"]
        if not isinstance(ps, dict):
            raise _err("[adam.parameters]", "a table of role = PARAMCD", ps,
                       'Write e.g. [adam.parameters] DOR = "DURRSP".')
        out = []
        for role, code in ps.items():
            r = str(role).upper()
            if r not in PARAM_ROLES:
                raise _err(f"[adam.parameters].{role}", f"one of {sorted(PARAM_ROLES)}", role,
                           "Use an analysis role as key and the PARAMCD as value.")
            if not isinstance(code, str) or not code.strip():
                raise _err(f"[adam.parameters].{role}", "a PARAMCD string", code,
                           'Quote the PARAMCD, e.g. DOR = "DURRSP".')
            out.append((r, code.strip().upper()))
        kw["parameters"] = tuple(sorted(out))
    return AdamSpec(**kw)


__all__ = ["ARM_CHOICES", "EFFICACY_FLAGS", "AdamSpec", "parse_adam_section"]
