"""analysis.compute.survey.groups: the by-group shares and the maturity index on a realistic 290-row
frame (conftest.frame): weighted shares by hand, every small cell suppressed, no margin with a lonely
hidden cell."""

from __future__ import annotations

import pytest

from analysis.compute import design
from analysis.compute.survey import groups


def _no_lonely_suppressed_cell(t, by):
    for _, block in t.groupby(by):
        assert int(block["suppressed"].sum()) != 1, block


def test_by_group_tables_suppress_every_small_cell(frame):
    bg = groups.headline_by_group(frame, min_cell=5)
    assert list(bg.columns) == groups.BY_GROUP_COLUMNS
    assert set(bg["grouping"]) == {"kommungrupp", "huvudgrupp"}
    # A1 (3 municipalities) is never reported alone: subtraction from A or the national figure
    # would give it back. It is reported together with A2.
    kg = bg[bg["grouping"] == "kommungrupp"]
    assert "A1" not in set(kg["group"]) and "A1+A2" in set(kg["group"])
    shown = ~bg["suppressed"]
    assert (bg.loc[shown, "n_eligible"] >= 5).all() and bg.loc[shown, "share_weighted"].notna().all()
    assert bg.loc[~shown, ["n_eligible", "share_weighted", "ci_low", "ci_high"]].isna().all().all()
    mt = groups.maturity_table(frame, min_cell=5)
    assert (mt.loc[~mt["suppressed"], "n"] >= 5).all()
    assert mt.loc[mt["suppressed"], ["n", "mean", "se"]].isna().all().all()


def test_main_group_share_within_group(frame):
    bg = groups.headline_by_group(frame, min_cell=1)
    r = frame[frame["responded"]]
    w = design.design_weights(frame)[frame["responded"]]
    row = bg[(bg["grouping"] == "huvudgrupp") & (bg["group"] == "C") & (bg["item"] == "ciso")].iloc[0]
    ok = r["ciso"].notna() & (r["huvudgrupp"] == "C")
    assert row["share_weighted"] == pytest.approx((w[ok] * r.loc[ok, "ciso"].astype(float)).sum() / w[ok].sum())


def test_no_margin_has_a_single_suppressed_cell(frame):
    bg = groups.headline_by_group(frame, min_cell=20)  # a high threshold forces suppression
    assert bg["suppressed"].any()
    kg = bg[bg["grouping"] == "kommungrupp"].assign(parent=lambda d: d["group"].str[0])
    _no_lonely_suppressed_cell(kg, ["item"])
    _no_lonely_suppressed_cell(kg, ["item", "parent"])
    _no_lonely_suppressed_cell(bg[bg["grouping"] == "huvudgrupp"], ["item"])
    mt = groups.maturity_table(frame, min_cell=20)
    _no_lonely_suppressed_cell(mt[mt["grouping"] == "lan_kod"], ["grouping"])


def test_maturity_mean_of_a_county_is_the_weighted_mean_of_its_respondents(frame):
    mt = groups.maturity_table(frame, min_cell=1).set_index(["grouping", "group"])
    r = frame[frame["responded"]]
    w = design.design_weights(frame)[frame["responded"]]
    ok = r["maturity_index"].notna() & (r["lan_kod"].astype(str) == "01")
    expected = (w[ok] * r.loc[ok, "maturity_index"].astype(float)).sum() / w[ok].sum()
    assert mt.loc[("lan_kod", "01"), "mean"] == pytest.approx(expected)
    assert mt.loc[("lan_kod", "01"), "n"] == ok.sum()
    all_ok = r["maturity_index"].notna()
    assert mt.loc[("all", "all"), "mean"] == pytest.approx(
        (w[all_ok] * r.loc[all_ok, "maturity_index"].astype(float)).sum() / w[all_ok].sum())


def test_known_weights_and_public_counts(frame):
    w = groups.known_weights(frame)
    kg = frame["kommungrupp"].astype(str)
    for g in ("A1", "B3", "C9"):
        assert w[g] == pytest.approx((kg == g).sum() / frame.loc[kg == g, "responded"].sum())
    facts = groups.public_counts(frame, 5, ("ciso",))
    assert ("responded", None, "all", "all", int(frame["responded"].sum())) in facts
    r = frame[frame["responded"]]
    assert ("eligible", "ciso", "all", "all", int(r["ciso"].notna().sum())) in facts
    assert ("yes", "ciso", "all", "all", int(r["ciso"].fillna(False).sum())) in facts
    assert not any(f[2] == "kommungrupp" and f[3] == "A1" for f in facts)  # reported as A1+A2 only
