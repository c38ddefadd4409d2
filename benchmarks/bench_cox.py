"""Benchmark: Cox model, Efron ties, 10^5 rows x 5 covariates (target in ../shared/BENCHMARKS.md).

Times (best of ``REPEAT`` runs for oncotrial and R, one run for the slower libraries):

* oncotrial ``cox_ph`` (full result: table, tests, concordance with its se);
* lifelines ``CoxPHFitter`` (Efron), statsmodels ``PHReg(ties="efron")``;
* R ``coxph(ties="efron")`` timed inside ``Rscript`` (``system.time``) when R is installed.

Prints a table with each time and its ratio to oncotrial, and the largest relative difference
of the coefficients from R's. Run: ``python benchmarks/bench_cox.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.stats import cox_ph

N, P, REPEAT, SEED = 100_000, 5, 5, 20261121
COVS = [f"x{i}" for i in range(P)]


def make_data(rounded: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(N, P))
    x[:, 3] = rng.integers(0, 2, N)          # one binary covariate
    beta = np.array([0.3, -0.2, 0.1, 0.5, 0.0])
    t = rng.exponential(10 * np.exp(-x @ beta))
    c = rng.exponential(20, N)
    time_ = np.minimum(t, c)
    if rounded:  # tied times, as in trial data recorded in days
        time_ = np.round(time_, 2) + 0.01
    df = pd.DataFrame(x, columns=COVS)
    df["time"] = time_
    df["status"] = (t <= c).astype(int)
    return df


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


R_CODE = """
suppressPackageStartupMessages(library(survival)); library(jsonlite)
d <- read.csv("{csv}")
best <- Inf
for (i in 1:{rep}) {{
  tm <- system.time(f <- coxph(Surv(time, status) ~ x0 + x1 + x2 + x3 + x4, data = d,
                                ties = "efron"))[["elapsed"]]
  best <- min(best, tm)
}}
cat(toJSON(list(time = best, coef = unname(coef(f)), version = R.version.string), digits = NA,
           auto_unbox = TRUE))
"""


def time_r(df: pd.DataFrame) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "cox.csv"
        df.to_csv(csv, index=False, float_format="%.17g")
        script = Path(tmp) / "bench.R"
        script.write_text(R_CODE.format(csv=csv.as_posix(), rep=REPEAT))
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            print("R failed:", out.stderr.strip()[:300])
            return None
        return json.loads(out.stdout.strip().splitlines()[-1])


def run(df: pd.DataFrame, label: str) -> None:
    rows = []
    t_onc, fit = best_of(lambda: cox_ph(df, "time", "status", COVS, ties="efron"), REPEAT)
    rows.append(("oncotrial cox_ph", t_onc))
    r = time_r(df)
    if r is not None:
        rows.append(("R survival coxph", r["time"]))
    try:
        from lifelines import CoxPHFitter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ll, _ = best_of(lambda: CoxPHFitter().fit(df, "time", "status"), 1)
        rows.append(("lifelines CoxPHFitter", t_ll))
    except ImportError:
        rows.append(("lifelines CoxPHFitter (skipped: not installed in this venv)", float("nan")))
    try:
        from statsmodels.duration.hazard_regression import PHReg

        t_sm, _ = best_of(lambda: PHReg(df["time"].to_numpy(), df[COVS].to_numpy(),
                                        status=df["status"].to_numpy(), ties="efron").fit(), 1)
        rows.append(("statsmodels PHReg", t_sm))
    except ImportError:
        rows.append(("statsmodels PHReg (not installed)", float("nan")))

    print(f"\nCox PH, Efron ties, {label}: n = {N:,} rows x {P} covariates, "
          f"{int(df['status'].sum()):,} events, {df['time'].nunique():,} distinct times")
    print(f"{'implementation':40s} {'seconds':>9s} {'x oncotrial':>12s}")
    for name, sec in rows:
        print(f"{name:40s} {sec:9.3f} {sec / t_onc:12.2f}")
    if r is not None:
        rel = np.max(np.abs(fit.table["coef"].to_numpy() - r["coef"]) / np.abs(r["coef"]))
        print(f"max relative difference of coefficients vs R: {rel:.2e} ({r['version']})")
        print(f"oncotrial / R time ratio: {t_onc / r['time']:.2f} (target <= 1)")


def main() -> None:
    run(make_data(rounded=True), "times rounded to 0.01")
    run(make_data(rounded=False), "continuous times")


if __name__ == "__main__":
    main()
