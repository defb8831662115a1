"""Shares and means by group: the ten headline items within each SKR group and main group, and the
maturity index overall, by group and by county, with primary and complementary suppression.

Disclosure control: any cell based on fewer than min_cell respondents is set to NA and marked
suppressed; a second cell is hidden wherever a hidden one could be got back from a margin, and the
table is audited against what the other tables publish (analysis.compute.disclosure).
No table or figure shows a single municipality's answers.
"""

from __future__ import annotations

import math

import pandas as pd

from ...base import contracts
from ...base.codebook import HEADLINE_ITEMS
from ..design import STRATA, respondents, stratum_sizes, stratum_weights
from ..disclosure import complementary_suppression, suppress
from .domains import GROUPINGS, PARENT, domains, with_parent
from .response import response_table
from .shares import estimate_mean, estimate_share

BY_GROUP_COLUMNS = contracts.columns("headline_by_group", without=("data_source",))
MATURITY_COLUMNS = contracts.columns("maturity_index", without=("suppressed", "data_source"))
SHARE_VALUES = ["share_weighted", "ci_low", "ci_high"]  # hidden in a suppressed headline_by_group row
MEAN_VALUES = ["mean", "se", "ci_low", "ci_high", "df"]  # hidden in a suppressed maturity_index row


def headline_by_group(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, strata: str = STRATA,
                      groupings: tuple[str, ...] = ("kommungrupp", "huvudgrupp")) -> pd.DataFrame:
    """Long table: within-group shares of the ten items by SKR group and main group, suppressed."""
    N_h = stratum_sizes(df, strata)
    r = respondents(df)
    rows = []
    for grouping, g, dom in domains(df, min_cell, groupings):  # A1 is reported as A1+A2
        for item in HEADLINE_ITEMS:
            e = estimate_share(r[item], r[strata], N_h, dom, alpha=alpha)
            rows.append({"grouping": grouping, "group": g, "item": item,
                         **{k: e[k] for k in ("n_eligible", *SHARE_VALUES, "ci_method")}})
    out = suppress(pd.DataFrame(rows), "n_eligible", min_cell, SHARE_VALUES)
    # margins: all groups of a grouping (they add up to the national figure) and, for SKR groups,
    # the groups of one main group (they add up to the main group's figure)
    margins = [["grouping", "item"], ["grouping", "item", PARENT]]
    out = complementary_suppression(with_parent(out), "n_eligible", margins, SHARE_VALUES, units=df, kind="eligible",
                                    facts=public_counts(df, min_cell, HEADLINE_ITEMS),
                                    ratio_col="share_weighted", weights=known_weights(df))
    return out[BY_GROUP_COLUMNS]


def maturity_table(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, strata: str = STRATA,
                   col: str = "maturity_index") -> pd.DataFrame:
    """Weighted mean maturity index overall, by SKR group, main group and county; suppressed."""
    N_h = stratum_sizes(df, strata)
    r = respondents(df)
    rows = [{"grouping": "all", "group": "all", **estimate_mean(r[col], r[strata], N_h, alpha=alpha)}]
    for grouping, g, dom in domains(df, min_cell, GROUPINGS):  # A1 is reported as A1+A2
        rows.append({"grouping": grouping, "group": g, **estimate_mean(r[col], r[strata], N_h, dom, alpha=alpha)})
    out = suppress(pd.DataFrame(rows)[MATURITY_COLUMNS], "n", min_cell, MEAN_VALUES)
    out = complementary_suppression(with_parent(out), "n", [["grouping"], ["grouping", PARENT]], MEAN_VALUES,
                                    units=df, kind="complete", facts=public_counts(df, min_cell),
                                    ratio_col="mean", weights=known_weights(df))
    return out.drop(columns=PARENT)


def public_counts(df: pd.DataFrame, min_cell: int, items=()) -> tuple:
    """Counts other tables publish, which a table's suppression must not let combine with its own:
    the respondents of response_table's shown rows, and the national valid and yes answers of
    `items` where headline.csv shows them, as (kind, item, grouping, group, count)."""
    rt = response_table(df, min_cell)
    facts = [("responded", None, g, grp, int(n)) for g, grp, n, sup in
             zip(rt["grouping"], rt["group"], rt["respondents"], rt["suppressed"], strict=True) if not sup]
    r = respondents(df)
    for item in items:
        n = int(r[item].notna().sum())
        if n == 0 or n >= min_cell:  # as suppress_items shows them
            facts += [("eligible", item, "all", "all", n), ("yes", item, "all", "all", int((r[item] == True).sum()))]  # noqa: E712
    return tuple(facts)


def known_weights(df: pd.DataFrame) -> dict[str, float]:
    """N_h / n_h of every SKR group with respondents (the audit assumes an attacker knows them all)."""
    return {g: w for g, w in stratum_weights(df).items() if not math.isnan(w)}
