"""present.report.sections.groups: Table 2 from hand-made shares by group (groups as columns, the legend,
suppressed cells as the dash) and Table 3, the maturity index, with the census note."""

from __future__ import annotations

import pandas as pd

from analysis.present.labels import group_label, item_label
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.groups import section_groups

NBSP = "\u00a0"


def _tables() -> dict[str, pd.DataFrame]:
    by_group = pd.DataFrame({"grouping": ["kommungrupp", "kommungrupp", "huvudgrupp", "lan_kod"],
                             "group": ["A1+A2", "B3", "A", "01"], "item": ["ciso"] * 4,
                             "share_weighted": [0.612, None, 0.6, 0.5], "suppressed": [False, True, False, False]})
    maturity = pd.DataFrame({"grouping": ["all", "kommungrupp", "lan_kod"], "group": ["all", "B3", "01"],
                             "n": [264, 3, 20], "mean": [2.94, None, 3.0], "ci_low": [2.87, None, 2.5],
                             "ci_high": [3.01, None, 3.5], "ci_method": ["t", "suppressed", "census"],
                             "suppressed": [False, True, False]})
    return {"headline_by_group": by_group, "maturity_index": maturity}


def test_table_2_has_a_column_per_group_and_hides_small_cells(make_data):
    data = make_data("en", _tables())
    t2, t3 = section_groups(data, Formatter(data))["tables"]
    assert [c.text for c in t2.head[0]] == ["Key figure", "A1+A2", "B3", "A"]  # counties are on the map instead
    assert t2.head[0][1].title == group_label("kommungrupp", "A1+A2", "en")
    assert [c.text for c in t2.rows[0]] == [item_label("ciso", "en"), "61%", "–", "60%"]
    assert t2.rows[0][2].cls == "suppressed" and t2.rows[0][1].key == {"grouping": "kommungrupp", "group": "A1+A2",
                                                                        "item": "ciso"}
    assert t2.notes[0].count("; ") == 2 and t2.notes[1] == Formatter(data).suppressed_note()


def test_table_3_shows_the_maturity_index_of_the_groups_shown(make_data):
    data = make_data("sv", _tables())
    t3 = section_groups(data, Formatter(data))["tables"][1]
    assert [[c.text for c in r] for r in t3.rows] == [
        ["Alla kommuner", "264", "2,9", "2,9–3,0"], [group_label("kommungrupp", "B3", "sv"), "–", "–", "–"]]
    assert t3.notes == [Formatter(data).suppressed_note()]  # no census row among the groups shown
