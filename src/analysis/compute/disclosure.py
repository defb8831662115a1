"""Disclosure control: suppression of small cells, merged reporting groups and complementary suppression.

No published cell may rest on fewer than `min_cell` municipalities, nor be derivable from other cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def levels(s: pd.Series) -> list[str]:
    """The levels of `s` as strings: category order when categorical, else sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(s.dropna().astype(str).unique())


def suppress(df: pd.DataFrame, n_col: str, min_cell: int, value_cols: list[str] | None = None) -> pd.DataFrame:
    """Copy of `df` with value_cols set to NA where df[n_col] < min_cell, and a `suppressed` column.

    value_cols defaults to every numeric column except n_col. Existing `suppressed` marks are kept
    (a row already suppressed stays suppressed).
    """
    out = df.copy()
    if value_cols is None:
        value_cols = [c for c in out.columns if c not in (n_col, "suppressed")
                      and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    small = out[n_col].astype("Float64").fillna(0).to_numpy(dtype=float) < min_cell
    prev = out["suppressed"].astype(bool).to_numpy() if "suppressed" in out else np.zeros(len(out), bool)
    mask = small | prev
    for c in value_cols:
        if pd.api.types.is_integer_dtype(out[c]):
            out[c] = out[c].astype("Int64")
        elif pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].astype("Float64")
        else:
            out[c] = out[c].astype("object")
        out.loc[mask, c] = pd.NA
    out["suppressed"] = mask
    return out


def reporting_groups(df: pd.DataFrame, min_cell: int, group: str = "kommungrupp",
                     parent: str = "huvudgrupp") -> pd.Series:
    """Label of the group each row is REPORTED in: SKR groups with fewer than `min_cell`
    municipalities are reported together with the smallest other group(s) of the same main group.

    A1 (3 municipalities) is a cell no suppression rule can protect: national and main-group rows
    minus the other groups give it back. It is therefore never shown alone; 2019 reports "A1+A2".
    The design (strata, weights) is unchanged; only the reporting domains are merged.
    """
    labels = df[group].astype(str)
    out = labels.copy()
    sizes = labels.value_counts()
    for _, members in labels.groupby(df[parent].astype(str), sort=True):
        kids = sorted(members.unique(), key=lambda g: (sizes[g], g))
        small = [g for g in kids if sizes[g] < min_cell]
        if not small:
            continue
        merged = list(small)
        rest = [g for g in kids if g not in merged]
        while rest and (sum(sizes[g] for g in merged) < min_cell or len(merged) < 2):
            merged.append(rest.pop(0))
        order = levels(df[group])
        label = "+".join(sorted(merged, key=order.index))
        out[labels.isin(merged)] = label
    return out


def complementary_suppression(df: pd.DataFrame, n_col: str, margins: list[list[str]],
                              value_cols: list[str]) -> pd.DataFrame:
    """Secondary suppression. Within a margin (rows that add up to a published total, e.g. the SKR
    groups of one item, or the groups of one main group) a single suppressed cell could be got
    back from the total, so the unsuppressed cell with the fewest respondents is suppressed too;
    repeated over all margins until nothing changes. The counts of suppressed cells are hidden.
    """
    out = df.copy()
    changed = True
    while changed:
        changed = False
        for by in margins:
            for _, idx in out.groupby(by if len(by) > 1 else by[0], sort=False).groups.items():
                block = out.loc[idx]
                if int(block["suppressed"].sum()) == 1 and (~block["suppressed"]).any():
                    j = block.loc[~block["suppressed"], n_col].astype(float).idxmin()
                    out.loc[j, value_cols] = pd.NA
                    out.loc[j, "suppressed"] = True
                    changed = True
    out[n_col] = out[n_col].astype("Int64").mask(out["suppressed"])
    return out
