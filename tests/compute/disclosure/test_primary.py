"""analysis.compute.disclosure.primary: small cells hidden, the national rows of items with 1 to
min_cell - 1 answers, reporting groups (A1 with A2), and no interval code in a hidden row."""

from __future__ import annotations

import pandas as pd

from analysis.compute.disclosure import primary


def test_suppress_small_cells():
    df = pd.DataFrame({"group": ["A1", "A2", "B3"], "n": [3, 5, 10], "share": [0.5, 0.6, 0.7],
                       "ci_low": [0.1, 0.2, 0.3], "label": ["x", "y", "z"]})
    out = primary.suppress(df, "n", 5)
    assert out["suppressed"].tolist() == [True, False, False]
    assert out["share"].isna().tolist() == [True, False, False]
    assert out["ci_low"].isna().tolist() == [True, False, False]
    assert out["n"].tolist() == [3, 5, 10] and out["label"].tolist() == ["x", "y", "z"]
    assert df["share"].notna().all()  # input untouched
    only = primary.suppress(df, "n", 11, ["share"])
    assert only["share"].isna().all() and only["ci_low"].notna().all()
    # an existing mark is kept
    again = primary.suppress(out, "n", 1)
    assert again["suppressed"].tolist() == [True, False, False]


def test_reporting_groups_merge_small_groups_within_main_group(register):
    g = primary.reporting_groups(register, min_cell=5)
    assert set(g[register["kommungrupp"].astype(str).isin(["A1", "A2"])]) == {"A1+A2"}
    assert (g[register["kommungrupp"].astype(str) == "B3"] == "B3").all()  # 21 municipalities: alone
    # with a larger threshold B3 (21) joins the next smallest B group, B5 (35)
    g30 = primary.reporting_groups(register, min_cell=30)
    assert set(g30[register["kommungrupp"].astype(str) == "B3"]) == {"B3+B5"}


def test_national_items_with_one_to_four_answers_are_suppressed_and_zero_is_shown():
    t = pd.DataFrame({"item": ["a", "b", "c"], "label_sv": "x", "label_en": "x", "n_eligible": [0, 4, 5],
                      "n_yes": [0, 4, 1], "share_weighted": [float("nan"), 1.0, 0.2], "ci_method": ["none_no_answers",
                      "clopper_pearson", "korn_graubard"], "bound_low": [0.0, 4 / 290, 1 / 290],
                      "published_share": 0.5})
    out = primary.suppress_items(t, 5)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out.loc[1, ["n_eligible", "n_yes", "share_weighted", "bound_low"]].isna().all()
    assert out.loc[1, "ci_method"] == primary.SUPPRESSED_CODE and out.loc[1, "published_share"] == 0.5
    assert out.loc[0, "n_eligible"] == 0 and out.loc[2, "n_yes"] == 1


def test_hidden_rows_show_the_suppressed_code_and_levels_keep_category_order():
    t = pd.DataFrame({"n": [2, 9], "mean": [1.0, 2.0], "ci_method": ["census", "t"]})
    out = primary.suppress(t, "n", 5, ["mean"])
    assert out["ci_method"].tolist() == [primary.SUPPRESSED_CODE, "t"]
    assert primary.levels(pd.Series(pd.Categorical(["b"], categories=["c", "b", "a"]))) == ["c", "b", "a"]
    assert primary.levels(pd.Series(["b", None, "a", "b"])) == ["a", "b"]
    assert primary.nullable(pd.Series([1, 2])).dtype == "Int64"
    assert primary.nullable(pd.Series([1.5])).dtype == "Float64" and primary.nullable(pd.Series(["x"])).dtype == object
