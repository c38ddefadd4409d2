"""The whole report as one document (issue 13): report.docx and report.pdf of the three twin
reports, numbering without gaps, contents, appendix listings, and a reader's check of the HTML
(the captions a reader sees, in order) -- in headless Chromium where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest

from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
from oncotrial.report import write_report

TWINS = ("nice-nec", "regomune", "talent")
CAPTION = re.compile(r'<h3 id="[^"]*">((Table|Figure) (A?)(\d+)\. [^<]*)</h3>')


@pytest.fixture(scope="module")
def reports(tmp_path_factory, twin_analyses):
    out = tmp_path_factory.mktemp("twin-reports")
    res = {}
    for name in TWINS:
        res[name] = write_report(twin_analyses[name], out / name)
    return res


def _captions(html: str) -> list[tuple[str, str, str, int]]:
    return [(m[0], m[1], m[2], int(m[3])) for m in CAPTION.findall(html)]


def _section(html: str, anchor: str) -> str:
    """The HTML of one table's section (by its slug id), not its contents entry."""
    return html.split(f'<section id="table-{anchor}"', 1)[1].split("</section>", 1)[0]


def _numbered_without_gaps(caps) -> None:
    for kind in ("Table", "Figure"):
        for app in ("", "A"):
            nums = [n for _, k, a, n in caps if k == kind and a == app]
            assert nums == list(range(1, len(nums) + 1)), (kind, app, nums)


@pytest.mark.parametrize("name", TWINS)
def test_document_1_html_numbered_in_order_without_gaps_with_contents(reports, name):
    html = reports[name].read_text(encoding="utf-8")
    caps = _captions(html)
    _numbered_without_gaps(caps)
    assert [k for _, k, a, _ in caps if not a] == sorted(
        [k for _, k, a, _ in caps if not a], key=lambda k: k != "Table")  # tables, then figures
    toc = html[html.index('<nav id="contents">'):html.index("</nav>")]
    assert re.findall(r'<a href="#[^"]+">((?:Table|Figure) A?\d+\. [^<]*)</a>', toc) == [
        c for c, *_ in caps]
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)  # "flow" was twice
    targets = re.findall(r'<a href="#([^"]+)">(?:Table|Figure) A?\d+\.', toc)
    assert targets and set(targets) <= set(ids)          # every contents entry lands on its item
    assert "Table3" not in html and not re.search(r"Figure \d+\. Figure", html)
    assert "Figure 1. Participant flow" in html
    first = "Table 1. Baseline characteristics" if name != "regomune" else "Table 1. Tumour response"
    assert caps[0][0].startswith(first)    # the seed papers' Table 1, 2, 3 order


@pytest.mark.parametrize("name", ["nice-nec", "talent"])  # the REGOMUNE twin has no Table 1 data
def test_document_2_table1_label_rows_with_indented_levels(reports, name):
    html = reports[name].read_text(encoding="utf-8")
    t1 = _section(html, "table1-baseline")
    assert '<td class="var">Sex</td>' in t1
    after = t1.split('<td class="var">Sex</td>', 1)[1]
    assert re.match(r'(<td></td>)+</tr><tr><td class="lvl">(Female|Male)</td>', after)
    assert "0 (0.0)" not in t1 and "Sex: " not in t1 and "SMALL INTESTINE" not in t1
    heads = re.findall(r"<thead>(.*?)</thead>", t1, re.S)[0]
    assert heads.count("<tr>") == 1 and "<th>Characteristic</th>" in heads   # no index-name row
    assert re.search(r"\(N = \d+\)</th>", heads)
    assert "n (%); median (range)" in t1


def test_document_3_talent_listing_in_appendix_and_csv(reports):
    out = reports["talent"].parent
    html = reports["talent"].read_text(encoding="utf-8")
    body, appendix = html.split('<section id="appendix">')
    assert "Growth modulation index per patient" not in body.split("<nav")[1].split("</nav>")[1]
    assert "Table A1. Growth modulation index per patient" in appendix
    assert len((out / "tables" / "gmi.csv").read_text().splitlines()) == 1 + 107
    surv = _section(body, "survival")
    assert "Median, months (95% CI)" in surv and "(CI)</th>" not in surv
    ae = _section(body, "table3-adverse-events")
    assert '<th colspan=2 class="span">panNET (N = 55)</th>' in ae
    assert "<td>0</td>" in ae and "0 (0.0)" not in ae
    cox = _section(body, "cox")
    assert "Cohort: panNET vs GI-NET" in cox and "cohortpanNET" not in cox
    assert "Sex: Male vs Female" in cox


