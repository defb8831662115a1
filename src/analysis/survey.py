"""Design-based descriptive estimates for SKR's 2019 survey of the 290 municipalities.

Design (stated once, used everywhere)
-------------------------------------
The target population is Sweden's 290 municipalities. The respondents are treated as a stratified
simple random sample without replacement within SKR's nine municipality groups (kommungrupp,
A1..C9): response is assumed missing at random within group. The design weight of a respondent in
group h is w_h = N_h / n_h (N_h = municipalities in the group among all 290 rows, n_h = respondents
in the group); non-respondents get NaN. This equals post-stratification to the known group sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def design_weights(df: pd.DataFrame, strata: str = "kommungrupp", responded: str = "responded") -> pd.Series:
    """Weight N_h / n_h for each respondent, NaN for non-respondents; a Series aligned to `df`.

    `df` must hold all rows of the population (the 290 municipalities of analysis.parquet): N_h is
    counted over every row, n_h over rows with `responded` True. Weights of the respondents sum to
    the number of rows in the strata that have at least one respondent (290 when every group
    answered). Raises ValueError when a stratum value is missing.
    """
    if df[strata].isna().any():
        raise ValueError(f"design_weights: column {strata!r} has missing values")
    resp = df[responded].astype("boolean").fillna(False).astype(bool).to_numpy()
    groups = df[strata].astype(str).to_numpy()
    N_h = pd.Series(groups).value_counts()
    n_h = pd.Series(groups[resp]).value_counts()
    w_by_group = (N_h / n_h.reindex(N_h.index)).astype(float)
    w = pd.Series(groups, index=df.index).map(w_by_group).astype(float)
    w[~resp] = np.nan
    return w.rename("weight")
