"""Primary suppression: small cells hidden (and the national rows of items with too few answers),
SKR groups too small to show merged into reporting groups, and the interval code of hidden rows.

No published cell may rest on fewer than `min_cell` municipalities. A suppressed row shows nothing
but its key and public register counts: its interval method (`ci_method`) becomes SUPPRESSED_CODE,
since "census" or "no answers" would say what n is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUPPRESSED_CODE = "suppressed"  # ci_method of a suppressed row


def levels(s: pd.Series) -> list[str]:
    """The levels of `s` as strings: category order when categorical, else sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(s.dropna().astype(str).unique())


def nullable(s: pd.Series) -> pd.Series:
    """`s` in a dtype that holds NA beside its values: Int64, Float64, or object."""
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64")
    if pd.api.types.is_float_dtype(s):
        return s.astype("Float64")
    return s.astype("object")


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
        out[c] = nullable(out[c])
        out.loc[mask, c] = pd.NA
    out["suppressed"] = mask
    return hide_codes(out)


def suppress_items(df: pd.DataFrame, min_cell: int, n_col: str = "n_eligible",
                   keep: tuple[str, ...] = ("item", "label_sv", "label_en", "published_share", "published_x_of_10",
                                             "ci_method")) -> pd.DataFrame:
    """National rows (one per item) with 1 to min_cell - 1 valid answers: every number but SKR's
    published figure hidden, `suppressed` True. A row with no valid answers hides nothing (it has
    no estimate); its count, 0, is shown."""
    out = df.copy()
    n = out[n_col].astype("Float64").fillna(0).to_numpy(dtype=float)
    mask = (n > 0) & (n < min_cell)
    for c in out.columns:
        if c in keep:
            continue
        out[c] = out[c].astype("Int64") if pd.api.types.is_integer_dtype(out[c]) else (
            out[c].astype("Float64") if pd.api.types.is_numeric_dtype(out[c]) else out[c].astype("object"))
        out.loc[mask, c] = pd.NA
    out["suppressed"] = mask
    return hide_codes(out)


def hide_codes(out: pd.DataFrame) -> pd.DataFrame:
    """ci_method of suppressed rows -> SUPPRESSED_CODE ("census" or "none_no_answers" would say what n is)."""
    if "ci_method" in out and "suppressed" in out:
        out["ci_method"] = out["ci_method"].astype("object").where(~out["suppressed"].astype(bool), SUPPRESSED_CODE)
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
    order = levels(df[group])
    for _, members in labels.groupby(df[parent].astype(str), sort=True):
        kids = sorted(members.unique(), key=lambda g: (sizes[g], g))
        merged = [g for g in kids if sizes[g] < min_cell]
        if not merged:
            continue
        rest = [g for g in kids if g not in merged]
        while rest and (sum(sizes[g] for g in merged) < min_cell or len(merged) < 2):
            merged.append(rest.pop(0))
        out[labels.isin(merged)] = "+".join(sorted(merged, key=order.index))
    return out
