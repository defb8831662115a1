"""analysis.compute.survey.response: the response table (suppressed like every table, audited) and
the respondent profile, on the realistic frame and the default synthetic data."""

from __future__ import annotations

import pandas as pd

from analysis.compute.survey import response
from conftest import audit_table


def test_response_table_suppresses_small_rows_and_reports_a1_with_a2(frame):
    rt = response.response_table(frame, min_cell=5)
    assert rt.loc[rt["N"] < 5, "rate"].isna().all()  # e.g. Gotland
    assert rt.loc[rt["grouping"] == "all", "N"].item() == 290
    # The response table follows the same rules: A1 only together with A2, and no hidden cell can
    # be got back from a total (a margin never has exactly one suppressed cell).
    kg = rt[rt["grouping"] == "kommungrupp"].set_index("group")
    assert "A1" not in kg.index
    in_a = frame["kommungrupp"].astype(str).isin(["A1", "A2"])
    assert kg.loc["A1+A2", "N"] == in_a.sum()
    assert kg.loc["A1+A2", "respondents"] == frame.loc[in_a, "responded"].sum()
    for grouping, block in rt[rt["grouping"] != "all"].groupby("grouping"):
        assert block["suppressed"].sum() != 1, grouping
        assert block.loc[block["suppressed"], ["respondents", "rate"]].isna().all().all()
        assert (block.loc[~block["suppressed"], "N"] >= 5).all()


def test_response_table_reports_a1_with_a2_and_hides_a_second_county(synthetic_analysis):
    rt = response.response_table(synthetic_analysis, 5)
    kg = rt[rt["grouping"] == "kommungrupp"]
    assert "A1" not in set(kg["group"]) and "A1+A2" in set(kg["group"])
    row = kg.set_index("group").loc["A1+A2"]
    assert (row["N"], row["respondents"]) == (46, 45)  # the same as main group A: nothing to subtract
    gotland = rt[(rt["grouping"] == "lan_kod") & (rt["group"] == "09")].iloc[0]
    assert gotland["suppressed"] and pd.isna(gotland["respondents"]) and gotland["N"] == 1
    counties = rt[rt["grouping"] == "lan_kod"]
    assert counties["suppressed"].sum() >= 2  # Gotland is not alone in its margin
    assert audit_table("response", rt, synthetic_analysis).empty


def test_response_table_hides_more_when_two_hidden_counties_are_both_complete(synthetic_analysis):
    # Gotland (1 municipality) and Blekinge (5) both answered in full: hiding the two would still
    # give both back (their total, 264 - the rest, equals their size)
    a = synthetic_analysis.copy()
    a.loc[a["lan_kod"].astype(str).isin(["09", "10"]), "responded"] = True
    naive = response.response_table(a, 5)
    counties = naive[naive["grouping"] == "lan_kod"]
    assert counties["suppressed"].sum() >= 3
    assert audit_table("response", naive, a).empty


def test_respondent_profile_gives_shares_only_where_the_response_table_shows_the_group(frame):
    rt = response.response_table(frame, 5)
    prof = response.respondent_profile(frame, 5, rt)
    r = frame[frame["responded"]]
    assert prof["population_median"] == {"all": float(frame["folkmangd"].median()),
                                         "respondents": float(r["folkmangd"].median())}
    assert prof["population_mean"]["respondents"] == float(r["folkmangd"].mean())
    kg = rt[rt["grouping"] == "kommungrupp"].set_index("group")
    assert list(prof["group_share"]) == list(kg.index)  # A1+A2 first, as reported
    b3 = frame["kommungrupp"].astype(str) == "B3"
    assert prof["group_share"]["B3"]["all"] == round(b3.mean(), 4)
    for g, share in prof["group_share"].items():
        assert (share["respondents"] is None) == bool(kg.loc[g, "suppressed"]), g
    # one respondent: no population figure of the respondents (it would name the municipality)
    one = frame.assign(responded=[True] + [False] * (len(frame) - 1))
    assert response.respondent_profile(one, 5, rt)["population_median"]["respondents"] is None
