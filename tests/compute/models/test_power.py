"""compute.models.power: at the minimum detectable odds ratio a Wald test has the stated power (by
formula and by simulating the test statistic); the SE behind a Wald interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.compute.models import power


def test_minimum_detectable_odds_ratio_has_the_stated_power():
    """At the MDE a two-sided Wald test at level a rejects with probability 0.80: by formula and by
    simulating the test statistic."""
    se, a = 0.4, 0.05 / 14
    mde = float(power.minimum_detectable_or(se, a))
    assert float(power.power_at(mde, se, a)) == pytest.approx(0.80, abs=1e-3)
    draws = np.random.default_rng(1).normal(np.log(mde) / se, 1.0, 400_000)
    assert np.mean(np.abs(draws) > stats.norm.ppf(1 - a / 2)) == pytest.approx(0.80, abs=0.003)
    # no effect: power equals the level
    assert float(power.power_at(1.0, se, a)) == pytest.approx(a)


def test_se_from_a_wald_interval():
    b, se = np.log(1.8), 0.3
    z = 1.959963984540054
    lo, hi = np.exp(b - z * se), np.exp(b + z * se)
    assert float(power.se_from_interval(lo, hi)) == pytest.approx(se, rel=1e-12)
    assert power.MEANINGFUL_OR > 1 and 0 < power.POWER < 1
