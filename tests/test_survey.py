"""Tests of analysis.survey against hand-computed values (fractions worked out on paper).

Small design used throughout: stratum a with N=10 and 4 respondents (weight 2.5), stratum b with
N=6 and 3 respondents (weight 2); y_a = [1, 0, 1, NA], y_b = [1, 0, 0].
  N_d = 2.5*3 + 2*3 = 13.5, sum w y = 5 + 2 = 7, p = 14/27
  z_a = [65, -70, 65, 0]/729 (mean 15/729), squared deviations sum 12450/729^2
  z_b = [52, -56, -56]/729  (mean -20/729), squared deviations sum 7776/729^2
  var (no FPC) = (4/3*12450 + 3/2*7776)/729^2 = 28264/531441
  var (FPC 0.6, 0.5) = (0.6*16600 + 0.5*11664)/729^2 = 15792/531441
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.compute import survey

Y = pd.array([True, False, True, pd.NA, True, False, False], dtype="boolean")
S = np.array(["a", "a", "a", "a", "b", "b", "b"])
N_H = {"a": 10, "b": 6}


def test_design_weights_are_N_over_n_and_nan_for_nonrespondents():
    df = pd.DataFrame({"kommungrupp": pd.Categorical(["a"] * 10 + ["b"] * 6),
                       "responded": [True] * 4 + [False] * 6 + [True] * 3 + [False] * 3})
    w = survey.design_weights(df)
    assert w.index.equals(df.index)
    assert w.iloc[:4].tolist() == [2.5] * 4 and w.iloc[10:13].tolist() == [2.0] * 3
    assert w[~df["responded"]].isna().all()
    assert w.sum() == pytest.approx(16)


def test_design_weights_reject_missing_stratum():
    df = pd.DataFrame({"kommungrupp": ["a", None], "responded": [True, True]})
    with pytest.raises(ValueError, match="missing"):
        survey.design_weights(df)


def test_share_point_estimate_and_se_without_fpc():
    m = survey.linearised_mean(Y, S, N_H, fpc=False)
    assert m["estimate"] == pytest.approx(14 / 27)
    assert m["var"] == pytest.approx(28264 / 531441, rel=1e-12)
    assert (m["n"], m["H"], m["df"]) == (6, 2, 4)
    assert m["N_hat"] == pytest.approx(13.5)


def test_share_se_with_fpc():
    e = survey.estimate_share(Y, S, N_H)
    assert e["share_weighted"] == pytest.approx(14 / 27)
    assert e["se"] == pytest.approx(math.sqrt(15792 / 531441), rel=1e-12)
    assert (e["n_eligible"], e["n_yes"]) == (6, 3)
    assert e["share_unweighted"] == pytest.approx(0.5)


def test_weighted_share_equals_sum_wy_over_sum_w_in_domain():
    df = pd.DataFrame({"kommungrupp": ["a"] * 10 + ["b"] * 6,
                       "responded": [True] * 4 + [False] * 6 + [True] * 3 + [False] * 3})
    y = pd.Series(pd.array([True, False, True, pd.NA] + [pd.NA] * 6 + [True, False, False] + [pd.NA] * 3, dtype="boolean"))
    w = survey.design_weights(df)
    ok = df["responded"] & y.notna()
    direct = (w[ok] * y[ok].astype(float)).sum() / w[ok].sum()
    e = survey.estimate_share(y[df["responded"].to_numpy()], df.loc[df["responded"], "kommungrupp"], N_H)
    assert e["share_weighted"] == pytest.approx(direct)


def test_domain_keeps_full_design_zeros_for_non_members():
    # domain = stratum a: p = 2/3, N_d = 7.5, z_a = [1, -2, 1, 0]/9 (mean 0), z_b = 0
    # var = 0.6 * 4/3 * 6/81 = 4.8/81
    e = survey.estimate_share(Y, S, N_H, domain=S == "a")
    assert e["share_weighted"] == pytest.approx(2 / 3)
    assert e["se"] ** 2 == pytest.approx(4.8 / 81)
    assert e["n_eligible"] == 3 and e["df"] == 2


def test_single_stratum_without_missing_is_srs_with_fpc():
    y = pd.array([True, False, True, True, True, False, False], dtype="boolean")
    m = survey.linearised_mean(y, S, N_H, domain=S == "a")
    # SRS: (1 - 4/10) * s^2 / 4 with s^2 = 0.25
    assert m["estimate"] == pytest.approx(0.75)
    assert m["var"] == pytest.approx(0.6 * 0.25 / 4)


def test_korn_graubard_interval_by_formula():
    e = survey.estimate_share(Y, S, N_H, alpha=0.05)
    p, var = 14 / 27, 15792 / 531441
    n_eff = p * (1 - p) / var  # 8.4016
    assert n_eff == pytest.approx(8.40159574, rel=1e-8)
    ratio = (stats.t.ppf(0.025, 6 - 1) / stats.t.ppf(0.025, 6 - 2)) ** 2  # (2.5706/2.7764)^2
    assert ratio == pytest.approx(0.85720498, rel=1e-7)
    n_eff *= ratio
    lo = stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1)
    hi = stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p))
    assert e["ci_method"] == "korn_graubard"
    assert e["n_eff"] == pytest.approx(7.20188973, rel=1e-7)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((lo, hi))
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((0.1541135, 0.8683110), abs=1e-6)


def test_zero_variance_falls_back_to_clopper_pearson_on_counts():
    y = pd.array([True, True, True, pd.NA, True, True, True], dtype="boolean")
    e = survey.estimate_share(y, S, N_H)
    assert e["share_weighted"] == 1.0 and e["se"] == 0.0
    assert e["ci_method"] == "clopper_pearson"
    # all 6 yes: lower = (alpha/2)^(1/n)
    assert e["ci_low"] == pytest.approx(0.025 ** (1 / 6)) and e["ci_high"] == 1.0
    assert e["ci_low"] == pytest.approx(0.5407419, abs=1e-6)
    y0 = pd.array([False] * 7, dtype="boolean")
    e0 = survey.estimate_share(y0, S, N_H)
    assert (e0["ci_low"], e0["ci_high"]) == pytest.approx((0.0, 1 - 0.025 ** (1 / 7)))


def test_census_rule_is_the_same_for_shares_and_means():
    """Every stratum of the domain fully observed (n_h = N_h): no sampling error, so se 0 and a
    zero-width interval for a share AND for a mean (ci_method census), although 0 < p < 1."""
    y = pd.array([True, False, True, False, True], dtype="boolean")
    st, N = ["a", "a", "b", "b", "b"], {"a": 2, "b": 3}
    e = survey.estimate_share(y, st, N)
    assert (e["se"], e["share_weighted"], e["ci_method"]) == (0.0, 0.6, "census")
    assert e["ci_low"] == e["ci_high"] == e["share_weighted"]
    m = survey.estimate_mean(pd.array([3, 5, 1, 2, 7], dtype="Int8"), st, N)
    assert (m["se"], m["ci_method"]) == (0.0, "census") and m["ci_low"] == m["ci_high"] == m["mean"] == 3.6
    # a domain inside the census stratum b (stratum a sampled) is a census too
    e_b = survey.estimate_share(y, st, {"a": 5, "b": 3}, domain=np.array(st) == "b")
    assert e_b["ci_method"] == "census" and e_b["share_weighted"] == pytest.approx(2 / 3)


def test_domain_mixing_census_and_sampled_strata_gets_variance_from_the_sampled_only():
    # a: N = 10, 4 respondents (weight 2.5, f = 0.6); c: N = 2, both responded (census)
    y = pd.array([True, False, True, False, True, False], dtype="boolean")
    st = ["a", "a", "a", "a", "c", "c"]
    e = survey.estimate_share(y, st, {"a": 10, "c": 2})
    # p = (2.5*2 + 1)/(10 + 2) = 0.5; z_a = 2.5 (y - 0.5) / 12 = +-1.25/12, mean 0: ss = 4 (1.25/12)^2
    var = 0.6 * 4 / 3 * 4 * (1.25 / 12) ** 2
    assert e["share_weighted"] == pytest.approx(0.5) and e["se"] == pytest.approx(np.sqrt(var))
    assert e["ci_method"] == "korn_graubard" and e["ci_low"] < 0.5 < e["ci_high"]


def test_mean_with_zero_variance_outside_a_census_has_no_interval():
    m = survey.estimate_mean(pd.array([4, 4, 4, 4, 4, 4, 4], dtype="Int8"), S, N_H)
    assert m["mean"] == 4 and m["ci_method"] == "none_zero_variance"
    assert np.isnan(m["ci_low"]) and np.isnan(m["ci_high"])


def test_lonely_respondent_policy():
    y = pd.array([True, False, True, False], dtype="boolean")
    st = ["a", "a", "a", "c"]
    # c: certainty (n=N=1) contributes 0 -> var only from a
    base = survey.linearised_mean(y, st, {"a": 10, "c": 1})
    w_a, N_d = 10 / 3, 10 + 1
    p = (2 * w_a) / N_d
    z_a = np.array([w_a * (1 - p), w_a * (0 - p), w_a * (1 - p)]) / N_d
    var_a = 0.7 * 3 / 2 * np.sum((z_a - z_a.mean()) ** 2)
    assert base["estimate"] == pytest.approx(p)
    assert base["var"] == pytest.approx(var_a)
    # c: one respondent of N=4 -> adjust: (1 - 1/4) * z_c^2 (centred at the grand mean 0)
    adj = survey.linearised_mean(y, st, {"a": 10, "c": 4})
    N_d = 10 + 4
    p = (2 * w_a) / N_d
    z_a = np.array([w_a * (1 - p), w_a * (0 - p), w_a * (1 - p)]) / N_d
    z_c = 4 * (0 - p) / N_d
    assert adj["var"] == pytest.approx(0.7 * 1.5 * np.sum((z_a - z_a.mean()) ** 2) + 0.75 * z_c**2)
    with pytest.raises(ValueError, match="single respondent"):
        survey.linearised_mean(y, st, {"a": 10, "c": 4}, lonely="fail")


def test_mean_t_interval():
    y = pd.array([3, 5, 1, pd.NA, 2, 2, 6], dtype="Int8")
    e = survey.estimate_mean(y, S, N_H)
    # weights 2.5 (a) and 2 (b): (2.5*9 + 2*10) / 13.5
    assert e["mean"] == pytest.approx(42.5 / 13.5)
    half = stats.t.ppf(0.975, 6 - 2) * e["se"]
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((e["mean"] - half, e["mean"] + half))


def test_bounds():
    assert survey.bounds(3, 6, 16) == pytest.approx((3 / 16, 13 / 16))
    assert survey.bounds(149, 252, 290) == pytest.approx((149 / 290, (149 + 38) / 290))


@pytest.mark.parametrize("p, x", [
    (0.25, 3), (0.35, 4), (0.05, 1), (0.04, 0), (0.45, 5), (0.15, 2), (0.6449, 6), (0.65, 7), (1.0, 10), (0.0, 0),
])
def test_x_of_10_rounds_half_up(p, x):
    assert survey.x_of_10(p) == x and isinstance(survey.x_of_10(p), int)


def test_x_of_10_missing():
    assert survey.x_of_10(np.nan) is None and survey.x_of_10(pd.NA) is None


def test_suppress_small_cells():
    df = pd.DataFrame({"group": ["A1", "A2", "B3"], "n": [3, 5, 10], "share": [0.5, 0.6, 0.7],
                       "ci_low": [0.1, 0.2, 0.3], "label": ["x", "y", "z"]})
    out = survey.suppress(df, "n", 5)
    assert out["suppressed"].tolist() == [True, False, False]
    assert out["share"].isna().tolist() == [True, False, False]
    assert out["ci_low"].isna().tolist() == [True, False, False]
    assert out["n"].tolist() == [3, 5, 10] and out["label"].tolist() == ["x", "y", "z"]
    assert df["share"].notna().all()  # input untouched
    only = survey.suppress(df, "n", 11, ["share"])
    assert only["share"].isna().all() and only["ci_low"].notna().all()
    # an existing mark is kept
    again = survey.suppress(out, "n", 1)
    assert again["suppressed"].tolist() == [True, False, False]


# --------------------------------------------------------------------------------------------
# A realistic 290-row frame: the register plus random answers
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frame(register):
    from analysis.base.codebook import HEADLINE_ITEMS

    rng = np.random.default_rng(7)
    df = register[["kommunkod", "kommun", "lan_kod", "lan_namn", "kommungrupp", "huvudgrupp", "folkmangd"]].copy()
    df["responded"] = rng.random(len(df)) < 0.9
    for item in HEADLINE_ITEMS:
        v = pd.array(rng.random(len(df)) < 0.5, dtype="boolean")
        v[(rng.random(len(df)) < 0.06) | ~df["responded"].to_numpy()] = pd.NA
        df[item] = v
    mi = pd.array(rng.integers(0, 8, len(df)), dtype="Int8")
    mi[(rng.random(len(df)) < 0.3) | ~df["responded"].to_numpy()] = pd.NA
    df["maturity_index"] = mi
    return df


def test_headline_table_on_frame(frame):
    t = survey.headline_table(frame)
    assert list(t.columns) == survey.HEADLINE_COLUMNS
    assert len(t) == 10
    r = frame[frame["responded"]]
    w = survey.design_weights(frame)[frame["responded"]]
    for _, row in t.iterrows():
        ok = r[row["item"]].notna()
        assert row["n_eligible"] == ok.sum()
        assert row["share_weighted"] == pytest.approx((w[ok] * r.loc[ok, row["item"]].astype(float)).sum() / w[ok].sum())
        assert row["bound_low"] <= row["share_unweighted"] <= row["bound_high"]
        assert row["ci_low"] < row["share_weighted"] < row["ci_high"]
    assert survey.design_weights(frame).sum() == pytest.approx(290)


def _no_lonely_suppressed_cell(t, by):
    for _, block in t.groupby(by):
        assert int(block["suppressed"].sum()) != 1, block


def test_by_group_tables_suppress_every_small_cell(frame):
    bg = survey.headline_by_group(frame, min_cell=5)
    assert list(bg.columns) == survey.BY_GROUP_COLUMNS
    assert set(bg["grouping"]) == {"kommungrupp", "huvudgrupp"}
    # A1 (3 municipalities) is never reported alone: subtraction from A or the national figure
    # would give it back. It is reported together with A2.
    kg = bg[bg["grouping"] == "kommungrupp"]
    assert "A1" not in set(kg["group"]) and "A1+A2" in set(kg["group"])
    shown = ~bg["suppressed"]
    assert (bg.loc[shown, "n_eligible"] >= 5).all() and bg.loc[shown, "share_weighted"].notna().all()
    assert bg.loc[~shown, ["n_eligible", "share_weighted", "ci_low", "ci_high"]].isna().all().all()
    mt = survey.maturity_table(frame, min_cell=5)
    assert (mt.loc[~mt["suppressed"], "n"] >= 5).all()
    assert mt.loc[mt["suppressed"], ["n", "mean", "se"]].isna().all().all()
    rt = survey.response_table(frame, min_cell=5)
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


def test_main_group_share_within_group(frame):
    bg = survey.headline_by_group(frame, min_cell=1)
    r = frame[frame["responded"]]
    w = survey.design_weights(frame)[frame["responded"]]
    row = bg[(bg["grouping"] == "huvudgrupp") & (bg["group"] == "C") & (bg["item"] == "ciso")].iloc[0]
    ok = r["ciso"].notna() & (r["huvudgrupp"] == "C")
    assert row["share_weighted"] == pytest.approx((w[ok] * r.loc[ok, "ciso"].astype(float)).sum() / w[ok].sum())


def test_nonresponse_model(frame):
    import statsmodels.formula.api as smf

    t = survey.nonresponse_model(frame)
    d = frame.assign(y=frame["responded"].astype(float), lp=np.log(frame["folkmangd"]),
                     hg=frame["huvudgrupp"].astype(str))
    fit = smf.glm("y ~ lp + C(hg)", d, family=__import__("statsmodels.api").api.families.Binomial()).fit()
    ref = np.exp(fit.params)
    got = t.set_index("term")["odds_ratio"]
    assert got["const"] == pytest.approx(ref["Intercept"])
    assert got["log_folkmangd"] == pytest.approx(ref["lp"])
    assert got["huvudgrupp[B]"] == pytest.approx(ref["C(hg)[T.B]"])
    assert got["huvudgrupp[C]"] == pytest.approx(ref["C(hg)[T.C]"])
    assert (t["n"] == 290).all()
    # Wald intervals only when every main group has at least 5 respondents and 5 non-respondents
    counts = pd.crosstab(d["hg"], d["y"])
    sparse = bool((counts < survey.MIN_EVENTS).to_numpy().any())
    assert (t["method"] == ("ml_profile" if sparse else "ml_wald")).all()
    wald = survey.nonresponse_model(frame, min_events=0)
    assert (wald["method"] == "ml_wald").all()
    ref_ci = np.exp(fit.conf_int()[0]).rename({"Intercept": "const", "lp": "log_folkmangd",
                                               "C(hg)[T.B]": "huvudgrupp[B]", "C(hg)[T.C]": "huvudgrupp[C]"})
    np.testing.assert_allclose(wald.set_index("term")["ci_low"], ref_ci.reindex(wald["term"]), rtol=1e-6)


def test_nonresponse_model_uses_profile_likelihood_for_a_group_with_one_non_respondent(frame):
    from analysis.compute import models

    df = frame.copy()
    a = df.index[df["huvudgrupp"] == "A"]
    df.loc[a, "responded"] = True
    df.loc[a[0], "responded"] = False  # one non-respondent in A, as in 2019
    t = survey.nonresponse_model(df).set_index("term")
    assert (t["method"] == "ml_profile").all()
    X = pd.DataFrame({"const": 1.0, "log_folkmangd": np.log(df["folkmangd"].astype(float)),
                      "huvudgrupp[B]": (df["huvudgrupp"] == "B").astype(float),
                      "huvudgrupp[C]": (df["huvudgrupp"] == "C").astype(float)})
    ci, p = models.profile_likelihood(df["responded"].astype(float), X)
    np.testing.assert_allclose(t["ci_low"], np.exp(ci["low"]), rtol=1e-9)
    np.testing.assert_allclose(t["p_value"], p, rtol=1e-9)
    # with one non-respondent the profile interval is far from the symmetric Wald one on the log scale
    b, se = np.log(t.loc["huvudgrupp[B]", "odds_ratio"]), t.loc["huvudgrupp[B]", "se"]
    assert abs(np.log(t.loc["huvudgrupp[B]", "ci_high"]) - (b + 1.96 * se)) > 0.2


# --------------------------------------------------------------------------------------------
# The default synthetic data (generated and cleaned in-test)
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_analysis(synthetic_data):
    return synthetic_data.analysis(seed=2019)


def test_synthetic_default_close_to_published(synthetic_analysis):
    t = survey.headline_table(synthetic_analysis)
    diff = (t["share_weighted"] - t["published_share"]).abs()
    assert (diff < 0.05).all(), t.loc[diff >= 0.05, ["item", "share_weighted", "published_share"]]
    assert (t["x_of_10"] == [survey.x_of_10(p) for p in t["published_share"]]).all()


def test_reporting_groups_merge_small_groups_within_main_group(frame):
    g = survey.reporting_groups(frame, min_cell=5)
    assert set(g[frame["kommungrupp"].astype(str).isin(["A1", "A2"])]) == {"A1+A2"}
    assert (g[frame["kommungrupp"].astype(str) == "B3"] == "B3").all()  # 21 municipalities: alone
    # with a larger threshold B3 (21) joins the next smallest B group, B5 (35)
    g30 = survey.reporting_groups(frame, min_cell=30)
    assert set(g30[frame["kommungrupp"].astype(str) == "B3"]) == {"B3+B5"}


def test_complementary_suppression_leaves_no_cell_recoverable():
    t = pd.DataFrame({"grouping": "g", "item": "x", "group": ["a", "b", "c", "d"],
                      "n": [3, 40, 20, 60], "share": [1.0, 0.5, 0.4, 0.3]})
    t = survey.suppress(t, "n", 5, ["share"])
    assert t["suppressed"].tolist() == [True, False, False, False]
    out = survey.complementary_suppression(t, "n", [["grouping", "item"]], ["share"])
    # the smallest other cell (c, n = 20) goes too, and no suppressed count is shown
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert out["share"].isna().tolist() == [True, False, True, False]
    assert out["n"].isna().tolist() == [True, False, True, False]


def test_no_margin_has_a_single_suppressed_cell(frame):
    bg = survey.headline_by_group(frame, min_cell=20)  # a high threshold forces suppression
    assert bg["suppressed"].any()
    kg = bg[bg["grouping"] == "kommungrupp"].assign(parent=lambda d: d["group"].str[0])
    _no_lonely_suppressed_cell(kg, ["item"])
    _no_lonely_suppressed_cell(kg, ["item", "parent"])
    _no_lonely_suppressed_cell(bg[bg["grouping"] == "huvudgrupp"], ["item"])
    mt = survey.maturity_table(frame, min_cell=20)
    _no_lonely_suppressed_cell(mt[mt["grouping"] == "lan_kod"], ["grouping"])
