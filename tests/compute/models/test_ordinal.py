"""compute.models.ordinal: the analytic-score cumulative logit equals statsmodels' OrderedModel
(numerical derivatives) in parameters, standard errors and the weighted sandwich, its score is the
derivative of its log-likelihood, and fit_ordinal's weighted covariance is the HC1 sandwich."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime, approx_hess

from analysis.compute.models.ordinal import AnalyticOrderedModel, fit_ordinal


def _data(n=250, seed=3):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 2, n).astype(float), "c": rng.normal(size=n)})
    latent = 0.8 * X["a"] - 0.5 * X["b"] + 0.3 * X["c"] + rng.logistic(size=n)
    y = np.digitize(latent, [-1.5, -0.3, 0.6, 1.8, 2.5])
    endog = pd.Series(pd.Categorical(y, categories=sorted(np.unique(y)), ordered=True))
    w = rng.uniform(0.5, 2, n)
    return endog, X, w / w.mean()


class _WeightedNumeric(OrderedModel):
    """The reference: statsmodels' OrderedModel with weighted log-likelihood, numerical derivatives."""

    def loglikeobs(self, params):
        return self.w * super().loglikeobs(params)


def test_score_is_the_derivative_of_the_loglikelihood():
    endog, X, w = _data()
    m = AnalyticOrderedModel(endog, X, obs_weights=w)
    for shift in (0.0, 0.2, -0.4):
        p = m.start_params + shift
        numeric = approx_fprime(p, m.loglikeobs, centered=True)
        assert np.abs(numeric - m.score_obs(p)).max() < 1e-6


def test_unweighted_fit_equals_ordered_model():
    endog, X, _ = _data()
    ref = OrderedModel(endog, X, distr="logit").fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8)
    new = AnalyticOrderedModel(endog, X).fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8)
    assert list(new.params.index) == list(ref.params.index)
    np.testing.assert_allclose(new.params, ref.params, atol=1e-6)
    np.testing.assert_allclose(new.bse, ref.bse, rtol=1e-4)
    assert new.llf == pytest.approx(ref.llf, abs=1e-8)


def test_weighted_sandwich_equals_numeric_reference():
    endog, X, w = _data(seed=5)
    ref_model = _WeightedNumeric(endog, X, distr="logit")
    ref_model.w = w
    ref = ref_model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8, cov_type="HC0")
    new = AnalyticOrderedModel(endog, X, obs_weights=w).fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8,
                                                              cov_type="HC0")
    np.testing.assert_allclose(new.params, ref.params, atol=1e-6)
    np.testing.assert_allclose(new.bse, ref.bse, rtol=1e-4)


def test_weighted_ordinal_sandwich_by_numerical_derivatives():
    rng = np.random.default_rng(6)
    n = 250
    X = pd.DataFrame({"a": (rng.random(n) < 0.4).astype(float), "b": rng.normal(size=n)})
    y = 1 + np.searchsorted([-0.5, 0.5, 1.5], X["a"] * 0.9 + X["b"] * 0.5 + rng.logistic(size=n))
    w = rng.uniform(0.5, 2, n)
    f = fit_ordinal(y, X, w)
    m = f.extra["result"].model
    b = f.params.to_numpy()
    S = approx_fprime(b, m.loglikeobs, centered=True)
    Hi = np.linalg.inv(-approx_hess(b, m.loglike))
    k = len(b)
    np.testing.assert_allclose(f.cov.to_numpy(), Hi @ (S.T @ S) @ Hi * n / (n - k), rtol=1e-4)
    # unit weights give the plain OrderedModel estimates
    g0 = fit_ordinal(y, X, None)
    g1 = fit_ordinal(y, X, np.ones(n))
    np.testing.assert_allclose(g0.params.to_numpy(), g1.params.to_numpy(), atol=1e-5)
    assert f.kind == "ordinal" and f.extra["thresholds"] == [c for c in f.params.index if c not in X.columns]


def test_the_logit_link_only():
    endog, X, _ = _data()
    with pytest.raises(ValueError, match="logit link only"):
        AnalyticOrderedModel(endog, X, distr="probit")
