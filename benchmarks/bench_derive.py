"""Benchmark: RECIST 1.1 derivation of all of pharmaversesdtm tr_onco (~56,000 TR rows).

Target (issue 4): derive_vars_recist on the whole of tr_onco in < 1 s. Prints a table of
median timings (5 repeats) and the ratio to the target. Skips when ../shared is absent.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

PHARMAVERSE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pharmaversesdtm"


def _median(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    if not PHARMAVERSE.is_dir():
        print(f"skipped: {PHARMAVERSE} not found")
        return 0
    from oncotrial.derive import derive_study, derive_vars_recist
    from oncotrial.io import read_sdtm

    warnings.simplefilter("ignore")
    study = read_sdtm(PHARMAVERSE)
    les = study.lesions
    rows = [
        ("derive_vars_recist (all evaluators)", _median(
            lambda: derive_vars_recist(les, check_type="warning")), 1.0),
        ("derive_study (ADSL/ADRS/ADTTE/ADAE + log)", _median(lambda: derive_study(study), 3),
         None),
    ]
    print(f"tr_onco: {len(les)} canonical lesion records from 55,995 TR rows, "
          f"{les['subject_id'].nunique()} subjects")
    print(f"{'step':45s} {'median s':>9s} {'target s':>9s} {'ratio':>6s}")
    for name, t, target in rows:
        ratio = f"{t / target:.2f}" if target else "-"
        print(f"{name:45s} {t:9.3f} {target or float('nan'):9.1f} {ratio:>6s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
