"""compute.models.sparse: a group with fewer than 5 events: weighted fits leave out the group rows,
unweighted fits get profile-likelihood intervals (method ML_profile); other fits are left alone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.compute.likelihood import profile_likelihood, sparse_groups
from analysis.compute.models.estimate import fit_all
from analysis.compute.models.glm import fit_binary
from analysis.compute.models.sparse import apply_sparse_rule
from analysis.compute.models.specs import OUTCOMES, PREDICTORS


def _sparse_design():
    """200 rows, groups A (20 rows, 3 events), B, C; x a 0/1 item."""
    rng = np.random.default_rng(12)
    g = np.array(["A"] * 20 + ["B"] * 90 + ["C"] * 90)
    x = (rng.random(200) < 0.4).astype(float)
    y = (rng.random(200) < 0.4 + 0.2 * x).astype(float)
    y[:20] = 0.0
    y[:3] = 1.0
    X = pd.DataFrame({"const": 1.0, "x": x, "huvudgrupp_B": (g == "B") * 1.0, "huvudgrupp_C": (g == "C") * 1.0})
    return X, y, pd.Series(g)


def test_rule_on_one_fit_by_hand():
    X, y, g = _sparse_design()
    assert sparse_groups(y, g) == ["A"]
    f = fit_binary(y, X, None)
    omit, entry = apply_sparse_rule(f, y, g, "huvudgrupp")
    ci, p = profile_likelihood(y, X)
    assert omit == [] and f.method == "ML_profile" and entry == {"groups": ["A"], "action": "profile_likelihood",
                                                                "terms": []}
    pd.testing.assert_frame_equal(f.ci, ci)
    pd.testing.assert_series_equal(f.pvalues, p)
    fw = fit_binary(y, X, np.ones(len(y)))
    omit, entry = apply_sparse_rule(fw, y, g, "huvudgrupp")
    assert omit == ["huvudgrupp_B", "huvudgrupp_C"] and entry["action"] == "group_rows_left_out"
    assert fw.method == "ML"
    # no sparse group: nothing happens
    y2 = y.copy()
    y2[:10] = 1.0
    f2 = fit_binary(y2, X, None)
    assert apply_sparse_rule(f2, y2, g, "huvudgrupp") == ([], None) and f2.method == "ML"


def test_sparse_group_rule(analysis_frame):
    """A main group with fewer than 5 events: weighted fits leave out the group rows, unweighted fits
    get profile-likelihood intervals (method ML_profile)."""
    a = analysis_frame(seed=3)
    resp = a["responded"] & (a["huvudgrupp"] == "A")
    a.loc[resp, "follow_up"] = False
    a.loc[resp[resp].index[:3], "follow_up"] = True  # three events in A
    a["maturity_index"] = a[list(OUTCOMES)].astype("Int8").sum(axis=1).where(
        a[list(OUTCOMES)].notna().all(axis=1)).astype("Int8")
    log: list = []
    t = fit_all(a, specs=("main", "unweighted"), log=log)
    fu = t[t["outcome"] == "follow_up"]
    assert not fu.loc[fu["spec"] == "main", "term"].str.startswith("huvudgrupp_").any()
    assert fu.loc[fu["spec"] == "main", "term"].isin(PREDICTORS).sum() == 4
    uw = fu[fu["spec"] == "unweighted"]
    assert (uw["method"] == "ML_profile").all() and uw["term"].str.startswith("huvudgrupp_").any()
    assert {(e["spec"], e["outcome"], e["action"]) for e in log} >= {
        ("main", "follow_up", "group_rows_left_out"), ("unweighted", "follow_up", "profile_likelihood")}
    assert sparse_groups([1, 1, 0, 0, 0, 0, 0, 0], list("AABBBBBB"), 5) == ["A", "B"]
