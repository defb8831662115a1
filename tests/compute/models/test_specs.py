"""compute.models.specs: the items come from the codebook's analysis plan, each specification codes
its outcomes as documented, and each spec's frame holds the respondents, the size term and weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.base.codebook import MATURITY_AREAS
from analysis.base.waves import codebook_for, waves
from analysis.compute.design import design_weights
from analysis.compute.models import specs
from analysis.compute.models.estimate import fit_all, fit_spec


def test_items_are_the_codebook_plan_of_every_wave():
    for wave in waves():
        plan = codebook_for(wave).analysis_plan()
        assert plan.outcomes == specs.OUTCOMES and plan.predictors == specs.PREDICTORS, wave
        assert plan.primary == specs.PRIMARY_TERMS and plan.terms == specs.TERMS, wave
    assert tuple(MATURITY_AREAS) == specs.OUTCOMES
    assert (*specs.PREDICTORS, "log_folkmangd") == specs.TERMS
    assert specs.SELF_RATING_TERMS == ("resources", "leadership_informed", "action_plans", "log_folkmangd")
    assert specs.SPEC_TERMS["leadership_total"] == ("leadership_informed", "action_plans", "log_folkmangd")
    assert specs.SPEC_TERMS["main"] == specs.TERMS


def test_respondents_carry_float_predictors_log_size_and_weights(analysis_frame):
    a = analysis_frame(seed=2)
    r = specs.respondents(a)
    assert len(r) == int(a["responded"].sum()) and r.index.isin(a.index[a["responded"]]).all()
    for p in specs.PREDICTORS:
        assert str(r[p].dtype) == "Float64"
        assert r[p].sum() == a.loc[a["responded"], p].sum()
    np.testing.assert_allclose(r["log_folkmangd"], np.log(a.loc[r.index, "folkmangd"].astype(float)))
    np.testing.assert_allclose(r["_w"], design_weights(a, strata="kommungrupp").loc[r.index])
    given = pd.Series(2.0, index=a.index)
    assert (specs.respondents(a, given)["_w"] == 2.0).all()


def test_spec_frame_refuses_an_unknown_spec_and_a_wrong_maturity_index(analysis_frame):
    a = analysis_frame(seed=2)
    with pytest.raises(ValueError, match="unknown spec 'nope'"):
        specs.spec_frame(a, "nope")
    bad = a.copy()
    i = bad.index[bad["responded"] & bad["maturity_index"].notna()][0]
    bad.loc[i, "maturity_index"] = (bad.loc[i, "maturity_index"] + 1) % 8
    with pytest.raises(ValueError, match="maturity_index differs"):
        specs.spec_frame(bad, "main")
    df, group = specs.spec_frame(a, "complete_cases")
    assert group == "huvudgrupp" and df[[f"y_{o}" for o in specs.OUTCOMES] + ["self_rating"]].notna().all().all()


def test_specs_code_outcomes_as_documented(analysis_frame):
    a = analysis_frame()
    main, dk, cut = (specs.spec_outcomes(a, s) for s in ("main", "dont_know_as_no", "cut_partly"))
    for o in specs.OUTCOMES:
        assert (dk[o] == False).sum() == (main[o] == False).sum() + a[f"{o}_dont_know"].sum()  # noqa: E712
        np.testing.assert_array_equal(cut[o].fillna(False), (a[f"{o}_level"] >= 2).fillna(False))
    t = fit_all(a, min_cell=5)
    assert set(t["spec"]) == set(specs.SPECS)
    assert t.loc[t["spec"] == "unweighted", "weighted"].eq(False).all()
    assert t.loc[t["spec"] == "main", "weighted"].eq(True).all()
    assert t.loc[t["spec"] == "kommungrupp", "term"].str.startswith("kommungrupp_").any()
    # kommungrupp: the reporting groups, so A1 (three municipalities, as in the register) never has a
    # dummy of its own but is merged with A2
    small = a.copy()
    a1 = small.index[small["kommungrupp"] == "A1"]
    small.loc[a1[3:], "kommungrupp"] = "A2"
    df, group = specs.spec_frame(small, "kommungrupp", min_cell=5)
    assert "A1" not in set(df[group]) and "A1+A2" in set(df[group])
    tk = fit_spec(small, "kommungrupp", min_cell=5)
    assert not tk["term"].isin(["kommungrupp_A1", "kommungrupp_A2"]).any()
    # leadership_total: no resources or collaboration, the same samples as main
    lt, main = t[t["spec"] == "leadership_total"], t[t["spec"] == "main"]
    assert not lt["term"].isin(["resources", "collaboration"]).any()
    assert set(lt["outcome"]) == {*specs.OUTCOMES, "maturity_index_binomial", "maturity_index_ordinal"}
    pd.testing.assert_series_equal(lt.groupby("outcome")["n"].first(),
                                   main[main["outcome"].isin(lt["outcome"])].groupby("outcome")["n"].first())
    n_main = t[(t["spec"] == "main") & t["outcome"].isin(specs.OUTCOMES)].groupby("outcome")["n"].first()
    n_dk = t[(t["spec"] == "dont_know_as_no") & t["outcome"].isin(specs.OUTCOMES)].groupby("outcome")["n"].first()
    assert (n_dk >= n_main).all() and (n_dk > n_main).any()
    n_cc = t.loc[(t["spec"] == "complete_cases"), "n"].unique()
    assert len(n_cc) == 1  # one sample for every model
