"""compute.models.fit: Wald intervals and p-values from coefficients and covariance, weights scaled to
mean 1, and the HC1 factor, against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compute.models import fit


def test_wald_interval_and_p_value_by_hand():
    params = pd.Series({"a": 0.5, "b": -1.0})
    cov = pd.DataFrame([[0.04, 0.01], [0.01, 0.25]], index=params.index, columns=params.index)
    p, ci = fit.wald(params, cov, 0.05)
    z = 1.959963984540054
    assert ci.loc["a", "low"] == pytest.approx(0.5 - z * 0.2) and ci.loc["a", "high"] == pytest.approx(0.5 + z * 0.2)
    assert ci.loc["b", "low"] == pytest.approx(-1.0 - z * 0.5)
    assert p["a"] == pytest.approx(0.012419330651552318, rel=1e-12)  # 2 (1 - Phi(2.5))
    assert p["b"] == pytest.approx(0.04550026389635842, rel=1e-12)  # 2 (1 - Phi(2))


def test_normalise_and_hc1():
    w = fit.normalise([1, 2, 3, 6])
    np.testing.assert_allclose(w, [1 / 3, 2 / 3, 1.0, 2.0])
    assert fit.hc1(np.eye(2), 10, 2)[0, 0] == pytest.approx(10 / 8)


def test_a_fit_is_weighted_when_it_has_weights():
    base = dict(params=pd.Series(dtype=float), cov=pd.DataFrame(), pvalues=pd.Series(dtype=float),
                ci=pd.DataFrame(), X=pd.DataFrame(), n=0)
    assert not fit.Fit(weights=None, **base).weighted
    assert fit.Fit(weights=np.ones(3), **base).weighted
