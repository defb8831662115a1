"""present.report.sections.headline: the summary's key figures and Table 1 from hand-made rows: the
codebook's order, SKR's statement with x in 10, the interval, suppressed items and items nobody answered."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from analysis.base.codebook import HEADLINE_ITEMS
from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.labels import item_label
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.headline import headline_rows, missing_item, section_shares, section_summary

NBSP = "\u00a0"


def _text(markup) -> str:
    return BeautifulSoup(str(markup), "html.parser").get_text()


def _headline() -> pd.DataFrame:
    return pd.DataFrame({
        "item": ["awareness", "ciso", "continuity"], "n_eligible": [250, 252, 0], "n_yes": [100, 149, 0],
        "share_weighted": [0.40, 0.5893, None], "ci_low": [0.38, 0.570, None], "ci_high": [0.42, 0.607, None],
        "bound_low": [0.35, 0.514, 0.0], "bound_high": [0.45, 0.645, 1.0], "x_of_10": [4, 6, None],
        "published_share": [None, 0.6, None], "published_x_of_10": [None, 6, None],
        "suppressed": [False, False, False]})


def _tables() -> dict[str, pd.DataFrame]:
    response = pd.DataFrame({"grouping": ["all"], "group": ["all"], "N": [290], "respondents": [264],
                             "rate": [264 / 290]})
    maturity = pd.DataFrame({"grouping": ["all"], "group": ["all"], "mean": [2.94], "ci_low": [2.87],
                             "ci_high": [3.01]})
    return {"headline": _headline(), "response": response, "maturity_index": maturity}


def test_rows_follow_the_codebooks_order_and_gaps_are_named():
    rows = headline_rows(type("D", (), {"tables": {"headline": _headline()}})())
    assert list(rows["item"]) == sorted(rows["item"], key=HEADLINE_ITEMS.index)
    assert missing_item(pd.Series({"suppressed": True, "n_eligible": 3})) == "suppressed"
    assert missing_item(pd.Series({"suppressed": False, "n_eligible": 0})) == "no_answers"
    assert missing_item(pd.Series({"suppressed": False, "n_eligible": 12})) is None


def test_the_summary_says_x_in_10_with_the_interval_and_skrs_figure(make_data):
    data = make_data("en", _tables())
    s = section_summary(data, Formatter(data))
    assert [t.text for t in read_tagged(str(s["intro"]))] == ["290", "264", "91%"]
    ciso = s["key_figures"][0]
    assert _text(ciso["statement"]) == "6 in 10 municipalities have a CISO"
    assert [t.text for t in read_tagged(str(ciso["interval"]))] == ["59%", "57", "61%", "6"]
    assert _text(ciso["interval"]).endswith("SKR 2019: 6 in 10)")
    assert "SKR" not in _text(s["key_figures"][2]["interval"])  # awareness: nothing published
    empty = s["key_figures"][1]  # continuity: nobody answered
    assert empty["interval"] == "" and data.codebook["continuity"].question_en in empty["statement"]
    assert [t.text for t in read_tagged(str(s["maturity"]))] == ["2.9", "2.9", "3.0"]


def test_table_1_shows_every_item_and_notes_items_nobody_answered(make_data):
    data = make_data("sv", _tables())
    table = section_shares(data, Formatter(data))["table"]
    assert [r[0].text for r in table.rows] == [item_label(i, "sv") for i in ("ciso", "continuity", "awareness")]
    assert [c.text for c in table.rows[0][1:]] == ["252", "149", f"58,9{NBSP}%", f"57,0–60,7{NBSP}%",
                                                   f"51,4–64,5{NBSP}%", f"60{NBSP}%"]
    assert table.notes == [catalogue.text("shares.no_answers_note", "sv", items=item_label("continuity", "sv"))]
    hidden = make_data("sv", {**_tables(), "headline": _headline().assign(suppressed=[True, False, False])})
    t = section_shares(hidden, Formatter(hidden))["table"]
    assert [c.text for c in t.rows[2][1:6]] == ["–"] * 5 and t.notes[0] == Formatter(hidden).suppressed_note()
