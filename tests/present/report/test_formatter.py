"""present.report.formatter: cells and spans of hand-made rows, formatted from the declared units in
either language and tagged with contract, key and columns; the estimable problems in words."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.report.formatter import Formatter, p_text, signed

NBSP = "\u00a0"


def _row(**over) -> pd.Series:
    return pd.Series({"item": "ciso", "share_weighted": 0.5893, "ci_low": 0.570, "ci_high": 0.607, "n_eligible": 252,
                      **over})


def test_numeric_cells_in_each_style_and_language(make_data):
    sv, en = Formatter(make_data("sv")), Formatter(make_data("en"))
    r = _row()
    assert sv.num("headline", r, "share_weighted").text == f"58,9{NBSP}%"
    assert en.num("headline", r, ("ci_low", "ci_high"), style="interval").text == "57.0–60.7%"
    assert sv.num("headline", r, "share_weighted", digits=0).text == f"59{NBSP}%"
    models = pd.Series({"spec": "main", "outcome": "o", "term": "t", "odds_ratio": 2.7712, "ci_low": 1.16,
                        "ci_high": 6.57})
    cell = sv.num("models", models, ("odds_ratio", "ci_low", "ci_high"), style="estimate_interval", extra=" F")
    assert cell.text == "2,77 [1,16–6,57] F"
    assert (cell.src, cell.key, cell.cols) == ("models", {"spec": "main", "outcome": "o", "term": "t"},
                                               ("odds_ratio", "ci_low", "ci_high"))


def test_a_suppressed_cell_shows_the_dash_and_keeps_its_source(make_data):
    cell = Formatter(make_data("en")).num("headline", _row(), "n_eligible", suppressed=True)
    assert cell.text == catalogue.text("report.suppressed", "en") and cell.cls == "suppressed"
    assert cell.src == "headline" and cell.key == {"item": "ciso"}


def test_spans_and_filled_texts_keep_numbers_tagged_and_escape_the_rest(make_data):
    F = Formatter(make_data("en"))
    low = F.span("headline", _row(), ("ci_low",), F.bare("headline", _row(), "ci_low", 0))
    [tag] = read_tagged(str(low))
    assert (tag.text, tag.cols, tag.key) == ("57", ["ci_low"], {"item": "ciso"})  # no percent sign: 'a–b %'
    filled = F.fill("change.of", x=F.number("trend", pd.Series({"item": "ciso", "wave": 2019, "kind": "published",
                                                                "numerator": 149}), "numerator"), n="<b>")
    assert isinstance(filled, Markup) and "&lt;b&gt;" in filled and len(read_tagged(str(filled))) == 1


def test_signs_p_values_and_reasons(make_data):
    assert signed("5,7", 5.7) == "+5,7" and signed("-5,7", -5.7) == "-5,7" and signed("", None) == ""
    assert p_text("0,021") == "= 0,021" and p_text("< 0,001") == "< 0,001"
    F = Formatter(make_data("en"))
    reasons = F.reasons([{"reason": "no_valid_answers", "item": "resources"},
                         {"reason": "too_few_complete", "required": 1234}])
    assert reasons == (f"no municipality gave a valid answer to “{catalogue.label('terms', 'resources', 'en')}”; "
                       "fewer than 1,234 municipalities answered every question of the models")
