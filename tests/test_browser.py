"""The report in a real browser: Debian's headless Chromium driven by Playwright, network blocked.

Checks: no request leaves file://, no console error, every image decoded, every table-of-contents
link lands on a heading, hostile text in the data runs nothing. Saves a screenshot of the first
screen as output_dir/screenshot.png. Runs on a report built from the fixture of test_report.py,
and on reports/2019/report.html too when a full run has made it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason=f"{CHROMIUM} missing (CI installs Debian's chromium)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


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


@pytest.fixture(scope="module")
def fixture_reports(tmp_path_factory):
    from test_report import build_report

    out = {}
    for lang in ("sv", "en"):
        P, html = build_report(tmp_path_factory.mktemp(f"browser_{lang}"), lang=lang)
        out[lang] = (P, html)
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_fixture_report_in_browser(browser, fixture_reports, lang):
    from test_report import HOSTILE

    P, html = fixture_reports[lang]
    shot = Path(P["output_dir"]) / "screenshot.png"
    found = check_page(browser, html, shot)
    assert_clean(found)
    assert found["lang"] == lang
    # The hostile comments are on the page as text, and ran nothing.
    for h in HOSTILE[:3]:
        assert h in found["text"]
    banner = {"sv": "inte SKR:s resultat", "en": "not SKR's results"}[lang]
    assert banner in found["text"]
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_index_and_notebook_pages_offline(browser, fixture_reports):
    from analysis import report

    P, html = fixture_reports["sv"]
    out = Path(P["output_dir"])
    index = report.write_index(out, sorted((out / "notebooks").glob("*.html")), "sv")
    for page_path in (index, out / "notebooks" / "04_report.html"):
        page = browser.new_page()
        external = []
        page.route("**/*", lambda r: (external.append(r.request.url), r.abort())
                   if not r.request.url.startswith(("file://", "data:")) else r.continue_())
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
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
def test_full_run_report_in_browser(browser):
    found = check_page(browser, FULL_RUN, FULL_RUN.parent / "screenshot.png")
    assert_clean(found)
