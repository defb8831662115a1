"""present.report.html: the allow-list sanitiser (a second defence after autoescaping) and the page
frame around a body."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from analysis.present.report import html


def test_sanitiser_is_a_second_defence():
    dirty = ('<h2 id="ok">T</h2><script>alert(1)</script><img src=x onerror=alert(1)>'
             '<a href="javascript:alert(1)">j</a><a href="https://cdn.example/x.js">c</a>')
    page = html.clean_html(dirty)
    assert '<h2 id="ok">' in page and "<script" not in page and "javascript:" not in page
    assert "onerror" not in "".join(re.findall(r"<img\b[^>]*>", page))
    assert 'href="https://cdn.example' not in page


def test_the_sanitiser_keeps_what_the_report_needs():
    kept = ('<p><a href="#toc">t</a><a href="tables/tables.xlsx">w</a></p><table><tbody><tr><td class="num" '
            'colspan="2" data-src="headline" data-cols="n" data-key="{}">1</td></tr></tbody></table>'
            '<figure><img src="data:image/png;base64,AA==" alt="f"></figure>')
    soup = BeautifulSoup(html.clean_html(kept), "html.parser")
    assert [a["href"] for a in soup.select("a")] == ["#toc", "tables/tables.xlsx"]
    td = soup.td
    assert (td["class"], td["colspan"], td["data-src"], td["data-key"]) == (["num"], "2", "headline", "{}")
    assert soup.img["src"].startswith("data:image/png;base64,") and soup.img["alt"] == "f"
    assert not BeautifulSoup(html.clean_html('<img src="http://x/y.png">'), "html.parser").img.get("src")


def test_a_page_wraps_a_sanitised_body_with_its_language_title_and_style():
    page = html.page("index.html.j2", lang="en", title="Report <2019>", css="body { color: red; }",
                     intro="<script>x</script>", links=[("report.html", "Report")], notebooks_title="Notebooks",
                     notebooks=[], banner=None, waves_title="Waves", waves=[(None, "2019 (this)")])
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "en" and soup.title.get_text() == "Report <2019>"
    assert "color: red" in soup.style.get_text() and not soup.select("script")
    assert "<script>x</script>" in soup.get_text()  # shown as text