@pytest.mark.parametrize("name", TWINS)
def test_document_4_docx_headings_and_tables_in_order(reports, name):
    from docx import Document

    html = reports[name].read_text(encoding="utf-8")
    caps = [c for c, *_ in _captions(html)]
    doc = Document(reports[name].parent / "report.docx")
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert heads == caps
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Contents", "Tables", "Figures", "Methods", *(["Appendix"] if "Table A1" in html else [])]
    n_tables = sum(1 for c in caps if c.startswith("Table"))
    assert len(doc.tables) == n_tables
    assert len(doc.inline_shapes) == sum(1 for c in caps if c.startswith("Figure"))
    t1 = [t for t in doc.tables if t.rows[0].cells[0].text == "Characteristic"]
    assert len(t1) == (name != "regomune")
    for t in t1:
        labels = [r.cells[0].text for r in t.rows]
        assert labels[labels.index("Sex") + 1] in ("Female", "Male")


@pytest.mark.parametrize("name", TWINS)
def test_document_5_pdf_renders_every_page_with_pdftoppm(reports, name, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent: apt-get install -y poppler-utils to run this check")
    pdf = reports[name].parent / "report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    n_pages = len(re.findall(rb"/Type /Page\b", data))
    subprocess.run(["pdftoppm", "-r", "12", "-png", str(pdf), str(tmp_path / "p")], check=True,
                   timeout=120, capture_output=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == n_pages >= 4
    assert all(p.stat().st_size > 100 for p in pngs)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60).stdout if shutil.which("pdftotext") else None
    if text is not None:
        assert "Contents" in text and "Figure 1. Participant flow" in text and "Methods" in text


def test_document_6_two_runs_byte_identical(reports, twin_root, tmp_path):
    raw = tomllib.loads(example_spec_path("nice-nec").read_text(encoding="utf-8"))
    again = write_report(analyze_study(parse_study_spec(raw, twin_root)), tmp_path / "again")
    for f in ("report.html", "report.docx", "report.pdf"):
        assert (again.parent / f).read_bytes() == (reports["nice-nec"].parent / f).read_bytes(), f


def test_document_7_reader_check_in_headless_chromium(reports, chromium):
    for name in TWINS:
        page = chromium.new_page()
        try:
            page.goto(reports[name].as_uri())
            seen = page.eval_on_selector_all("h3", "els => els.map(e => e.innerText)")
            caps = _captions(reports[name].read_text(encoding="utf-8"))
            assert seen == [c for c, *_ in caps]
            _numbered_without_gaps(caps)
            assert page.eval_on_selector_all(
                "img", "els => els.every(e => e.complete && e.naturalWidth > 0)")
        finally:
            page.close()


def test_document_8_example_report_writes_docx_and_pdf(tmp_path):
    html = write_report(analyze_study(example_spec_path()), tmp_path)
    assert (tmp_path / "report.docx").stat().st_size > 10_000
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    _numbered_without_gaps(_captions(html.read_text(encoding="utf-8")))


def test_document_9_failed_figure_is_an_unnumbered_visible_note(monkeypatch, tmp_path):
    import oncotrial.report._html as h

    def fake(analysis, fig_dir):
        analysis.results.setdefault("errors", {})["figure:km_os"] = "ValueError: broken"
        return {}

    monkeypatch.setattr(h, "render_figures", fake)
    page = write_report(analyze_study(example_spec_path()), tmp_path).read_text(encoding="utf-8")
    assert "Figure not drawn: km_os" in page and "ValueError: broken" in page
    caps = _captions(page)
    assert not [c for c in caps if c[1] == "Figure"]        # no number given to a missing figure
    _numbered_without_gaps(caps)
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
