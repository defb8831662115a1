"""analysis.compute.likelihood: the binomial deviance by hand, the sparse-group rule, and the profile
likelihood against R's confint(glm) and drop-one deviance tests (frozen in tests/fixtures) and against a
brute-force computation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from analysis.compute import likelihood
from analysis.compute.likelihood import profile_likelihood

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_binomial_deviance_by_hand_and_far_out():
    # eta = 0: each observation has likelihood 1/2, so D = -2 * 2 log(1/2) = 4 log 2
    assert likelihood.binomial_deviance(np.array([1.0, 0.0]), np.array([0.0, 0.0])) == pytest.approx(4 * math.log(2))
    # eta = 1000 without overflow: a yes costs nothing, a no costs 2 * 1000
    assert likelihood.binomial_deviance(np.array([1.0]), np.array([1000.0])) == pytest.approx(0.0, abs=1e-12)
    assert likelihood.binomial_deviance(np.array([0.0]), np.array([1000.0])) == pytest.approx(2000.0)


def test_sparse_groups_are_those_with_too_few_events_or_non_events():
    y = [1] * 5 + [0] + [1] * 5 + [0] * 5 + [1] * 7
    g = ["a"] * 6 + ["b"] * 10 + ["c"] * 7  # a: one no; b: 5 and 5; c: no "no" at all
    assert likelihood.sparse_groups(y, g) == ["a", "c"]
    assert likelihood.sparse_groups(y, g, min_events=1) == ["c"]
    assert likelihood.sparse_groups(y, g, min_events=0) == []
    assert likelihood.MIN_EVENTS == 5


def test_profile_likelihood_equals_r_on_the_frozen_input():
    """The non-response model of the frozen R input: R's profile limits (a spline through a grid,
    hence 2e-3) and likelihood-ratio p-values (drop-one deviance) from tests/fixtures/r_reference.json."""
    r = json.loads((FIXTURES / "r_reference.json").read_text(encoding="utf-8"))["nonresponse"]
    df = pd.read_csv(FIXTURES / "r_reference_input.csv", dtype={"huvudgrupp": str})
    X = pd.DataFrame({"const": 1.0, "log_folkmangd": np.log(df["folkmangd"].astype(float)),
                      "huvudgrupp[B]": (df["huvudgrupp"] == "B").astype(float),
                      "huvudgrupp[C]": (df["huvudgrupp"] == "C").astype(float)})
    ci, p = likelihood.profile_likelihood(df["responded"].astype(float), X, alpha=0.05)
    assert list(ci.index) == list(X.columns) and list(ci.columns) == ["low", "high"]
    np.testing.assert_allclose(np.exp(ci["low"]), r["ci_low"], rtol=2e-3)
    np.testing.assert_allclose(np.exp(ci["high"]), r["ci_high"], rtol=2e-3)
    np.testing.assert_allclose(p, r["lr_p"], rtol=1e-6)
    # a sparse main group: the profile interval of B is far from the symmetric Wald one
    assert abs(np.exp(ci.loc["huvudgrupp[B]", "low"]) - r["wald_low"][2]) > 0.01


def test_profile_likelihood_by_brute_force():
    """Profile limits and LR p-values against an independent computation: the profile deviance by
    scipy optimisation of the other coefficient and a root search, no statsmodels."""
    from scipy import optimize, stats

    rng = np.random.default_rng(11)
    n = 120
    x = (rng.random(n) < 0.3).astype(float)
    y = (rng.random(n) < expit(-1 + 1.2 * x)).astype(float)
    X = pd.DataFrame({"const": 1.0, "x": x})
    ci, p = profile_likelihood(y, X)

    def nll(b0, b1):
        eta = b0 + b1 * x
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    full = optimize.minimize(lambda b: nll(*b), [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    dmin = 2 * full.fun

    def prof(b1):
        return 2 * optimize.minimize_scalar(lambda b0: nll(b0, b1), bounds=(-20, 20), method="bounded",
                                            options={"xatol": 1e-12}).fun - dmin

    crit = stats.chi2.ppf(0.95, 1)
    lo = optimize.brentq(lambda b: prof(b) - crit, full.x[1] - 5, full.x[1])
    hi = optimize.brentq(lambda b: prof(b) - crit, full.x[1], full.x[1] + 5)
    assert (ci.loc["x", "low"], ci.loc["x", "high"]) == pytest.approx((lo, hi), abs=1e-5)
    assert p["x"] == pytest.approx(stats.chi2.sf(prof(0.0), 1), rel=1e-5)
    # the profile interval is not the Wald interval (asymmetric on the log-odds scale)
    assert abs((ci.loc["x", "high"] - full.x[1]) - (full.x[1] - ci.loc["x", "low"])) > 1e-3
