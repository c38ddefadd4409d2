"""Browser tests of the study and evidence pages: upload the NICE-NEC twin, validate, analyse,
read the 12-month OS rate in the report, download the outputs; upload an ADaM zip and read a
landmark rate; report.docx / report.pdf offered only when present; search records and compare.

The expected 12-month OS is the published one (NICE-NEC, Riesco-Martinez et al. 2024:
54.1 %, 95 % CI 40.2-72.8), which the twin reproduces; the report prints one decimal. The
ADaM expectation is R survival 3.5-3's ``summary(survfit(...), times = 3)`` on the committed
pharmaverseadam extract (``tests/analysis/golden/adam_pharmaverse.json``, tools/golden_adam.R).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# The cell of a report table: row (endpoint, cohort) x the column whose header starts with `col`.
# Row headers span rows (pandas' MultiIndex HTML), so the endpoint is carried down; body and header
# cells are aligned on the right (index columns on the left).
_CELL_JS = """([endpoint, cohort, col]) => {
    // report tables (report/_table_model.py): a group row (first cell td.var) names the endpoint,
    // its level rows (first cell td.lvl) the cohorts; cohort null takes the endpoint's first level.
    const d = document.querySelector('#report-frame').contentDocument;
    for (const t of d.querySelectorAll('table')) {
        const heads = [...t.querySelector('thead tr').querySelectorAll('th')].map(h => h.innerText.trim());
        const c = heads.findIndex(h => h.startsWith(col));
        if (c < 0) continue;
        let current = null;
        for (const tr of t.querySelectorAll('tbody tr')) {
            const cells = [...tr.querySelectorAll('th, td')];
            const first = cells[0];
            if (first.classList.contains('var')) { current = first.innerText.trim(); continue; }
            if (current === endpoint && first.classList.contains('lvl')
                && (cohort === null || first.innerText.trim() === cohort))
                return cells[c].innerText.trim();
        }
    }
    return null; }"""


@pytest.fixture(scope="module")
def nice_nec_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from oncotrial.evidence.twins import generate_twin, write_twin

    d = tmp_path_factory.mktemp("twin")
    write_twin(generate_twin("nice-nec"), d / "nice-nec")
    archive = d / "nice-nec.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted((d / "nice-nec").iterdir()):
            zf.write(p, f"nice-nec/{p.name}")
    return archive


def test_app_study_1_nice_nec_upload_analyse_report(page, app_url, nice_nec_zip, tmp_path) -> None:
    page.goto(app_url + "/?page=study")
    page.set_input_files("#study_zip", str(nice_nec_zip))
    status = page.locator("#validation-status")
    status.wait_for()
    assert re.search(r"\b0 errors\b", status.inner_text()), status.inner_text()
    page.select_option("#spec_template", "nice-nec")
    page.wait_for_function("() => document.querySelector('#spec_text').value.includes('/upload/1/nice-nec')")
    page.click("#run_analysis")
    page.locator("#analysis-progress").wait_for(timeout=60_000)  # progress is shown while it runs
    page.locator("#report-frame").wait_for(timeout=400_000)
    frame = page.frame_locator("#report-frame")
    frame.locator("text=Survival: medians, landmark rates").first.wait_for()
    cell = page.evaluate(_CELL_JS, ["OS", None, "12-month rate"])
    assert cell is not None, "no OS row with a 12-month rate in the survival table of the report"
    m = re.fullmatch(r"(\d+\.\d) \((\d+\.\d) to (\d+\.\d)\)", cell)
    assert m is not None, cell
    assert abs(float(m.group(1)) - 54.1) <= 0.15, cell

    # downloads: report.html and the zip of every output
    with page.expect_download() as dl:
        page.click("#dl_report_html")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "12-month rate" in html
    with page.expect_download() as dl:
        page.click("#dl_outputs_zip")
    names = zipfile.ZipFile(dl.value.path()).namelist()
    assert {"report.html", "results.json"} <= set(names)
    assert any(n.startswith("tables/") for n in names) and any(n.startswith("adam/") for n in names)


def test_app_study_2_unsafe_zip_is_refused(page, app_url, tmp_path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../outside.csv", "x")
    page.goto(app_url + "/?page=study")
    page.set_input_files("#study_zip", str(bad))
    msg = page.locator(".oncotrial-study-message")
    msg.wait_for()
    assert "must be a relative path inside the archive" in msg.inner_text()


def test_app_study_3_folder_on_disk(page, app_url) -> None:
    from oncotrial.io import example_data_path

    page.goto(app_url + "/?page=study")
    page.fill("#study_folder", "/no/such/folder")
    page.click("#use_folder")
    page.wait_for_function("() => document.body.innerText.includes('must be an existing folder')")
    page.fill("#study_folder", str(example_data_path()))
    page.click("#use_folder")
    page.locator("#validation-status").wait_for()
    page.locator("#spec_defaults tbody tr").first.wait_for(state="attached")
    assert "'clopper-pearson'" in page.locator("#spec_defaults").text_content()


def test_app_evidence_1_search_quotes_compare(page, app_url) -> None:
    page.goto(app_url + "/?page=evidence")
    count = page.locator("#evidence-count")
    count.wait_for()
    total = int(count.inner_text().split(" of ")[1].split()[0])
    page.fill("#ev_text", "NICE-NEC")
    page.wait_for_function("() => document.querySelector('#evidence-count').innerText.startsWith('1 of')")
    page.locator("#ev_records tbody tr").first.click()
    page.locator("#ev_outcomes tbody tr").first.wait_for()
    assert "NICE-NEC" in page.locator("#ev_records").inner_text() and total > 1
    page.fill("#ev_text", "")
    page.locator("#compare-summary").wait_for()
    assert "exact binomial test" in page.locator("#compare-summary").inner_text()
    page.locator("#cmp_forest img").wait_for()


@pytest.fixture(scope="module")
def adam_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed pharmaverseadam extract (ADSL .xpt, ADRS/ADTTE/ADTR/ADAE .csv) as a zip."""
    src = ROOT / "tests" / "io" / "data" / "pharmaverseadam"
    archive = tmp_path_factory.mktemp("adam") / "pharmaverseadam.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(src.iterdir()):
            zf.write(p, f"pharmaverseadam/{p.name}")
    return archive


