"""The design matrix of a model: a constant, the terms as floats, and 0/1 indicators of a grouping
column's levels with one reference level left out."""

from __future__ import annotations

import pandas as pd

from .specs import TERMS

GROUP_PREFIXES = ("huvudgrupp_", "kommungrupp_")  # the indicator columns of the two groupings


def design_matrix(df: pd.DataFrame, terms=TERMS, group: str | None = "huvudgrupp", *,
                  const: bool = True, reference: str | None = None) -> pd.DataFrame:
    """Float design matrix: const (optional), `terms`, dummies `<group>_<level>` (reference dropped).

    Reference level: `reference` if given, else "A" for huvudgrupp, else the level with most rows.
    Levels absent from `df` get no column.
    """
    X = pd.DataFrame(index=df.index)
    if const:
        X["const"] = 1.0
    for t in terms:
        X[t] = df[t].astype(float).to_numpy()
    if group:
        g = df[group].astype(str)
        levels = sorted(g.unique())
        if reference is None:
            reference = "A" if group == "huvudgrupp" and "A" in levels else g.value_counts().sort_index().idxmax()
        for lev in levels:
            if lev != reference:
                X[f"{group}_{lev}"] = (g == lev).astype(float).to_numpy()
    return X


def group_counts(X: pd.DataFrame) -> dict[str, int]:
    """Rows per group-indicator column of X (the cells behind each group's row)."""
    return {c: int(X[c].sum()) for c in X.columns if c.startswith(GROUP_PREFIXES)}
