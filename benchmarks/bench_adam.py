"""Timing of ADaM in and out: read_adam on the pharmaverseadam extract; XPT v5 + define.xml of
the pharmaversesdtm derivation, once and replicated x30 (about 9,000 subjects, 156k records).

Prints median wall and CPU seconds over repeats and records per CPU second. Run:
``PYTHONPATH=src python benchmarks/bench_adam.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from _timing import median_time  # benchmarks/_timing.py (scripts run from benchmarks/)

from oncotrial.io import read_adam, write_adam_xpt

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "tests" / "io" / "data" / "pharmaverseadam"
PHARMAVERSE = ROOT.parent / "shared" / "data" / "pharmaversesdtm"


def _time(fn, repeat: int = 3) -> tuple[float, float]:
    return median_time(fn, repeat)


def main() -> None:
    rows = []
    n = sum(len(d) for d in read_adam(EXTRACT).datasets.values())
    t, c = _time(lambda: read_adam(EXTRACT))
    rows.append(("read_adam(pharmaverseadam extract)", n, t, c))
    if PHARMAVERSE.is_dir():
        from oncotrial.derive import derive_study
        from oncotrial.io import read_sdtm

        r = derive_study(read_sdtm(PHARMAVERSE, evaluator="RADIOLOGIST 1"),
                         evaluator="RADIOLOGIST 1")
        base = {"ADSL": r.adsl, "ADRS": r.adrs, "ADTTE": r.adtte, "ADAE": r.adae}
        for k in (1, 30):
            ds = {name: pd.concat([d] * k, ignore_index=True) for name, d in base.items()}
            n = sum(len(d) for d in ds.values())
            with tempfile.TemporaryDirectory() as tmp:
                t, c = _time(lambda ds=ds, tmp=tmp: write_adam_xpt(tmp, ds))
            rows.append((f"write_adam_xpt(pharmaversesdtm x{k})", n, t, c))
    else:
        print(f"(pharmaversesdtm not found at {PHARMAVERSE}; write benchmark skipped)")
    print(f"{'task':40s} {'records':>8s} {'wall s':>8s} {'cpu s':>8s} {'rec/cpu s':>10s}")
    for name, n, t, c in rows:
        print(f"{name:40s} {n:8d} {t:8.3f} {c:8.3f} {n / c:10.0f}")


if __name__ == "__main__":
    main()
