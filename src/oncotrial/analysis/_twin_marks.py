"""Which numbers of a twin's report come from its paper and which are twin-spec assumptions.

A study spec with ``[study].twin = "regomune"`` (a bundled twin spec name or a path) is the
analysis of a trial twin (:mod:`oncotrial.evidence.twins`). For each cohort and endpoint the
twin spec says whether the generated data follow a number quoted from the paper (``source``)
or an assumption of the twin spec (``assumption``, or nothing reported): the report marks the
second kind, e.g. REGOMUNE OS, which its paper does not report.
"""

from __future__ import annotations

__all__ = ["twin_provenance"]


def _endpoint(ep, assumption_key: str, assumptions: dict) -> dict:
    rep = [r for r in (ep.median, ep.median_ci) if r is not None]
    landmarks = [float(lm.month) for lm in ep.landmarks]
    if ep.landmarks or any(r.source for r in rep):
        return {"status": "paper", "landmarks": landmarks, "text": "; ".join(
            [r.source for r in rep if r.source] + [lm.source for lm in ep.landmarks])[:300]}
    text = next((r.assumption for r in rep if r.assumption), None) or assumptions.get(
        assumption_key) or "Not reported in the paper."
    return {"status": "assumption", "text": text}


def twin_provenance(spec, cohorts: list[str]) -> dict | None:
    """Per cohort, ``{"OS"|"PFS"|"DOR"|"BOR": {"status": "paper"|"assumption", "text"}}``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> p = twin_provenance(SimpleNamespace(twin="regomune"), ["GEP-NEN"])
    >>> p["cohorts"]["GEP-NEN"]["OS"]["status"], p["cohorts"]["GEP-NEN"]["PFS"]["status"]
    ('assumption', 'paper')
    """
    if not getattr(spec, "twin", None):
        return None
    from oncotrial.evidence.twins import load_spec

    tw = load_spec(spec.twin)
    out: dict = {"name": tw.name, "reference": tw.reference, "cohorts": {}}
    for c in tw.cohorts:
        if c.name not in cohorts:
            continue
        bor_assumed = [k for k, r in c.bor.items() if r.is_assumption]
        out["cohorts"][c.name] = {
            "OS": _endpoint(c.os, "os", tw.assumptions),
            "PFS": _endpoint(c.pfs, "pfs", tw.assumptions),
            "DOR": _endpoint(c.dor, "dor", tw.assumptions),
            "BOR": ({"status": "assumption", "text": "; ".join(
                f"{k}: {c.bor[k].assumption}" for k in bor_assumed)[:400]}
                if bor_assumed else {"status": "paper", "text": ""}),
        }
    return out
