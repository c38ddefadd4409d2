"""Simulation tab of the design page: operating characteristics by Monte Carlo, in the browser.

The inputs (:mod:`oncotrial.app._simulate_forms`) are checked as they change: a malformed
number or an argument the API refuses shows its message under them at once. "Run simulation"
(and the first visit of the tab) simulates with :func:`oncotrial.design.simulate` on the local
backend in a worker thread, so the page stays responsive and shows the elapsed time while it
runs. The result is the API's own: the tidy table with Monte Carlo SEs, its
:meth:`~oncotrial.design.SimulationResult.plot` (power against scenario, +-1.96 MC SE, the exact
or nominal reference as open squares), and CSV / JSON / PNG downloads. The inputs are in the
page's URL like those of the other calculators.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shiny import module, reactive, render, ui

from oncotrial._errors import OncotrialError
from oncotrial.app._fields import download, initial_value, silent, widget
from oncotrial.app._simulate_forms import (
    ALWAYS,
    SIM_DESIGNS,
    SIM_FIELDS,
    applies,
    build_trial,
    coerce_sim,
    visible_fields,
)

__all__ = ["SIMULATE_KEY", "SIMULATE_TITLE", "headline_rows", "simulate_server", "simulate_ui"]

SIMULATE_KEY = "simulate"
SIMULATE_TITLE = "Simulate operating characteristics"
_DESIGNS = [d for group in SIM_DESIGNS.values() for d in group]


def _condition(name: str) -> str | None:
    """JavaScript condition under which the input ``name`` is shown (``None``: always)."""
    if name in ALWAYS:
        return None
    designs = [d for d in _DESIGNS if name in applies(d)]
    cond = f"{json.dumps(designs)}.includes(input.sim)"
    return cond + " && input.law === 'weibull'" if name == "shape" else cond


@module.ui
def simulate_ui(query: dict[str, str]) -> Any:
    """Inputs (those of the chosen design shown), run button, status, plot, table, downloads."""
    inputs = []
    for f in SIM_FIELDS:
        w = widget(f, initial_value(f, query))
        cond = _condition(f.name)
        inputs.append(w if cond is None else ui.panel_conditional(cond, w))
    return ui.layout_sidebar(
        ui.sidebar(*inputs, ui.input_action_button("run", "Run simulation", class_="btn-primary"),
                   ui.output_ui("error"), width=420, open="always"),
        ui.h3(SIMULATE_TITLE),
        ui.p(ui.tags.small("Each simulated trial is analysed as the real trial would be "
                           "(oncotrial.design.simulate; docs/simulate.md). Local backend, one process.")),
        ui.output_ui("status"),
        ui.output_ui("headline"),
        ui.div(ui.download_button("dl_csv", "CSV"), ui.download_button("dl_json", "JSON"),
               ui.download_button("dl_png", "PNG"), class_="d-flex gap-2 my-2"),
        ui.output_image("plot", height="auto"),
        ui.h4("Results (tidy; Monte Carlo SE per estimate)"),
        ui.output_data_frame("table"),
        ui.output_ui("scenarios"),
    )


def headline_rows(res: Any) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` of each rejection rate: estimate (MC SE) and the reference.

    Examples
    --------
    >>> from oncotrial.design import simon_design, simulate
    >>> res = simulate(simon_design(0.1, 0.3).optimal, [0.1], n_sim=1000, seed=1)
    >>> headline_rows(res)[0][:2]
    ('reject@0.1', 'reject, scenario 0.1')
    """
    rows = []
    t = res.table
    rejects = [m for m in dict.fromkeys(t["metric"]) if m.startswith("reject") and m != "reject_benefit"]
    for _, r in t[t["metric"].isin(rejects)].iterrows():
        value = f"{r['estimate']:.4f} (MC SE {r['mc_se']:.4f})"
        if r["reference"] == r["reference"]:  # not NaN
            value += f"; {r['reference_source']} {r['reference']:.4f}"
        rows.append((f"{r['metric']}@{r['scenario']}", f"{r['metric']}, scenario {r['scenario']}", value))
    return rows


