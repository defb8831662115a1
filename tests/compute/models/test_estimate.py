"""compute.models.estimate: fit_spec fits each outcome on its own complete-case sample (checked against
a fit built here by hand), keeps every fit, and fits the self-rating model in three specs only
(main, unweighted, complete_cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.compute.design import design_weights
from analysis.compute.models.estimate import fit_all, fit_spec
from analysis.compute.models.glm import fit_binary


def test_an_area_model_equals_the_fit_built_by_hand(analysis_frame):
    a = analysis_frame(seed=5)
    fits: dict = {}
    rows = fit_spec(a, "main", fits=fits)
    assert set(fits) == {("main", o) for o in rows["outcome"].unique()}
    assert set(rows["outcome"]) >= {"maturity_index_binomial", "maturity_index_ordinal", "self_rating_ordinal"}
    # by hand: respondents answering the outcome and the four items; weights N_h / n_h by kommungrupp
    r = a[a["responded"]]
    items = ["leadership_informed", "action_plans", "resources", "collaboration"]
    d = r[r[["awareness", *items]].notna().all(axis=1)]
    X = pd.DataFrame({"const": 1.0, **{i: d[i].astype(float) for i in items},
                      "log_folkmangd": np.log(d["folkmangd"].astype(float)),
                      "huvudgrupp_B": (d["huvudgrupp"] == "B").astype(float),
                      "huvudgrupp_C": (d["huvudgrupp"] == "C").astype(float)})
    w = design_weights(a, strata="kommungrupp").loc[d.index]
    ref = fit_binary(d["awareness"].astype(float), X, w)
    got = rows[rows["outcome"] == "awareness"].set_index("term")
    np.testing.assert_allclose(got["odds_ratio"], np.exp(ref.params[got.index]), rtol=1e-10)
    assert (got["n"] == len(d)).all() and fits[("main", "awareness")].n == len(d)


def test_self_rating_only_in_its_specs(analysis_frame):
    t = fit_all(analysis_frame(seed=6), specs=("main", "cut_partly"))
    with_rating = set(t.loc[t["outcome"] == "self_rating_ordinal", "spec"])
    assert with_rating == {"main"}
    sr = t[t["outcome"] == "self_rating_ordinal"]
    assert list(sr.loc[sr["spec"] == "main", "term"]) == ["resources", "leadership_informed", "action_plans",
                                                         "log_folkmangd"]
    assert sr["ame"].isna().all()  # no AMEs for ordinal models
