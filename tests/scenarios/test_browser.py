"""The report in a real browser: Debian's headless Chromium driven by Playwright, network blocked.

Checks: no request leaves file://, no console error, every image decoded, every table-of-contents
link lands on a heading, no table is wider than the text column and the page does not scroll
sideways at 1280 px. Runs on the reports of conftest.small_run (both languages), and on
reports/2019/report.html too when a full run has made it (read only: screenshots go to a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import needs_chromium

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_chromium  # the `browser` fixture is conftest's


def check_page(browser, html: Path, screenshot: Path | None = None) -> dict:
    """Open `html` from disk with every non-file request blocked; return what went wrong."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found = {"external": [], "failed": [], "console": [], "dialogs": [], "page_errors": []}

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            found["external"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and found["console"].append(m.text))
    page.on("pageerror", lambda e: found["page_errors"].append(str(e)))
    page.on("requestfailed", lambda r: found["failed"].append(r.url))

    def on_dialog(d):
        found["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.goto(html.resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    found["images"] = page.evaluate(
        "() => Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt])")
    found["toc"] = page.evaluate("""() => Array.from(document.querySelectorAll('nav.toc a[href^="#"]')).map(a => {
        const el = document.getElementById(a.getAttribute('href').slice(1));
        const ok = !!el && (/^H[1-6]$/.test(el.tagName) || !!el.querySelector('h1,h2,h3,h4,h5,h6'));
        return [a.getAttribute('href'), ok];
    })""")
    # Clicking a link scrolls its heading into view.
    if found["toc"]:
        last = found["toc"][-1][0]
        page.click(f'nav.toc a[href="{last}"]')
        page.wait_for_timeout(100)
        found["scrolled"] = page.evaluate(
            f"() => {{ const r = document.getElementById('{last[1:]}').getBoundingClientRect();"
            " return r.top >= -1 && r.top < window.innerHeight; }")
        page.evaluate("() => window.scrollTo(0, 0)")
    found["overflow"] = page.evaluate("""() => {
        const main = document.querySelector('main');
        const limit = main.getBoundingClientRect().right + 0.5;
        const bad = [];
        for (const t of document.querySelectorAll('table')) {
            const r = t.getBoundingClientRect();
            if (r.right > limit || t.scrollWidth > t.parentElement.clientWidth + 0.5) bad.push([t.id, r.width]);
        }
        return bad;
    }""")
    found["page_width"] = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    found["hostile_nodes"] = page.evaluate(
        "() => document.querySelectorAll('script, img[src=\"x\"], [onerror], [onload], svg[onload], iframe').length")
    found["text"] = page.inner_text("body")
    found["title"] = page.title()
    found["lang"] = page.evaluate("() => document.documentElement.lang")
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    page.close()
    return found


def assert_clean(found: dict) -> None:
    assert found["external"] == [], f"requests leaving file://: {found['external']}"
    assert found["failed"] == [], f"failed requests: {found['failed']}"
    assert found["console"] == [], f"console errors: {found['console']}"
    assert found["page_errors"] == [], found["page_errors"]
    assert found["dialogs"] == [], f"a dialog fired: {found['dialogs']}"
    assert found["hostile_nodes"] == 0
    assert found["images"] and all(ok for ok, _ in found["images"]), found["images"]
    assert all(alt for _, alt in found["images"])
    assert found["toc"] and all(ok for _, ok in found["toc"]), found["toc"]
    assert found.get("scrolled", True)
    assert found["overflow"] == [], f"tables wider than the text column: {found['overflow']}"
    assert found["page_width"][0] <= found["page_width"][1], f"the page scrolls sideways: {found['page_width']}"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_in_browser(browser, small_run, lang, tmp_path):
    P = small_run[lang]
    shot = tmp_path / "screenshot.png"
    found = check_page(browser, Path(P["output_dir"]) / "report.html", shot)
    assert_clean(found)
    assert found["lang"] == lang
    banner = {"sv": "inte SKR:s resultat", "en": "not SKR's results"}[lang]
    assert banner in found["text"]
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_hostile_text_runs_nothing(browser, small_run, tmp_path):
    from analysis.present.report.data import load
    from analysis.present.report.render import render
    from analysis.run import provenance
    from conftest import HOSTILE

    P = small_run["sv"]
    data = load(P)
    resp = data.tables["response"]
    data.tables["response"] = resp.assign(name=[HOSTILE[i % 3] if g == "lan_kod" else n
                                                for i, (g, n) in enumerate(zip(resp["grouping"], resp["name"],
                                                                               strict=True))])
    page = tmp_path / "report.html"
    page.write_text(render(data, provenance.collect(P)), encoding="utf-8")
    found = check_page(browser, page)
    assert found["dialogs"] == [] and found["hostile_nodes"] == 0
    for h in HOSTILE[:3]:
        assert h in found["text"]


def test_index_and_notebook_pages_offline(browser, small_run, tmp_path):
    import shutil

    import nbformat

    from analysis.present import exports
    from analysis.present.report import index as index_page
    from analysis.present.report import pages

    P = small_run["sv"]
    out = tmp_path / "reports"
    shutil.copytree(P["output_dir"], out)
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"lang": "sv", "wave": 2019}, "input_path": "04_report.ipynb"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 04"), nbformat.v4.new_code_cell("1 + 1")]
    (out / "notebooks").mkdir(exist_ok=True)
    (out / "notebooks" / "04_report.html").write_text(pages.render_notebook_html(nb, synthetic=True),
                                                      encoding="utf-8")
    exports.export_workbook(out / "tables")
    index = out / "index.html"
    index.write_text(index_page.render_index(out, [out / "notebooks" / "04_report.html"], lang="sv", wave=2019,
                                             synthetic=True, has_pdf=False, has_workbook=True), encoding="utf-8")
    for page_path in (index, out / "notebooks" / "04_report.html"):
        page = browser.new_page()
        external = []
        page.route("**/*", lambda r, external=external: (external.append(r.request.url), r.abort())
                   if not r.request.url.startswith(("file://", "data:")) else r.continue_())
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        assert external == [] and errors == [], (page_path.name, external, errors)
        if page_path == index:
            hrefs = page.evaluate("() => Array.from(document.links).map(a => a.getAttribute('href'))")
            assert "report.html" in hrefs and "notebooks/04_report.html" in hrefs
            for h in hrefs:
                assert (out / h).is_file(), h
        page.close()


FULL_RUN = ROOT / "reports" / "2019" / "report.html"


@pytest.mark.skipif(not FULL_RUN.is_file(), reason="no full run: reports/2019/report.html does not exist")
def test_full_run_report_in_browser(browser, tmp_path):
    found = check_page(browser, FULL_RUN, tmp_path / "screenshot.png")
    assert_clean(found)


FULL_RUN_2023 = ROOT / "reports" / "2023" / "report.html"


@pytest.mark.skipif(not FULL_RUN_2023.is_file(),
                    reason="no full run of wave 2023: reports/2023/report.html does not exist")
def test_full_run_2023_report_with_the_change_section_in_browser(browser, tmp_path):
    found = check_page(browser, FULL_RUN_2023, tmp_path / "screenshot.png")
    assert_clean(found)
    assert any(href == "#change-heading" for href, _ in found["toc"])
