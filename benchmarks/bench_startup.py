"""Benchmark: CLI start-up, ``oncotrial --help`` and every ``oncotrial design`` command (issue 21).

Each command runs in a fresh interpreter: the median wall and CPU time of several runs, after
one warm-up that fills the OS file cache, and the median over a few runs of the seconds
``python -X importtime`` counts for the imports the command makes (the top-level entries,
the lazy imports inside the command included). Anchors measured in the same run: a bare
``python -c pass``, ``import oncotrial``, the same command through the eager assembly
(``oncotrial.cli.eager_app``: every sub-command module imported up front, as before issue
21; for ``--help`` and ``design single-stage``), and the floor that exact numbers need:
``import typer, numpy, scipy.special`` (the distributions' kernels, tests/design/test_dist.py).

Targets (issue 21): ``oncotrial --help`` starts in <= 0.3 s; every design command's imports
take <= 0.3 s; ``design single-stage`` runs end to end in <= 1 s.
Run: ``.venv/bin/python benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _timing import report_target  # benchmarks/_timing.py (scripts run from benchmarks/)

import oncotrial

SRC = str(Path(oncotrial.__file__).resolve().parents[1])
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
REPEATS = 7
IMPORT_REPEATS = 3
LAZY = "import sys; from oncotrial.cli import app; app(sys.argv[1:], prog_name='oncotrial')"
EAGER = ("import sys; from oncotrial.cli import eager_app; "
         "eager_app()(sys.argv[1:], prog_name='oncotrial')")
FLOOR = "import typer, numpy, scipy.special"
HELP = ["--help"]
# one invocation per `oncotrial design --help` command (README examples where there is one)
DESIGN: dict[str, list[str]] = {
    "single-stage": ["--p0", "0.1", "--p1", "0.3"],
    "simon": ["--p0", "0.1", "--p1", "0.3"],
    "simon-inference": ["--x", "8", "--r1", "1", "--n1", "10", "--r", "5", "--n", "29",
                        "--p0", "0.1"],
    "bayes-posterior": [],
    "bayes-predictive": [],
    "bop2": [],
    "survival-landmark": ["--s0", ".5", "--s1", ".72", "--landmark", "12", "--accrual", "24",
                          "--followup", "12", "--sides", "2"],
    "survival-two-arm": [],
    "simulate": ["two-arm", "--hr", "1,0.7", "--info", "0.5", "--efficacy", "2.797,1.977",
                 "--n-sim", "1000"],
}
TARGET_S = 0.3
SINGLE_STAGE_RUN_S = 1.0


def _wall(code: str, args: list[str], repeats: int = REPEATS) -> tuple[float, float]:
    """Median wall and CPU (user + system of the child) seconds of a fresh interpreter."""
    cmd = [sys.executable, "-c", code, *args]
    subprocess.run(cmd, env=ENV, capture_output=True, check=False)  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        c0, t0 = os.times(), time.perf_counter()
        subprocess.run(cmd, env=ENV, capture_output=True, check=False)
        t1, c1 = time.perf_counter(), os.times()
        wall.append(t1 - t0)
        cpu.append(c1.children_user + c1.children_system - c0.children_user - c0.children_system)
    return statistics.median(wall), statistics.median(cpu)


def _importtime_once(code: str, args: list[str]) -> tuple[float, dict[str, float]]:
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], env=ENV,
                         capture_output=True, text=True, check=False)
    rows: dict[str, float] = {}
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if not name.startswith("  "):  # a top-level import (not nested in another)
            rows[name.strip()] = rows.get(name.strip(), 0.0) + int(cumulative) / 1e6
    return sum(rows.values()), rows


def _importtime(code: str, args: list[str], top: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """Median total import seconds over a few runs, and the ``top`` largest imports of the
    median run."""
    runs = sorted((_importtime_once(code, args) for _ in range(IMPORT_REPEATS)),
                  key=lambda r: r[0])
    total, rows = runs[len(runs) // 2]
    return total, sorted(rows.items(), key=lambda r: -r[1])[:top]


def _largest(heavy: list[tuple[str, float]], k: int = 4) -> str:
    return ", ".join(f"{n} {t:.3f}" for n, t in heavy[:k])


def main() -> None:
    bare, _ = _wall("pass", [])
    imp, _ = _wall("import oncotrial", [])
    floor_wall, floor_cpu = _wall(FLOOR, [])
    floor_imp, floor_rows = _importtime(FLOOR, [])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bare python: {bare:.3f} s; import oncotrial: {imp:.3f} s; `{FLOOR}`: "
          f"{floor_wall:.3f} s wall, {floor_cpu:.3f} s CPU, imports {floor_imp:.3f} s "
          f"({_largest(floor_rows, 3)}) (medians of {REPEATS}; load average {load:.1f})")
    anchors = f"bare python {bare:.3f} s; import oncotrial {imp:.3f} s"
    floor_note = (f"the exact designs need typer + numpy + scipy.special (their Boost kernels), "
                  f"whose imports alone take {floor_imp:.3f} s here")

    # --help: wall-clock start-up
    lazy, lazy_cpu = _wall(LAZY, HELP)
    eager, _ = _wall(EAGER, HELP)
    total, heavy = _importtime(LAZY, HELP)
    print(f"oncotrial --help: {lazy:.3f} s wall, {lazy_cpu:.3f} s CPU (eager assembly "
          f"{eager:.3f} s, {eager / lazy:.1f}x); imports {total:.3f} s, largest: {_largest(heavy)}")
    report_target("CLI start-up oncotrial --help", lazy, TARGET_S,
                  anchors=f"{anchors}; eager assembly {eager:.3f} s; CPU {lazy_cpu:.3f} s",
                  why=(f"{lazy - bare:.2f} s over bare python; largest imports: "
                       f"{_largest(heavy)}; measured on a loaded shared machine (load "
                       f"{load:.1f}; compare the bare-python anchor and the CPU time)"))

    # every design command: imports (target) and wall/CPU (reported)
    for name, extra in DESIGN.items():
        args = ["design", name, *extra]
        label = "oncotrial design " + name
        wall, cpu = _wall(LAZY, args, repeats=5)
        total, heavy = _importtime(LAZY, args)
        names = {n for n, _ in heavy}
        line = (f"{label}: imports {total:.3f} s, {wall:.3f} s wall, {cpu:.3f} s CPU; "
                f"largest imports: {_largest(heavy)}")
        if name == "single-stage":
            eager, _ = _wall(EAGER, args)
            line += f" (eager assembly {eager:.3f} s wall)"
        print(line)
        why = f"largest imports: {_largest(heavy)}; {floor_note}"
        if name == "simulate":
            why = ("simulate returns its table as a DataFrame (SimulationResult.table) and "
                   "needs oncotrial.stats (Kaplan-Meier/Cox conventions), whose package "
                   "imports scipy.stats; " + why)
        elif {"scipy.optimize", "scipy.integrate"} & names:
            why = "scipy.optimize/integrate imported where used (brentq CI, quad); " + why
        report_target(f"CLI start-up imports {label}", total, TARGET_S,
                      anchors=f"{anchors}; wall {wall:.3f} s, CPU {cpu:.3f} s; floor "
                              f"`{FLOOR}` imports {floor_imp:.3f} s", why=why)
        if name == "single-stage":
            report_target(f"CLI run {label} (end to end)", wall, SINGLE_STAGE_RUN_S,
                          anchors=f"{anchors}; eager assembly {eager:.3f} s; CPU {cpu:.3f} s",
                          why=f"measured on a loaded shared machine (load {load:.1f}); "
                              f"CPU {cpu:.3f} s")


if __name__ == "__main__":
    main()
