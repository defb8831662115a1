"""Fixtures of the tests of analysis.compute.survey: a realistic 290-row frame (the register plus
random answers) and the default synthetic 2019 analysis frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.base.codebook import HEADLINE_ITEMS


@pytest.fixture(scope="module")
def frame(register):
    rng = np.random.default_rng(7)
    df = register[["kommunkod", "kommun", "lan_kod", "lan_namn", "kommungrupp", "huvudgrupp", "folkmangd"]].copy()
    df["responded"] = rng.random(len(df)) < 0.9
    for item in HEADLINE_ITEMS:
        v = pd.array(rng.random(len(df)) < 0.5, dtype="boolean")
        v[(rng.random(len(df)) < 0.06) | ~df["responded"].to_numpy()] = pd.NA
        df[item] = v
    mi = pd.array(rng.integers(0, 8, len(df)), dtype="Int8")
    mi[(rng.random(len(df)) < 0.3) | ~df["responded"].to_numpy()] = pd.NA
    df["maturity_index"] = mi
    return df


@pytest.fixture(scope="module")
def synthetic_analysis(synthetic_data):
    return synthetic_data.analysis(seed=2019)
