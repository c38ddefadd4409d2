"""Browser tests of the study and evidence pages: upload the NICE-NEC twin, validate, analyse,
read the 12-month OS rate in the report, download the outputs; search records and compare.

The expected 12-month OS is the published one (NICE-NEC, Riesco-Martinez et al. 2024:
54.1 %, 95 % CI 40.2-72.8), which the twin reproduces; the report prints one decimal.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


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
    cell = page.locator("#report-frame").evaluate("""f => {
        const d = f.contentDocument;
        for (const t of d.querySelectorAll('table')) {
            const heads = [...t.querySelector('thead tr').querySelectorAll('th')].map(h => h.innerText.trim());
            const col = heads.findIndex(h => h.startsWith('12-month rate'));
            if (col < 0) continue;
            for (const tr of t.querySelectorAll('tbody tr')) {
                const cells = [...tr.querySelectorAll('th, td')].map(c => c.innerText.trim());
                // header cells and body cells are aligned on the right (index columns on the left)
                if (cells[0] === 'OS') return cells[cells.length - (heads.length - col)];
            }
        }
        return null; }""")
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
