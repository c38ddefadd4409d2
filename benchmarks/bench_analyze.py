"""Benchmark: ``oncotrial analyze`` on the TALENT twin replicated x1, x9 and x90 (~10,000 patients).

Target (issue 21, ../shared/BENCHMARKS.md): analyze of the x90 replicate <= 20 s wall. The
replicates copy every data file of the generated twin k times, suffixing each subject id with
``-R<k>`` (so every copy is a distinct patient with the same history); the spec is the bundled
``examples/talent.toml`` pointed at the replicate. Each size is timed once end to end through the
CLI (a fresh process, as a user runs it), then the report figures alone (``render_figures``) in
this process, so the share the figures take is printed beside the total.

Usage: ``python benchmarks/bench_analyze.py [--sizes 1,9,90]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import report_target

TARGET_X90_S = 20.0


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,9,90")
    args = ap.parse_args(argv)
    import tomllib

    from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
    from oncotrial.evidence.twins import generate_twin, write_twin
    from oncotrial.report._figures import render_figures

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_twin(generate_twin("talent"), tmp / "twin")
        spec_text = example_spec_path("talent").read_text(encoding="utf-8")
        print(f"{'replicate':>9s} {'patients':>8s} {'analyze s':>9s} {'figures s':>9s}")
        for k in (int(s) for s in args.sizes.split(",")):
            work = tmp / f"x{k}"
            n = replicate(tmp / "twin", work / "data" / "talent", k)
            spec = work / "talent.toml"
            spec.write_text(spec_text, encoding="utf-8")
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", "from oncotrial.cli import app; app()", "analyze", str(spec),
                 "--out", str(work / "out"), "--data-cutoff", "2030-01-01"],
                env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if proc.returncode not in (0, 3):
                print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
                return 1
            a = analyze_study(parse_study_spec(tomllib.loads(spec_text), work))
            t0 = time.perf_counter()
            render_figures(a, work / "figs")
            fig_s = time.perf_counter() - t0
            print(f"{'x' + str(k):>9s} {n:8d} {wall:9.2f} {fig_s:9.2f}", flush=True)
            if k == 90:
                report_target("analyze, TALENT twin x90 (~10,000 patients)", wall, TARGET_X90_S,
                              anchors=f"figures alone {fig_s:.1f} s",
                              why="figures and derivation at n = 10,000 (see the figures column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
