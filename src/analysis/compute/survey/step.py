"""The numbers of step 02_describe (pure; analysis.run.steps.describe writes them): every table
(`compute`) and describe_summary.json (`summary`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..design import stratum_weights
from ..disclosure import suppress_items
from ..estimable import nonresponse_problems
from .groups import headline_by_group, maturity_table
from .nonresponse import NONRESPONSE_COLUMNS, nonresponse_model
from .response import respondent_profile, response_table
from .shares import headline_table


def compute(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, codebook=None) -> dict[str, Any]:
    """All tables of the step from analysis.parquet (pure); labels and published shares from `codebook`
    (the wave's; default the 2019 codebook).

    A national item with fewer than `min_cell` valid answers is suppressed like any other cell; the
    non-response model is fitted only where it exists (analysis.compute.estimable); `not_estimable`
    lists why not (empty when it was fitted)."""
    problems = nonresponse_problems(df)
    return {
        "headline": suppress_items(headline_table(df, alpha, codebook), min_cell),
        "headline_by_group": headline_by_group(df, alpha, min_cell),
        "maturity_index": maturity_table(df, alpha, min_cell),
        "response": response_table(df, min_cell),
        "nonresponse_model": pd.DataFrame(columns=NONRESPONSE_COLUMNS) if problems else nonresponse_model(df, alpha),
        "not_estimable": {"nonresponse_model": problems} if problems else {},
    }


def summary(df: pd.DataFrame, tables: dict[str, pd.DataFrame], *, alpha: float, min_cell: int,
            synthetic: bool) -> dict[str, Any]:
    """describe_summary.json: the numbers the report needs beyond the tables (numbers only).

    A design weight N_h / n_h says n_h: it is given only for groups reported on their own whose
    respondents the response table shows (A1's and A2's would give back what "A1+A2" hides)."""
    resp = tables["response"].set_index(["grouping", "group"])
    rate = resp.loc[("all", "all"), "rate"]
    shown = {g for (gr, g), sup in resp["suppressed"].items() if gr == "kommungrupp" and not sup}
    return {
        "step": "02_describe",
        "synthetic": bool(synthetic),
        "alpha": float(alpha),
        "min_cell": int(min_cell),
        "n_municipalities": int(len(df)),
        "n_respondents": int(resp.loc[("all", "all"), "respondents"]),
        "response_rate": None if pd.isna(rate) else float(rate),
        "weights": {g: w for g, w in stratum_weights(df).items() if g in shown},
        "respondent_profile": respondent_profile(df, min_cell, tables["response"]),
        "not_estimable": tables.get("not_estimable", {}),
    }
