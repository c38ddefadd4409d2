"""Replicate an SDTM folder ``k`` times with new subject identifiers (benchmark inputs).

Copy ``r`` (0-based) of subject ``USUBJID`` becomes ``USUBJID`` itself for ``r == 0`` and
``f"{USUBJID}-R{r:03d}"`` otherwise (``SUBJID`` likewise), so the ×k database holds k
independent copies of every subject and ``derive`` on it must equal k renamed copies of
``derive`` on the original. Text is rewritten with the csv module (no pandas), so the inputs
are byte-for-byte the original rows apart from the identifiers.
"""

from __future__ import annotations

import csv
from pathlib import Path

ID_COLUMNS = ("USUBJID", "SUBJID")


def replica_id(value: str, r: int) -> str:
    """The identifier of copy ``r`` of a subject (``r == 0`` keeps the original)."""
    return value if r == 0 or value in ("", "NA") else f"{value}-R{r:03d}"


def replicate_sdtm(src: Path, dst: Path, k: int) -> Path:
    """Write ``k`` copies of every CSV of ``src`` into ``dst`` (created), renaming subjects."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(Path(src).glob("*.csv")):
        with f.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        idx = [i for i, c in enumerate(header) if c in ID_COLUMNS]
        with (dst / f.name).open("w", newline="", encoding="utf-8") as out:
            w = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
            w.writerow(header)
            for r in range(k):
                if not idx or r == 0:
                    w.writerows(body)
                    continue
                for row in body:
                    row = list(row)
                    for i in idx:
                        row[i] = replica_id(row[i], r)
                    w.writerow(row)
    return dst
