"""Benchmark: the Bayesian design searches of issue 21, vectorised.

- Thall-Simon posterior monitoring, N = 200 monitored after every patient, informative
  standard-therapy prior Beta(20, 80) (2000 prior nodes): boundaries by vectorised bisection
  over all looks (``oncotrial.design._bayes_posterior._last_below``).
- BOP2, N = 100, 20 looks (every 5 patients), 500 x 301 (lambda, gamma) grid: the exact
  recursion once per distinct boundary set (``oncotrial.design._bop2._search``).

Anchors: the look-by-look implementation before issue 21 (../shared/BENCHMARKS.md: 18.7 s and
21.4 s on this machine); tests/design/test_bayes_vectorised.py checks the boundaries are the same.
Run: ``.venv/bin/python benchmarks/bench_bayes.py``.
"""

from __future__ import annotations

import numpy as np
from _timing import median_time, report_target  # benchmarks/_timing.py

from oncotrial.design import bop2_design, posterior_monitoring

REPEATS = 5


def thall_simon() -> object:
    return posterior_monitoring(0.2, 0.4, nmax=200, looks=list(range(1, 201)), prior_s=(20, 80))


def bop2() -> object:
    return bop2_design(0.2, 0.4, 0.1, nmax=100, looks=list(range(5, 100, 5)),
                       lam_grid=np.linspace(0.5, 0.999, 500), gamma_grid=np.linspace(0, 3, 301))


def main() -> None:
    for work, fn, before in (
            ("Thall-Simon N=200 every patient, Beta(20,80) prior", thall_simon, 18.7),
            ("BOP2 N=100, 20 looks, 500x301 grid", bop2, 21.4)):
        wall, cpu = median_time(fn, REPEATS)
        print(f"{work}: {wall:.3f} s wall, {cpu:.3f} s CPU (median of {REPEATS}); "
              f"before issue 21 {before} s")
        report_target(work, wall, 1.0, anchors=f"look-by-look search before issue 21: {before} s",
                      why=f"CPU {cpu:.2f} s; wall measured on a loaded shared machine")


if __name__ == "__main__":
    main()
