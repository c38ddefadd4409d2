"""Chunked, reproducible execution of simulated trials on a process pool or a Dask cluster.

Reproducibility rule: the ``n_sim`` trials of scenario ``s`` are cut into chunks of a fixed
``chunk_size`` (it depends on the design, never on the backend or the number of workers), and
chunk ``c`` draws from its own stream ``PCG64(SeedSequence(seed, spawn_key=(s, c)))`` -- the
same stream as ``SeedSequence(seed).spawn(...)[s].spawn(...)[c]``. Each chunk returns sums and
sums of squares of its per-trial outcomes, and chunks are combined in chunk order once all have
finished, so the result is bit-identical whichever backend ran them, on how many workers, and
in whatever order they completed.

The pool and the cluster are the standard libraries' (``concurrent.futures``,
``dask.distributed``); ``distributed`` is imported only when ``backend='dask'`` is asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from oncotrial._dask import LOCAL_CLUSTER_CONFIG as _LOCAL_CLUSTER_CONFIG
from oncotrial._errors import bad_value

__all__ = ["Moments", "Task", "execute", "moments", "plan", "rng_for"]

#: metric name -> (sum, sum of squares) over the trials of one chunk
Moments = dict[str, tuple[float, float]]


class TrialSpec(Protocol):
    """What a simulatable trial provides (binary, landmark and two-arm specs)."""

    chunk_size: int

    def simulate_chunk(self, scenario: Any, n: int, rng: np.random.Generator) -> Moments: ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Task:
    """One chunk: ``n`` trials of scenario number ``s`` drawn from stream ``(s, c)``."""

    spec: Any
    s: int
    scenario: Any
    c: int
    n: int
    seed: int


def rng_for(seed: int, s: int, c: int) -> np.random.Generator:
    """The generator of chunk ``c`` of scenario ``s``.

    Examples
    --------
    >>> a = rng_for(1, 0, 3).random()
    >>> b = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1).spawn(1)[0].spawn(4)[3])).random()
    >>> a == b
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(s, c))))


def moments(values: np.ndarray) -> tuple[float, float]:
    """``(sum, sum of squares)`` of per-trial values.

    Examples
    --------
    >>> moments(np.array([1.0, 2.0]))
    (3.0, 5.0)
    """
    v = np.asarray(values, dtype=float)
    return float(v.sum()), float(np.dot(v, v))


def run_task(task: Task) -> tuple[int, int, int, Moments]:
    """Run one chunk (a top-level function, so process pools and Dask can pickle it)."""
    out = task.spec.simulate_chunk(task.scenario, task.n, rng_for(task.seed, task.s, task.c))
    return task.s, task.c, task.n, out


def run_tasks(tasks: list[Task]) -> list[tuple[int, int, int, Moments]]:
    """Run a batch of chunks in one call: one Dask task, one small list of sums back."""
    return [run_task(t) for t in tasks]


