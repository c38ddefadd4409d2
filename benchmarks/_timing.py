"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (process) seconds of ``fn()`` over ``repeat`` runs, after one warm-up.

    CPU time is robust to a busy machine; wall time is what a user waits.
    """
    fn()  # warm-up (imports, caches)
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


TARGET_PREFIX = "TARGET\t"


def report_target(work: str, measured: float, target: float, *, unit: str = "s",
                  anchors: str = "", why: str = "", higher_is_better: bool = False) -> bool:
    """Print one machine-readable target line that ``make bench`` collects into its summary.

    ``work`` names the measurement, ``measured`` and ``target`` are in ``unit``; ``anchors``
    quotes the comparators measured in the same run (R, lifelines, ...); ``why`` explains a miss.
    Returns whether the target is met. Every benchmark script calls this once per target of
    ../shared/BENCHMARKS.md it measures, so one ``make bench`` prints them all side by side.
    """
    met = measured >= target if higher_is_better else measured <= target
    if met:
        verdict = "met"
    elif higher_is_better:
        verdict = f"MISSED by {target / measured:.2f}x" if measured > 0 else "MISSED"
    else:
        verdict = f"MISSED by {measured / target:.2f}x" if target > 0 else "MISSED"
    fields = [work, f"{measured:.4g} {unit}", f"{'>=' if higher_is_better else '<='} {target:g} {unit}",
              verdict, anchors, "" if met else why]
    print(TARGET_PREFIX + "\t".join(f.replace("\t", " ") for f in fields), flush=True)
    return met
