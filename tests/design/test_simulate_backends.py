"""The numbers of simulate() do not depend on backend, workers or chunk completion order (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.design import Accrual, LandmarkTrial, TwoArmTrial, bop2_design, simulate


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")  # the optional extra `cluster`
    # threads, loopback only: light enough for CI
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _cases():
    return [
        (bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30]), [0.2, 0.4], 60_000, 7_000),
        (LandmarkTrial(n=30, s0=0.5, landmark=12, accrual=Accrual(18), followup=6), [0.5, 0.7], 3_000, 700),
        (TwoArmTrial(n=80, accrual=Accrual(12), events=50, looks=(0.5,), efficacy=(2.8, 1.98)), [1.0, 0.6],
         1_000, 300),
    ]


def test_simulate_backends_0_process_pool_identical():
    for design, scen, n_sim, chunk in _cases():
        ref = simulate(design, scen, n_sim=n_sim, seed=123, chunk_size=chunk)
        pool = simulate(design, scen, n_sim=n_sim, seed=123, chunk_size=chunk, workers=2)
        pd.testing.assert_frame_equal(ref.table, pool.table, check_exact=True)
        assert pool.workers == 2


def test_simulate_backends_1_local_and_dask_identical(client):
    for design, scen, n_sim, chunk in _cases():
        ref = simulate(design, scen, n_sim=n_sim, seed=123, chunk_size=chunk)
        dask = simulate(design, scen, n_sim=n_sim, seed=123, chunk_size=chunk, backend="dask",
                        scheduler=client)
        pd.testing.assert_frame_equal(ref.table, dask.table, check_exact=True)
        assert dask.backend == "dask"


def test_simulate_backends_2_scheduler_address_string(client):
    design, scen, n_sim, chunk = _cases()[0]
    addr = client.scheduler.address
    assert addr.startswith("tcp://127.0.0.1:")
    a = simulate(design, scen, n_sim=n_sim, seed=5, chunk_size=chunk, backend="dask", scheduler=addr)
    b = simulate(design, scen, n_sim=n_sim, seed=5, chunk_size=chunk)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


def test_simulate_backends_3_progress_bar_does_not_change_numbers(capsys):
    design, scen, n_sim, chunk = _cases()[0]
    a = simulate(design, scen, n_sim=n_sim, seed=5, chunk_size=chunk, progress=True)
    err = capsys.readouterr().err
    assert "simulating 2 scenario(s)" in err and "120000/120000" in err.replace(",", "")
    b = simulate(design, scen, n_sim=n_sim, seed=5, chunk_size=chunk, progress=False)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


@pytest.mark.slow
def test_simulate_backends_4_local_cluster_started_for_you():
    pytest.importorskip("distributed")
    # scheduler=None: simulate() starts a LocalCluster of `workers` processes and closes it
    design, scen, _, chunk = _cases()[0]
    a = simulate(design, scen, n_sim=20_000, seed=5, chunk_size=chunk, backend="dask", workers=1)
    b = simulate(design, scen, n_sim=20_000, seed=5, chunk_size=chunk)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


def _cases_new_options():
    from oncotrial.design import CureFraction, Dropout, Exponential, PiecewiseExponential, TwoArmScenario, Weibull

    ctrl = Weibull.from_median(1.3, 12.0)
    landmark = LandmarkTrial(n=30, s0=0.5, landmark=12, accrual=Accrual(18, ramp=6), followup=6,
                             dropout=Dropout.from_proportion(0.1, by=12))
    two_arm = TwoArmTrial(n=90, accrual=Accrual(12, ramp=3), ratio=2.0, events=60, looks=(0.5,),
                          futility=(0.0,), test="cox", dropout=Dropout(0.01), control=ctrl)
    return [
        (landmark, {"piecewise": PiecewiseExponential((6.0,), (0.08, 0.04)),
                    "cure": CureFraction(0.3, Exponential(0.1))}, 2_000, 700),
        (two_arm, {"crossing": TwoArmScenario(ctrl, (1.4, 0.6), (4.0,)),
                   "delayed": TwoArmScenario(ctrl, (1.0, 0.6), (4.0,))}, 600, 250),
    ]


def test_simulate_backends_5_new_options_local_pool_and_dask_identical(client):
    # piecewise / cure-fraction laws, ramp-up accrual, dropout, 2:1 allocation, crossing hazards,
    # Cox with a futility interim: the same numbers in-process, on 2 processes and on Dask
    for design, scen, n_sim, chunk in _cases_new_options():
        ref = simulate(design, scen, n_sim=n_sim, seed=77, chunk_size=chunk)
        pool = simulate(design, scen, n_sim=n_sim, seed=77, chunk_size=chunk, workers=2)
        dask = simulate(design, scen, n_sim=n_sim, seed=77, chunk_size=chunk, backend="dask",
                        scheduler=client)
        pd.testing.assert_frame_equal(ref.table, pool.table, check_exact=True)
        pd.testing.assert_frame_equal(ref.table, dask.table, check_exact=True)
        assert ref.table["estimate"].notna().all()


def test_simulate_backends_6_batching_does_not_change_numbers(client, monkeypatch):
    # Dask runs several chunks per task; the number of batches must not matter
    from oncotrial.design import _simulate_engine

    design, scen, n_sim, chunk = _cases()[0]
    ref = simulate(design, scen, n_sim=n_sim, seed=9, chunk_size=chunk)
    for per_thread in (1, 100):
        monkeypatch.setattr(_simulate_engine, "BATCHES_PER_THREAD", per_thread)
        got = simulate(design, scen, n_sim=n_sim, seed=9, chunk_size=chunk, backend="dask", scheduler=client)
        pd.testing.assert_frame_equal(ref.table, got.table, check_exact=True)
    assert [len(b) for b in _simulate_engine.batches(list(range(18)), 4)] == [5, 5, 5, 3]


def test_simulate_backends_7_local_cluster_worker_environment():
    pytest.importorskip("distributed")
    import os

    from oncotrial._dask import dask_client

    # the LocalCluster started for you: no MALLOC_TRIM_THRESHOLD_ (it switches off glibc's dynamic
    # mmap threshold: every large temporary array mapped afresh), BLAS kept to one thread.
    # (A Nanny writes its pre-spawn variables into this process's environment too, so read it first.)
    inherited = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    with dask_client(1) as client:
        env = next(iter(client.run(lambda: {k: os.environ.get(k) for k in
                                             ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS",
                                              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}).values()))
    if inherited is None:
        assert env["MALLOC_TRIM_THRESHOLD_"] is None
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"


NANNY_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_",
                   "PYTHONHASHSEED")


def test_simulate_backends_8_caller_environment_left_as_it_was(monkeypatch):
    """A Nanny writes its pre-spawn variables (one-thread BLAS, PYTHONHASHSEED) into the calling
    process's environment; dask_client puts them back, so the app is not left single-threaded."""
    pytest.importorskip("distributed")
    import os

    from oncotrial._dask import dask_client

    for k in NANNY_VARIABLES:   # unset here (a value already set would be the workers' too)
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    before = {k: os.environ.get(k) for k in NANNY_VARIABLES}
    with dask_client(1) as client:
        worker = next(iter(client.run(lambda: os.environ.get("OMP_NUM_THREADS")).values()))
    assert worker == "1"   # the worker still gets one thread
    assert {k: os.environ.get(k) for k in NANNY_VARIABLES} == before
    design = bop2_design(0.2, 0.4, 0.1, nmax=40, looks=[10, 20, 30])
    res = simulate(design, [0.2], n_sim=20_000, seed=3, backend="dask", workers=1)
    assert res.table["n_sim"].iloc[0] == 20_000
    assert {k: os.environ.get(k) for k in NANNY_VARIABLES} == before
