"""present.published: a shown number's rounding interval worked out by hand, and the audit's records read
from tagged cells exactly as present.cells writes them (report and notebook pages, either language)."""

from __future__ import annotations

import math

import pytest

from analysis.present import catalogue, published
from analysis.present.cells import Cell, Table

NBSP = "\u00a0"


@pytest.mark.parametrize("text, lang, interval", [
    (f"58,9{NBSP}%", "sv", (0.5885, 0.5895)),  # one decimal of a percent: ±0.05 points
    ("58.9%", "en", (0.5885, 0.5895)),
    (f"1{NBSP}234", "sv", (1234, 1234)),  # a whole count written in full is exact
    ("1,234", "en", (1234, 1234)),
    ("2,9", "sv", (2.85, 2.95)),
    ("60 %", "sv", (0.595, 0.605)),  # no decimals of a percent: ±0.5 points
])
def test_shown_interval_by_hand(text, lang, interval):
    lo, hi = published.shown_interval(text, lang)
    assert lo == pytest.approx(interval[0], abs=1e-12) and hi == pytest.approx(interval[1], abs=1e-12)


def test_text_that_shows_no_single_number_gives_none():
    for text in ("", "–", "57,0–60,7 %", "A1 Storstäder", "NaN"):
        assert published.shown_interval(text, "sv") is None


def _page(lang: str) -> str:
    dash = catalogue.text("report.suppressed", lang)
    key = {"grouping": "kommungrupp", "group": "A1+A2"}
    rows = [[Cell("A1+A2"), Cell("47", num=True, src="response", key=key, cols=("N",)),
             Cell(dash, num=True, src="response", key=key, cols=("respondents",), cls="suppressed"),
             Cell("91 %" if lang == "sv" else "91%", num=True, src="response", key=key, cols=("rate",)),
             Cell("1,2–3,4", num=True, src="models", key={"term": "x"}, cols=("ci_low", "ci_high"))]]
    return f'<html lang="{lang}"><body>{Table("t", None, [], rows).html()}</body></html>'


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_audit_reads_every_tagged_cell_of_an_audited_table(tmp_path, lang):
    recs = published.report_records(tmp_path / "report.html", lang, catalogue.text("report.suppressed", lang),
                                    html=_page(lang))
    assert [(r["table"], r["grouping"], r["group"], r["column"]) for r in recs] == [
        ("response", "kommungrupp", "A1+A2", c) for c in ("N", "respondents", "rate")]  # models is not audited
    n, hidden, rate = recs
    assert (n["lo"], n["hi"], n["row_suppressed"]) == (47, 47, False)
    assert hidden["row_suppressed"] and math.isnan(hidden["lo"]) and hidden["text"] == ""
    assert rate["lo"] == pytest.approx(0.905) and rate["hi"] == pytest.approx(0.915)


def test_a_notebook_page_is_read_in_the_language_it_was_made_in(tmp_path):
    page = tmp_path / "02_describe.html"
    page.write_text(_page("en"), encoding="utf-8")
    recs = published.notebook_records(page, "sv")  # the run is Swedish now; the page is still English
    assert {r["source"] for r in recs} == {"notebooks/02_describe.html"}
    assert [r["column"] for r in recs] == ["N", "respondents", "rate"]
    assert recs[2]["lo"] == pytest.approx(0.905)


@pytest.mark.parametrize("text, lang, expected", [
    ("58,9\u00a0%", "sv", (0.5885, 0.5895)), ("58.9%", "en", (0.5885, 0.5895)), ("58\u00a0%", "sv", (0.575, 0.585)),
    ("1\u00a0234", "sv", (1234, 1234)), ("1,234", "en", (1234, 1234)), ("45", None, (45, 45)),
    ("0.978", None, (0.9775, 0.9785)), ("–", "sv", None), ("<NA>", None, None), ("A1+A2", None, None),
])
def test_shown_interval(text, lang, expected):
    got = published.shown_interval(text, lang)
    assert got == (None if expected is None else pytest.approx(expected))