def batches(tasks: list[Task], n_batches: int) -> list[list[Task]]:
    """Cut the task list into at most ``n_batches`` contiguous batches of near-equal length.

    Batching changes only how chunks travel to the workers, never a chunk's stream or size,
    so the numbers do not depend on it.

    Examples
    --------
    >>> [len(b) for b in batches(list(range(10)), 4)]
    [3, 3, 3, 1]
    """
    k = max(1, min(len(tasks), n_batches))
    size = -(-len(tasks) // k)
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def plan(n_scenarios: int, n_sim: int, chunk_size: int, spec: Any, scenarios: list[Any],
         seed: int) -> list[Task]:
    """Cut every scenario into chunks of ``chunk_size`` trials (the last one may be shorter).

    Examples
    --------
    >>> [t.n for t in plan(1, 25, 10, None, [0.1], 7)]
    [10, 10, 5]
    """
    sizes = [chunk_size] * (n_sim // chunk_size) + ([n_sim % chunk_size] if n_sim % chunk_size else [])
    return [Task(spec, s, scenarios[s], c, m, seed) for s in range(n_scenarios)
            for c, m in enumerate(sizes)]


def _progress(total: int, enabled: bool | None, label: str) -> Any:
    """A rich progress bar on stderr (``None``: only when stderr is a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("trials"),
                   TimeRemainingColumn(), console=Console(stderr=True), transient=False)
    bar.start()
    bar.add_task(label, total=total)
    return bar


def _local(tasks: list[Task], workers: int) -> Iterator[tuple[int, int, int, Moments]]:
    if workers == 1:
        for t in tasks:
            yield run_task(t)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futs = [pool.submit(run_task, t) for t in tasks]
        for f in as_completed(futs):
            yield f.result()


#: Dask tasks per worker thread (see :func:`_dask`)
BATCHES_PER_THREAD = 4

#: Dask settings of the LocalCluster that :func:`simulate` starts (defined with the shared
#: backend, :mod:`oncotrial._dask`; docs/simulate.md gives the environment variables for a
#: cluster of your own).
LOCAL_CLUSTER_CONFIG = _LOCAL_CLUSTER_CONFIG


def _dask(tasks: list[Task], workers: int, scheduler: Any) -> Iterator[tuple[int, int, int, Moments]]:
    from oncotrial._dask import dask_client, import_distributed

    as_completed = import_distributed("simulate").as_completed
    with dask_client(workers, scheduler, func="simulate") as client:
        # A few batches per worker thread rather than one Dask task per chunk: the scheduler
        # (a thread of this process on a LocalCluster, competing with the workers for the
        # cores) handles ~BATCHES_PER_THREAD x threads tasks instead of thousands, each task
        # returns only its chunks' sums; several batches per thread keep slow workers
        # from holding the run up.
        threads = sum(client.nthreads().values()) or workers
        groups = batches(tasks, BATCHES_PER_THREAD * threads)
        futs = client.map(run_tasks, groups, pure=False)
        # one gather per group of finished futures (not one round trip per future); not
        # as_completed(with_results=True), whose concurrent per-future fetches tripped a
        # tornado stream assertion and hung under load (distributed 2026.8)
        for done in as_completed(futs).batches():
            for res in client.gather(done):
                yield from res


def execute(tasks: list[Task], *, backend: str, workers: int, scheduler: Any = None,
            progress: bool | None = None, label: str = "simulating",
            on_done: Callable[[int], None] | None = None) -> dict[tuple[int, int], tuple[int, Moments]]:
    """Run every task on ``backend`` and return ``{(s, c): (n, moments)}``."""
    if backend not in ("local", "dask"):
        raise bad_value("backend", "simulate", "'local' or 'dask'", backend,
                        "Use 'local' (this machine) or 'dask' (a LocalCluster, or --scheduler).")
    it: Iterable[tuple[int, int, int, Moments]] = (
        _local(tasks, workers) if backend == "local" else _dask(tasks, workers, scheduler))
    bar = _progress(sum(t.n for t in tasks), progress, label)
    out: dict[tuple[int, int], tuple[int, Moments]] = {}
    try:
        for s, c, n, m in it:
            out[(s, c)] = (n, m)
            if bar is not None:
                bar.advance(bar.task_ids[0], n)
            if on_done is not None:
                on_done(n)
    finally:
        if bar is not None:
            bar.stop()
    return out


def combine(results: dict[tuple[int, int], tuple[int, Moments]], s: int) -> tuple[int, dict[str, tuple[float, float]]]:
    """Totals for scenario ``s``, chunks added in chunk order: ``n, {metric: (mean, mc_se)}``.

    The Monte Carlo standard error is ``sd / sqrt(n)`` with the sample standard deviation
    (for a proportion ``p``: ``sqrt(p (1 - p) / (n - 1))``).

    Examples
    --------
    >>> combine({(0, 1): (2, {"x": (1.0, 1.0)}), (0, 0): (2, {"x": (1.0, 1.0)})}, 0)
    (4, {'x': (0.5, 0.28867513459481287)})
    """
    keys = sorted(k for k in results if k[0] == s)
    n = 0
    tot: dict[str, list[float]] = {}
    for k in keys:
        m, mom = results[k]
        n += m
        for name, (a, b) in mom.items():
            acc = tot.setdefault(name, [0.0, 0.0])
            acc[0] += a
            acc[1] += b
    out = {}
    for name, (a, b) in tot.items():
        mean = a / n
        var = max(b - n * mean * mean, 0.0) / (n - 1) if n > 1 else float("nan")
        out[name] = (mean, float(np.sqrt(var / n)))
    return n, out
