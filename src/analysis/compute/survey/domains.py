"""The domains the tables of 02_describe report on: the groupings (SKR group, main group, county),
with SKR groups too small to show merged for reporting (A1 as "A1+A2"), in the order they are shown.

The design (strata, weights) is never changed by this: only the reporting domains are merged
(analysis.compute.disclosure.reporting_groups says which).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..design import STRATA, is_respondent
from ..disclosure import GROUPINGS, levels, reporting_groups


def ordered_levels(s: pd.Series) -> list[str]:
    """Levels present in `s`, in category order when categorical, merged labels ('A1+A2') by their
    first member."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return levels(s)
    present = sorted(s.dropna().astype(str).unique())
    return sorted(present, key=lambda g: (g.split("+")[0], g))


def labels(df: pd.DataFrame, grouping: str, reported: pd.Series) -> pd.Series:
    """The group of each row of `df` in `grouping`: the reported SKR group (`reported`, from
    reporting_groups) for the strata, else the column itself."""
    return reported if grouping == STRATA else df[grouping]


def domains(df: pd.DataFrame, min_cell: int, groupings: tuple[str, ...] = GROUPINGS
            ) -> Iterator[tuple[str, str, np.ndarray]]:
    """(grouping, group, mask over the respondents of `df`, in their order) of every reported domain, in table order."""
    reported = reporting_groups(df, min_cell)
    responded = is_respondent(df).to_numpy()
    for grouping in groupings:
        col = labels(df, grouping, reported)
        in_r = col[responded].astype(str)
        for g in ordered_levels(col):
            yield grouping, g, (in_r == g).to_numpy()


PARENT = "_parent"  # a table's helper column: the main group of an SKR-group row, the margin it adds up to


def with_parent(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with column PARENT: the main group of each SKR-group row (its first letter; A1+A2 is
    in A), '' in the other rows. The groups of one main group add up to the main group's figure."""
    return table.assign(**{PARENT: np.where(table["grouping"] == STRATA, table["group"].str[0], "")})
