"""present.report.sections.change: the section of a comparison from hand-made tables: the lead sentence on
the first headline item, changes with their sign, the notes of reworded items, suppressed transitions,
and each published figure as 'x of n' or 'x in 10' with its interval method."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from analysis.base.waves import item_map
from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.change import section_change

COMPARED = {"wave_from": 2019, "wave_to": 2023}


def _tables() -> dict[str, pd.DataFrame]:
    change = pd.DataFrame({"item": ["leadership_informed", "ciso"], "share_from": [0.30, 0.589],
                           "share_to": [0.28, 0.646], "change": [-2.0, 5.7], "ci_low": [-4.0, 3.0],
                           "ci_high": [0.0, 8.4], "ci_low_independent": [-5.0, 1.0], "ci_high_independent": [1.0, 10.4],
                           "n_both": [240, 245], "comparability": ["wording_changed", "same"]})
    transitions = pd.DataFrame({"item": ["ciso"], "n_both": [245], "kept_yes": [None], "lost": [None],
                                "gained": [None], "kept_no": [None], "p_value": [None], "suppressed": [True]})
    trend = pd.DataFrame({"item": ["ciso", "ciso", "ciso"], "wave": [2019, 2023, 2023],
                          "kind": ["published", "published", "synthetic"], "publisher": ["SKR", "Voister", ""],
                          "interval": ["rounding", "clopper_pearson", "design"], "numerator": [None, 203, None],
                          "denominator": [None, 290, None], "x_of_10": [6, None, None], "ci_low": [0.55, 0.64, 0.6],
                          "ci_high": [0.65, 0.75, 0.7], "comparability": ["same", "similar", "same"],
                          "note": ["<rounded>", "", ""],
                          "source_url": ["https://skr.se/a", "https://voister.se/b", ""]})
    return {"change": change, "transitions": transitions, "trend": trend}


def test_the_lead_is_on_the_first_headline_item_with_its_signed_change(make_data):
    data = make_data("en", _tables(), compare=COMPARED, wave=2023)
    s = section_change(data, Formatter(data))
    lead = read_tagged(str(s["lead"]))
    assert {t.key["item"] for t in lead} == {"ciso"}  # ciso comes first in the codebook, not in change.csv
    assert [t.text for t in lead if t.cols == ["change"]] == ["+5.7"]
    t1 = s["tables"][0]
    assert [r[3].text for r in t1.rows] == ["-2.0", "+5.7"]
    reworded = item_map(2019, 2023)["leadership_informed"]
    assert t1.notes == [catalogue.text("change.item_note", "en", label=t1.rows[0][0].text, note=reworded.note_en)]
    assert s["comparability"] == catalogue.text("change.comparability_intro", "en")


def test_suppressed_transitions_show_the_dash_and_the_note(make_data):
    data = make_data("sv", _tables(), compare=COMPARED, wave=2023)
    t2 = section_change(data, Formatter(data))["tables"][1]
    assert [c.text for c in t2.rows[0][1:]] == ["245", "–", "–", "–", "–", "–"]
    assert t2.notes == [catalogue.text("change.suppressed_note", "sv", min_cell=5)]


def test_each_published_figure_is_shown_as_skr_wrote_it(make_data):
    data = make_data("en", _tables(), compare=COMPARED, wave=2023)
    t3 = section_change(data, Formatter(data))["tables"][2]
    assert len(t3.rows) == 2  # the published rows only
    text = [[BeautifulSoup(str(c.html()), "html.parser").get_text() for c in r] for r in t3.rows]
    assert text[0][3] == "6 in 10" and text[1][3] == "203 of 290"
    assert text[1][4].startswith("64.0–75.0%") and catalogue.label("intervals", "clopper_pearson", "en") in text[1][4]
    assert "<rounded>" in text[0][5] and text[0][6] == "https://skr.se/a"  # the reference file's note, as text
