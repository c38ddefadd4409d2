"""Timing of the io readers: pharmaversesdtm (tr_onco 56k rows), its ×10 replication and the example.

The ×10 input (3,060 subjects, every subject copied with a new USUBJID) is generated into a
temporary folder by :func:`oncotrial.io._replicate.replicate_sdtm` (issue 21); the read +
derive targets are printed by bench_derive.py.

Prints a table of median wall times over repeats and rows per second. Run: make bench.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _timing import median_time  # benchmarks/_timing.py (scripts run from benchmarks/)

from oncotrial.io import example_data_path, read_sdtm, read_template, validate

PHARMAVERSE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pharmaversesdtm"


def _time(fn, repeat: int = 5) -> tuple[float, float]:
    """Median wall and CPU (process) seconds; CPU time is robust to a busy machine."""
    return median_time(fn, repeat)


def main() -> None:
    rows = []
    ex = example_data_path()
    t, c = _time(lambda: read_template(ex))
    rows.append(("read_template(example)", t, c, sum(1 for f in ex.glob("*.csv")
                                                      for _ in f.open()) / t))
    if PHARMAVERSE.is_dir():
        n = sum(1 for f in PHARMAVERSE.glob("*.csv") if "recist" not in f.name
                for _ in f.open())
        t, c = _time(lambda: read_sdtm(PHARMAVERSE), repeat=3)
        rows.append(("read_sdtm(pharmaversesdtm)", t, c, n / t))
        t, c = _time(lambda: validate(PHARMAVERSE), repeat=3)
        rows.append(("validate(pharmaversesdtm)", t, c, n / t))
        from oncotrial.io._replicate import replicate_sdtm

        with tempfile.TemporaryDirectory() as tmp:
            x10 = replicate_sdtm(PHARMAVERSE, Path(tmp) / "x10", 10)
            t, c = _time(lambda: read_sdtm(x10), repeat=1)
            rows.append(("read_sdtm(pharmaversesdtm ×10)", t, c, 10 * n / t))
    else:
        print(f"(pharmaversesdtm not found at {PHARMAVERSE}; skipped)")
    print(f"{'task':32s} {'wall s':>8s} {'cpu s':>8s} {'rows/s':>10s} {'wall/2 s budget':>16s}")
    for name, sec, cpu, rate in rows:
        print(f"{name:32s} {sec:8.3f} {cpu:8.3f} {rate:10.0f} {sec / 2.0:15.2f}x")


if __name__ == "__main__":
    main()
