"""Benchmark: ``oncotrial analyze`` on the TALENT twin replicated x1, x9 and x90 (~10,000 patients).

Target (issue 21, ../shared/BENCHMARKS.md): analyze of the x90 replicate <= 20 s wall. The
replicates copy every data file of the generated twin k times, suffixing each subject id with
``-R<k>`` (so every copy is a distinct patient with the same history); the spec is the bundled
``examples/talent.toml`` pointed at the replicate. Each size is timed once end to end through the
CLI (a fresh process, as a user runs it), with its CPU time (the process and the worker processes
it forks for figures and the PDF) beside the wall time: on the shared 2-core machine the wall time
follows the load average, printed too. For the largest size the steps of
:func:`oncotrial.analysis.run_analysis` (its progress labels) are then timed in this process:
wall, CPU of this process, CPU of its worker processes.

Usage: ``python benchmarks/bench_analyze.py [--sizes 1,9,90]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import report_target

TARGET_X90_S = 20.0
IO_DERIVE = ("reading data", "deriving ADaM datasets")  # io/derive: benchmarks/bench_derive.py


def replicate(src: Path, dst: Path, k: int) -> int:
    """Copy every CSV of ``src`` into ``dst`` ``k`` times with suffixed subject ids; returns the
    number of subjects written."""
    dst.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in sorted(src.glob("*.csv")):
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        if k > 1 and "subject_id" in d and len(d):
            d = pd.concat([d.assign(subject_id=d["subject_id"] + f"-R{i:02d}") for i in range(k)],
                          ignore_index=True)
        d.to_csv(dst / f.name, index=False)
        if f.name == "subjects.csv":
            n = len(d)
    return n


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def step_times(spec: Path, out: Path) -> list[tuple[str, float, float, float]]:
    """``(step, wall s, CPU s of this process, CPU s of worker processes)`` per progress label
    of :func:`oncotrial.analysis.run_analysis` (``start``: the spec and the output folder)."""
    from oncotrial.analysis import run_analysis

    rows: list[tuple[str, float, float, float]] = []
    last = [time.perf_counter(), _self_cpu(), _children_cpu(), "start"]

    def step(label: str) -> None:
        t, c, k = time.perf_counter(), _self_cpu(), _children_cpu()
        rows.append((str(last[3]), t - last[0], c - last[1], k - last[2]))
        last[:] = [t, c, k, label]

    run_analysis(spec, out, progress=step, data_cutoff="2030-01-01")
    step("end")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,9,90")
    args = ap.parse_args(argv)
    from oncotrial.analysis import example_spec_path
    from oncotrial.evidence.twins import generate_twin, write_twin

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_twin(generate_twin("talent"), tmp / "twin")
        spec_text = example_spec_path("talent").read_text(encoding="utf-8")
        print(f"{'replicate':>9s} {'patients':>8s} {'analyze s':>9s} {'CPU s':>7s} {'load':>5s}")
        for k in sizes:
            work = tmp / f"x{k}"
            n = replicate(tmp / "twin", work / "data" / "talent", k)
            spec = work / "talent.toml"
            spec.write_text(spec_text, encoding="utf-8")
            c0, t0 = _children_cpu(), time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", "from oncotrial.cli import app; app()", "analyze", str(spec),
                 "--out", str(work / "out"), "--data-cutoff", "2030-01-01"],
                env=env, capture_output=True, text=True)
            wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
            if proc.returncode not in (0, 3):
                print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
                return 1
            load = os.getloadavg()[0]
            print(f"{'x' + str(k):>9s} {n:8d} {wall:9.2f} {cpu:7.2f} {load:5.1f}", flush=True)
            if k != max(sizes):
                continue
            rows = step_times(spec, work / "steps")
            print(f"\nsteps of run_analysis at x{k} (in this process; load {os.getloadavg()[0]:.1f})")
            print(f"{'step':42s} {'wall s':>7s} {'CPU s':>6s} {'workers CPU s':>13s}")
            for label, w, c, kc in rows:
                print(f"{label:42s} {w:7.2f} {c:6.2f} {kc:13.2f}")
            ours = sum(c + kc for label, _, c, kc in rows if label not in IO_DERIVE)
            io_derive = sum(c for label, _, c, _ in rows if label in IO_DERIVE)
            if k == 90:
                report_target(
                    "analyze, TALENT twin x90 (~10,000 patients)", wall, TARGET_X90_S,
                    anchors=f"CPU {cpu:.1f} s on 2 cores (process + workers); load {load:.1f}",
                    why=f"CPU: reading + derivation {io_derive:.1f} s (io/derive, one process), "
                        f"analysis + outputs {ours:.1f} s (figures and PDF in worker processes); "
                        "wall follows the machine's load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
