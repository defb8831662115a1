"""Simulated inputs of the models' tests: a design like the main spec's, and an analysis.parquet-like
frame (docs/contracts.md), each from a seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from analysis.compute.models.matrix import design_matrix
from analysis.compute.models.specs import OUTCOMES, PREDICTORS, TERMS


def simulate_design(n=300, seed=0, weights=True):
    """(X, y, w): four 0/1 terms, log size, three groups (huvudgrupp dummies), planted effects."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "leadership_informed": rng.random(n) < 0.3, "action_plans": rng.random(n) < 0.25,
        "resources": rng.random(n) < 0.35, "collaboration": rng.random(n) < 0.5,
        "log_folkmangd": rng.normal(9.8, 1.0, n),
        "huvudgrupp": pd.Categorical(rng.choice(list("ABC"), n, p=[0.2, 0.4, 0.4]), categories=list("ABC")),
    })
    X = design_matrix(df, TERMS, "huvudgrupp")
    beta = np.array([-2.5, 0.9, 0.7, 0.5, 0.4, 0.15, 0.0, 0.0])
    y = (rng.random(n) < expit(X.to_numpy() @ beta)).astype(float)
    w = rng.uniform(1.0, 1.5, n) if weights else None
    return X, y, w


def simulate_analysis(n=290, seed=1):
    """A hand-made analysis.parquet-like frame following docs/contracts.md."""
    rng = np.random.default_rng(seed)
    groups = np.array(["A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9"])
    kg = groups[rng.integers(0, 9, n)]
    df = pd.DataFrame({
        "kommunkod": [f"{i:04d}" for i in range(100, 100 + n)], "kommun": [f"K{i}" for i in range(n)],
        "kommungrupp": pd.Categorical(kg, categories=groups),
        "huvudgrupp": pd.Categorical([g[0] for g in kg], categories=list("ABC")),
        "folkmangd": rng.integers(3000, 200000, n).astype("int64"),
        "responded": rng.random(n) < 0.9,
    })
    lp = np.log(df["folkmangd"].to_numpy(float))
    x = {p: rng.random(n) < s for p, s in zip(PREDICTORS, (0.3, 0.25, 0.35, 0.5), strict=True)}
    for p in PREDICTORS:
        df[p] = pd.array(x[p], dtype="boolean")
        df.loc[rng.random(n) < 0.03, p] = pd.NA
    for a in OUTCOMES:
        eta = -3 + 0.9 * x["leadership_informed"] + 0.8 * x["action_plans"] + 0.5 * x["resources"] \
            + 0.4 * x["collaboration"] + 0.2 * lp
        est = rng.random(n) < expit(eta)
        level = np.where(est, 3 + rng.integers(0, 2, n), rng.integers(0, 3, n))
        miss = rng.random(n) < 0.05
        dk = miss & (rng.random(n) < 0.6)
        df[a] = pd.array(np.where(miss, None, est), dtype="boolean")
        df[f"{a}_level"] = pd.array(np.where(miss, None, level), dtype="Int8")
        df[f"{a}_dont_know"] = dk
    items = df[list(OUTCOMES)]
    df["maturity_index"] = items.astype("Int8").sum(axis=1).where(items.notna().all(axis=1)).astype("Int8")
    latent = 0.45 * items.fillna(False).astype(int).sum(axis=1) + 0.9 * x["resources"] + rng.logistic(size=n)
    df["self_rating"] = pd.array(1 + np.searchsorted([0.0, 1.2, 2.7, 4.3], latent), dtype="Int8")
    return df


@pytest.fixture
def sim():
    """simulate_design(n, seed, weights) -> (X, y, w)."""
    return simulate_design


@pytest.fixture
def analysis_frame():
    """simulate_analysis(n, seed) -> an analysis.parquet-like frame."""
    return simulate_analysis
