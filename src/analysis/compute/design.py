"""The survey design shared by every estimator: the strata (SKR's kommungrupp), the population
count N_h per stratum, who responded, the respondents, and the design weights N_h / n_h."""

from __future__ import annotations

import numpy as np
import pandas as pd

STRATA = "kommungrupp"


def is_respondent(df: pd.DataFrame, column: str = "responded") -> pd.Series:
    """Whether each municipality of `df` responded (column `responded`; missing counts as not), as a
    plain boolean Series aligned to `df`."""
    return df[column].astype("boolean").fillna(False).astype(bool)


def respondents(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of `df` whose municipality responded (column `responded`; missing counts as not)."""
    return df[is_respondent(df)]


def as_float(y) -> np.ndarray:
    """0/1, boolean or numeric answers as floats, NaN where missing."""
    s = pd.Series(y)
    if s.dtype == bool or str(s.dtype) == "boolean":
        s = s.astype("Float64")
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def design_weights(df: pd.DataFrame, strata: str = STRATA, responded: str = "responded") -> pd.Series:
    """Weight N_h / n_h for each respondent, NaN for non-respondents; a Series aligned to `df`.

    `df` must hold all rows of the population (the 290 municipalities of analysis.parquet): N_h is
    counted over every row, n_h over rows with `responded` True. Weights of the respondents sum to
    the number of rows in the strata that have at least one respondent (290 when every group
    answered). Raises ValueError when a stratum value is missing.
    """
    if df[strata].isna().any():
        raise ValueError(f"design_weights: column {strata!r} has missing values")
    resp = is_respondent(df, responded).to_numpy()
    groups = df[strata].astype(str).to_numpy()
    N_h = pd.Series(groups).value_counts()
    n_h = pd.Series(groups[resp]).value_counts()
    w_by_group = (N_h / n_h.reindex(N_h.index)).astype(float)
    w = pd.Series(groups, index=df.index).map(w_by_group).astype(float)
    w[~resp] = np.nan
    return w.rename("weight")


def item_weights(df: pd.DataFrame, item: str, strata: str = STRATA) -> pd.Series:
    """The item-level design weight N_h / n_h,item: for each respondent with a valid answer to `item`
    (n_h,item of them in stratum h), NaN for everyone else; a Series aligned to `df` (all 290 rows).

    Item non-response (no answer, "Vet ej", blank) is treated like unit non-response: missing at random
    within the stratum, so the item respondents are the stratum's sample for that item."""
    answered = is_respondent(df) & df[item].notna().to_numpy()
    return design_weights(df.assign(_answered=answered), strata, responded="_answered").rename("weight")


def stratum_weights(df: pd.DataFrame, strata: str = STRATA) -> dict[str, float]:
    """N_h / n_h per stratum, in the strata's sorted order; NaN for a stratum nobody responded in."""
    w = design_weights(df, strata)
    return {str(g): float(v) for g, v in w.groupby(df[strata].astype(str)).first().items()}


def stratum_sizes(df: pd.DataFrame, strata: str = STRATA) -> dict[str, int]:
    """N_h: rows of `df` (all 290 municipalities) per stratum."""
    return {str(k): int(v) for k, v in df[strata].astype(str).value_counts().items()}
