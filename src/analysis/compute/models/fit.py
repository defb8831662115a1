"""One fitted model (the Fit record) and the Wald inference every fitter shares: intervals and
p-values from coefficients and covariance, weights normalised to mean 1, the HC1 factor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


@dataclass
class Fit:
    """One fitted model, inference computed from `params` and `cov` (log-odds scale)."""

    params: pd.Series
    cov: pd.DataFrame
    pvalues: pd.Series
    ci: pd.DataFrame  # log-odds scale, columns low/high
    X: pd.DataFrame
    weights: np.ndarray | None
    n: int
    method: str = "ML"
    kind: str = "binary"  # binary | counts | ordinal
    trials: float = 1.0
    separation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def weighted(self) -> bool:
        return self.weights is not None


def wald(params: pd.Series, cov: pd.DataFrame, alpha: float) -> tuple[pd.Series, pd.DataFrame]:
    """Two-sided Wald p-values and (1 - alpha) intervals (columns low/high) from `params` and `cov`."""
    se = np.sqrt(np.diag(cov.to_numpy()))
    z = stats.norm.ppf(1 - alpha / 2)
    p = 2 * stats.norm.sf(np.abs(params.to_numpy() / se))
    ci = pd.DataFrame({"low": params - z * se, "high": params + z * se}, index=params.index)
    return pd.Series(p, index=params.index), ci


def normalise(w) -> np.ndarray:
    """Weights as floats scaled to mean 1 (the sandwich does not depend on their scale)."""
    w = np.asarray(w, dtype=float)
    return w / w.mean()


def hc1(cov: np.ndarray, n: int, k: int) -> np.ndarray:
    """The HC0 sandwich times n / (n - k): HC1."""
    return cov * n / (n - k)
