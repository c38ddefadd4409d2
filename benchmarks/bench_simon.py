"""Benchmark: Simon two-stage search (oncotrial.design.simon_design) vs R clinfun ph2simon.

Prints a table of median wall times (several runs) and the ratio to the clinfun anchors of
../shared/BENCHMARKS.md (nmax 100: 0.014 s; nmax 150 with p0 .10, p1 .25, beta .10: 0.06 s).
When ``Rscript`` with clinfun is available the clinfun column is measured instead of quoted.
Run: ``.venv/bin/python benchmarks/bench_simon.py``.
"""

from __future__ import annotations

import shutil
import subprocess

from _timing import median_time  # benchmarks/_timing.py (scripts run from benchmarks/)

from oncotrial.design import simon_design

CASES = [  # (label, p0, p1, alpha, power, nmax, clinfun anchor seconds)
    ("nmax 100 (p0 .10, p1 .30, a .05, b .20)", 0.10, 0.30, 0.05, 0.80, 100, 0.014),
    ("nmax 150 (p0 .10, p1 .25, a .05, b .10)", 0.10, 0.25, 0.05, 0.90, 150, 0.06),
]
REPEATS = 15


def _median_time(fn, repeats: int = REPEATS) -> float:
    return median_time(fn, repeats)[0]


def _clinfun_time(p0: float, p1: float, alpha: float, power: float, nmax: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    code = (f"if (!requireNamespace('clinfun', quietly=TRUE)) quit(status=3);"
            f"t <- replicate({REPEATS}, system.time(clinfun::ph2simon({p0}, {p1}, {alpha}, "
            f"{1 - power:.10g}, nmax={nmax}))[['elapsed']]); cat(median(t))")
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return float(out.stdout) if out.returncode == 0 and out.stdout.strip() else None


def main() -> None:
    print(f"{'case':44s} {'oncotrial':>10s} {'full table':>11s} {'clinfun':>9s} "
          f"{'ratio':>7s}  designs (optimal | minimax)")
    for label, p0, p1, a, pw, nmax, anchor in CASES:
        t = _median_time(lambda p0=p0, p1=p1, a=a, pw=pw, nmax=nmax: simon_design(p0, p1, a, pw, nmax=nmax))
        tf = _median_time(lambda p0=p0, p1=p1, a=a, pw=pw, nmax=nmax:
                          simon_design(p0, p1, a, pw, nmax=nmax, full_table=True), repeats=5)
        s = simon_design(p0, p1, a, pw, nmax=nmax)
        f = simon_design(p0, p1, a, pw, nmax=nmax, full_table=True)
        same = all((x.r1, x.n1, x.r, x.n) == (y.r1, y.n1, y.r, y.n)
                   for x, y in ((s.optimal, f.optimal), (s.minimax, f.minimax)))
        measured = _clinfun_time(p0, p1, a, pw, nmax)
        ref = measured if measured is not None else anchor
        src = "" if measured is not None else "*"
        o, m = s.optimal, s.minimax
        print(f"{label:44s} {t:9.4f}s {tf:10.4f}s {ref:8.3f}s{src} {t / ref:6.2f}x  "
              f"{o.r1}/{o.n1},{o.r}/{o.n} | {m.r1}/{m.n1},{m.r}/{m.n}"
              f"{'' if same else '  MISMATCH pruned vs full'}")
    print("* clinfun not installed here (CRAN unreachable): anchor from ../shared/BENCHMARKS.md; "
          "ratio = oncotrial / clinfun (<= 1 meets the target).")


if __name__ == "__main__":
    main()
