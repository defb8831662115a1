"""Fixtures of the tests of analysis.compute.disclosure: the default synthetic 2019 analysis frame."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def analysis(synthetic_data):
    return synthetic_data.analysis(seed=2019)
