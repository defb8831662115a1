"""compute.models.effects: the weighted AMEs and their delta-method SEs against finite differences of
an independent AME computation; weights matter; is_binary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from analysis.compute.models.effects import average_marginal_effects, is_binary
from analysis.compute.models.glm import fit_binary


def test_weighted_ame_delta_method_by_finite_differences(sim):
    X, y, w = sim(seed=5)
    f = fit_binary(y, X, w)
    ame = average_marginal_effects(f.params, f.cov, X, w)
    Xv, a = X.to_numpy(), w / w.sum()

    def ame_of(b, j):
        if set(np.unique(Xv[:, j])) <= {0.0, 1.0}:
            X1, X0 = Xv.copy(), Xv.copy()
            X1[:, j], X0[:, j] = 1, 0
            return a @ (expit(X1 @ b) - expit(X0 @ b))
        p = expit(Xv @ b)
        return a @ (p * (1 - p)) * b[j]

    b0, V = f.params.to_numpy(), f.cov.to_numpy()
    for j, t in enumerate(X.columns):
        if t == "const":
            continue
        assert ame.loc[t, "ame"] == pytest.approx(ame_of(b0, j), rel=1e-10)
        g = np.array([(ame_of(b0 + h * e, j) - ame_of(b0 - h * e, j)) / (2 * h)
                      for e, h in zip(np.eye(len(b0)), np.full(len(b0), 1e-6), strict=True)])
        assert ame.loc[t, "se"] == pytest.approx(np.sqrt(g @ V @ g), rel=1e-5), t
    # weights matter: the weighted AME differs from the unweighted one on skewed weights
    w2 = np.where(X["huvudgrupp_C"] == 1, 5.0, 1.0)
    f2 = fit_binary(y, X, w2)
    a2 = average_marginal_effects(f2.params, f2.cov, X, w2)
    a1 = average_marginal_effects(f2.params, f2.cov, X, None)
    assert not np.isclose(a2.loc["leadership_informed", "ame"], a1.loc["leadership_informed", "ame"])


def test_terms_select_rows_and_interval_is_symmetric(sim):
    X, y, _ = sim(seed=8, weights=False)
    f = fit_binary(y, X, None)
    a = average_marginal_effects(f.params, f.cov, X, terms=("resources",), alpha=0.10)
    assert list(a.index) == ["resources"]
    r = a.loc["resources"]
    assert r["high"] - r["ame"] == pytest.approx(r["ame"] - r["low"]) == pytest.approx(1.6448536269514722 * r["se"])


def test_is_binary():
    assert is_binary(pd.Series([0.0, 1.0, 1.0])) and is_binary(pd.Series([1.0, 1.0]))
    assert not is_binary(pd.Series([0.0, 2.0])) and not is_binary(pd.Series([0.0, 0.5, 1.0]))
