"""analysis.compute.survey.nonresponse: the logistic model of responding equals statsmodels' formula
GLM (Wald) and the profile likelihood of analysis.compute.likelihood where a main group is sparse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.compute import likelihood
from analysis.compute.survey import nonresponse


def test_nonresponse_model(frame):
    t = nonresponse.nonresponse_model(frame)
    d = frame.assign(y=frame["responded"].astype(float), lp=np.log(frame["folkmangd"]),
                     hg=frame["huvudgrupp"].astype(str))
    fit = smf.glm("y ~ lp + C(hg)", d, family=sm.families.Binomial()).fit()
    ref = np.exp(fit.params)
    got = t.set_index("term")["odds_ratio"]
    assert got["const"] == pytest.approx(ref["Intercept"])
    assert got["log_folkmangd"] == pytest.approx(ref["lp"])
    assert got["huvudgrupp[B]"] == pytest.approx(ref["C(hg)[T.B]"])
    assert got["huvudgrupp[C]"] == pytest.approx(ref["C(hg)[T.C]"])
    assert (t["n"] == 290).all()
    # Wald intervals only when every main group has at least 5 respondents and 5 non-respondents
    counts = pd.crosstab(d["hg"], d["y"])
    sparse = bool((counts < likelihood.MIN_EVENTS).to_numpy().any())
    assert (t["method"] == ("ml_profile" if sparse else "ml_wald")).all()
    wald = nonresponse.nonresponse_model(frame, min_events=0)
    assert (wald["method"] == "ml_wald").all()
    ref_ci = np.exp(fit.conf_int()[0]).rename({"Intercept": "const", "lp": "log_folkmangd",
                                               "C(hg)[T.B]": "huvudgrupp[B]", "C(hg)[T.C]": "huvudgrupp[C]"})
    np.testing.assert_allclose(wald.set_index("term")["ci_low"], ref_ci.reindex(wald["term"]), rtol=1e-6)


def test_nonresponse_model_uses_profile_likelihood_for_a_group_with_one_non_respondent(frame):
    df = frame.copy()
    a = df.index[df["huvudgrupp"] == "A"]
    df.loc[a, "responded"] = True
    df.loc[a[0], "responded"] = False  # one non-respondent in A, as in 2019
    t = nonresponse.nonresponse_model(df).set_index("term")
    assert (t["method"] == "ml_profile").all()
    X = pd.DataFrame({"const": 1.0, "log_folkmangd": np.log(df["folkmangd"].astype(float)),
                      "huvudgrupp[B]": (df["huvudgrupp"] == "B").astype(float),
                      "huvudgrupp[C]": (df["huvudgrupp"] == "C").astype(float)})
    ci, p = likelihood.profile_likelihood(df["responded"].astype(float), X)
    np.testing.assert_allclose(t["ci_low"], np.exp(ci["low"]), rtol=1e-9)
    np.testing.assert_allclose(t["p_value"], p, rtol=1e-9)
    # with one non-respondent the profile interval is far from the symmetric Wald one on the log scale
    b, se = np.log(t.loc["huvudgrupp[B]", "odds_ratio"]), t.loc["huvudgrupp[B]", "se"]
    assert abs(np.log(t.loc["huvudgrupp[B]", "ci_high"]) - (b + 1.96 * se)) > 0.2


def test_design_matrix_has_one_indicator_per_main_group_but_the_first():
    df = pd.DataFrame({"folkmangd": [1000, 10_000, 100_000],
                       "huvudgrupp": pd.Categorical(["B", "A", "C"], categories=["A", "B", "C"])})
    X = nonresponse.design_matrix(df)
    assert list(X.columns) == ["const", "log_folkmangd", "huvudgrupp[B]", "huvudgrupp[C]"]
    np.testing.assert_allclose(X["log_folkmangd"], np.log([1000, 10_000, 100_000]))
    assert X["huvudgrupp[B]"].tolist() == [1, 0, 0] and X["huvudgrupp[C]"].tolist() == [0, 0, 1]
    assert (X["const"] == 1).all()
    assert list(nonresponse.NONRESPONSE_COLUMNS) == ["term", "coef", "se", "odds_ratio", "ci_low", "ci_high",
                                                     "p_value", "n", "method"]
