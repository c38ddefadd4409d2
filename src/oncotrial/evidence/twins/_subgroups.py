"""Subgroup response rates of a twin: ``[[cohort.subgroup]]`` (issue 20).

A paper often reports the ORR of subgroups defined by a baseline variable (NICE-NEC: colorectal
16.7 %, Ki-67 > 55 % 64 %, NEC 60 %). The baseline tables fix only the margins, so a random
assignment gives any subgroup rate (the NICE-NEC twin had 83 % in colorectal primaries). After
the baseline values are assigned, values of the subgroup's variable are swapped between
efficacy-population subjects -- a responder inside with a non-responder outside, or the reverse
-- until exactly the published number of responders is inside. A swap keeps every baseline
count, minimum, maximum and median (the multiset of values is unchanged) and touches no other
column and no random stream, so nothing else of the twin changes. Candidates are taken in a
fixed pseudo-random order (CRC-32 of the subject id), so the result is deterministic.

Spec::

    [[cohort.subgroup]]
    label = "colorectal"
    variable = "primary_site"
    values = ["COLON", "RECTUM"]          # keys of that variable's baseline counts
    responders = { value = 1, source = "Results: 'colorectal NENs ... ORR 16.7%'" }
    n = 6                                  # optional; checked against the baseline counts
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from oncotrial.evidence.twins._baseline import category_value

__all__ = ["Subgroup", "apply_subgroups", "parse_subgroups"]


@dataclass(frozen=True, slots=True)
class Subgroup:
    """A published subgroup response count (responders among efficacy subjects in ``values``)."""

    label: str
    variable: str
    values: tuple[str, ...]
    responders: int
    n: int
    source: str


def parse_subgroups(raw: Any, where: str, categorical, n_base: int, n_eff: int, n_resp: int,
                    err) -> tuple[Subgroup, ...]:
    """Validate ``[[cohort.subgroup]]`` tables against the cohort's baseline counts and BOR."""
    out: list[Subgroup] = []
    cats = {v: (counts, opts) for v, counts, _s, opts in categorical}
    seen: set[str] = set()
    for j, d in enumerate(raw or []):
        w = f"{where}.subgroup[{j}]"
        if not isinstance(d, dict) or not {"variable", "values", "responders"} <= set(d):
            raise err(w, "a table with label, variable, values and responders", d)
        var = d["variable"]
        if var not in cats:
            raise err(f"{w}.variable", f"a categorical baseline variable of the cohort "
                      f"({sorted(cats)})", var)
        if var in seen:
            raise err(f"{w}.variable", "used by one subgroup only (swaps of one subgroup would "
                      "move another on the same variable)", var)
        seen.add(var)
        counts = cats[var][0]
        values = tuple(str(v) for v in d["values"])
        bad = [v for v in values if v not in counts]
        if bad:
            raise err(f"{w}.values", f"keys of the baseline counts of {var!r} ({sorted(counts)})",
                      bad)
        if n_base != n_eff:
            raise err(f"{w}", "a cohort whose baseline table describes the efficacy population "
                      "(the subgroup counts must be known among the evaluable patients)",
                      f"baseline population of {n_base}, efficacy {n_eff}")
        size = sum(counts[v] for v in values)
        if "n" in d and int(d["n"]) != size:
            raise err(f"{w}.n", f"the baseline count of {values} ({size})", d["n"])
        r = d["responders"]
        if not isinstance(r, dict) or "value" not in r or ("source" in r) == ("assumption" in r):
            raise err(f"{w}.responders", "{ value, source } or { value, assumption }", r)
        x = int(r["value"])
        if not max(0, n_resp - (n_eff - size)) <= x <= min(size, n_resp):
            raise err(f"{w}.responders", f"between {max(0, n_resp - (n_eff - size))} and "
                      f"{min(size, n_resp)} ({n_resp} responders, {size} in the subgroup of "
                      f"{n_eff})", x)
        out.append(Subgroup(label=str(d.get("label", "/".join(values))), variable=var,
                            values=values, responders=x, n=size,
                            source=r.get("source") or "ASSUMPTION: " + r["assumption"]))
    return tuple(out)


def _member(var: str, value: Any, values: tuple[str, ...], edges: dict) -> bool:
    if edges:
        for k in values:
            lo, hi = edges[k]
            if value is not None and lo < float(value) <= hi:
                return True
        return False
    return any(value == category_value(var, k) for k in values)


def apply_subgroups(subgroups, categorical, subjects: list[dict], plan: list[dict]) -> None:
    """Swap values in place so that each subgroup holds its published number of responders."""
    edges_of = {v: (opts or {}).get("edges", {}) for v, _c, _s, opts in categorical}
    eff = [k for k, p in enumerate(plan) if p["efficacy_fl"] == "Y"]
    eff.sort(key=lambda k: zlib.crc32(subjects[k]["subject_id"].encode()))
    resp = {k: plan[k]["bor"] in ("CR", "PR") for k in eff}
    for sg in subgroups:
        var, edges = sg.variable, edges_of.get(sg.variable, {})

        def inside(k: int, var=var, edges=edges, sg=sg) -> bool:
            return _member(var, subjects[k].get(var), sg.values, edges)

        for _ in range(len(eff)):
            have = sum(1 for k in eff if resp[k] and inside(k))
            if have == sg.responders:
                break
            want_in = have < sg.responders  # move a responder in (a non-responder out)
            a = next(k for k in eff if inside(k) and resp[k] != want_in)
            b = next(k for k in eff if not inside(k) and resp[k] == want_in)
            subjects[a][var], subjects[b][var] = subjects[b][var], subjects[a][var]
