"""Internal consistency of the outcomes (tables/reliability.csv): KR-20 with a seeded percentile
bootstrap over respondents and Feldt's F interval, under two codings of "established".

KR-20 is Cronbach's alpha for 0/1 items, computed among the respondents who answered every outcome,
unweighted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..design import respondents
from .specs import spec_outcomes

N_BOOT = 2000
CODINGS = ("main", "cut_partly")  # established = the top two levels / "Delvis etablerat" or above


def kr20(items) -> float:
    """KR-20 of 0/1 items (rows = respondents) = Cronbach's alpha on 0/1 items."""
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    pq = x.mean(axis=0) * (1 - x.mean(axis=0))
    var_total = x.sum(axis=1).var(ddof=0)
    return float(k / (k - 1) * (1 - pq.sum() / var_total))


def _bootstrap(x: np.ndarray, alpha: float, seed: int, n_boot: int) -> tuple[float, float]:
    """Percentile interval of KR-20 over `n_boot` resamples of the rows (seeded)."""
    n, k = x.shape
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    xb = x[idx]  # (B, n, k)
    m = xb.mean(axis=1)
    var_t = xb.sum(axis=2).var(axis=1, ddof=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = k / (k - 1) * (1 - (m * (1 - m)).sum(axis=1) / var_t)
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return lo, hi


def kr20_intervals(items, alpha: float = 0.05, seed: int = 2019, n_boot: int = N_BOOT) -> pd.DataFrame:
    """KR-20 with a percentile bootstrap (resampling respondents, seeded) and Feldt's F interval."""
    x = np.asarray(items, dtype=float)
    n, k = x.shape
    est = kr20(x)
    lo, hi = _bootstrap(x, alpha, seed, n_boot)
    d1, d2 = n - 1, (n - 1) * (k - 1)
    f_lo, f_hi = 1 - (1 - est) * stats.f.ppf(1 - alpha / 2, d1, d2), 1 - (1 - est) * stats.f.ppf(alpha / 2, d1, d2)
    return pd.DataFrame([
        {"measure": "kr20", "n": n, "k": k, "estimate": est, "ci_low": lo, "ci_high": hi,
         "ci_method": "bootstrap_percentile", "n_boot": n_boot},
        {"measure": "kr20", "n": n, "k": k, "estimate": est, "ci_low": f_lo, "ci_high": f_hi,
         "ci_method": "feldt_f", "n_boot": pd.NA},
    ]).astype({"n_boot": "Int64"})


def reliability_table(analysis: pd.DataFrame, alpha: float = 0.05, seed: int = 2019) -> pd.DataFrame:
    """KR-20 of the outcomes under two codings (`coding`: main = the top two levels, cut_partly =
    "Delvis etablerat" or above), each with a bootstrap and a Feldt interval."""
    resp = respondents(analysis)
    parts = []
    for coding in CODINGS:
        items = spec_outcomes(resp, coding).dropna().astype(float)
        t = kr20_intervals(items.to_numpy(), alpha, seed)
        t.insert(0, "coding", coding)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)
