"""What a test can detect: the minimum detectable odds ratio at a given power and the power to detect
a meaningful odds ratio, from the standard error behind a Wald interval.

Power statement (every verdict): from each decisive test's standard error on the log-odds scale (the
Wald SE behind its interval, (log hi - log lo) / (2 z); for a profile or Firth interval the
Wald-equivalent width, an approximation), the smallest odds ratio that a two-sided test at the
per-test threshold alpha / m (the threshold a lone association must pass under BH with m tests;
alpha for one test) detects with POWER = 80 % power, ``exp((z(1 - alpha / 2m) + z(0.80)) SE)``, and
the power to detect MEANINGFUL_OR (1.25).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

MEANINGFUL_OR = 1.25  # smallest odds ratio counted as a meaningful positive association
POWER = 0.80  # power of the minimum-detectable-effect statement


def se_from_interval(ci_low, ci_high, alpha: float = 0.05):
    """The SE of the log odds ratio behind a Wald interval: (log ci_high - log ci_low) / (2 z(1 - alpha/2))."""
    z = stats.norm.ppf(1 - alpha / 2)
    return (np.log(ci_high) - np.log(ci_low)) / (2 * z)


def minimum_detectable_or(se_log_or, test_alpha: float, power: float = POWER) -> np.ndarray:
    """Smallest odds ratio above 1 that a two-sided Wald test at level `test_alpha` detects with
    probability `power`, given the SE of the log odds ratio: exp((z(1 - a/2) + z(power)) SE)."""
    se = np.asarray(se_log_or, dtype=float)
    return np.exp((stats.norm.ppf(1 - test_alpha / 2) + stats.norm.ppf(power)) * se)


def power_at(odds_ratio: float, se_log_or, test_alpha: float) -> np.ndarray:
    """Power of a two-sided Wald test at level `test_alpha` when the true odds ratio is `odds_ratio`."""
    se = np.asarray(se_log_or, dtype=float)
    z, d = stats.norm.ppf(1 - test_alpha / 2), np.log(odds_ratio) / se
    return stats.norm.sf(z - d) + stats.norm.cdf(-z - d)
