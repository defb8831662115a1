"""compute.ordinal: the analytic-score cumulative logit equals statsmodels' OrderedModel (numerical
derivatives) in parameters, standard errors and the weighted sandwich, and its score is the derivative
of its log-likelihood."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime

from analysis.compute.ordinal import AnalyticOrderedModel


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
