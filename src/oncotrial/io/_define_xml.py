"""define.xml 2.0 for the ADaM datasets written as XPT, and its structural check.

Hand-written with lxml because no PyPI package ships the Define-XML 2.0 writer or schema this
needs (the CDISC schemas are distributed by CDISC, not on PyPI). :func:`define_xml` builds one
ODM 1.3.2 / Define-XML 2.0.0 document: per dataset an ``ItemGroupDef`` (class, structure, keys,
``def:leaf`` to the XPT file) with one ``ItemRef`` per variable; per variable an ``ItemDef``
(SAS name, data type ``text``/``integer``/``float``/``date``/``datetime``, length from the data,
label, origin); ``CodeList`` s for every ``PARAMCD`` (decode = ``PARAM``) and ``AVALC``; and
value-level metadata (``def:ValueListDef`` + ``def:WhereClauseDef`` on PARAMCD) that ties each
derived parameter's analysis value to its ``MethodDef``. :func:`check_define` checks what the
schema would (well-formedness, namespaces, required attributes, element order of the parts
used, every OID reference resolved, OIDs unique) plus agreement with the XPT files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from oncotrial.io._adam_write import check_xpt, write_ready, xpt_ready

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF = "http://www.cdisc.org/ns/def/v2.0"
XLINK = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATA_TYPES = ("text", "integer", "float", "date", "datetime")

#: name -> (label, def:Class, def:Structure, key variables).
DATASETS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "ADSL": ("Subject-Level Analysis Dataset", "SUBJECT LEVEL ANALYSIS DATASET",
             "One record per subject", ("USUBJID",)),
    "ADRS": ("Tumour Response Analysis Dataset", "BASIC DATA STRUCTURE",
             "One record per subject, evaluator, parameter and date",
             ("USUBJID", "EVALUATR", "PARAMCD", "ADT")),
    "ADTTE": ("Time-to-Event Analysis Dataset", "BASIC DATA STRUCTURE",
              "One record per subject, evaluator and parameter",
              ("USUBJID", "EVALUATR", "PARAMCD")),
    "ADAE": ("Adverse Events Analysis Dataset", "ADAM OTHER",
             "One record per adverse event", ("USUBJID", "AESEQ")),
}

#: How oncotrial derives each parameter (MethodDef text; docs/derivations.md has the detail).
METHODS: dict[str, str] = {
    "OVR": "RECIST 1.1 overall response per assessment from target, non-target and new "
           "lesions (RECIST 1.1 section 4.3, table 1).",
    "BOR": "Best overall response without confirmation: best OVR, SD at least the minimum "
           "duration after the reference date (RECIST 1.1 section 4.4).",
    "CBOR": "Best overall response with CR/PR confirmed by a later assessment at least the "
            "confirmation interval apart (RECIST 1.1 section 4.6.1).",
    "RSP": "Y when BOR is CR or PR, else N.", "CRSP": "Y when CBOR is CR or PR, else N.",
    "CB": "Y when BOR is CR, PR, SD or NON-CR/NON-PD, else N.",
    "CCB": "Y when CBOR is CR, PR, SD or NON-CR/NON-PD, else N.",
    "PD": "Y when any OVR is PD, else N; ADT = first PD.",
    "LSTA": "OVR of the last assessment; ADT = its date.",
    "MDIS": "Y when at least one measurable target lesion at baseline, else N.",
    "OS": "Days from the reference date to death (event) or last known alive (censored), "
          "AVAL = ADT - STARTDT + 1.",
    "PFS": "Days from the reference date to the first PD or death (event), else the last "
           "adequate assessment (censored), AVAL = ADT - STARTDT + 1.",
    "DOR": "Days from the first CR/PR to PD or death (event), else the last adequate "
           "assessment (censored), responders only, AVAL = ADT - STARTDT + 1.",
    "TTR": "Days from the reference date to the first CR/PR, responders only.",
}


def _text(parent, tag: str, text: str):
    el = etree.SubElement(parent, tag)
    tt = etree.SubElement(el, f"{{{ODM}}}TranslatedText")
    tt.set(XML_LANG, "en")
    tt.text = text
    return el


def _item_type(s: pd.Series, fmt: str | None) -> tuple[str, dict[str, str]]:
    if fmt == "DATE9.":
        return "date", {f"{{{DEF}}}DisplayFormat": "DATE9."}
    if fmt:
        return "datetime", {f"{{{DEF}}}DisplayFormat": fmt}
    if s.dtype == "float64":
        x = s.to_numpy()
        x = x[np.isfinite(x)]
        if len(x) and np.all(np.mod(x, 1) == 0) and np.all(np.abs(x) < 1e15):
            return "integer", {"Length": str(max(len(str(int(v))) for v in x))}
        digits = [len(f"{v:.10g}".split(".")[1]) if "." in f"{v:.10g}" else 0
                  for v in np.unique(x)]
        return "float", {"Length": "8", "SignificantDigits": str(max(digits, default=0))}
    uniq = pd.unique(s.astype(object))
    n = max((len(v.encode("utf-8")) for v in uniq if isinstance(v, str)), default=1)
    return "text", {"Length": str(max(n, 1))}


def define_xml(datasets: Mapping[str, pd.DataFrame], *, study: str = "STUDY",
               labels: Mapping[str, Mapping[str, str]] | None = None,
               predecessors: Mapping[str, set[str]] | None = None,
               created: str | None = None) -> bytes:
    """The define.xml 2.0 document for ``{NAME: frame}`` (frames as given to ``write_xpt``).

    Parameters
    ----------
    datasets : mapping of str to DataFrame
        Dataset name (``ADSL``, ...) -> data, as written to ``name.lower() + '.xpt'``.
    study : str
        Study name (``Study/GlobalVariables``).
    labels : mapping, optional
        Variable labels per dataset (input labels of an ADaM source).
    predecessors : mapping of str to set, optional
        Variables per dataset taken unchanged from input ADaM datasets: ``def:Origin``
        ``Predecessor`` and no MethodDef for their parameters; every other variable is
        ``Derived`` (by oncotrial).
    created : str, optional
        ``CreationDateTime``; default from ``SOURCE_DATE_EPOCH`` (reproducible builds), else
        1970-01-01T00:00:00, so that the file is the same on every run.

    Examples
    --------
    >>> df = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["OS"], "PARAM": ["Overall Survival"],
    ...                    "AVAL": [31.0], "CNSR": [0]})
    >>> xml = define_xml({"ADTTE": df})
    >>> check_define(xml)
    []
    """
    ready = {name: xpt_ready(raw, (labels or {}).get(name)) for name, raw in datasets.items()}
    return _define(ready, study=study, predecessors=predecessors, created=created)


def _define(ready: Mapping[str, tuple[pd.DataFrame, dict, dict]], *, study: str,
            predecessors: Mapping[str, set[str]] | None, created: str | None) -> bytes:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    created = created or datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nsmap = {None: ODM, "def": DEF, "xlink": XLINK}
    root = etree.Element(f"{{{ODM}}}ODM", nsmap=nsmap, FileType="Snapshot",
                         FileOID=f"DEFINE.{study}", ODMVersion="1.3.2",
                         CreationDateTime=created, Originator="oncotrial",
                         SourceSystem="oncotrial")
    st = etree.SubElement(root, f"{{{ODM}}}Study", OID=f"STDY.{study}")
    gv = etree.SubElement(st, f"{{{ODM}}}GlobalVariables")
    for tag, val in (("StudyName", study), ("StudyDescription", study),
                     ("ProtocolName", study)):
        etree.SubElement(gv, f"{{{ODM}}}{tag}").text = val
    mdv = etree.SubElement(st, f"{{{ODM}}}MetaDataVersion", OID="MDV.ADAM",
                           Name="ADaM datasets", Description="ADaM datasets written by oncotrial",
                           attrib={f"{{{DEF}}}DefineVersion": "2.0.0",
                                   f"{{{DEF}}}StandardName": "ADaM-IG",
                                   f"{{{DEF}}}StandardVersion": "1.1"})
    groups, items, codelists, methods, vlds, wcs, leaves = [], [], [], [], [], [], []
    for name, (frame, labs, fmts) in ready.items():
        pred = set((predecessors or {}).get(name, ()))
        ds_label, cls, structure, keys = DATASETS.get(
            name, (f"{name} Analysis Dataset", "ADAM OTHER", "One record per record", ()))
        ig = etree.Element(f"{{{ODM}}}ItemGroupDef", OID=f"IG.{name}", Name=name,
                           Repeating="No" if name == "ADSL" else "Yes", IsReferenceData="No",
                           SASDatasetName=name, Purpose="Analysis",
                           attrib={f"{{{DEF}}}Structure": structure, f"{{{DEF}}}Class": cls,
                                   f"{{{DEF}}}ArchiveLocationID": f"LF.{name}"})
        _text(ig, f"{{{ODM}}}Description", ds_label)
        params = {}
        if {"PARAMCD", "PARAM"} <= set(frame.columns):
            pp = frame.loc[frame["PARAMCD"] != "", ["PARAMCD", "PARAM"]].drop_duplicates()
            params = dict(zip(pp["PARAMCD"], pp["PARAM"], strict=True))
        present = [k for k in keys if k in frame.columns]
        for order, col in enumerate(frame.columns, start=1):
            oid = f"IT.{name}.{col}"
            attrs = {"ItemOID": oid, "OrderNumber": str(order),
                     "Mandatory": "Yes" if col in present or col == "PARAMCD" else "No"}
            if col in present:
                attrs["KeySequence"] = str(present.index(col) + 1)
            etree.SubElement(ig, f"{{{ODM}}}ItemRef", attrib=attrs)
            dtype, extra = _item_type(frame[col], fmts.get(col))
            it = etree.Element(f"{{{ODM}}}ItemDef", OID=oid, Name=col, SASFieldName=col,
                               DataType=dtype, attrib=extra)
            _text(it, f"{{{ODM}}}Description", labs[col])
            if col == "PARAMCD" and params:
                etree.SubElement(it, f"{{{ODM}}}CodeListRef", CodeListOID=f"CL.{name}.PARAMCD")
                cl = etree.Element(f"{{{ODM}}}CodeList", OID=f"CL.{name}.PARAMCD",
                                   Name=f"{name} Parameter Code", DataType="text")
                for code in sorted(params):
                    cli = etree.SubElement(cl, f"{{{ODM}}}CodeListItem", CodedValue=code)
                    _text(cli, f"{{{ODM}}}Decode", params[code])
                codelists.append(cl)
            if col == "AVALC":
                vals = sorted({v for v in frame[col] if v})
                if vals:
                    etree.SubElement(it, f"{{{ODM}}}CodeListRef",
                                     CodeListOID=f"CL.{name}.AVALC")
                    cl = etree.Element(f"{{{ODM}}}CodeList", OID=f"CL.{name}.AVALC",
                                       Name=f"{name} Analysis Value (C)", DataType="text")
                    for v in vals:
                        etree.SubElement(cl, f"{{{ODM}}}EnumeratedItem", CodedValue=v)
                    codelists.append(cl)
            value_col = "AVALC" if name == "ADRS" else "AVAL"
            if col == value_col and params:
                etree.SubElement(it, f"{{{DEF}}}ValueListRef",
                                 ValueListOID=f"VL.{name}.{col}")
                vld = etree.Element(f"{{{DEF}}}ValueListDef", OID=f"VL.{name}.{col}")
                for n_vl, code in enumerate(sorted(params), start=1):
                    voi = f"IT.{name}.{col}.{code}"
                    ref = {"ItemOID": voi, "OrderNumber": str(n_vl), "Mandatory": "No"}
                    if col not in pred and code in METHODS:
                        ref["MethodOID"] = f"MT.{name}.{code}"
                        mt = etree.Element(f"{{{ODM}}}MethodDef", OID=f"MT.{name}.{code}",
                                           Name=f"Algorithm for {name} {code}",
                                           Type="Computation")
                        _text(mt, f"{{{ODM}}}Description", METHODS[code])
                        methods.append(mt)
                    ir = etree.SubElement(vld, f"{{{ODM}}}ItemRef", attrib=ref)
                    etree.SubElement(ir, f"{{{DEF}}}WhereClauseRef",
                                     WhereClauseOID=f"WC.{name}.PARAMCD.{code}")
                    wc = etree.Element(f"{{{DEF}}}WhereClauseDef",
                                       OID=f"WC.{name}.PARAMCD.{code}")
                    rc = etree.SubElement(wc, f"{{{ODM}}}RangeCheck", Comparator="EQ",
                                          SoftHard="Soft",
                                          attrib={f"{{{DEF}}}ItemOID": f"IT.{name}.PARAMCD"})
                    etree.SubElement(rc, f"{{{ODM}}}CheckValue").text = code
                    wcs.append(wc)
                    sub = frame.loc[frame["PARAMCD"] == code, col]
                    vt, vextra = _item_type(sub, None)
                    vit = etree.Element(f"{{{ODM}}}ItemDef", OID=voi, Name=col,
                                        SASFieldName=col, DataType=vt, attrib=vextra)
                    _text(vit, f"{{{ODM}}}Description", f"{labs[col]} ({code})"[:40])
                    etree.SubElement(vit, f"{{{DEF}}}Origin",
                                     Type="Predecessor" if col in pred else "Derived")
                    items.append(vit)
                vlds.append(vld)
            etree.SubElement(it, f"{{{DEF}}}Origin",
                             Type="Predecessor" if col in pred else "Derived")
            items.append(it)
        leaf = etree.SubElement(ig, f"{{{DEF}}}leaf", ID=f"LF.{name}",
                                attrib={f"{{{XLINK}}}href": f"{name.lower()}.xpt"})
        etree.SubElement(leaf, f"{{{DEF}}}title").text = f"{name.lower()}.xpt"
        groups.append(ig)
        leaves.append(leaf)
    for el in [*vlds, *wcs, *groups, *items, *codelists, *methods]:
        mdv.append(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_ORDER = ["ValueListDef", "WhereClauseDef", "ItemGroupDef", "ItemDef", "CodeList", "MethodDef"]


def check_define(xml: bytes, folder: str | Path | None = None) -> list[str]:
    """Structural problems of a define.xml 2.0 document (empty list: none found).

    Checks: well-formed XML; root ``ODM`` in the ODM 1.3 namespace with ``def:DefineVersion``
    2.0.0; MetaDataVersion children in Define-XML 2.0 order; the required attributes of
    ItemGroupDef, ItemRef, ItemDef, CodeList, MethodDef; ``DataType`` among the 2.0 types and
    ``Length`` present for text/integer/float; names at most 8 characters; OIDs unique; every
    ItemOID, CodeListOID, MethodOID, ValueListOID, WhereClauseOID and ArchiveLocationID
    reference resolved. With ``folder``, also that each ``def:leaf`` file exists and its
    variables are the ItemRefs of its ItemGroupDef, in order, with text lengths that hold the
    data.
    """
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    out: list[str] = []
    if root.tag != f"{{{ODM}}}ODM":
        return [f"root element must be ODM in {ODM}; got {root.tag}"]
    mdv = root.find(f"{{{ODM}}}Study/{{{ODM}}}MetaDataVersion")
    if mdv is None:
        return ["no Study/MetaDataVersion"]
    if mdv.get(f"{{{DEF}}}DefineVersion") != "2.0.0":
        out.append("MetaDataVersion def:DefineVersion must be 2.0.0")
    names = [etree.QName(c).localname for c in mdv]
    ranks = [_ORDER.index(n) for n in names if n in _ORDER]
    if ranks != sorted(ranks):
        out.append("MetaDataVersion children out of Define-XML 2.0 order")
    oids: dict[str, str] = {}
    for el in root.iter():
        oid = el.get("OID") or (el.get("ID") if etree.QName(el).localname == "leaf" else None)
        if oid:
            if oid in oids:
                out.append(f"duplicate OID {oid}")
            oids[oid] = etree.QName(el).localname
    need = {"ItemGroupDef": ("OID", "Name", "Repeating", "SASDatasetName", "Purpose"),
            "ItemRef": ("ItemOID", "Mandatory"), "ItemDef": ("OID", "Name", "DataType"),
            "CodeList": ("OID", "Name", "DataType"), "MethodDef": ("OID", "Name", "Type")}
    refs = (("ItemOID", "ItemDef"), ("CodeListOID", "CodeList"), ("MethodOID", "MethodDef"),
            ("ValueListOID", "ValueListDef"), ("WhereClauseOID", "WhereClauseDef"),
            (f"{{{DEF}}}ArchiveLocationID", "leaf"), (f"{{{DEF}}}ItemOID", "ItemDef"))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        for a in need.get(tag, ()):
            if not el.get(a):
                out.append(f"{tag} {el.get('OID') or el.get('ItemOID')} lacks {a}")
        if tag == "ItemDef":
            dt = el.get("DataType")
            if dt not in DATA_TYPES:
                out.append(f"ItemDef {el.get('OID')}: DataType {dt!r} not a Define 2.0 type")
            if dt in ("text", "integer", "float") and not el.get("Length"):
                out.append(f"ItemDef {el.get('OID')}: Length required for {dt}")
            if len(el.get("Name", "")) > 8:
                out.append(f"ItemDef {el.get('OID')}: Name longer than 8")
            if el.find(f"{{{ODM}}}Description") is None:
                out.append(f"ItemDef {el.get('OID')}: no Description (label)")
        if tag == "ItemGroupDef" and el.find(f"{{{DEF}}}leaf") is None:
            out.append(f"ItemGroupDef {el.get('OID')}: no def:leaf")
        for attr, target in refs:
            v = el.get(attr)
            if v is not None and oids.get(v) != target:
                out.append(f"{tag} {attr}={v} does not resolve to a {target}")
    if folder is not None:
        out += _check_files(root, Path(folder))
    return out


def _check_files(root, folder: Path) -> list[str]:
    import pyreadstat

    out = []
    items = {el.get("OID"): el for el in root.iter(f"{{{ODM}}}ItemDef")}
    for ig in root.iter(f"{{{ODM}}}ItemGroupDef"):
        leaf = ig.find(f"{{{DEF}}}leaf")
        path = folder / leaf.get(f"{{{XLINK}}}href")
        if not path.is_file():
            out.append(f"{ig.get('Name')}: file {path.name} missing")
            continue
        _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
        names = [items[r.get("ItemOID")].get("Name") for r in ig.iter(f"{{{ODM}}}ItemRef")]
        if names != list(meta.column_names):
            out.append(f"{ig.get('Name')}: ItemRefs {names} differ from {path.name} variables")
            continue
        for r in ig.iter(f"{{{ODM}}}ItemRef"):
            it = items[r.get("ItemOID")]
            width = meta.variable_storage_width.get(it.get("Name"), 0)
            if it.get("DataType") == "text" and width > int(it.get("Length")):
                out.append(f"{it.get('OID')}: Length {it.get('Length')} < stored width {width}")
    return out


def _label(name: str) -> str:
    return DATASETS.get(name, (f"{name} Analysis Dataset",))[0][:40]


def write_adam_xpt(folder: str | Path, datasets: Mapping[str, pd.DataFrame], *,
                   study: str = "STUDY", labels: Mapping[str, Mapping[str, str]] | None = None,
                   predecessors: Mapping[str, set[str]] | None = None) -> list[Path]:
    """Write ``name.xpt`` per dataset and ``define.xml``; all files or none.

    Datasets are ``{NAME: frame}``; a frame's ``attrs["labels"]`` and
    ``attrs["input_variables"]`` (set by the ADaM reader's bridge) are used when ``labels`` /
    ``predecessors`` do not name the dataset. Empty frames without columns are skipped.

    Every dataset is checked against the XPT v5 limits before anything is written; the first
    violation raises (:func:`oncotrial.io._adam_write.write_xpt`). Returns the paths written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    datasets = {k: v for k, v in datasets.items() if isinstance(v, pd.DataFrame) and
                len(v.columns)}
    labels = {k: dict((labels or {}).get(k) or v.attrs.get("labels") or {})
              for k, v in datasets.items()}
    predecessors = {k: set((predecessors or {}).get(k) or v.attrs.get("input_variables") or ())
                    for k, v in datasets.items()}
    ready = {name: xpt_ready(df, labels.get(name)) for name, df in datasets.items()}
    for name, (frame, labs, _) in ready.items():  # every dataset checked before any write
        check_xpt(frame, name, _label(name), labs)
    xml = _define(ready, study=study, predecessors=predecessors, created=None)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".xpt-") as tmp:
        for name, (frame, labs, fmts) in ready.items():
            write_ready(frame, labs, fmts, Path(tmp) / f"{name.lower()}.xpt", dataset=name,
                        label=_label(name))
        problems = check_define(xml, tmp)
        if problems:  # pragma: no cover - a bug of define_xml, not of the data
            raise RuntimeError("define.xml failed its structural check: " + "; ".join(problems))
        (Path(tmp) / "define.xml").write_bytes(xml)
        paths = [folder / f"{name.lower()}.xpt" for name in datasets]
        for p in [*paths, folder / "define.xml"]:  # all files appear together
            shutil.move(str(Path(tmp) / p.name), str(p))
    return [*paths, folder / "define.xml"]


__all__ = ["DATASETS", "METHODS", "check_define", "define_xml", "write_adam_xpt"]