@module.server
def simulate_server(input: Any, output: Any, session: Any, active: Callable[[], bool],
                    folder: Path) -> Callable[[], dict[str, Any]]:
    """Wire the tab; ``active()`` says whether it is shown, plots go to ``folder``."""
    counter = itertools.count(1)
    last: reactive.Value[dict[str, Any] | None] = reactive.value(None)   # inputs of the last run
    result: reactive.Value[tuple[dict[str, Any], Any, Path, float] | None] = reactive.value(None)
    run_error: reactive.Value[str | None] = reactive.value(None)
    started = [0.0]

    @reactive.calc
    def raw() -> dict[str, Any]:
        sim = input.sim()
        law = input.law() if "law" in applies(sim) else "exponential"
        return {n: input[n]() for n in visible_fields(sim, law)}

    @reactive.calc
    def built() -> tuple[dict[str, Any] | None, Any, Any, str | None]:
        try:
            values = coerce_sim(raw())
            trial, scen = build_trial(values)
            return values, trial, scen, None
        except (OncotrialError, ValueError) as exc:
            return None, None, None, str(exc)

    @reactive.extended_task
    async def task(values: dict[str, Any], trial: Any, scen: Any) -> tuple[dict[str, Any], Any]:
        from oncotrial.design import simulate

        res = await asyncio.to_thread(simulate, trial, scen, n_sim=values["n_sim"], seed=values["seed"],
                                      backend="local", workers=1, progress=False)
        return values, res

    def start() -> None:
        values, trial, scen, err = built()
        if err is not None or values is None:
            return
        run_error.set(None)
        last.set(values)
        started[0] = time.perf_counter()
        task(values, trial, scen)

    @reactive.effect
    @reactive.event(input.run)
    def _run() -> None:
        start()

    @reactive.effect
    def _first_visit() -> None:
        if not active():
            return
        with reactive.isolate():
            if last() is None:
                start()

    @reactive.effect
    def _done() -> None:
        status = task.status()
        if status == "success":
            with reactive.isolate():
                values, res = task.result()  # the inputs travel with the run they belong to
                folder.mkdir(parents=True, exist_ok=True)
                png = res.plot(folder / f"simulation-{next(counter)}.png")
            result.set((values, res, png, time.perf_counter() - started[0]))
        elif status == "error":
            try:
                task.result()
            except Exception as exc:  # shown to the user under the inputs, nothing hidden
                run_error.set(str(exc))

    def current() -> tuple[dict[str, Any], Any, Path, float]:
        r = result()
        if r is None:
            raise silent()
        return r

    @render.ui
    def error() -> Any:
        err = built()[3] or run_error()
        return None if err is None else ui.div(err, class_="alert alert-danger oncotrial-error", role="alert")

    @render.ui
    def status() -> Any:
        if task.status() == "running":
            reactive.invalidate_later(0.25)
            v = last() or {}
            return ui.div(ui.tags.strong("Simulating: "),
                          f"{v.get('n_sim', '?')} trials per scenario, "
                          f"{time.perf_counter() - started[0]:.1f} s", id="simulation-progress",
                          class_="alert alert-warning")
        r = result()
        if r is None:
            return None
        values, res, png, seconds = r
        text = (f"Simulated {values.get('sim')}: {res.n_sim} trials per scenario, seed {res.seed}, "
                f"chunk {res.chunk_size}, backend {res.backend} x {res.workers}; {seconds:.2f} s.")
        note = []
        if built()[0] != values:  # changed, or no longer valid
            note = [ui.div("The inputs changed since this run: press Run simulation to update it.",
                           class_="alert alert-info", id="simulation-stale")]
        # data-run: which run this is (1, 2, ...), so a page can tell a new result from the last one
        # even when its text is the same (same inputs, same seconds to two decimals)
        return ui.div(ui.p(text, {"data-run": png.stem.rsplit("-", 1)[-1]}, id="simulation-done"),
                      *note)

    @render.ui
    def headline() -> Any:
        items = []
        for key, label, value in headline_rows(current()[1]):
            items += [ui.tags.dt(label), ui.tags.dd(value, {"data-key": key}, class_="oncotrial-value")]
        return ui.tags.dl(*items, class_="oncotrial-headline")

    @render.image(delete_file=False)
    def plot() -> Any:
        png = current()[2]
        return {"src": str(png), "alt": "Simulated rejection rate by scenario", "style": "max-width:100%"}

    @render.data_frame
    def table() -> Any:
        t = current()[1].table.copy()
        for c in ("estimate", "mc_se", "reference"):
            t[c] = t[c].round(4)
        return render.DataGrid(t)

    @render.ui
    def scenarios() -> Any:
        res = current()[1]
        return ui.div(ui.h4("Scenarios"),
                      ui.tags.ul(*[ui.tags.li(f"{k}: {v}") for k, v in res.scenarios.items()]))

    @download(filename="oncotrial-simulation.csv")
    def dl_csv() -> Any:
        yield current()[1].table.to_csv(index=False)

    @download(filename="oncotrial-simulation.json")
    def dl_json() -> Any:
        values, res, _png, _s = current()
        yield json.dumps({"design": SIMULATE_KEY, "inputs": values, "result": res.to_dict()}, indent=2,
                         allow_nan=False)

    @download(filename="oncotrial-simulation.png")
    def dl_png() -> Any:
        yield current()[2].read_bytes()

    return raw
