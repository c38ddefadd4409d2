"""The canonical data model: every table, column, type, allowed code, unit and requirement.

This module is the single source of truth; ``docs/data-model.md`` documents it for people, and
the CSV template (``oncotrial template DIR``) is written from it. Readers (template and SDTM)
produce these tables; ``oncotrial.derive`` consumes them.

Column kinds
------------
``str``      free text (stripped; empty -> missing)
``code``     one of ``codes`` (case-sensitive after upper-casing)
``date``     ISO 8601 date, partial allowed ("2014", "2014-05") unless ``full_date`` is True;
             kept as the ISO string in the canonical table (imputation happens where a date is
             used, by the rule documented for that use — see docs/data-model.md).
``float``    decimal number (``min`` / ``max`` bounds when given)
``int``      integer (``min`` / ``max`` bounds when given)
``flag``     ``Y`` / ``N`` / missing
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: str  # 'str' | 'code' | 'date' | 'float' | 'int' | 'flag'
    required: bool = False  # column must exist AND every value must be non-missing
    description: str = ""
    codes: tuple[str, ...] = ()
    unit: str = ""
    min: float | None = None
    max: float | None = None
    full_date: bool = False  # partial dates are an error


@dataclass(frozen=True, slots=True)
class Table:
    """One canonical table (one CSV in the template folder)."""

    name: str
    file: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    required_file: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


YN = ("Y", "N")

SUBJECTS = Table(
    name="subjects",
    file="subjects.csv",
    description="One row per subject: identity, cohort, key dates, disposition, baseline covariates.",
    key=("subject_id",),
    required_file=True,
    columns=(
        Column("subject_id", "str", True, "Unique subject identifier (SDTM USUBJID)."),
        Column("cohort", "str", True, "Cohort or arm label used in every table (e.g. 'GI', 'Lung')."),
        Column("arm", "str", False, "Planned treatment arm (SDTM ARM), when it differs from cohort."),
        Column("consent_date", "date", False, "Informed consent (SDTM RFICDTC)."),
        Column("enrol_date", "date", False, "Enrolment / registration date."),
        Column("randomization_date", "date", False, "Randomisation date (randomised trials)."),
        Column("first_dose_date", "date", False, "First dose of study treatment (SDTM RFXSTDTC)."),
        Column("last_dose_date", "date", False, "Last dose of study treatment (SDTM RFXENDTC)."),
        Column("death_date", "date", False, "Date of death (SDTM DTHDTC)."),
        Column("last_alive_date", "date", False, "Last date known alive (for OS censoring)."),
        Column("eos_reason", "str", False, "End-of-study / discontinuation reason (SDTM DSDECOD)."),
        Column("new_therapy_date", "date", False, "Start of first new anti-cancer therapy after study treatment."),
        Column("age", "float", False, "Age at baseline.", unit="years", min=0, max=120),
        Column("sex", "code", False, "Sex.", codes=("M", "F", "U", "UNDIFFERENTIATED")),
        Column("ecog", "int", False, "ECOG performance status at baseline.", min=0, max=5),
        Column("primary_site", "str", False, "Primary tumour site (e.g. 'PANCREAS', 'SMALL INTESTINE')."),
        Column("grade", "code", False, "WHO grade.", codes=("G1", "G2", "G3", "GX")),
        Column("differentiation", "code", False, "Differentiation.", codes=("WELL", "POORLY", "UNKNOWN")),
        Column("ki67", "float", False, "Ki-67 proliferation index.", unit="%", min=0, max=100),
        Column("chromogranin_a", "float", False, "Baseline chromogranin A.", unit="ng/mL", min=0),
        Column("prior_lines", "int", False, "Number of prior systemic therapy lines.", min=0),
        Column("enrolled_fl", "flag", False, "Enrolled population flag (default Y)."),
        Column("safety_fl", "flag", False, "Safety population flag; derived from exposure when absent."),
        Column("efficacy_fl", "flag", False,
               "Efficacy-evaluable population flag; derived by the study spec when absent."),
        Column("actual_arm", "str", False, "Actual treatment arm (SDTM ACTARM), when it differs from `arm`."),
    ),
)

LESIONS = Table(
    name="lesions",
    file="lesions.csv",
    description=(
        "One row per lesion per assessment (SDTM TU+TR). Target lesions carry a diameter; "
        "non-target and new lesions carry a status."
    ),
    key=("subject_id", "evaluator", "assessment_date", "lesion_id"),
    columns=(
        Column("subject_id", "str", True, "Subject identifier."),
        Column("assessment_date", "date", True, "Date of the imaging assessment.", full_date=True),
        Column("visit", "str", False, "Visit label (e.g. 'BASELINE', 'WEEK 8')."),
        Column("lesion_id", "str", True, "Lesion identifier, stable over visits (SDTM TULNKID/TRLNKID)."),
        Column("lesion_class", "code", True, "RECIST lesion class.", codes=("TARGET", "NON-TARGET", "NEW")),
        Column("site", "str", False, "Organ / location (SDTM TULOC)."),
        Column("is_node", "flag", False, "Lymph node (short axis is measured). Default: site contains 'LYMPH NODE'."),
        Column("diameter", "float", False,
               "Longest diameter (non-nodal) or short axis (nodal). Optional on NEW lesions (iRECIST new-lesion "
               "sum of measures).", min=0),
        Column("unit", "code", False, "Unit of `diameter`; cm is converted to mm.", codes=("mm", "cm")),
        Column(
            "status", "code", False,
            "Measurement/lesion status. TARGET: blank (measured), TOO SMALL TO MEASURE (counts 5 mm), "
            "NOT DONE. NON-TARGET: PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, NOT DONE. "
            "NEW: PRESENT (unequivocal), EQUIVOCAL.",
            codes=("TOO SMALL TO MEASURE", "NOT DONE", "PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "EQUIVOCAL"),
        ),
        Column("lesion_link", "str", False,
               "Split or coalesced lesion (RECIST 1.1 4.3.1; SDTM TRLNKGRP): a fragment names the baseline "
               "lesion it split from (fragments are summed into it); a lesion absorbed by coalescence names "
               "the surviving lesion (it counts 0 mm, the survivor carries the diameter)."),
        Column("evaluator", "str", False, "Who assessed (e.g. INVESTIGATOR, RADIOLOGIST 1). Default INVESTIGATOR."),
        Column("accepted", "flag", False,
               "Accepted (adjudicated) evaluator's record when several assess the same subject (SDTM TRACPTFL)."),
        Column("date_imputation", "code", False,
               "ADaM-style date imputation flag (ADTF) of `assessment_date`: D = day imputed to the first of the "
               "month by the SDTM reader from a YYYY-MM TRDTC.", codes=("D", "M")),
    ),
)

RESPONSES = Table(
    name="responses",
    file="responses.csv",
    description="Time-point overall responses when a source gives responses instead of lesions (SDTM RS OVRLRESP).",
    key=("subject_id", "evaluator", "assessment_date"),
    columns=(
        Column("subject_id", "str", True, "Subject identifier."),
        Column("assessment_date", "date", True, "Date of the assessment.", full_date=True),
        Column("visit", "str", False, "Visit label."),
        Column("response", "code", True, "RECIST 1.1 overall time-point response.",
               codes=("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")),
        Column("evaluator", "str", False, "Who assessed. Default INVESTIGATOR."),
        Column("accepted", "flag", False, "Accepted (adjudicated) evaluator's record (SDTM RSACPTFL)."),
        Column("date_imputation", "code", False,
               "ADaM-style date imputation flag (ADTF) of `assessment_date`: D = day imputed to the first of the "
               "month by the SDTM reader from a YYYY-MM RSDTC.", codes=("D", "M")),
    ),
)

ADVERSE_EVENTS = Table(
    name="adverse_events",
    file="adverse_events.csv",
    description="One row per adverse event record (SDTM AE).",
    key=("subject_id", "ae_id"),
    columns=(
        Column("subject_id", "str", True, "Subject identifier."),
        Column("ae_id", "str", True, "Record identifier, unique within subject (SDTM AESEQ)."),
        Column("term", "str", True, "MedDRA preferred term (SDTM AEDECOD)."),
        Column("soc", "str", False, "MedDRA system organ class (SDTM AESOC)."),
        Column("grade", "int", False, "CTCAE grade (SDTM AETOXGR).", min=1, max=5),
        Column("severity", "code", False, "Severity when no CTCAE grade is given (SDTM AESEV).",
               codes=("MILD", "MODERATE", "SEVERE")),
        Column("ctcae_version", "str", False, "CTCAE version (e.g. '5.0')."),
        Column("start_date", "date", False, "Onset date (SDTM AESTDTC)."),
        Column("end_date", "date", False, "Resolution date (SDTM AEENDTC)."),
        Column("related", "flag", False, "Related to study treatment (from SDTM AEREL)."),
        Column("serious", "flag", False, "Serious adverse event (SDTM AESER)."),
        Column("phase", "str", False, "Treatment phase (e.g. INDUCTION, MAINTENANCE)."),
        Column("treatment_emergent", "flag", False,
               "Treatment-emergent flag when the source gives it (SUPPAE AETRTEM)."),
    ),
)

EXPOSURE = Table(
    name="exposure",
    file="exposure.csv",
    description="One row per exposure record (SDTM EX).",
    key=("subject_id", "drug", "start_date"),
    columns=(
        Column("subject_id", "str", True, "Subject identifier."),
        Column("drug", "str", True, "Treatment name (SDTM EXTRT)."),
        Column("start_date", "date", True, "Start of this exposure record (SDTM EXSTDTC)."),
        Column("end_date", "date", False, "End of this exposure record (SDTM EXENDTC)."),
        Column("dose", "float", False, "Dose per administration.", min=0),
        Column("unit", "str", False, "Dose unit (SDTM EXDOSU)."),
        Column("phase", "str", False, "Treatment phase (e.g. INDUCTION, MAINTENANCE)."),
    ),
)

PRIOR_THERAPY = Table(
    name="prior_therapy",
    file="prior_therapy.csv",
    description="Prior systemic therapy lines, for the growth modulation index (GMI).",
    key=("subject_id", "line"),
    columns=(
        Column("subject_id", "str", True, "Subject identifier."),
        Column("line", "int", True, "Line number (1 = first line).", min=1),
        Column("regimen", "str", False, "Regimen name."),
        Column("start_date", "date", False, "Start of the line."),
        Column("end_date", "date", False, "End of the line."),
        Column("progression_date", "date", False,
               "Progression on this line (time to progression = progression - start)."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (SUBJECTS, LESIONS, RESPONSES, ADVERSE_EVENTS, EXPOSURE, PRIOR_THERAPY)
}

__all__ = ["ADVERSE_EVENTS", "EXPOSURE", "LESIONS", "PRIOR_THERAPY", "RESPONSES", "SUBJECTS",
           "TABLES", "Column", "Table"]
