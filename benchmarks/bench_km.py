"""Benchmark: Kaplan-Meier + median CI on 10^6 rows (times rounded to 0.01, 30% censored).

Prints the time of oncotrial, the numpy floor (stable argsort + unique + cumprod, no CI),
lifelines (KaplanMeierFitter + median CI) and R (survfit + quantile, timed inside R, when
Rscript is on PATH), each as a ratio to the numpy floor measured in the same run. Target
(../shared/BENCHMARKS.md): oncotrial <= 1.3x the floor.

    python benchmarks/bench_km.py [--n 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from oncotrial.stats import kaplan_meier


def make_data(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Exponential event times (median ~ 12) with 30% random censoring, rounded to 0.01."""
    rng = np.random.default_rng(seed)
    t = np.round(rng.exponential(17.3, n), 2)
    e = rng.random(n) >= 0.30
    return t, e


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def numpy_floor(t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The bare minimum: stable argsort, unique with counts, event sums, cumprod."""
    o = np.argsort(t, kind="stable")
    ts, es = t[o], e[o]
    _, idx, cnt = np.unique(ts, return_index=True, return_counts=True)
    d = np.add.reduceat(es.astype(np.int64), idx)
    n_risk = t.size - np.cumsum(cnt) + cnt
    return np.cumprod(1.0 - d / n_risk)


def run_oncotrial(t: np.ndarray, e: np.ndarray):
    fit = kaplan_meier(t, e)
    return fit, fit.median()


def run_lifelines(t: np.ndarray, e: np.ndarray) -> float | None:
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.utils import median_survival_times
    except ImportError:
        return None

    def go():
        kmf = KaplanMeierFitter().fit(t, e)
        median_survival_times(kmf.confidence_interval_)
        return kmf.median_survival_time_

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return best_of(go, 3)


R_CODE = r"""
suppressPackageStartupMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1])
best <- Inf
for (i in 1:3) {
  tm <- system.time({ f <- survfit(Surv(d$t, d$e) ~ 1); q <- quantile(f, 0.5) })[["elapsed"]]
  best <- min(best, tm)
}
cat(best, q$quantile, q$lower, q$upper, "\n")
"""


def run_r(t: np.ndarray, e: np.ndarray) -> tuple[float, list[float]] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        script = Path(tmp) / "b.R"
        np.savetxt(csv, np.column_stack([t, e.astype(int)]), delimiter=",", header="t,e",
                   comments="", fmt=["%.2f", "%d"])
        script.write_text(R_CODE)
        out = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True,
                             check=False)
    if out.returncode != 0:
        return None
    vals = [float(v) for v in out.stdout.split()]
    return vals[0], vals[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    t, e = make_data(args.n)
    run_oncotrial(t, e)  # warm-up (imports, caches)
    floor = best_of(lambda: numpy_floor(t, e), args.repeat)
    onco = best_of(lambda: run_oncotrial(t, e), args.repeat)
    with_table = best_of(lambda: run_oncotrial(t, e)[0].table, args.repeat)
    fit, med = run_oncotrial(t, e)
    # sanity: the floor's curve is oncotrial's curve
    np.testing.assert_allclose(numpy_floor(t, e), fit.surv, rtol=1e-12)
    life = run_lifelines(t, e)
    r = run_r(t, e)
    rows = [("numpy floor (argsort+unique+cumprod)", floor),
            ("oncotrial kaplan_meier + median CI", onco),
            ("oncotrial, also building .table DataFrame", with_table)]
    if life is not None:
        rows.append(("lifelines KaplanMeierFitter + median CI", life))
    else:
        print("lifelines column skipped: lifelines is not installed in this venv "
              "(`make bench` installs the [bench] extra where it resolves beside our pandas)")
    if r is not None:
        rows.append(("R survfit + quantile (timed in R)", r[0]))
    print(f"Kaplan-Meier + median CI, n = {args.n:,} ({fit.time.size:,} distinct times), "
          f"best of {args.repeat}")
    print(f"{'':45s} {'seconds':>9s} {'x floor':>8s} {'x oncotrial':>12s}")
    for name, sec in rows:
        print(f"{name:45s} {sec:9.4f} {sec / floor:8.2f} {sec / onco:12.2f}")
    print(f"median {med.estimate} ({med.ci.low}, {med.ci.high})"
          + (f"; R: {r[1]}" if r is not None else ""))
    verdict = "MET" if onco <= 1.3 * floor else "MISSED"
    print(f"target oncotrial <= 1.3 x floor: {verdict} ({onco / floor:.2f}x)")


if __name__ == "__main__":
    main()
