"""compute.models.firth: the estimate maximises Firth's penalised log-likelihood (found here by scipy,
without firthmodels), the covariance is the inverse information there, and the interval is finite
under complete separation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit

from analysis.compute.models.firth import fit_firth


def _penalised_nll(b, X, y, w):
    eta = X @ b
    p = expit(eta)
    info = (X * (w * p * (1 - p))[:, None]).T @ X
    return float(np.sum(w * (np.logaddexp(0, eta) - y * eta)) - 0.5 * np.linalg.slogdet(info)[1])


def test_estimate_maximises_the_penalised_likelihood():
    rng = np.random.default_rng(4)
    n = 80
    X = pd.DataFrame({"const": 1.0, "x": (rng.random(n) < 0.3).astype(float), "z": rng.normal(size=n)})
    y = (rng.random(n) < expit(-0.5 + 1.5 * X["x"] + 0.5 * X["z"])).astype(float).to_numpy()
    for w in (np.ones(n), rng.uniform(0.5, 2.0, n)):
        f = fit_firth(y, X, w)
        ref = optimize.minimize(_penalised_nll, np.zeros(3), args=(X.to_numpy(), y, w), method="BFGS",
                                options={"gtol": 1e-10})
        np.testing.assert_allclose(f.params.to_numpy(), ref.x, atol=1e-5)
        p = expit(X.to_numpy() @ f.params.to_numpy())
        info = (X.to_numpy() * (w * p * (1 - p))[:, None]).T @ X.to_numpy()
        np.testing.assert_allclose(f.cov.to_numpy(), np.linalg.inv(info), rtol=1e-8)
        assert f.method == "Firth" and f.n == n


def test_complete_separation_gives_finite_estimate_and_interval():
    x = np.r_[np.zeros(15), np.ones(15)]
    X = pd.DataFrame({"const": 1.0, "x": x})
    f = fit_firth(x, X)
    assert np.isfinite(f.params["x"]) and f.params["x"] > 2
    assert np.isfinite(f.ci.loc["x"]).all() and f.ci.loc["x", "low"] > 0
    assert 0 < f.pvalues["x"] < 0.05
