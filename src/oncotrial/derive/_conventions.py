"""Named derivation conventions: oncotrial's defaults and the admiral/admiralonco preset.

Every place where admiral's templates and oncotrial's defaults choose differently is one field
of :class:`Conventions`; ``derive_study(conventions='admiral')`` (CLI ``--conventions
admiral``, study spec ``conventions = "admiral"``) selects the preset that reproduces
pharmaverseadam's ``adrs_onco`` and ``adtte_onco`` from pharmaversesdtm (compared in
``tests/derive/test_admiral_preset.py``; the remaining differences are explained in
docs/derivations.md, "admiral preset").

References
----------
.. [1] admiral 1.4 ``inst/templates/ad_adsl.R``; admiralonco 1.3.0
   ``inst/templates/ad_adrs.R`` and ``ad_adtte.R``; pharmaverseadam 1.3.0 ``adrs_onco``,
   ``adtte_onco``.
.. [2] U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics,
   December 2018 (PFS censoring table).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from oncotrial._errors import bad_value

#: keys of ``Conventions.date_rules``: ADSL dates, ``ALIVE`` (dates of the last-alive
#: sources) and ``RS`` (reported response dates, ``--responses-from rs``).
DATE_RULE_KEYS = ("RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT", "NACTDT", "ALIVE", "RS")


@dataclass(frozen=True, slots=True)
class Conventions:
    """One named set of derivation conventions (see docs/derivations.md).

    Attributes
    ----------
    name : str
        ``'oncotrial'`` or ``'admiral'`` (or a user's label).
    reference : {'first-dose', 'randomization'}
        ``REFDT``. admiral: ``'randomization'`` (``RANDDT``; the templates assume a
        randomised study).
    responses_from : {'lesions', 'rs'}
        admiral: ``'rs'`` (the ADRS template starts from RS ``OVRLRESP``).
    evaluator : str or None
        admiral: ``'INVESTIGATOR'`` (``filter(RSEVAL == "INVESTIGATOR")``).
    dor_basis : {'confirmed', 'unconfirmed'}
        admiral: ``'unconfirmed'`` (``RSD`` starts at the ``RSP`` date).
    date_rules : dict of str to (imputation, highest)
        Partial-date rules per use (keys :data:`DATE_RULE_KEYS`), as admiral
        ``derive_vars_dt(date_imputation =, highest_imputation =)``. admiral: ``RS``
        ``('last', 'D')``, ``DTHDT`` ``('first', 'M')``, ``ALIVE`` ``('first', 'M')``.
    response_date : {'best', 'first'}
        Date of ``RSP``/``CB``/``CRSP``/``CCB``: the assessment deciding the best response,
        or (admiral) the first qualifying assessment.
    lsta_after_pd : bool
        ``LSTA`` includes assessments after the first PD (admiral: ``True``).
    last_alive_sources : tuple of str or None
        Sources of ``LSTALVDT`` (:func:`~oncotrial.derive.derive_adsl`). admiral:
        ``('ae', 'last_dose')`` (its template adds LB, not in the canonical model).
    death_without_assessment : {'censor', 'event'}
        PFS for a subject without any tumour assessment who died: censored at ``REFDT``
        (FDA 2018 [2]_) or an event (admiralonco).
    pfs_censor_at : {'last-adequate', 'last-assessment'}
        admiral: ``'last-assessment'`` (``lasta_censor``: NE included).
    censor_at_reference : bool
        OS/PFS never censored before ``REFDT`` (admiral ``rand_censor``: ``True``).
    censor_new_therapy : bool
        PFS stops at new anti-cancer therapy (FDA 2018; admiral's template: ``False``).
    last_dose_fallback : {'missing', 'exposure-start'}
        ``TRTEDT`` without any exposure end date.
    worst_per_date : bool
        Several responses on one date: keep the worst (admiral ``ANL01FL``: ``True``).

    .. versionadded:: 0.2

    Examples
    --------
    >>> conventions_of("admiral").reference
    'randomization'
    >>> conventions_of("oncotrial").response_date
    'best'
    """

    name: str = "oncotrial"
    reference: Literal["first-dose", "randomization"] = "first-dose"
    responses_from: Literal["lesions", "rs"] = "lesions"
    evaluator: str | None = None
    dor_basis: Literal["confirmed", "unconfirmed"] = "confirmed"
    date_rules: dict[str, tuple[str, str]] = field(default_factory=dict)
    response_date: Literal["best", "first"] = "best"
    lsta_after_pd: bool = False
    last_alive_sources: tuple[str, ...] | None = None
    death_without_assessment: Literal["censor", "event"] = "censor"
    pfs_censor_at: Literal["last-adequate", "last-assessment"] = "last-adequate"
    censor_at_reference: bool = False
    censor_new_therapy: bool = True
    last_dose_fallback: Literal["missing", "exposure-start"] = "missing"
    worst_per_date: bool = False

    def summary(self) -> dict:
        """Every field, for ``StudyDerivation.settings``."""
        return {k: getattr(self, k) for k in self.__slots__}


ONCOTRIAL = Conventions()
ADMIRAL = Conventions(
    name="admiral", reference="randomization", responses_from="rs",
    evaluator="INVESTIGATOR", dor_basis="unconfirmed",
    date_rules={"RS": ("last", "D"), "DTHDT": ("first", "M"), "ALIVE": ("first", "M"),
                "RANDDT": ("first", "n"), "TRTSDT": ("first", "n"),
                "TRTEDT": ("last", "n")},
    response_date="first", lsta_after_pd=True, last_alive_sources=("ae", "last_dose"),
    death_without_assessment="event", pfs_censor_at="last-assessment",
    censor_at_reference=True, censor_new_therapy=False, worst_per_date=True)
CONVENTIONS: dict[str, Conventions] = {"oncotrial": ONCOTRIAL, "admiral": ADMIRAL}


def conventions_of(value: str | Conventions, **overrides) -> Conventions:
    """The named preset (or ``value`` itself) with ``overrides`` applied (``None`` skipped).

    Examples
    --------
    >>> conventions_of("admiral", reference="first-dose").reference
    'first-dose'
    >>> conventions_of("sas")
    Traceback (most recent call last):
    ...
    oncotrial._errors.OncotrialValueError: `conventions` of `derive_study` must be one of \
['admiral', 'oncotrial'] or a Conventions object; got 'sas'. Use conventions='admiral' \
for admiral/admiralonco's templates.
    """
    if isinstance(value, Conventions):
        conv = value
    elif isinstance(value, str) and value in CONVENTIONS:
        conv = CONVENTIONS[value]
    else:
        raise bad_value("conventions", "derive_study",
                        f"one of {sorted(CONVENTIONS)} or a Conventions object", value,
                        "Use conventions='admiral' for admiral/admiralonco's templates.")
    for k in conv.date_rules:
        if k not in DATE_RULE_KEYS:
            raise bad_value("date_rules", "Conventions", f"keyed by {list(DATE_RULE_KEYS)}", k)
    kw = {k: v for k, v in overrides.items() if v is not None}
    return replace(conv, **kw) if kw else conv
