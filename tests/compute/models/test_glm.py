"""compute.models.glm: unweighted fits equal plain statsmodels Logit, the weighted sandwich is HC1 by
hand (not freq_weights), and separation (of 0/1 outcomes and of counts) leads to the Firth refit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit

from analysis.compute.models import glm
from analysis.compute.models.effects import average_marginal_effects
from analysis.compute.models.table import fit_rows


def test_unweighted_equals_plain_logit_and_get_margeff(sim):
    X, y, _ = sim(seed=3, weights=False)
    f = glm.fit_binary(y, X, None)
    assert f.method == "ML" and not f.weighted
    logit = sm.Logit(y, X).fit(disp=False, tol=1e-12)
    np.testing.assert_allclose(np.exp(f.params), np.exp(logit.params), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(f.cov.to_numpy(), logit.cov_params().to_numpy(), rtol=1e-4, atol=1e-9)
    ame = average_marginal_effects(f.params, f.cov, X)
    me = logit.get_margeff(at="overall", method="dydx", dummy=True)
    np.testing.assert_allclose(ame["ame"].to_numpy(), me.margeff, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ame["se"].to_numpy(), me.margeff_se, rtol=1e-4)
    rows = fit_rows(f, "unweighted", "y")
    np.testing.assert_allclose(rows["ame"].to_numpy(), 100 * me.margeff, rtol=1e-7)
    # the GLM results' own get_margeff agrees as well
    glm_me = f.extra["result"].get_margeff(at="overall", method="dydx", dummy=True)
    np.testing.assert_allclose(ame["ame"].to_numpy(), glm_me.margeff, rtol=1e-7)


def test_weighted_sandwich_is_hc1_by_hand_and_not_freq_weights(sim):
    X, y, w = sim(seed=4)
    f = glm.fit_binary(y, X, w)
    wn = w / w.mean()
    Xv = X.to_numpy()
    p = expit(Xv @ f.params.to_numpy())
    H = (Xv * (wn * p * (1 - p))[:, None]).T @ Xv
    S = Xv * (wn * (y - p))[:, None]
    n, k = Xv.shape
    V = np.linalg.inv(H) @ (S.T @ S) @ np.linalg.inv(H) * n / (n - k)
    np.testing.assert_allclose(f.cov.to_numpy(), V, rtol=1e-6)
    # invariant to the scale of the weights
    np.testing.assert_allclose(glm.fit_binary(y, X, 7 * w).cov.to_numpy(), V, rtol=1e-6)
    # freq_weights give a different (replicated-rows) sandwich: the reason they are not used
    fw = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=wn).fit(cov_type="HC0")
    assert not np.allclose(np.asarray(fw.cov_params()), V / (n / (n - k)), rtol=1e-3)


def test_separation_triggers_firth(sim):
    X, y, w = sim(n=200, seed=7)
    y = y.copy()
    y[X["leadership_informed"] == 1] = 1.0  # quasi-complete separation on leadership_informed
    with pytest.raises(glm.SeparationDetected):
        glm.glm_ml(y, X, None)
    for weights in (None, w):
        f = glm.fit_binary(y, X, weights)
        assert f.method == "Firth" and f.separation
        assert np.isfinite(f.params).all() and abs(f.params["leadership_informed"]) < 10
        assert f.ci.loc["leadership_informed", "low"] > 0
        rows = fit_rows(f, "main", "y")
        assert (rows["method"] == "Firth").all() and rows["ame"].notna().all()
    # complete separation: statsmodels' PerfectSeparation warning/error is turned into the Firth path
    x = np.r_[np.zeros(20), np.ones(20)]
    Xc = pd.DataFrame({"const": 1.0, "x": x})
    f = glm.fit_binary(x, Xc)
    assert f.method == "Firth" and np.isfinite(f.params["x"])
    with pytest.raises(glm.SeparationDetected):  # ... unless the caller forbids the refit
        glm.fit_binary(x, Xc, allow_firth=False)


def test_counts_model_falls_back_to_firth_on_separation():
    """A binary predictor that perfectly separates all-or-nothing counts: refitted, not dropped."""
    rng = np.random.default_rng(1)
    n = 60
    x = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    z = rng.normal(size=n)
    successes = np.where(x == 1, 7, 0).astype(float)
    X = pd.DataFrame({"const": 1.0, "x": x, "z": z})
    f = glm.fit_counts(successes, 7, X)
    assert f.method == "Firth" and f.n == n and f.separation
    assert np.isfinite(f.params["x"]) and f.params["x"] > 2  # large but finite, as Firth gives


def test_counts_model_equals_the_bernoulli_rows_fit():
    """A binomial count out of k is k Bernoulli trials: the same coefficients as the 0/1 fit on the
    expanded rows, and the kind and trials recorded."""
    rng = np.random.default_rng(2)
    n, k = 150, 7
    X = pd.DataFrame({"const": 1.0, "x": (rng.random(n) < 0.4).astype(float), "z": rng.normal(size=n)})
    s = rng.binomial(k, expit(-0.3 + 0.8 * X["x"] + 0.4 * X["z"]))
    f = glm.fit_counts(s, k, X)
    y01 = (np.arange(k)[None, :] < s[:, None]).astype(float).ravel()
    flat = sm.Logit(y01, X.loc[X.index.repeat(k)].reset_index(drop=True)).fit(disp=False, tol=1e-12)
    np.testing.assert_allclose(f.params.to_numpy(), flat.params.to_numpy(), rtol=1e-7)
    assert f.kind == "counts" and f.trials == k and f.n == n and f.method == "ML"
