"""Benchmark: simulated trials per second (oncotrial.design.simulate), issue 17.

Prints one row per case with the throughput of one process (= one core) and its ratio to the
target of ../shared/BENCHMARKS.md / issue 17:

* binary designs (single stage, Simon, Thall-Simon, BOP2): >= 10^6 trials/s per core;
* single-arm landmark survival, n = 40 (KM vectorised across trials): >= 2 x 10^4 trials/s;
* two-arm log-rank, n = 200: >= 5 x 10^3 trials/s;
* Dask LocalCluster, 2 workers vs 1 worker on a 10^7-trial binary run: >= 1.7x.

A benchmark, not a test: numbers depend on the machine and its load (the project machine has
2 cores shared with other jobs). "trials/CPU-s" divides by the CPU time of the process, which
load does not inflate; for Dask the CPU time of the busiest worker projects the wall time on
idle dedicated cores (scheduler latency excluded), printed beside the measured wall ratio. The cluster start-up
is excluded (it is paid once per session); each time is the best of ``REPEATS`` runs.
Run: ``.venv/bin/python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import sys
import time

from oncotrial.design import (
    Accrual,
    LandmarkTrial,
    TwoArmTrial,
    bop2_design,
    posterior_monitoring,
    simon_design,
    simulate,
    single_stage_design,
)

QUICK = "--quick" in sys.argv
REPEATS = 1 if QUICK else 3


def _best(fn) -> float:
    return _best2(fn)[0]


def _best2(fn) -> tuple[float, float]:
    """Best wall time and best CPU time of this process (``time.process_time``) over the repeats."""
    wall, cpu = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def _rate(design, scen, n_sim: int) -> tuple[float, float]:
    simulate(design, scen, n_sim=min(n_sim, 20_000), seed=1)  # warm-up
    w, c = _best2(lambda: simulate(design, scen, n_sim=n_sim, seed=1))
    return n_sim * len(scen) / w, n_sim * len(scen) / c


def main() -> None:
    scale = 0.2 if QUICK else 1.0
    cases = [
        ("binary: single stage n=55", single_stage_design(0.1, 0.25, 0.05, 0.9), [0.1, 0.25], 2_000_000, 1e6),
        ("binary: Simon optimal 1/10, 5/29", simon_design(0.1, 0.3).optimal, [0.1, 0.3], 2_000_000, 1e6),
        ("binary: Thall-Simon N=40, 4 looks", posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40]),
         [0.2, 0.4], 2_000_000, 1e6),
        ("binary: BOP2 N=40, 4 looks", bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30]),
         [0.2, 0.4], 2_000_000, 1e6),
        ("landmark KM n=40 (5 transforms)",
         LandmarkTrial(n=40, s0=0.5, landmark=12, accrual=Accrual(18), followup=6), [0.5, 0.72], 100_000, 2e4),
        ("two-arm log-rank n=200, 120 events", TwoArmTrial(n=200, accrual=Accrual(24), events=120),
         [1.0, 0.7], 20_000, 5e3),
        ("two-arm Cox n=200, 120 events", TwoArmTrial(n=200, accrual=Accrual(24), events=120, test="cox"),
         [1.0, 0.7], 10_000, 5e3),
    ]
    print(f"{'case':40s} {'trials/s wall':>14s} {'trials/CPU-s':>13s} {'target':>9s} {'ratio':>7s}")
    for label, design, scen, n_sim, target in cases:
        r, rc = _rate(design, scen, int(n_sim * scale))
        print(f"{label:40s} {r:14.3g} {rc:13.3g} {target:9.0e} {r / target:7.2f}")
    _dask(simon_design(0.1, 0.3).optimal, int(10_000_000 * scale))


def _dask(design, n_sim: int) -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask: distributed not installed (pip install 'oncotrial[cluster]'); skipped")
        return
    t, busiest = {}, {}
    for w in (1, 2):
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                          host="127.0.0.1") as cluster, Client(cluster) as client:
            simulate(design, [0.1], n_sim=500_000, seed=1, backend="dask", scheduler=client)  # warm-up
            c0 = client.run(time.process_time)
            t[w] = _best(lambda client=client: simulate(design, [0.1], n_sim=n_sim, seed=1, backend="dask",
                                                        scheduler=client))
            c1 = client.run(time.process_time)
            # CPU seconds of the busiest worker per run: the wall time on idle dedicated cores
            busiest[w] = max(c1[k] - c0[k] for k in c0) / REPEATS
    speed = t[1] / t[2]
    label = f"dask LocalCluster {n_sim:.0e} binary: 1 worker"
    print(f"{label:40s} {n_sim / t[1]:14.3g} {n_sim / busiest[1]:13.3g}")
    print(f"{'dask LocalCluster 2 workers vs 1 (wall)':40s} {speed:13.2f}x {'':13s} {1.7:8.1f}x {speed / 1.7:7.2f}")
    proj = busiest[1] / busiest[2]
    print(f"{'  (busiest-worker CPU time, idle cores)':40s} {proj:13.2f}x {'':13s} {1.7:8.1f}x {proj / 1.7:7.2f}")


if __name__ == "__main__":
    main()
