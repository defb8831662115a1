"""Likelihood tools for small samples: binomial deviance, profile-likelihood intervals with
likelihood-ratio p-values, and the test for groups with too few events for Wald intervals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.optimize import brentq

MIN_EVENTS = 5  # fewer events or non-events than this in a group: profile intervals / rows left out


def binomial_deviance(y: np.ndarray, eta: np.ndarray) -> float:
    """-2 log-likelihood of 0/1 outcomes y at linear predictor eta (stable for large |eta|)."""
    return float(2 * np.sum(np.logaddexp(0, eta) - y * eta))


def profile_likelihood(y, X: pd.DataFrame, alpha: float = 0.05, max_se: float = 64.0) -> tuple[pd.DataFrame, pd.Series]:
    """Profile-likelihood intervals (log-odds scale, columns low/high) and likelihood-ratio p-values
    of an unweighted logistic GLM of 0/1 `y` on X (const included), one per column of X.

    For column j, D_j(b) is the deviance minimised over the other coefficients with beta_j fixed at
    b (an offset b x_j). The interval is {b : D_j(b) - D_min <= chi2_1(1 - alpha)}, each limit found
    by brentq after bracketing in steps of the Wald SE (a side with no crossing within `max_se` SEs
    is infinite); p = P(chi2_1 > D_j(0) - D_min). R: confint(glm(...)) (profile) and the deviance
    difference of the model without the column.
    """
    yv = np.asarray(y, dtype=float)
    Xv = X.to_numpy(dtype=float)
    full = sm.GLM(yv, Xv, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    d_min = binomial_deviance(yv, Xv @ full.params)
    crit = float(stats.chi2.ppf(1 - alpha, 1))
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # exp overflow far out in the profile
        for j in range(Xv.shape[1]):
            rows.append(_profile_term(yv, Xv, j, np.asarray(full.params), float(full.bse[j]), d_min, crit, max_se))
    lows, highs, pvals = zip(*rows, strict=True)
    return (pd.DataFrame({"low": lows, "high": highs}, index=X.columns),
            pd.Series(pvals, index=X.columns, dtype=float))


def _profile_term(yv, Xv, j, params, se, d_min, crit, max_se) -> tuple[float, float, float]:
    """(low, high, LR p-value) of column j for profile_likelihood."""
    xj, rest = Xv[:, j], np.delete(Xv, j, axis=1)

    def excess(b: float) -> float:
        """D_j(b) - D_min - crit: negative inside the interval."""
        if rest.shape[1] == 0:
            return binomial_deviance(yv, b * xj) - d_min - crit
        # no start_params: statsmodels' IRLS can diverge from a warm start far out in the profile
        r = sm.GLM(yv, rest, family=sm.families.Binomial(), offset=b * xj).fit(tol=1e-12, maxiter=200)
        return binomial_deviance(yv, rest @ r.params + b * xj) - d_min - crit

    b_hat = float(params[j])
    limits = []
    for sign in (-1.0, 1.0):
        k, inner, lim = 1.0, b_hat, None
        while k <= max_se:
            outer = b_hat + sign * k * se
            if excess(outer) > 0:
                lim = brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-10)
                break
            inner, k = outer, 2 * k
        limits.append(sign * np.inf if lim is None else lim)
    lr = max(excess(0.0) + crit, 0.0)
    return limits[0], limits[1], float(stats.chi2.sf(lr, 1))


def sparse_groups(y, groups, min_events: int = MIN_EVENTS) -> list[str]:
    """Groups (labels of `groups`) with fewer than `min_events` outcomes y = 1 or y = 0."""
    t = pd.crosstab(pd.Series(np.asarray(groups)).astype(str), pd.Series(np.asarray(y, dtype=float)))
    t = t.reindex(columns=[0.0, 1.0], fill_value=0)
    return sorted(t.index[(t < min_events).any(axis=1)].astype(str))