def test_app_study_4_adam_zip_and_report_downloads(page, app_url, adam_zip, app_session_folder) -> None:
    golden = json.loads((ROOT / "tests" / "analysis" / "golden" / "adam_pharmaverse.json").read_text())
    ref = golden["km"]["OS"]["Placebo"]["landmarks"]["3"]
    expected = f"{100 * ref['surv']:.1f} ({100 * ref['lower']:.1f} to {100 * ref['upper']:.1f})"
    assert expected == "94.1 (83.6 to 100.0)"

    page.goto(app_url + "/?page=study")
    page.set_input_files("#study_zip", str(adam_zip))
    status = page.locator("#validation-status")
    status.wait_for()
    assert re.search(r"pharmaverseadam — 0 errors\b", status.inner_text()), status.inner_text()
    # the study's own spec, uploaded: the app points its [study].data at the uploaded folder
    page.set_input_files("#spec_file", str(ROOT / "examples" / "pharmaverseadam.toml"))
    page.wait_for_function("() => { const v = document.querySelector('#spec_text').value;"
                           " return v.includes('TRT01A') && v.includes('/pharmaverseadam\"'); }")
    page.click("#run_analysis")
    page.locator("#report-frame").wait_for(timeout=400_000)
    page.frame_locator("#report-frame").locator("text=Survival: medians, landmark rates").first.wait_for()
    assert page.evaluate(_CELL_JS, ["OS", "Placebo", "3-month rate"]) == expected

    # report.docx / report.pdf: a button for each one present in the output folder, and only then
    src = page.locator("#report-frame").get_attribute("src")
    token = re.match(r"/session-files/([0-9a-f]+)/out/report\.html", src or "").group(1)  # type: ignore[union-attr]
    out = app_session_folder(token) / "out"
    assert (out / "report.html").is_file()
    fake = {"docx": b"PK\x03\x04 fake docx for the test", "pdf": b"%PDF-1.4 fake pdf for the test"}
    for ext in ("docx", "pdf"):
        assert page.locator(f"#dl_report_{ext}").count() == int((out / f"report.{ext}").is_file())
        if not (out / f"report.{ext}").is_file():
            (out / f"report.{ext}").write_bytes(fake[ext])
    for ext in ("docx", "pdf"):
        page.locator(f"#dl_report_{ext}").wait_for()
        with page.expect_download() as dl:
            page.click(f"#dl_report_{ext}")
        assert dl.value.suggested_filename == f"report.{ext}"
        assert Path(dl.value.path()).read_bytes() == (out / f"report.{ext}").read_bytes()
    (out / "report.pdf").unlink()
    page.locator("#dl_report_pdf").wait_for(state="detached")
    assert page.locator("#dl_report_docx").count() == 1 and page.locator("#dl_report_html").count() == 1
