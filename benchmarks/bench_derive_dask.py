"""Benchmark: partitioned derive on Dask vs the local derive, pharmaversesdtm ×10 (issue 21).

No target in ../shared/BENCHMARKS.md: the point of ``--backend dask`` is databases beyond one
machine; this prints what two local workers give on a study that fits one. The ×10 input
(3,060 subjects) is made by :func:`oncotrial.io._replicate.replicate_sdtm`, read once and
sorted by subject (``sort_by_subject``: the copies are appended one after the other);
timed is ``derive_study`` (this process) against ``derive_study_partitioned`` on a
LocalCluster of 2 single-threaded worker processes started once (its start is printed
apart), medians of ``--repeat`` runs after a warm-up; the results are checked equal.

Run: ``python benchmarks/bench_derive_dask.py [--k 10] [--repeat 3] [--partitions 4]``.
Skips when ../shared or dask.distributed is absent.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from _timing import median_time  # benchmarks/_timing.py

PHARMAVERSE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pharmaversesdtm"


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> int:
    if not PHARMAVERSE.is_dir():
        print(f"skipped: {PHARMAVERSE} not found")
        return 0
    try:
        import distributed
    except ImportError:
        print("skipped: dask.distributed not installed (pip install 'oncotrial[cluster]')")
        return 0
    import pandas as pd

    from oncotrial.derive import _distributed as D
    from oncotrial.derive import derive_study, derive_study_partitioned
    from oncotrial.io import read_sdtm
    from oncotrial.io._replicate import replicate_sdtm

    k, repeat, parts = _arg("--k", 10), _arg("--repeat", 3), _arg("--partitions", 4)
    warnings.simplefilter("ignore")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        # the copies are appended one after the other: sorted by subject (as SDTM datasets
        # are, by USUBJID) so that the partitioned derive can cut it (else: one part)
        study = D.sort_by_subject(read_sdtm(replicate_sdtm(PHARMAVERSE, Path(tmp) / f"x{k}",
                                                           k)))
    print(f"pharmaversesdtm ×{k}: {len(study.subjects)} subjects, {len(study.lesions)} lesion rows")
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    client = distributed.Client(cluster)
    print(f"LocalCluster start (2 workers)        {time.perf_counter() - t0:8.2f} s")
    try:
        ref = derive_study(study)
        got = derive_study_partitioned(study, partitions=parts, scheduler=client)
        for name in ("adsl", "adrs", "adtte", "adae", "timepoints", "rs_comparison", "log"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name), obj=name)
        print(f"identical results; {D.partition_info.partitions} parts "
              f"(sizes {D.partition_info.sizes})")
        w_local, c_local = median_time(lambda: derive_study(study), repeat)
        before = client.run(time.process_time)
        w_dask, c_dask = median_time(
            lambda: derive_study_partitioned(study, partitions=parts, scheduler=client), repeat)
        after = client.run(time.process_time)
        c_workers = sum(after[w] - before[w] for w in after) / (repeat + 1)  # + warm-up
    finally:
        client.close()
        cluster.close()
    print(f"derive_study, local (1 process)       {w_local:8.2f} s wall, {c_local:.2f} s CPU")
    print(f"derive_study_partitioned, dask 2 wkr  {w_dask:8.2f} s wall, {c_dask:.2f} s CPU "
          "of this process (partitioning, merging, pickling)")
    print(f"  worker processes' CPU per run (mean)  {c_workers:8.2f} s (both workers together)")
    print(f"speed-up {w_local / w_dask:.2f}x; load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
