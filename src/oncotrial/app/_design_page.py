"""Design page: one tab per calculator (a Shiny module per :class:`DesignForm`).

Results are reactive: every input change recomputes the design through the API and updates
the key numbers, tables, plot and protocol text. An argument the API refuses shows its
:class:`~oncotrial._errors.OncotrialValueError` message under the inputs. The page's URL
query string holds the active calculator and its inputs (``?design=simon&p0=0.1&...``), so
a link reproduces the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from shiny import module, reactive, render, ui

from oncotrial._errors import OncotrialError
from oncotrial.app._design_forms import DESIGN_FORMS, DesignForm, coerce_values, protocol_text
from oncotrial.app._design_outputs import (
    design_csv,
    design_docx,
    design_json,
    design_png,
    figure,
    oc_table,
    summary_table,
)
from oncotrial.app._fields import download, initial_value, silent, widget
from oncotrial.app._simulate_page import SIMULATE_KEY, SIMULATE_TITLE, simulate_server, simulate_ui

__all__ = ["design_page_server", "design_page_ui", "namespace"]


def namespace(key: str) -> str:
    """Shiny module id of a calculator (``single-stage`` -> ``single_stage``)."""
    return key.replace("-", "_")


@module.ui
def _form_ui(form: DesignForm, query: dict[str, str]) -> Any:
    inputs = [widget(f, initial_value(f, query)) for f in form.fields]
    return ui.layout_sidebar(
        ui.sidebar(*inputs, ui.output_ui("error"), width=380, open="always"),
        ui.h3(form.title),
        ui.p(ui.tags.small(f"Reference: {form.reference}")),
        ui.output_ui("headline"),
        ui.output_ui("protocol"),
        ui.div(ui.download_button("dl_json", "JSON"), ui.download_button("dl_csv", "CSV"),
               ui.download_button("dl_png", "PNG"), ui.download_button("dl_docx", "DOCX"),
               class_="d-flex gap-2 my-2"),
        ui.output_plot("plot", height="360px"),
        ui.h4("Summary"),
        ui.output_data_frame("summary"),
        ui.h4("Operating characteristics"),
        ui.output_data_frame("oc"),
    )


@module.server
def _form_server(input: Any, output: Any, session: Any, form: DesignForm) -> Any:
    @reactive.calc
    def raw() -> dict[str, Any]:
        return {f.name: input[f.name]() for f in form.fields}

    @reactive.calc
    def computed() -> tuple[dict[str, Any] | None, Any, str | None]:
        try:
            values = coerce_values(form, raw())
            return values, form.compute(values), None
        except OncotrialError as exc:
            return None, None, str(exc)

    def design() -> tuple[dict[str, Any], Any]:
        values, d, err = computed()
        if err is not None:
            raise silent()
        return values, d  # type: ignore[return-value]

    @render.ui
    def error() -> Any:
        err = computed()[2]
        if err is None:
            return None
        return ui.div(err, class_="alert alert-danger oncotrial-error", role="alert")

    @render.ui
    def headline() -> Any:
        _, d = design()
        items = []
        for key, label, value in form.headline(d):
            items += [ui.tags.dt(label), ui.tags.dd(value, {"data-key": key}, class_="oncotrial-value")]
        return ui.tags.dl(*items, class_="oncotrial-headline")

    @render.ui
    def protocol() -> Any:
        _, d = design()
        text = protocol_text(d)
        return None if text is None else ui.div(ui.h4("Protocol text"), ui.p(text, class_="oncotrial-protocol"))

    @render.plot(alt="Operating characteristics")
    def plot() -> Any:
        values, d = design()
        return figure(form, d, values)

    @render.data_frame
    def summary() -> Any:
        return render.DataGrid(summary_table(design()[1]).round(4))

    @render.data_frame
    def oc() -> Any:
        t = oc_table(form, design()[1])
        return None if t is None else render.DataGrid(t.round(4))

    @download(filename=f"oncotrial-{form.key}.json")
    def dl_json() -> Any:
        values, d = design()
        yield design_json(form, values, d)

    @download(filename=f"oncotrial-{form.key}.csv")
    def dl_csv() -> Any:
        yield design_csv(form, design()[1])

    @download(filename=f"oncotrial-{form.key}.png")
    def dl_png() -> Any:
        values, d = design()
        yield design_png(form, d, values)

    @download(filename=f"oncotrial-{form.key}.docx")
    def dl_docx() -> Any:
        values, d = design()
        yield design_docx(form, values, d)

    return raw


def design_page_ui(query: dict[str, str]) -> Any:
    """The design page, with inputs and the active tab taken from the URL query."""
    keys = (*DESIGN_FORMS, SIMULATE_KEY)
    selected = query.get("design") if query.get("design") in keys else "single-stage"
    sub = query if selected == query.get("design") else {}
    panels = [ui.nav_panel(form.title, _form_ui(namespace(key), form, sub if key == selected else {}),
                           value=key) for key, form in DESIGN_FORMS.items()]
    panels.append(ui.nav_panel(SIMULATE_TITLE, simulate_ui(SIMULATE_KEY, sub if selected == SIMULATE_KEY else {}),
                               value=SIMULATE_KEY))
    return ui.navset_pill_list(*panels, id="design_tab", selected=selected, widths=(2, 10))


def design_page_server(input: Any, session: Any, folder: Path) -> None:
    """Start every calculator and the simulation tab (plots under ``folder``), and keep the page
    URL in step with the active one's inputs."""
    raws = {key: _form_server(namespace(key), form) for key, form in DESIGN_FORMS.items()}
    raws[SIMULATE_KEY] = simulate_server(
        SIMULATE_KEY, lambda: input.page() == "design" and input.design_tab() == SIMULATE_KEY, folder)

    @reactive.effect
    async def _url() -> None:
        if input.page() != "design":
            return
        key = input.design_tab()
        if key not in raws:
            return
        vals = {k: ("" if v is None else v) for k, v in raws[key]().items()}
        await session.send_custom_message("oncotrial-url", {"query": "?" + urlencode({"design": key, **vals})})
