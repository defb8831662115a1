"""present.cells: one tagged cell's markup read back gives its number, columns and key; text is escaped;
a table's markup holds its caption, cells and notes; the notebooks' inline styles."""

from __future__ import annotations

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup
from markupsafe import Markup

from analysis.present.cells import Cell, Table, key_json, read_tagged, row_key, span


def test_a_cells_markup_read_back_gives_its_number_and_key():
    cell = Cell("58,9\u00a0%", num=True, src="headline", key={"item": "ciso"}, cols=("share_weighted",))
    html = str(cell.html())
    assert html.startswith("<td ") and html.endswith("</td>")
    [tag] = read_tagged(html)
    assert (tag.src, tag.key, tag.cols, tag.text) == ("headline", {"item": "ciso"}, ["share_weighted"], "58,9\u00a0%")
    assert tag.classes == ["num"]
    el = BeautifulSoup(html, "html.parser").td  # and a browser-grade parser reads the same
    assert el["data-src"] == "headline" and el["data-cols"] == "share_weighted" and el.get_text() == "58,9\u00a0%"


def test_keys_are_sorted_json_and_row_values_become_plain_python():
    row = pd.Series({"spec": "main", "outcome": "risk_management", "term": "resources", "n": np.int64(7),
                     "gap": np.nan})
    key = row_key(row, ("spec", "outcome", "term", "n", "gap"))
    assert key == {"spec": "main", "outcome": "risk_management", "term": "resources", "n": 7, "gap": None}
    assert type(key["n"]) is int
    assert key_json(key) == ('{"gap": null, "n": 7, "outcome": "risk_management", "spec": "main", '
                             '"term": "resources"}')


def test_a_span_in_running_text_is_tagged_like_a_cell():
    html = str(span("264", "response", {"grouping": "all", "group": "all"}, ("respondents",)))
    assert html.startswith('<span class="num" data-src="response" data-cols="respondents"')
    [tag] = read_tagged(f"<p>Of {html} municipalities</p>")
    assert tag.key == {"grouping": "all", "group": "all"} and tag.text == "264"


def test_text_is_escaped_unless_it_is_markup():
    hostile = Cell('<img src=x onerror=alert(1)>', src="response", key={"name": "\"'<>"}, cols=("N",))
    html = str(hostile.html())
    assert "<img" not in html and "&lt;img" in html
    assert read_tagged(html)[0].key == {"name": "\"'<>"}  # the key survives the attribute's escaping
    assert str(Cell(Markup("1,57<br><small>q = 0,257</small>"), num=True).html()) == \
        '<td class="num">1,57<br><small>q = 0,257</small></td>'


def test_header_cells_carry_their_scope_span_and_title():
    assert str(Cell("A1+A2", num=True, header=True, title="A1 Storstäder + A2").html()) == \
        '<th scope="col" class="num" title="A1 Storstäder + A2">A1+A2</th>'
    assert str(Cell("Areas", header=True, colspan=5, cls="group-row").html()) == \
        '<th scope="colgroup" class="group-row" colspan="5">Areas</th>'


def test_a_table_holds_caption_cells_and_notes_in_order():
    t = Table("table-x", "Table 1. Shares", [[Cell("Item", header=True), Cell("n", num=True, header=True)]],
              [[Cell("ciso"), Cell("–", num=True, src="headline", key={"item": "ciso"}, cols=("n_eligible",),
                                   cls="suppressed")]], ["fewer than 5"], cls="compact")
    soup = BeautifulSoup(str(t.html()), "html.parser")
    table = soup.select_one("div.table-block > table#table-x.compact")
    assert table.caption.get_text() == "Table 1. Shares"
    assert [th.get_text() for th in table.select("thead th")] == ["Item", "n"]
    assert table.select_one("tbody td.suppressed")["data-cols"] == "n_eligible"
    assert [p.get_text() for p in soup.select("p.note")] == ["fewer than 5"]
    assert t.texts() == [["ciso", "–"]] and t.texts(t.head) == [["Item", "n"]]


def test_inline_tables_style_labels_left_and_keep_numbers_whole():
    t = Table(None, "Caption", [[Cell("Item", header=True), Cell("n", num=True, header=True)]],
              [[Cell("ciso"), Cell("< 0,001", num=True)]], ["a note"], inline=True)
    soup = BeautifulSoup(str(t.html()), "html.parser")
    assert [c.get("style") for c in soup.select("th")] == ["text-align: left", None]
    assert [c.get("style") for c in soup.select("td")] == ["text-align: left", "white-space: nowrap"]
    assert "text-align: left" in soup.caption["style"] and soup.select_one("p.note")["style"]
    assert not soup.table.get("id")
