"""Operating characteristics by simulation: :func:`simulate` and :class:`SimulationResult`.

One entry point for the three kinds of trial (binary single-arm designs, single-arm landmark
survival, two-arm time-to-event); the trial objects hold the data-generating model and the
analysis, :mod:`oncotrial.design._simulate_engine` the chunking, seeding and backends.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial._output import write_files
from oncotrial._result import Result
from oncotrial.design._common import check_positive_int
from oncotrial.design._simulate_binary import BinaryTrial
from oncotrial.design._simulate_engine import combine, execute, plan
from oncotrial.design._simulate_landmark import LandmarkTrial
from oncotrial.design._simulate_two_arm import TwoArmTrial

__all__ = ["SimulationResult", "simulate"]

Backend = Literal["local", "dask"]


def _finite_or_none(x: object) -> object:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite_or_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite_or_none(v) for v in x]
    return x


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SimulationResult(Result):
    """Simulated operating characteristics, one row per scenario and metric.

    Attributes
    ----------
    table : DataFrame
        Tidy: ``scenario`` (label), ``x`` (true response rate, true ``S(landmark)`` or the
        long-term hazard ratio), ``metric``, ``estimate``, ``mc_se`` (Monte Carlo standard
        error), ``reference`` (exact OC, nominal alpha or Schoenfeld power where one exists,
        else NaN), ``reference_source``, ``n_sim``.
    trial : dict
        The simulated trial (design boundaries, sizes, analysis settings).
    scenarios : dict
        Label -> description of the data-generating model.
    n_sim, seed, chunk_size : int
        Trials per scenario, root seed, trials per chunk (fixes the streams).
    backend : str
        Where it ran (the numbers do not depend on it).
    workers : int
    """

    table: pd.DataFrame
    trial: dict
    scenarios: dict
    n_sim: int
    seed: int
    chunk_size: int
    backend: str
    workers: int

    def summary(self) -> pd.DataFrame:
        """Wide table: one row per scenario, ``estimate`` and ``mc_se`` per metric."""
        wide = self.table.pivot(index="scenario", columns="metric", values=["estimate", "mc_se"])
        order = list(dict.fromkeys(self.table["scenario"]))
        return wide.reindex(order)

    def estimate(self, scenario: str, metric: str) -> tuple[float, float]:
        """``(estimate, mc_se)`` of one metric in one scenario."""
        row = self.table[(self.table["scenario"] == scenario) & (self.table["metric"] == metric)]
        if row.empty:
            raise OncotrialValueError(
                f"`metric` of `SimulationResult.estimate` must be one of "
                f"{sorted(set(self.table['metric']))} for a scenario in "
                f"{list(dict.fromkeys(self.table['scenario']))}; got {(scenario, metric)!r}.")
        return float(row["estimate"].iloc[0]), float(row["mc_se"].iloc[0])

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: settings, trial, scenarios and the tidy rows (NaN/inf -> null)."""
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        return _finite_or_none({
            "method": "simulation", "n_sim": self.n_sim, "seed": self.seed,
            "chunk_size": self.chunk_size, "backend": self.backend, "workers": self.workers,
            "trial": self.trial, "scenarios": self.scenarios,
            "results": [{k: (float(v) if isinstance(v, (np.floating, float)) else
                             int(v) if isinstance(v, np.integer) else v) for k, v in r.items()}
                        for r in rows]})  # type: ignore[return-value]

    def to_json(self, path: str | Path | None = None, *, force: bool = False) -> str:
        """JSON text; written to ``path`` (refused if it exists, unless ``force``)."""
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            _write(Path(path), text.encode(), force, "SimulationResult.to_json")
        return text

    def plot(self, path: str | Path, *, metric: str | None = None, force: bool = False) -> Path:
        """Plot ``metric`` (default the rejection rate) against the scenarios, ``+-1.96`` MC SE.

        The reference (exact OC, nominal alpha, Schoenfeld) is drawn as open markers.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        t = self.table
        metrics = [m for m in dict.fromkeys(t["metric"]) if m.startswith("reject")]
        chosen = [metric] if metric else ([m for m in metrics if m != "reject_benefit"] or metrics)
        fig, ax = plt.subplots(figsize=(6.5, 4))
        labels = list(dict.fromkeys(t["scenario"]))
        xs = t.drop_duplicates("scenario")["x"].to_numpy(dtype=float)
        numeric = np.all(np.isfinite(xs)) and len(set(xs.tolist())) == len(xs)
        pos = xs if numeric else np.arange(len(labels), dtype=float)
        for i, m in enumerate(chosen):
            sub = t[t["metric"] == m].set_index("scenario").reindex(labels)
            ax.errorbar(pos, sub["estimate"], yerr=1.96 * sub["mc_se"], marker="o", capsize=3,
                        color=f"C{i}", label=f"{m} (simulated)")
            if sub["reference"].notna().any():
                ax.plot(pos, sub["reference"], ls="none", marker="s", mfc="none", color=f"C{i}",
                        label=f"{m} ({sub['reference_source'].dropna().iloc[0]})")
        if not numeric:
            ax.set_xticks(pos, labels, rotation=20, ha="right")
        kind = self.trial.get("type")
        ax.set_xlabel({"binary": "true response rate", "landmark": "true S(landmark)",
                       "two-arm": "hazard ratio (long-term)"}.get(str(kind), "scenario")
                      if numeric else "scenario")
        ax.set_ylabel("probability")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"Simulated operating characteristics ({self.n_sim} trials per scenario)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        out = Path(path)
        if out.exists() and not force:
            plt.close(fig)
            raise bad_value("path", "SimulationResult.plot", "a file that does not exist yet",
                            str(out), "Pass force=True (CLI --force) to overwrite it.")
        buf = io.BytesIO()
        fig.savefig(buf, dpi=120, format=out.suffix.lstrip(".") or "png")
        plt.close(fig)
        write_files({out: buf.getvalue()})
        return out


def _write(path: Path, data: bytes, force: bool, func: str) -> None:
    """Write all or nothing: a temporary file renamed into place; never overwrite unless forced."""
    if path.exists() and not force:
        raise bad_value("path", func, "a file that does not exist yet", str(path),
                        "Pass force=True (CLI --force) to overwrite it.")
    write_files({path: data})


def _as_trial(design: object) -> BinaryTrial | LandmarkTrial | TwoArmTrial:
    from oncotrial.design._landmark import LandmarkDesign

    if isinstance(design, (BinaryTrial, LandmarkTrial, TwoArmTrial)):
        return design
    if isinstance(design, LandmarkDesign):
        return LandmarkTrial.from_design(design)
    return BinaryTrial.from_design(design)


def _labelled(scenarios: object, trial: Any) -> tuple[list[str], list[Any]]:
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    elif isinstance(scenarios, Sequence) and not isinstance(scenarios, str):
        items = [(None, v) for v in scenarios]
    else:
        items = [(None, scenarios)]
    if not items:
        raise bad_value("scenarios", "simulate", "at least one scenario", scenarios)
    vals = [trial.check_scenario(v) for _, v in items]
    labels = [str(k) if k is not None else (f"{v:g}" if isinstance(v, (int, float)) else f"scenario {i + 1}")
              for i, (k, v) in enumerate(items)]
    if len(set(labels)) != len(labels):
        raise bad_value("scenarios", "simulate", "distinct labels", labels)
    return labels, vals


def simulate(design: object, scenarios: object, *, n_sim: int = 10_000, seed: int = 20261201,
             backend: Backend = "local", workers: int = 1, scheduler: Any = None,
             chunk_size: int | None = None, progress: bool | None = None) -> SimulationResult:
    r"""Simulate trials under each scenario and analyse each as the real trial would be.

    Parameters
    ----------
    design : design object or trial
        A binary design of :mod:`oncotrial.design` (``single_stage_design``, ``simon_design``
        result or one of its designs, ``posterior_monitoring`` (Thall-Simon),
        ``predictive_design`` (Lee-Liu), ``bop2_design``) or a :class:`BinaryTrial`; a
        :class:`LandmarkDesign` or :class:`LandmarkTrial`; a :class:`TwoArmTrial`.
    scenarios : sequence or mapping
        True models, optionally keyed by label: response rates (binary); event-time laws or
        true ``S(landmark)`` values (landmark, numbers meaning exponential); hazard ratios
        (PH with the trial's control law) or :class:`TwoArmScenario` objects (two-arm).
    n_sim : int, default=10_000
        Simulated trials per scenario.
    seed : int, default=20261201
        Root seed. Chunk ``c`` of scenario ``s`` uses ``SeedSequence(seed, spawn_key=(s, c))``.
    backend : {'local', 'dask'}, default='local'
        ``'local'``: this process (``workers = 1``) or a process pool; ``'dask'``: a
        ``dask.distributed`` cluster -- a ``LocalCluster`` of ``workers`` processes started and
        closed for the call, or the cluster at ``scheduler``.
    workers : int, default=1
        Processes for ``'local'``, LocalCluster workers for ``'dask'``.
    scheduler : str or distributed.Client, optional
        ``'tcp://HOST:8786'`` or a connected client (``backend='dask'`` only).
    chunk_size : int, optional
        Trials per chunk; default the trial's (binary 250,000, landmark 20,000, two-arm 5,000).
        Results depend on it (it fixes the streams), never on backend or workers.
    progress : bool or None, default None
        Progress bar on stderr; ``None``: when stderr is a terminal.

    Returns
    -------
    SimulationResult

    Notes
    -----
    Every estimate is a mean over trials of a per-trial outcome (an indicator for
    probabilities) with Monte Carlo standard error ``sd / sqrt(n_sim)``. Binary metrics:
    ``reject`` (declared promising), ``pet`` (stopped before the last look), ``stop_futility``,
    ``stop_efficacy`` (at an interim) and ``en`` (sample size), with the exact values of
    :func:`oncotrial.design._bayes_common.forward_oc` as ``reference``. Landmark metrics:
    ``reject[<transform>]`` per transformation (nominal alpha as reference under the null),
    ``km_estimate``, ``events_by_landmark``, ``at_risk_at_landmark``, ``events_total``.
    Two-arm metrics: ``reject``, ``reject_benefit`` (rejected with the effect favouring the
    experimental arm), ``stop_efficacy``, ``stop_futility``, ``stop_at_look<k>``, ``duration``
    (calendar time of the deciding analysis), ``events`` and ``enrolled`` at that analysis,
    with Schoenfeld's power as reference under PH without interims. See ``docs/simulate.md``.

    Examples
    --------
    >>> from oncotrial.design import simon_design
    >>> res = simulate(simon_design(0.1, 0.3).optimal, [0.1, 0.3], n_sim=100_000, seed=1)
    >>> est, se = res.estimate("0.1", "reject")
    >>> exact = res.table.query("scenario == '0.1' and metric == 'reject'")["reference"].iloc[0]
    >>> round(float(exact), 4), bool(abs(est - exact) < 3 * se)
    (0.0471, True)
    """
    func = "simulate"
    trial = _as_trial(design)
    labels, vals = _labelled(scenarios, trial)
    n_sim = check_positive_int(n_sim, func, "n_sim", minimum=2, maximum=10**12)
    seed = check_positive_int(seed, func, "seed", minimum=0, maximum=2**63)
    workers = check_positive_int(workers, func, "workers", maximum=4096)
    size = trial.chunk_size if chunk_size is None else check_positive_int(chunk_size, func, "chunk_size")
    if scheduler is not None and backend != "dask":
        raise bad_value("scheduler", func, "None unless backend='dask'", scheduler,
                        "Pass backend='dask' to use a Dask scheduler.")
    tasks = plan(len(vals), n_sim, size, trial, vals, seed)
    results = execute(tasks, backend=backend, workers=workers, scheduler=scheduler,
                      progress=progress, label=f"simulating {len(vals)} scenario(s)")
    rows = []
    for s, (lab, sc) in enumerate(zip(labels, vals, strict=True)):
        n, est = combine(results, s)
        ref = trial.exact(sc)
        for metric, (mean, se) in est.items():
            r = ref.get(metric, float("nan"))
            rows.append({"scenario": lab, "x": trial.x_value(sc), "metric": metric, "estimate": mean,
                         "mc_se": se, "reference": r,
                         "reference_source": trial.reference_source() if metric in ref else None,
                         "n_sim": n})
    table = pd.DataFrame(rows)
    table["reference_source"] = table["reference_source"].astype(object)
    return SimulationResult(table=table, trial=trial.to_dict(),
                            scenarios={lab: trial.describe_scenario(sc)
                                       for lab, sc in zip(labels, vals, strict=True)},
                            n_sim=n_sim, seed=seed, chunk_size=size, backend=backend, workers=workers)
