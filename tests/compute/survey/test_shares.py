"""analysis.compute.survey.shares against hand-computed values (fractions worked out on paper).

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

from analysis.compute import design
from analysis.compute.survey import shares

Y = pd.array([True, False, True, pd.NA, True, False, False], dtype="boolean")
S = np.array(["a", "a", "a", "a", "b", "b", "b"])
N_H = {"a": 10, "b": 6}


def test_share_point_estimate_and_se_without_fpc():
    m = shares.linearised_mean(Y, S, N_H, fpc=False)
    assert m["estimate"] == pytest.approx(14 / 27)
    assert m["var"] == pytest.approx(28264 / 531441, rel=1e-12)
    assert (m["n"], m["H"], m["df"]) == (6, 2, 4)
    assert m["N_hat"] == pytest.approx(13.5)


def test_share_se_with_fpc():
    e = shares.estimate_share(Y, S, N_H)
    assert e["share_weighted"] == pytest.approx(14 / 27)
    assert e["se"] == pytest.approx(math.sqrt(15792 / 531441), rel=1e-12)
    assert (e["n_eligible"], e["n_yes"]) == (6, 3)
    assert e["share_unweighted"] == pytest.approx(0.5)


def test_weighted_share_equals_sum_wy_over_sum_w_in_domain():
    df = pd.DataFrame({"kommungrupp": ["a"] * 10 + ["b"] * 6,
                       "responded": [True] * 4 + [False] * 6 + [True] * 3 + [False] * 3})
    y = pd.Series(pd.array([True, False, True, pd.NA] + [pd.NA] * 6 + [True, False, False] + [pd.NA] * 3,
                           dtype="boolean"))
    w = design.design_weights(df)
    ok = df["responded"] & y.notna()
    direct = (w[ok] * y[ok].astype(float)).sum() / w[ok].sum()
    e = shares.estimate_share(y[df["responded"].to_numpy()], df.loc[df["responded"], "kommungrupp"], N_H)
    assert e["share_weighted"] == pytest.approx(direct)


def test_domain_keeps_full_design_zeros_for_non_members():
    # domain = stratum a: p = 2/3, N_d = 7.5, z_a = [1, -2, 1, 0]/9 (mean 0), z_b = 0
    # var = 0.6 * 4/3 * 6/81 = 4.8/81
    e = shares.estimate_share(Y, S, N_H, domain=S == "a")
    assert e["share_weighted"] == pytest.approx(2 / 3)
    assert e["se"] ** 2 == pytest.approx(4.8 / 81)
    assert e["n_eligible"] == 3 and e["df"] == 2


def test_single_stratum_without_missing_is_srs_with_fpc():
    y = pd.array([True, False, True, True, True, False, False], dtype="boolean")
    m = shares.linearised_mean(y, S, N_H, domain=S == "a")
    # SRS: (1 - 4/10) * s^2 / 4 with s^2 = 0.25
    assert m["estimate"] == pytest.approx(0.75)
    assert m["var"] == pytest.approx(0.6 * 0.25 / 4)


def test_korn_graubard_interval_by_formula():
    e = shares.estimate_share(Y, S, N_H, alpha=0.05)
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
    e = shares.estimate_share(y, S, N_H)
    assert e["share_weighted"] == 1.0 and e["se"] == 0.0
    assert e["ci_method"] == "clopper_pearson"
    # all 6 yes: lower = (alpha/2)^(1/n)
    assert e["ci_low"] == pytest.approx(0.025 ** (1 / 6)) and e["ci_high"] == 1.0
    assert e["ci_low"] == pytest.approx(0.5407419, abs=1e-6)
    y0 = pd.array([False] * 7, dtype="boolean")
    e0 = shares.estimate_share(y0, S, N_H)
    assert (e0["ci_low"], e0["ci_high"]) == pytest.approx((0.0, 1 - 0.025 ** (1 / 7)))


def test_census_rule_is_the_same_for_shares_and_means():
    """Every stratum of the domain fully observed (n_h = N_h): no sampling error, so se 0 and a
    zero-width interval for a share AND for a mean (ci_method census), although 0 < p < 1."""
    y = pd.array([True, False, True, False, True], dtype="boolean")
    st, N = ["a", "a", "b", "b", "b"], {"a": 2, "b": 3}
    e = shares.estimate_share(y, st, N)
    assert (e["se"], e["share_weighted"], e["ci_method"]) == (0.0, 0.6, "census")
    assert e["ci_low"] == e["ci_high"] == e["share_weighted"]
    m = shares.estimate_mean(pd.array([3, 5, 1, 2, 7], dtype="Int8"), st, N)
    assert (m["se"], m["ci_method"]) == (0.0, "census") and m["ci_low"] == m["ci_high"] == m["mean"] == 3.6
    # a domain inside the census stratum b (stratum a sampled) is a census too
    e_b = shares.estimate_share(y, st, {"a": 5, "b": 3}, domain=np.array(st) == "b")
    assert e_b["ci_method"] == "census" and e_b["share_weighted"] == pytest.approx(2 / 3)


def test_domain_mixing_census_and_sampled_strata_gets_variance_from_the_sampled_only():
    # a: N = 10, 4 respondents (weight 2.5, f = 0.6); c: N = 2, both responded (census)
    y = pd.array([True, False, True, False, True, False], dtype="boolean")
    st = ["a", "a", "a", "a", "c", "c"]
    e = shares.estimate_share(y, st, {"a": 10, "c": 2})
    # p = (2.5*2 + 1)/(10 + 2) = 0.5; z_a = 2.5 (y - 0.5) / 12 = +-1.25/12, mean 0: ss = 4 (1.25/12)^2
    var = 0.6 * 4 / 3 * 4 * (1.25 / 12) ** 2
    assert e["share_weighted"] == pytest.approx(0.5) and e["se"] == pytest.approx(np.sqrt(var))
    assert e["ci_method"] == "korn_graubard" and e["ci_low"] < 0.5 < e["ci_high"]


def test_mean_with_zero_variance_outside_a_census_has_no_interval():
    m = shares.estimate_mean(pd.array([4, 4, 4, 4, 4, 4, 4], dtype="Int8"), S, N_H)
    assert m["mean"] == 4 and m["ci_method"] == "none_zero_variance"
    assert np.isnan(m["ci_low"]) and np.isnan(m["ci_high"])


def test_lonely_respondent_policy():
    y = pd.array([True, False, True, False], dtype="boolean")
    st = ["a", "a", "a", "c"]
    # c: certainty (n=N=1) contributes 0 -> var only from a
    base = shares.linearised_mean(y, st, {"a": 10, "c": 1})
    w_a, N_d = 10 / 3, 10 + 1
    p = (2 * w_a) / N_d
    z_a = np.array([w_a * (1 - p), w_a * (0 - p), w_a * (1 - p)]) / N_d
    var_a = 0.7 * 3 / 2 * np.sum((z_a - z_a.mean()) ** 2)
    assert base["estimate"] == pytest.approx(p)
    assert base["var"] == pytest.approx(var_a)
    # c: one respondent of N=4 -> adjust: (1 - 1/4) * z_c^2 (centred at the grand mean 0)
    adj = shares.linearised_mean(y, st, {"a": 10, "c": 4})
    N_d = 10 + 4
    p = (2 * w_a) / N_d
    z_a = np.array([w_a * (1 - p), w_a * (0 - p), w_a * (1 - p)]) / N_d
    z_c = 4 * (0 - p) / N_d
    assert adj["var"] == pytest.approx(0.7 * 1.5 * np.sum((z_a - z_a.mean()) ** 2) + 0.75 * z_c**2)
    with pytest.raises(ValueError, match="single respondent"):
        shares.linearised_mean(y, st, {"a": 10, "c": 4}, lonely="fail")


def test_mean_t_interval():
    y = pd.array([3, 5, 1, pd.NA, 2, 2, 6], dtype="Int8")
    e = shares.estimate_mean(y, S, N_H)
    # weights 2.5 (a) and 2 (b): (2.5*9 + 2*10) / 13.5
    assert e["mean"] == pytest.approx(42.5 / 13.5)
    half = stats.t.ppf(0.975, 6 - 2) * e["se"]
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((e["mean"] - half, e["mean"] + half))


def test_bounds():
    assert shares.bounds(3, 6, 16) == pytest.approx((3 / 16, 13 / 16))
    assert shares.bounds(149, 252, 290) == pytest.approx((149 / 290, (149 + 38) / 290))


@pytest.mark.parametrize("p, x", [
    (0.25, 3), (0.35, 4), (0.05, 1), (0.04, 0), (0.45, 5), (0.15, 2), (0.6449, 6), (0.65, 7), (1.0, 10), (0.0, 0),
])
def test_x_of_10_rounds_half_up(p, x):
    assert shares.x_of_10(p) == x and isinstance(shares.x_of_10(p), int)


def test_x_of_10_missing():
    assert shares.x_of_10(np.nan) is None and shares.x_of_10(pd.NA) is None


def test_headline_table_on_frame(frame):
    t = shares.headline_table(frame)
    assert list(t.columns) == shares.HEADLINE_COLUMNS
    assert len(t) == 10
    r = frame[frame["responded"]]
    w = design.design_weights(frame)[frame["responded"]]
    for _, row in t.iterrows():
        ok = r[row["item"]].notna()
        assert row["n_eligible"] == ok.sum()
        expected = (w[ok] * r.loc[ok, row["item"]].astype(float)).sum() / w[ok].sum()
        assert row["share_weighted"] == pytest.approx(expected)
        assert row["bound_low"] <= row["share_unweighted"] <= row["bound_high"]
        assert row["ci_low"] < row["share_weighted"] < row["ci_high"]
    assert design.design_weights(frame).sum() == pytest.approx(290)


def test_synthetic_default_close_to_published(synthetic_analysis):
    t = shares.headline_table(synthetic_analysis)
    diff = (t["share_weighted"] - t["published_share"]).abs()
    assert (diff < 0.05).all(), t.loc[diff >= 0.05, ["item", "share_weighted", "published_share"]]
    assert (t["x_of_10"] == [shares.x_of_10(p) for p in t["published_share"]]).all()



def test_in_domain_is_a_valid_answer_inside_the_mask():
    y = np.array([1.0, np.nan, 0.0, 1.0])
    assert shares.in_domain(y).tolist() == [True, False, True, True]
    mask = pd.array([True, True, pd.NA, False], dtype="boolean")  # NA: outside
    assert shares.in_domain(y, mask).tolist() == [True, False, False, False]


def test_strata_without_a_population_size_or_with_too_many_respondents_are_refused():
    with pytest.raises(ValueError, match="no population size N_h for stratum 'b'"):
        shares.linearised_mean(Y, S, {"a": 10})
    with pytest.raises(ValueError, match="more respondents than population"):
        shares.linearised_mean(Y, S, {"a": 3, "b": 6})


def test_clopper_pearson_and_korn_graubard_edge_cases():
    # exact binomial limits: 2 of 4 -> Beta(0.025; 2, 3) and Beta(0.975; 3, 2)
    assert shares.clopper_pearson(2, 4) == pytest.approx((stats.beta.ppf(0.025, 2, 3), stats.beta.ppf(0.975, 3, 2)))
    assert all(math.isnan(v) for v in shares.clopper_pearson(0, 0))
    # no interval without a positive variance, a share strictly inside (0, 1) and a degree of freedom
    for args in ((0.5, 0.0, 10, 2), (0.0, 0.01, 10, 2), (0.5, 0.01, 2, 2), (0.5, 0.01, 1, 0)):
        assert all(math.isnan(v) for v in shares.korn_graubard(*args)), args
