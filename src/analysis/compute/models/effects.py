"""Average marginal effects of a logit model's terms on P(y = 1), weighted or not, with delta-method
intervals (binary and binomial-count outcomes).

For 0/1 terms the AME is the (weighted) average over the model sample of P(y | term = 1) -
P(y | term = 0) with the other columns as observed; for continuous terms the average derivative.
Unweighted: identical to ``get_margeff(at="overall", method="dydx", dummy=True)`` (tested). Weighted:
the same with the survey weights in the average (get_margeff ignores weights). Interval by the delta
method: the analytic gradient of the AME with respect to the coefficients times the coefficients'
covariance (the HC1 sandwich for weighted ML rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit


def is_binary(col: pd.Series) -> bool:
    """True when the column holds only 0 and 1."""
    v = np.unique(np.asarray(col, dtype=float))
    return len(v) <= 2 and set(v.tolist()) <= {0.0, 1.0}


def average_marginal_effects(params: pd.Series, cov: pd.DataFrame, X: pd.DataFrame, weights=None,
                             alpha: float = 0.05, terms=None) -> pd.DataFrame:
    """AME of each term on P(y = 1) (logit link), as proportions, with delta-method intervals.

    0/1 columns: (weighted) mean of p(x with term = 1) - p(x with term = 0); other columns: mean of
    dp/dx = p (1 - p) b. Gradient with respect to params (analytic) times `cov`. With weights=None
    this equals statsmodels' get_margeff(at="overall", method="dydx", dummy=True).
    """
    b = params.reindex(X.columns).to_numpy(dtype=float)
    V = cov.reindex(index=X.columns, columns=X.columns).to_numpy(dtype=float)
    Xv = X.to_numpy(dtype=float)
    n = len(Xv)
    a = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float) / np.sum(weights)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for j, t in enumerate(X.columns):
        if t == "const" or (terms is not None and t not in terms):
            continue
        ame, grad = _ame_and_gradient(Xv, b, a, j, is_binary(X[t]))
        se = float(np.sqrt(grad @ V @ grad))
        rows.append({"term": t, "ame": ame, "se": se, "low": ame - z * se, "high": ame + z * se})
    return pd.DataFrame(rows).set_index("term")


def _ame_and_gradient(Xv: np.ndarray, b: np.ndarray, a: np.ndarray, j: int, binary: bool):
    """The AME of column j (averaging weights `a`) and its gradient with respect to b."""
    if binary:
        X1, X0 = Xv.copy(), Xv.copy()
        X1[:, j], X0[:, j] = 1.0, 0.0
        p1, p0 = expit(X1 @ b), expit(X0 @ b)
        ame = a @ (p1 - p0)
        grad = (a * p1 * (1 - p1)) @ X1 - (a * p0 * (1 - p0)) @ X0
        return ame, grad
    p = expit(Xv @ b)
    d = p * (1 - p)
    ame = (a @ d) * b[j]
    grad = b[j] * ((a * d * (1 - 2 * p)) @ Xv)
    grad[j] += a @ d
    return ame, grad
