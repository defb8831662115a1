"""The models table (tables/models.csv): the rows of one fit, and Benjamini-Hochberg q-values over
the pre-specified primary family.

q-value (``q_value``): Benjamini-Hochberg adjusted p-value over the primary family (the primary
predictors x the outcomes, main spec: 14 tests); it controls the expected share of false discoveries
among the associations called significant at alpha. Every other row has no q-value here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from .effects import average_marginal_effects
from .fit import Fit
from .specs import OUTCOMES, PRIMARY_TERMS

COLUMNS = ["spec", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "ame",
           "ame_ci_low", "ame_ci_high", "n", "weighted", "method"]
METHODS = ("ML", "ML_profile", "Firth")  # codes of the method column
IDENTIFYING = ("kommun", "kommunkod")  # columns that name a municipality: never in an output of 03


def fit_rows(fit: Fit, spec: str, outcome: str, alpha: float = 0.05, *, ame: bool = True,
             group_n: dict[str, int] | None = None, min_cell: int = 0, omit=()) -> pd.DataFrame:
    """Table rows (COLUMNS) for every non-constant, non-threshold term of one fit.

    Group-indicator rows based on fewer than `min_cell` respondents are left out (disclosure), and so
    are the terms in `omit` (sparse groups in pseudo-likelihood fits; compute.models.sparse).
    """
    terms = [t for t in fit.X.columns if t != "const" and t not in set(omit)]
    if group_n and min_cell:
        terms = [t for t in terms if group_n.get(t, min_cell) >= min_cell]
    if ame and fit.kind in ("binary", "counts"):
        a = average_marginal_effects(fit.params, fit.cov, fit.X, fit.weights, alpha)
    else:
        a = None
    rows = []
    for t in terms:
        row = {"spec": spec, "outcome": outcome, "term": t,
               "odds_ratio": float(np.exp(fit.params[t])),
               "ci_low": float(np.exp(fit.ci.loc[t, "low"])), "ci_high": float(np.exp(fit.ci.loc[t, "high"])),
               "p_value": float(fit.pvalues[t]), "q_value": np.nan,
               "ame": np.nan, "ame_ci_low": np.nan, "ame_ci_high": np.nan,
               "n": int(fit.n), "weighted": bool(fit.weighted), "method": fit.method}
        if a is not None and t in a.index:
            row.update(ame=100 * a.loc[t, "ame"], ame_ci_low=100 * a.loc[t, "low"], ame_ci_high=100 * a.loc[t, "high"])
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def bh_qvalues(pvalues, alpha: float = 0.05) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), statsmodels multipletests fdr_bh."""
    p = np.asarray(pvalues, dtype=float)
    return multipletests(p, alpha=alpha, method="fdr_bh")[1]


def primary_family(table: pd.DataFrame) -> pd.Series:
    """Boolean mask of the pre-specified primary tests (main spec; 14 with the shipped plan)."""
    return (table["spec"] == "main") & table["outcome"].isin(OUTCOMES) & table["term"].isin(PRIMARY_TERMS)


def add_qvalues(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Fill q_value (BH) on the primary family; NA elsewhere."""
    t = table.copy()
    t["q_value"] = np.nan
    m = primary_family(t)
    if m.sum() != len(OUTCOMES) * len(PRIMARY_TERMS):
        raise ValueError(f"primary family has {int(m.sum())} tests, expected {len(OUTCOMES) * len(PRIMARY_TERMS)}")
    t.loc[m, "q_value"] = bh_qvalues(t.loc[m, "p_value"], alpha)
    return t
