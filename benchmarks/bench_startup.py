"""Benchmark: CLI start-up, ``oncotrial --help`` and ``oncotrial design single-stage`` (issue 21).

Each command runs in a fresh interpreter (median wall time of several runs, after one warm-up
that fills the OS file cache), next to the anchors measured in the same run: a bare
``python -c pass``, ``import oncotrial``, and the same command through the eager assembly
(``oncotrial.cli.eager_app``: every sub-command module imported up front, as before issue 21).
``python -X importtime`` then names the imports that the command still pays for.
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
LAZY = "import sys; from oncotrial.cli import app; app(sys.argv[1:], prog_name='oncotrial')"
EAGER = ("import sys; from oncotrial.cli import eager_app; "
         "eager_app()(sys.argv[1:], prog_name='oncotrial')")
HELP = ["--help"]
SINGLE = ["design", "single-stage", "--p0", "0.1", "--p1", "0.3"]


def _wall(code: str, args: list[str], repeats: int = REPEATS) -> float:
    cmd = [sys.executable, "-c", code, *args]
    subprocess.run(cmd, env=ENV, capture_output=True, check=False)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=ENV, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _importtime(code: str, args: list[str], top: int = 6) -> tuple[float, list[tuple[str, float]]]:
    """Total import seconds of the top-level imports and the ``top`` largest of them."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], env=ENV,
                         capture_output=True, text=True, check=False)
    rows = []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if not name.startswith("  "):  # a top-level import (not nested in another)
            rows.append((name.strip(), int(cumulative) / 1e6))
    rows.sort(key=lambda r: -r[1])
    return sum(r[1] for r in rows), rows[:top]


def main() -> None:
    bare = _wall("pass", [])
    imp = _wall("import oncotrial", [])
    print(f"bare python: {bare:.3f} s; import oncotrial: {imp:.3f} s (medians of {REPEATS})")
    anchors = f"bare python {bare:.3f} s; import oncotrial {imp:.3f} s"
    for label, args, work in (("oncotrial --help", HELP, "CLI start-up oncotrial --help"),
                              ("oncotrial " + " ".join(SINGLE), SINGLE,
                               "CLI start-up oncotrial design single-stage")):
        lazy = _wall(LAZY, args)
        eager = _wall(EAGER, args)
        total, heavy = _importtime(LAZY, args)
        print(f"{label}: {lazy:.3f} s (eager assembly {eager:.3f} s, {eager / lazy:.1f}x); "
              f"imports {total:.3f} s, largest: "
              + ", ".join(f"{n} {t:.3f}" for n, t in heavy))
        why = ""
        if lazy > 0.3:
            over_bare = lazy - bare
            why = (f"{over_bare:.2f} s over bare python; largest imports: "
                   + ", ".join(f"{n} {t:.2f} s" for n, t in heavy[:4])
                   + ("; the single-stage search and its printed tables need numpy, pandas and "
                      "scipy.stats (binom, norm), which alone exceed the target"
                      if args is SINGLE else "")
                   + "; measured on a loaded shared machine (compare the bare-python anchor)")
        report_target(work, lazy, 0.3, anchors=f"{anchors}; eager assembly {eager:.3f} s",
                      why=why)


if __name__ == "__main__":
    main()
