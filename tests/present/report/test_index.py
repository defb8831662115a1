"""present.report.index: index.html names the wave, links the report, its PDF and workbook and every
notebook page, carries the banner, and lists every wave of the report."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from analysis.present import catalogue
from analysis.present.report import index


def test_index_names_the_wave_links_everything_and_carries_the_banner(small_run):
    P = small_run["sv"]
    out = Path(P["output_dir"])
    page = index.render_index(out, [out / "notebooks" / "01_clean.html", out / "notebooks" / "04_report.html"],
                              lang="sv", wave=2019, synthetic=True, has_pdf=True, has_workbook=True)
    soup = BeautifulSoup(page, "html.parser")
    assert "2019" in soup.title.get_text() and soup.select_one("#synthetic-banner")
    hrefs = [a["href"] for a in soup.select("a")]
    assert hrefs == ["report.html", "report.pdf", "tables/tables.xlsx", "notebooks/01_clean.html",
                     "notebooks/04_report.html"]
    # and the report links back
    report = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"] for a in report.select("nav.links a")} == {"index.html", "tables/tables.xlsx"}


def test_without_pdf_workbook_or_banner_the_index_links_what_exists(tmp_path):
    page = index.render_index(tmp_path, [tmp_path / "b.html", tmp_path / "a.html"], lang="en", wave=2023,
                              synthetic=False, has_pdf=False, has_workbook=False)
    soup = BeautifulSoup(page, "html.parser")
    assert [a["href"] for a in soup.select("a")] == ["report.html", "notebooks/a.html", "notebooks/b.html"]
    assert soup.select_one("#synthetic-banner") is None and soup.html["lang"] == "en"


def test_waves_are_this_one_and_the_one_compared_linked_when_its_index_exists(tmp_path):
    out = tmp_path / "reports" / "2023"
    out.mkdir(parents=True)
    assert index.index_waves(out, 2023, "en") == [(None, catalogue.text("index.this_wave", "en", wave=2023))]
    (out / "compare_summary.json").write_text(json.dumps({"wave_from": 2019}), encoding="utf-8")
    waves = index.index_waves(out, 2023, "sv")
    assert waves == [(None, "2019: alla filer"), (None, "2023 (denna)")]
    (tmp_path / "reports" / "2019").mkdir()
    (tmp_path / "reports" / "2019" / "index.html").write_text("<html></html>")
    assert index.index_waves(out, 2023, "sv")[0] == ("../2019/index.html", "2019: alla filer")
