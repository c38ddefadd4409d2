"""The Dask backend shared by ``design.simulate`` and ``derive``: one way to get a client.

:func:`dask_client` starts a ``LocalCluster`` (loopback only, single-threaded worker
processes, :data:`LOCAL_CLUSTER_CONFIG`) or connects to a running scheduler, and closes what it
opened. ``distributed`` is imported only when a client is asked for, so ``oncotrial --help``
and every command that does not use Dask start without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from oncotrial._errors import OncotrialValueError

__all__ = ["LOCAL_CLUSTER_CONFIG", "dask_client", "import_distributed"]

#: Dask settings of the LocalCluster that :func:`dask_client` starts (docs/simulate.md gives the
#: environment variables for a cluster of your own). ``worker-saturation: inf``: the scheduler
#: sends every task to the workers at once instead of one more each time a worker reports back
#: (a round trip per task, slow on a loaded machine); the tasks are few and equally heavy.
#: ``profile.enabled: False``: no statistical profiler thread waking every 10 ms in each worker
#: to take the GIL from the computation (about 10 % of a worker's CPU time on a binary run).
#: ``nanny.pre-spawn-environ`` without ``MALLOC_TRIM_THRESHOLD_``: Dask sets it to 64 KiB so that
#: long-lived workers hand freed memory back to the system, but setting it switches off glibc's
#: dynamic mmap threshold, so every large temporary numpy array is mapped and unmapped afresh
#: (page faults: 15-25 % more CPU per simulated chunk, measured on a 10^7-trial Simon run). The
#: workers of this LocalCluster live only as long as one call; the one-thread BLAS settings stay.
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.worker-saturation": float("inf"),
                        "distributed.worker.profile.enabled": False,
                        "distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1,
                                                                 "MKL_NUM_THREADS": 1,
                                                                 "OPENBLAS_NUM_THREADS": 1}}


def import_distributed(func: str) -> Any:
    """``distributed``, or an error naming ``backend`` of ``func`` and the extra to install."""
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the environment
        raise OncotrialValueError(
            f"`backend` of `{func}` must be 'local' when dask.distributed is not installed; got "
            "'dask'. Install the extra: pip install 'oncotrial[cluster]'.") from None
    return distributed


#: variables a Nanny writes into *this* process's environment before it spawns a worker
#: (``os.environ.update(pre_spawn_env)`` in distributed's nanny.py, plus the PYTHONHASHSEED it
#: adds); :func:`_environ_kept` puts them back, so that a long-lived caller (the app) does not
#: run single-threaded BLAS ever after one Dask run.
_NANNY_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MALLOC_TRIM_THRESHOLD_", "PYTHONHASHSEED")


@contextmanager
def _environ_kept() -> Iterator[None]:
    """Restore the variables a Nanny sets in this process (:data:`_NANNY_VARIABLES`) on exit."""
    import os

    keys = set(_NANNY_VARIABLES) | set(LOCAL_CLUSTER_CONFIG["distributed.nanny.pre-spawn-environ"])
    before = {k: os.environ.get(k) for k in keys}
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def dask_client(workers: int, scheduler: Any = None, *, func: str = "simulate"
                ) -> Iterator[Any]:
    """A ``distributed.Client``: a LocalCluster of ``workers``, or the cluster at ``scheduler``.

    Parameters
    ----------
    workers : int
        Worker processes of the LocalCluster started when ``scheduler`` is None (one thread
        each: numpy and pandas hold the GIL in most of the work, threads would not overlap).
    scheduler : str or distributed.Client, optional
        ``'tcp://HOST:8786'`` (a client is opened and closed here) or a connected client
        (used as it is and left open).
    func : str, default='simulate'
        The public function named in error messages.

    Yields
    ------
    distributed.Client

    Examples
    --------
    >>> with dask_client(1) as client:  # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    distributed = import_distributed(func)
    own: list[Any] = []
    try:
        if scheduler is None:
            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG), _environ_kept():
                cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0")
            own.append(cluster)
            client = distributed.Client(cluster)
            own.insert(0, client)
        elif isinstance(scheduler, str):
            try:
                client = distributed.Client(scheduler)
            except (OSError, TimeoutError, ValueError, TypeError) as e:
                raise OncotrialValueError(
                    f"`scheduler` of `{func}` must be the address of a running Dask scheduler, "
                    f"e.g. 'tcp://HOST:8786'; got {scheduler!r} ({type(e).__name__}: {e}). "
                    "Start one with `dask scheduler` and `dask worker ADDRESS`, or leave "
                    "`scheduler` out for a LocalCluster.") from None
            own.append(client)
        else:
            client = scheduler
        with _environ_kept():  # a Nanny restarting a worker sets them again
            yield client
    finally:
        for obj in own:
            obj.close()
