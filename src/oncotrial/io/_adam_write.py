"""ADaM out: datasets as SAS transport v5 (XPT) within the format's limits, read back losslessly.

:func:`write_xpt` writes one dataset with ``pyreadstat.write_xport(file_format_version=5)``
(the FDA submission format) after checking every limit of the format and raising one
:class:`~oncotrial.OncotrialValueError` that lists the violations (dataset, variable, row)
instead of letting SAS or pyreadstat truncate silently:

* dataset and variable names: 1-8 characters, a letter or ``_`` then letters, digits or ``_``;
* dataset and variable labels: at most 40 characters;
* character values: ASCII, at most 200 bytes (the v5 maximum length);
* numbers: finite or missing, and 0 or of magnitude within the IBM hexadecimal floating-point
  range of the format (about 5.4e-79 to 7.2e75); inside it the conversion is exact (IBM
  doubles carry at least 53 significant bits), which :func:`read_xpt` round trips test.

Types: text (``string``/``object``) becomes character with missing as the empty string (SAS has
no character missing value; :func:`read_xpt` reads ``""`` back as missing); integers and floats
become numeric (SAS numbers are doubles: nullable integers come back as float64 with NaN);
date columns (datetime64 without a time of day) become SAS dates (days since 1960-01-01) with
format ``DATE9.``, other datetime64 columns SAS datetimes (seconds) with ``DATETIME20.``;
booleans become ``Y``/``N``.

:func:`xpt_ready` also renames the variables oncotrial derives whose names exceed 8 characters
(:data:`XPT_RENAMES`, e.g. ``EVALUATOR`` -> ``EVALUATR``, the lower-case baseline covariates
``age`` -> ``AGE``) and gives each variable its label (:data:`LABELS`, else the input label,
else the name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError

MAX_NAME, MAX_LABEL, MAX_VALUE_BYTES = 8, 40, 200
#: Largest and smallest positive magnitudes of an IBM double (16**63 * (1 - 16**-14), 16**-65).
IBM_MAX, IBM_MIN = 16.0 ** 63 * (1 - 16.0 ** -14), 16.0 ** -65
_SAS_EPOCH = pd.Timestamp("1960-01-01")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")

#: oncotrial variable -> XPT name, for names that break the 8-character rule.
XPT_RENAMES: dict[str, str] = {
    "EVALUATOR": "EVALUATR", "LSTALVDTF": "LSTALDTF", "age": "AGE", "sex": "SEX",
    "ecog": "ECOGBL", "primary_site": "PRIMSITE", "grade": "TUMGRADE",
    "differentiation": "TUMDIFF", "ki67": "KI67BL", "chromogranin_a": "CGABL",
    "prior_lines": "PRLINES"}

#: Variables not written: derivation text kept in derivation_log.csv, analysis copies.
XPT_DROP: frozenset[str] = frozenset({"REASON", "cohort"})

#: Labels of the variables oncotrial derives (ADaMIG wording where the variable is standard).
LABELS: dict[str, str] = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier",
    "COHORT": "Cohort", "ARM": "Description of Planned Arm", "EOSREAS": "Reason for "
    "End of Study", "RANDDT": "Date of Randomization", "RANDDTF": "Date of Randomization "
    "Imput. Flag", "TRTSDT": "Date of First Exposure to Treatment", "TRTSDTF": "Date of First "
    "Exposure Imput. Flag", "TRTEDT": "Date of Last Exposure to Treatment", "TRTEDTF": "Date of "
    "Last Exposure Imput. Flag", "DTHDT": "Date of Death", "DTHDTF": "Date of Death Imputation "
    "Flag", "LSTALVDT": "Date Last Known Alive", "LSTALDTF": "Date Last Known Alive Imput. "
    "Flag", "NACTDT": "Date of New Anti-Cancer Therapy", "NACTDTF": "New Anti-Cancer Therapy "
    "Date Imput. Flag", "DTHFL": "Subject Death Flag", "REFDT": "Reference Date of Time to "
    "Event", "REFTYPE": "Reference Date Type", "ENRLFL": "Enrolled Population Flag",
    "SAFFL": "Safety Population Flag", "EFFFL": "Efficacy Population Flag",
    "AGE": "Age", "SEX": "Sex", "ECOGBL": "Baseline ECOG Performance Status",
    "PRIMSITE": "Primary Tumour Site", "TUMGRADE": "Tumour Grade", "TUMDIFF": "Tumour "
    "Differentiation", "KI67BL": "Baseline Ki-67 Index (%)", "CGABL": "Baseline Chromogranin "
    "A", "PRLINES": "Number of Prior Lines of Therapy", "ANLENRL": "Analysis Enrolled Flag",
    "ANLSAF": "Analysis Treated (Safety) Flag", "ANLEFF": "Analysis Efficacy-Evaluable Flag",
    "ANLREAS": "Reason Excluded from Analysis Set", "EVALUATR": "Evaluator",
    "PARAMCD": "Parameter Code", "PARAM": "Parameter", "AVALC": "Analysis Value (C)",
    "AVAL": "Analysis Value", "ADT": "Analysis Date", "VISIT": "Visit Name",
    "STARTDT": "Time-to-Event Origin Date for Subject", "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description", "CNSDTDSC": "Censor Date Description",
    "SRCDOM": "Source Data", "AESEQ": "Sequence Number", "AEDECOD": "Dictionary-Derived Term",
    "AEBODSYS": "Body System or Organ Class", "ASTDT": "Analysis Start Date",
    "ASTDTF": "Analysis Start Date Imputation Flag", "AENDT": "Analysis End Date",
    "ATOXGRN": "Analysis Toxicity Grade (N)", "TRTEMFL": "Treatment Emergent Analysis Flag",
    "AREL": "Analysis Causality", "AESER": "Serious Event", "APHASE": "Phase",
    "WORSTFL": "Worst Grade per Subject and Term Flag", "WORSTPFL": "Worst Grade per Subject, "
    "Term and Phase"}


def _set_flag_renames(columns) -> dict[str, str]:
    """Analysis-set flags ``ANL_<SET>`` / reasons ``ANLR_<SET>`` (named by the spec, often longer
    than 8 characters) -> ``SETnnFL`` / ``SETnnRS``, numbered in column order.

    Examples
    --------
    >>> _set_flag_renames(["USUBJID", "ANL_ENROLLED", "ANLR_ENROLLED", "ANL_FAS", "ANLR_FAS"])
    {'ANL_ENROLLED': 'SET01FL', 'ANLR_ENROLLED': 'SET01RS', 'ANL_FAS': 'SET02FL', 'ANLR_FAS': 'SET02RS'}
    """
    sets = [str(c)[4:] for c in columns if str(c).startswith("ANL_")]
    out: dict[str, str] = {}
    for i, name in enumerate(sets, start=1):
        out[f"ANL_{name}"] = f"SET{i:02d}FL"
        out[f"ANLR_{name}"] = f"SET{i:02d}RS"
    return out


def _is_date_only(s: pd.Series) -> bool:
    x = s.dropna()
    return bool((x == x.dt.normalize()).all())


def xpt_ready(df: pd.DataFrame, labels: Mapping[str, str] | None = None
              ) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """Rename, drop and convert a frame for XPT; return ``(frame, labels, formats)``.

    Examples
    --------
    >>> df = pd.DataFrame({"USUBJID": ["a", None], "EVALUATOR": "INV", "ADT":
    ...     pd.to_datetime(["2020-01-02", None]), "age": [60, None], "REASON": "x"})
    >>> out, lab, fmt = xpt_ready(df)
    >>> list(out.columns), out["USUBJID"].tolist(), fmt, lab["EVALUATR"]
    (['USUBJID', 'EVALUATR', 'ADT', 'AGE'], ['a', ''], {'ADT': 'DATE9.'}, 'Evaluator')
    """
    given = dict(labels or {})
    cols: dict[str, pd.Series] = {}
    out_labels: dict[str, str] = {}
    formats: dict[str, str] = {}
    set_renames = _set_flag_renames(df.columns)
    for c in df.columns:
        c = str(c)
        name = XPT_RENAMES.get(c, set_renames.get(c, c))
        if c in XPT_DROP or (name != c and name in df.columns):
            continue  # a derivation note, or a lower-case copy of a variable already present
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            # SAS dates / datetimes are numbers: days / seconds since 1960-01-01
            d = s.astype("datetime64[ns]")
            delta = (d - _SAS_EPOCH).dt.total_seconds()
            if _is_date_only(d):
                s, formats[name] = delta / 86400.0, "DATE9."
            else:
                s, formats[name] = delta, "DATETIME20."
            s = s.astype("float64")
        elif pd.api.types.is_bool_dtype(s):
            s = s.map({True: "Y", False: "N"}).astype(object)
        elif pd.api.types.is_numeric_dtype(s):
            s = pd.to_numeric(s).astype("float64")
        else:
            s = s.astype("string").fillna("").astype(object)
        cols[name] = s
        if c in set_renames:  # the set's name goes into the label (40 characters at most)
            kind = "Flag" if c.startswith("ANL_") else "Reason Excluded"
            given.setdefault(c, f"Analysis Set {kind}: {c.split('_', 1)[1]}"[:40])
        out_labels[name] = LABELS.get(name) or given.get(c) or given.get(name) or name
    return pd.DataFrame(cols, index=df.index).reset_index(drop=True), out_labels, formats


def xpt_problems(df: pd.DataFrame, dataset: str, label: str, labels: Mapping[str, str]
                 ) -> list[str]:
    """Every violation of the XPT v5 limits in an :func:`xpt_ready` frame (empty if none).

    Examples
    --------
    >>> df = pd.DataFrame({"LONGNAME9": ["x" * 201], "X": [1e80]})
    >>> xpt_problems(df, "ADSL", "Subject Level", {})[:2]
    ['variable name LONGNAME9 (9 characters; at most 8, letters, digits, _)', \
'ADSL.LONGNAME9 row 1: value of 201 bytes (at most 200)']
    """
    out = []
    if not _NAME.match(dataset):
        out.append(f"dataset name {dataset} (at most 8 characters, letters, digits, _)")
    if len(label) > MAX_LABEL:
        out.append(f"dataset label {label!r} ({len(label)} characters; at most 40)")
    for c in df.columns:
        if not _NAME.match(c):
            out.append(f"variable name {c} ({len(c)} characters; at most 8, letters, digits, _)")
        lab = labels.get(c, "")
        if len(lab) > MAX_LABEL:
            out.append(f"{dataset}.{c} label {lab!r} ({len(lab)} characters; at most 40)")
        s = df[c]
        if not pd.api.types.is_numeric_dtype(s):
            # each distinct value is measured once (values repeat a lot)
            codes, uniq = pd.factorize(s.astype(object), use_na_sentinel=True)
            nbytes = np.array([len(v.encode("utf-8")) if isinstance(v, str) else 0
                               for v in uniq] + [0])[codes]
            ascii_ = np.array([not isinstance(v, str) or v.isascii() for v in uniq] + [True]
                              )[codes]
            for i in np.flatnonzero(nbytes > MAX_VALUE_BYTES)[:5]:
                out.append(f"{dataset}.{c} row {i + 1}: value of {nbytes[i]} bytes (at most 200)")
            for i in np.flatnonzero(~ascii_)[:5]:
                out.append(f"{dataset}.{c} row {i + 1}: non-ASCII value {s.iloc[i]!r}")
        else:
            x = s.to_numpy(dtype="float64", na_value=np.nan)
            ax = np.abs(x)
            with np.errstate(invalid="ignore"):
                bad = np.isinf(x) | (ax > IBM_MAX) | ((ax > 0) & (ax < IBM_MIN))
            for i in np.flatnonzero(bad)[:5]:
                out.append(f"{dataset}.{c} row {i + 1}: number {float(x[i])!r} outside the XPT v5 "
                           "range (0 or 5.4e-79 to 7.2e75 in magnitude)")
    return out


def write_xpt(df: pd.DataFrame, path: str | Path, *, dataset: str, label: str = "",
              labels: Mapping[str, str] | None = None) -> Path:
    """Write one dataset as SAS transport v5 after :func:`xpt_ready` and the limit checks.

    Parameters
    ----------
    df : DataFrame
    path : str or Path
        Target file (``adsl.xpt``).
    dataset : str
        Dataset name inside the file (``ADSL``).
    label : str
        Dataset label (at most 40 characters).
    labels : mapping, optional
        Variable labels (else :data:`LABELS`, else the name).

    Raises
    ------
    OncotrialValueError
        Listing every violated limit; nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_xpt(pd.DataFrame({"USUBJID": ["a"], "AVAL": [1.5]}),
    ...                   Path(tmp) / "adtte.xpt", dataset="ADTTE", label="Time to Event")
    ...     read_xpt(p)[0]["AVAL"].tolist()
    [1.5]
    """
    frame, labs, formats = xpt_ready(df, labels)
    check_xpt(frame, dataset, label, labs)
    return write_ready(frame, labs, formats, path, dataset=dataset, label=label)


def check_xpt(frame: pd.DataFrame, dataset: str, label: str, labels: Mapping[str, str]) -> None:
    """Raise the house-style error listing every :func:`xpt_problems` of a ready frame."""
    problems = xpt_problems(frame, dataset, label, labels)
    if problems:
        more = "" if len(problems) <= 20 else f" ... and {len(problems) - 20} more"
        raise OncotrialValueError(
            f"`df` of `write_xpt` must fit SAS transport v5; got {len(problems)} problem(s) in "
            f"{dataset}: " + "; ".join(problems[:20]) + more + ". Rename long variables, "
            "shorten labels and values, or write CSV only.")


def write_ready(frame: pd.DataFrame, labels: Mapping[str, str], formats: Mapping[str, str],
                path: str | Path, *, dataset: str, label: str = "") -> Path:
    """Write an :func:`xpt_ready` frame that passed :func:`check_xpt` (no checks here)."""
    import pyreadstat

    path = Path(path)
    pyreadstat.write_xport(frame, str(path), file_label=label, table_name=dataset,
                           column_labels=[labels[c] for c in frame.columns],
                           file_format_version=5, variable_format=dict(formats) or None)
    return path


def read_xpt(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read an XPT written by :func:`write_xpt`: ``""`` -> missing, ``DATE9.`` -> datetime64.

    Returns the frame and the variable labels.
    """
    import pyreadstat

    df, meta = pyreadstat.read_xport(str(path))
    fmts = meta.original_variable_types
    out = {}
    for c in df.columns:
        s = df[c]
        f = (fmts.get(c) or "").upper()
        if f.startswith(("DATE", "DATETIME")):
            out[c] = pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")
        elif pd.api.types.is_numeric_dtype(s):
            out[c] = s.astype("float64")
        else:
            t = s.astype("string")
            out[c] = t.mask(t == "")
    return pd.DataFrame(out), dict(meta.column_names_to_labels)


__all__ = ["LABELS", "MAX_LABEL", "MAX_NAME", "MAX_VALUE_BYTES", "XPT_DROP", "XPT_RENAMES",
           "check_xpt", "read_xpt", "write_ready", "write_xpt", "xpt_problems", "xpt_ready"]
