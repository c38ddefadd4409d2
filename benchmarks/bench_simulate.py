"""Benchmark: simulated trials per second (oncotrial.design.simulate), issue 17.

Prints one row per case and one ``report_target`` line per target of ../shared/BENCHMARKS.md /
issue 17:

* binary designs (single stage, Simon, Thall-Simon, BOP2): >= 10^6 trials/s per core;
* single-arm landmark survival, n = 40 (KM vectorised across trials): >= 2 x 10^4 trials/s;
* two-arm log-rank, n = 200: >= 5 x 10^3 trials/s;
* Dask LocalCluster, 2 workers vs 1 worker on a 10^7-trial binary run: >= 1.7x.

A benchmark, not a test: numbers depend on the machine and its load (the project machine has
2 cores shared with other jobs). "Per core" is measured as trials per CPU-second of this
process (``time.process_time``; the simulation is single-threaded numpy), which other jobs do
not inflate; the wall-clock rate is printed beside it. Each time is the median of ``REPEATS``
runs after a warm-up.

Dask: a 1-worker and a 2-worker LocalCluster (single-threaded worker processes, as
``simulate(backend='dask')`` starts them) are both kept up, and the 10^7-trial run alternates
between them and the same run in this process without Dask, so that all see the same machine
load; the ratio of the median wall times is the measurement, and the CPU time of the busiest
worker shows how evenly the work splits. The cluster start-up is excluded (paid once per
session).
Run: ``python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from _timing import median_time, report_target  # benchmarks/_timing.py (scripts run from benchmarks/)

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
from oncotrial.design._simulate_engine import LOCAL_CLUSTER_CONFIG

QUICK = "--quick" in sys.argv
REPEATS = 1 if QUICK else 3
DASK_REPEATS = 3 if QUICK else 9


def _load() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:  # pragma: no cover - platform without getloadavg
        return f"{os.cpu_count()} cores"


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (``/proc/stat``; None where unavailable)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def main() -> None:
    scale = 0.2 if QUICK else 1.0
    cases = [
        ("binary: single stage n=55", "binary", single_stage_design(0.1, 0.25, 0.05, 0.9), [0.1, 0.25],
         2_000_000, 1e6),
        ("binary: Simon optimal 1/10, 5/29", "binary", simon_design(0.1, 0.3).optimal, [0.1, 0.3],
         2_000_000, 1e6),
        ("binary: Thall-Simon N=40, 4 looks", "binary",
         posterior_monitoring(0.2, 0.4, nmax=40, looks=[10, 20, 30, 40]), [0.2, 0.4], 2_000_000, 1e6),
        ("binary: BOP2 N=40, 4 looks", "binary", bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30]),
         [0.2, 0.4], 2_000_000, 1e6),
        ("landmark KM n=40 (5 transforms)", "landmark",
         LandmarkTrial(n=40, s0=0.5, landmark=12, accrual=Accrual(18), followup=6), [0.5, 0.72], 100_000, 2e4),
        ("two-arm log-rank n=200, 120 events", "logrank", TwoArmTrial(n=200, accrual=Accrual(24), events=120),
         [1.0, 0.7], 20_000, 5e3),
        ("two-arm Cox n=200, 120 events", "cox",
         TwoArmTrial(n=200, accrual=Accrual(24), events=120, test="cox"), [1.0, 0.7], 10_000, 5e3),
    ]
    print(f"# {_load()} at start")
    print(f"{'case':40s} {'trials/s wall':>14s} {'trials/CPU-s':>13s} {'target':>9s} {'ratio (CPU)':>12s}")
    worst: dict[str, tuple[float, float, str]] = {}
    for label, kind, design, scen, n_sim, target in cases:
        n = int(n_sim * scale)
        wall, cpu = median_time(lambda d=design, s=scen, n=n: simulate(d, s, n_sim=n, seed=1), REPEATS)
        r, rc = n * len(scen) / wall, n * len(scen) / cpu
        print(f"{label:40s} {r:14.3g} {rc:13.3g} {target:9.0e} {rc / target:12.2f}", flush=True)
        if kind == "cox":       # the target is for log-rank; Cox is printed for information
            continue
        if kind not in worst or rc < worst[kind][1]:
            worst[kind] = (r, rc, label)
    works = {"binary": ("simulate: binary designs, trials per CPU-second (slowest of 4 designs)", 1e6),
             "landmark": ("simulate: landmark KM n=40, trials per CPU-second", 2e4),
             "logrank": ("simulate: two-arm log-rank n=200, trials per CPU-second", 5e3)}
    for kind, (work, target) in works.items():
        r, rc, label = worst[kind]
        report_target(work, rc, target, unit="trials/s", higher_is_better=True,
                      anchors=f"{label}; wall-clock {r:.3g}/s with {_load()}",
                      why="per-core throughput below target")
    _dask(simon_design(0.1, 0.3).optimal, int(10_000_000 * scale))


def _dask(design, n_sim: int) -> None:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask: distributed not installed (pip install 'oncotrial[cluster]'); target not measured")
        return
    clusters, clients = {}, {}
    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # as simulate(backend="dask") sets up its LocalCluster
        for w in (1, 2):
            clusters[w] = LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0", host="127.0.0.1")
            clients[w] = Client(clusters[w])
    try:
        walls: dict[int, list[float]] = {1: [], 2: []}
        busiest: dict[int, list[float]] = {1: [], 2: []}
        others: dict[int, list[float]] = {1: [], 2: []}
        for w in (1, 2):   # warm-up: imports on the workers
            simulate(design, [0.1], n_sim=500_000, seed=1, backend="dask", scheduler=clients[w])
        load0 = _load()
        local: list[float] = []
        for _ in range(DASK_REPEATS):
            t0 = time.perf_counter()   # the same run in this process (no Dask), same load
            simulate(design, [0.1], n_sim=n_sim, seed=1)
            local.append(time.perf_counter() - t0)
            for w in (1, 2):   # alternate, so both see the same load
                c0 = clients[w].run(time.process_time)
                m0, p0 = _busy_cpu_seconds(), time.process_time()
                t0 = time.perf_counter()
                simulate(design, [0.1], n_sim=n_sim, seed=1, backend="dask", scheduler=clients[w])
                walls[w].append(time.perf_counter() - t0)
                m1, p1 = _busy_cpu_seconds(), time.process_time()
                c1 = clients[w].run(time.process_time)
                busiest[w].append(max(c1[k] - c0[k] for k in c0))
                if m0 is not None and m1 is not None:
                    # cores kept busy by other jobs meanwhile: machine busy time minus this
                    # process (client + scheduler) and the workers
                    ours = (p1 - p0) + sum(c1[k] - c0[k] for k in c0)
                    others[w].append(max(m1 - m0 - ours, 0.0) / walls[w][-1])
        load1 = _load()
    finally:
        for w in (1, 2):
            clients[w].close()
            clusters[w].close()
    med = {w: statistics.median(walls[w]) for w in (1, 2)}
    cpu = {w: statistics.median(busiest[w]) for w in (1, 2)}
    speed, best = med[1] / med[2], min(walls[1]) / min(walls[2])
    print(f"dask LocalCluster, {n_sim:.0e} Simon trials, {DASK_REPEATS} alternating runs per cluster:")
    for w in (1, 2):
        print(f"  {w} worker(s): wall median {med[w]:.3f} s (min {min(walls[w]):.3f}, max {max(walls[w]):.3f}), "
              f"busiest worker CPU median {cpu[w]:.3f} s")
    if others[2]:
        print(f"  cores busy with other jobs during the runs (median): {statistics.median(others[1]):.2f} "
              f"(1 worker), {statistics.median(others[2]):.2f} (2 workers) of {os.cpu_count()}")
    print(f"  in-process (no Dask): wall median {statistics.median(local):.3f} s (min {min(local):.3f})")
    print(f"  2 workers vs 1: median wall {speed:.2f}x, best wall {best:.2f}x, busiest-worker CPU "
          f"{cpu[1] / cpu[2]:.2f}x; {load0} before, {load1} after")
    report_target(f"simulate: Dask LocalCluster 2 workers vs 1, {n_sim:.0e}-trial binary run (median wall)",
                  speed, 1.7, unit="x", higher_is_better=True,
                  anchors=f"best-of-{DASK_REPEATS} wall {best:.2f}x; busiest-worker CPU {cpu[1] / cpu[2]:.2f}x; "
                          f"1 worker {med[1]:.2f} s vs in-process {statistics.median(local):.2f} s; "
                          + (f"other jobs kept {statistics.median(others[2]):.2f} of {os.cpu_count()} cores "
                             "busy during the 2-worker runs; " if others[2] else "")
                          + f"{load0} before, {load1} after",
                  why="2 cores shared with other jobs: two workers cannot get twice one worker's CPU share "
                      "while other processes are runnable (CPU split shows the work divides evenly)")


if __name__ == "__main__":
    main()
