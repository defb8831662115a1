"""analysis.compute.survey.domains: the reported domains (merged SKR groups, their order), the masks
over the respondents and the main-group margin, on a hand-made register of 11 municipalities."""

from __future__ import annotations

import pandas as pd

from analysis.compute.survey import domains

# A1 (2) is too small for min_cell 5 and is reported with A2 (4); B3 (5) stands alone.
FRAME = pd.DataFrame({
    "kommungrupp": pd.Categorical(["A1", "A1", "A2", "A2", "A2", "A2", "B3", "B3", "B3", "B3", "B3"],
                                  categories=["A1", "A2", "B3"]),
    "huvudgrupp": pd.Categorical(["A"] * 6 + ["B"] * 5, categories=["A", "B"]),
    "lan_kod": ["01", "02", "01", "01", "02", "02", "03", "03", "03", "01", "01"],
    "responded": [True, False, True, True, False, True, True, True, False, True, True],
})


def test_ordered_levels_follow_the_categories_or_the_first_member_of_a_merged_label():
    assert domains.ordered_levels(FRAME["huvudgrupp"]) == ["A", "B"]
    assert domains.ordered_levels(pd.Series(["B3", "A3", "A1+A2", None])) == ["A1+A2", "A3", "B3"]
    assert domains.ordered_levels(pd.Series(["10", "09", "01"])) == ["01", "09", "10"]


def test_domains_mask_the_respondents_of_each_reported_group():
    got = {(grouping, g): mask.tolist() for grouping, g, mask in domains.domains(FRAME, 5)}
    # the respondents, in order: rows 0, 2, 3, 5, 6, 7, 9, 10
    assert list(got) == [("kommungrupp", "A1+A2"), ("kommungrupp", "B3"), ("huvudgrupp", "A"), ("huvudgrupp", "B"),
                         ("lan_kod", "01"), ("lan_kod", "02"), ("lan_kod", "03")]
    assert got["kommungrupp", "A1+A2"] == [True, True, True, True, False, False, False, False]
    assert got["huvudgrupp", "B"] == [False, False, False, False, True, True, True, True]
    assert got["lan_kod", "01"] == [True, True, True, False, False, False, True, True]
    # a threshold of 2: nothing merged
    small = [g for grouping, g, _ in domains.domains(FRAME, 2, ("kommungrupp",))]
    assert small == ["A1", "A2", "B3"]


def test_with_parent_names_the_main_group_of_skr_group_rows_only():
    t = pd.DataFrame({"grouping": ["all", "kommungrupp", "kommungrupp", "huvudgrupp"],
                      "group": ["all", "A1+A2", "B3", "B"]})
    assert domains.with_parent(t)[domains.PARENT].tolist() == ["", "A", "B", ""]
    assert domains.PARENT not in t  # a copy
