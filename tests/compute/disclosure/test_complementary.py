"""analysis.compute.disclosure.complementary: a lonely hidden cell gets a partner, and where two hidden
cells still give each other back the table's linear audit hides a third; the survey's tables stay
underivable at a high threshold."""

from __future__ import annotations

import pandas as pd

from analysis.compute import disclosure, survey
from analysis.compute.disclosure import complementary
from conftest import audit_table


def test_complementary_suppression_leaves_no_cell_recoverable():
    t = pd.DataFrame({"grouping": "g", "item": "x", "group": ["a", "b", "c", "d"],
                      "n": [3, 40, 20, 60], "share": [1.0, 0.5, 0.4, 0.3]})
    t = disclosure.suppress(t, "n", 5, ["share"])
    assert t["suppressed"].tolist() == [True, False, False, False]
    out = complementary.complementary_suppression(t, "n", [["grouping", "item"]], ["share"])
    # the smallest other cell (c, n = 20) goes too, and no suppressed count is shown
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert out["share"].isna().tolist() == [True, False, True, False]
    assert out["n"].isna().tolist() == [True, False, True, False]


def test_by_group_tables_stay_underivable_with_a_high_threshold(analysis):
    a = analysis
    for name, table in (("headline_by_group", survey.headline_by_group(a, min_cell=20)),
                        ("maturity_index", survey.maturity_table(a, min_cell=20)),
                        ("response", survey.response_table(a, 20))):
        assert table["suppressed"].any(), name
        found = audit_table(name, table, a, min_cell=20)
        assert found.empty, found


def test_two_full_hidden_groups_are_given_back_by_the_total_so_a_third_is_hidden():
    """g1 and g2 (3 municipalities each, all responded) are hidden, but the total 21 minus g3's 8 and
    g4's 7 leaves 6 = their combined size: each is 3. Hiding g4 (the smaller shown cell) leaves
    g1 + g2 + g4 = 13 with g4 between 7 and 10: nothing derivable."""
    units = pd.DataFrame({"kommungrupp": ["g1"] * 3 + ["g2"] * 3 + ["g3"] * 10 + ["g4"] * 10,
                          "huvudgrupp": "A", "lan_kod": "01"})
    t = pd.DataFrame({"grouping": ["all", "kommungrupp", "kommungrupp", "kommungrupp", "kommungrupp"],
                      "group": ["all", "g1", "g2", "g3", "g4"], "N": [26, 3, 3, 10, 10],
                      "respondents": [21, 3, 3, 8, 7]})
    t = disclosure.suppress(t, "N", 5, ["respondents"])
    alone = complementary.complementary_suppression(t, "respondents", [["grouping"]], ["respondents"])
    assert alone["suppressed"].tolist() == [False, True, True, False, False]  # no margin with one hidden cell
    audited = complementary.complementary_suppression(t, "respondents", [["grouping"]], ["respondents"], units=units)
    assert audited["suppressed"].tolist() == [False, True, True, False, True]
    assert audited["respondents"].isna().tolist() == [False, True, True, False, True]
