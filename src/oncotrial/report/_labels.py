"""Human labels of report rows: variable names and coded levels as a reader expects them.

The default map turns analysis names into the seed papers' wording (``primary_site`` ->
"Primary tumour site", sex ``F`` -> "Female", ``SMALL INTESTINE`` -> "Small intestine"); the study
spec's ``[labels]`` section overrides any of them (docs/study-spec.md, "Labels"). Hand-written
because the rule is two lines (CDISC upper-case codes to sentence case, keeping acronyms such as
"NET" or "G3"); a labelling library (gtsummary's ``label=``, R ``labelled``) has no Python peer.
"""

from __future__ import annotations

import re

VARIABLE_LABELS = {"age": "Age, years", "sex": "Sex", "ecog": "ECOG performance status",
                   "primary_site": "Primary tumour site", "grade": "WHO grade",
                   "differentiation": "Differentiation", "ki67": "Ki-67, %",
                   "chromogranin_a": "Chromogranin A, ng/mL",
                   "prior_lines": "Prior systemic lines", "cohort": "Cohort"}
LEVEL_LABELS = {"sex": {"F": "Female", "M": "Male", "U": "Unknown"}}
COMMON_LEVELS = {"Y": "Yes", "N": "No", "MISSING": "Missing", "UNKNOWN": "Unknown"}
#: proper nouns of the CDISC RACE / ETHNIC codelists (C74457, C66790) that sentence case would
#: lower-case ("Black or african american"): kept capitalised wherever they occur in a code
PROPER_WORDS = {"african": "African", "american": "American", "alaska": "Alaska",
                "hawaiian": "Hawaiian", "pacific": "Pacific", "islander": "Islander",
                "hispanic": "Hispanic", "latino": "Latino", "asian": "Asian", "indian": "Indian",
                "native": "Native"}
#: short English words that look like acronyms (2-3 capitals) but are lower-cased inside a code
SMALL_WORDS = {"A", "AN", "AND", "AT", "BY", "FOR", "IN", "NO", "NOT", "OF", "ON", "OR", "THE",
               "TO", "WITH"}
_ACRONYM = re.compile(r"^[A-Z0-9]{1,3}$|^[A-Z]+-?[A-Z]*\d+$")  # NET, G3, CTCAE5: kept


def sentence_case(code: str) -> str:
    """An upper-case data code in sentence case; mixed-case text and acronyms are kept.

    Examples
    --------
    >>> sentence_case("SMALL INTESTINE"), sentence_case("GI-NET"), sentence_case("panNET")
    ('Small intestine', 'GI-NET', 'panNET')
    >>> sentence_case("WELL DIFFERENTIATED NET")
    'Well differentiated NET'
    >>> sentence_case("BLACK OR AFRICAN AMERICAN"), sentence_case("NOT HISPANIC OR LATINO")
    ('Black or African American', 'Not Hispanic or Latino')
    >>> sentence_case("AMERICAN INDIAN OR ALASKA NATIVE")
    'American Indian or Alaska Native'
    """
    if code != code.upper() or not any(ch.isalpha() for ch in code) or _ACRONYM.match(code):
        return code
    words = code.split(" ")
    if len(words) == 1 and "-" in code:
        return code  # GI-NET, NON-CR: a hyphenated code is an acronym
    out = [w if _ACRONYM.match(w) and i and w not in SMALL_WORDS
           else PROPER_WORDS.get(w.lower(), w.lower())
           for i, w in enumerate(words)]
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


class Labels:
    """Variable and level labels: defaults, then the spec's ``[labels]`` overrides.

    Parameters
    ----------
    results : dict
        The analysis results; ``results["spec"]["labels"]`` (variable -> label) and
        ``results["spec"]["level_labels"]`` (variable -> {code: label}) override the defaults.

    Examples
    --------
    >>> lab = Labels({"spec": {"labels": [["ecog", "ECOG PS"]],
    ...                        "level_labels": [["primary_site", [["SMALL INTESTINE", "SI"]]]]}})
    >>> lab.variable("ecog"), lab.variable("sex"), lab.level("sex", "F")
    ('ECOG PS', 'Sex', 'Female')
    >>> lab.level("primary_site", "SMALL INTESTINE"), lab.level("primary_site", "PANCREAS")
    ('SI', 'Pancreas')
    """

    def __init__(self, results: dict) -> None:
        spec = results.get("spec", {})
        self._vars = {**VARIABLE_LABELS, **dict(map(tuple, spec.get("labels") or []))}
        self._levels = {k: dict(v) for k, v in LEVEL_LABELS.items()}
        for var, pairs in spec.get("level_labels") or []:
            self._levels.setdefault(var, {}).update(dict(map(tuple, pairs)))

    def variable(self, name: str) -> str:
        """The label of a variable (``name`` itself, made readable, when it has none)."""
        if name.endswith(" (categories)"):
            base = name.removesuffix(" (categories)")
            return self._vars.get(name, f"{self.variable(base)}, categories")
        return self._vars.get(name, name.replace("_", " ").capitalize())

    def level(self, variable: str, code: str) -> str:
        """The label of one coded level of ``variable``."""
        own = self._levels.get(variable, {})
        if code in own:
            return own[code]
        return COMMON_LEVELS.get(code, sentence_case(str(code)))


__all__ = ["LEVEL_LABELS", "VARIABLE_LABELS", "Labels", "sentence_case"]
