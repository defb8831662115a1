"""Who responded: the response table (N, respondents and rate by SKR group, main group and county,
suppressed) and the respondent profile of describe_summary.json (respondents vs all municipalities)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..design import is_respondent, respondents
from ..disclosure import complementary_suppression, reporting_groups, suppress
from .domains import GROUPINGS, PARENT, labels, ordered_levels, with_parent


def _county_names(df: pd.DataFrame) -> pd.Series:
    """lan_namn by county code (as text)."""
    first = df.drop_duplicates("lan_kod")
    return first.set_index(first["lan_kod"].astype(str))["lan_namn"]


def _counts(df: pd.DataFrame, reported: pd.Series) -> pd.DataFrame:
    """grouping, group, N and respondents of every domain (the total row first), not yet suppressed."""
    resp = is_respondent(df)
    rows = [{"grouping": "all", "group": "all", "N": len(df), "respondents": int(resp.sum())}]
    for grouping in GROUPINGS:
        col = labels(df, grouping, reported)
        g = resp.groupby(col.astype(str).to_numpy(), sort=False)
        size, total = g.size(), g.sum()
        for lev in ordered_levels(col):
            rows.append({"grouping": grouping, "group": lev, "N": int(size.get(lev, 0)),
                         "respondents": int(total.get(lev, 0))})
    return pd.DataFrame(rows)


def response_table(df: pd.DataFrame, min_cell: int = 5) -> pd.DataFrame:
    """N, respondents and response rate by SKR group, main group and county, plus a total row.

    The same disclosure rules as every other table: SKR groups smaller than `min_cell` are reported
    together (A1 as "A1+A2"), a row with N < min_cell municipalities is suppressed (respondents and
    rate NA: with so few municipalities the counts would say which ones answered, e.g. Gotland, a
    one-municipality county), and complementary suppression hides a second row wherever a hidden
    one could be got back from a total (the groups, the groups of a main group, the counties).
    N stays visible: it is the register's count, public anyway.
    """
    out = _counts(df, reporting_groups(df, min_cell))
    if "lan_namn" in df:
        names = _county_names(df)
        out["name"] = [names.get(g, "") if gr == "lan_kod" else ""
                       for gr, g in zip(out["grouping"], out["group"], strict=True)]
    out["rate"] = out["respondents"] / out["N"]
    values = ["respondents", "rate"]
    out = with_parent(suppress(out, "N", min_cell, values))
    out = complementary_suppression(out, "respondents", [["grouping"], ["grouping", PARENT]], values, units=df)
    return out.drop(columns=PARENT)


def respondent_profile(df: pd.DataFrame, min_cell: int = 5, response: pd.DataFrame | None = None) -> dict[str, Any]:
    """Respondents vs all municipalities: population median/mean and the distribution over the SKR
    groups as reported (A1 within "A1+A2"). A share of respondents is a count once the total is
    known, so it is given (else null) only where `response` (default: response_table) shows the
    group's respondents; the respondents' population figures only for at least `min_cell` respondents."""
    r = respondents(df)
    reported = reporting_groups(df, min_cell)
    response = response_table(df, min_cell) if response is None else response
    shown = {g for gr, g, sup in zip(response["grouping"], response["group"], response["suppressed"], strict=True)
             if gr == "kommungrupp" and not sup}
    dist_all = reported.value_counts(normalize=True)
    dist_r = reported[r.index].value_counts(normalize=True)
    few = len(r) < min_cell  # the median of one respondent's population names the municipality
    return {
        "population_median": {"all": float(df["folkmangd"].median()),
                              "respondents": None if few else float(r["folkmangd"].median())},
        "population_mean": {"all": float(df["folkmangd"].mean()),
                            "respondents": None if few else float(r["folkmangd"].mean())},
        "group_share": {g: {"all": round(float(dist_all.get(g, 0)), 4),
                            "respondents": round(float(dist_r.get(g, 0)), 4) if g in shown else None}
                        for g in ordered_levels(reported)},
    }
