"""The models' outcomes, predictors and terms (from the codebook's analysis plan), the
specifications, and the frame each specification fits: its respondents and how it codes outcomes.

Specifications (SPECS)
----------------------
main (weighted; the verdicts rest on it), unweighted, dont_know_as_no ("Vet ej" = not
established), cut_partly (established from "Delvis etablerat"), kommungrupp (the SKR groups instead
of the main group, in their REPORTING form: groups with fewer than MIN_GROUP_SIZE municipalities are
merged as in the report, so A1's three municipalities join A2; reference = the group with most
respondents), complete_cases (one sample for every model), leadership_total (the primary items, log
population and main group only: resources and collaboration are left out because they may lie on the
path from leadership to established work, so this spec shows the TOTAL association; same samples as
main, so differences come from the adjustment alone).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...base.codebook import default_codebook
from ..design import design_weights
from ..design import respondents as design_respondents
from ..disclosure import reporting_groups

PLAN = default_codebook().analysis_plan()  # every wave's codebook carries the same plan (tested)
OUTCOMES = PLAN.outcomes
PREDICTORS = PLAN.predictors
SIZE_TERM = PLAN.size_term  # log(folkmangd)
TERMS = PLAN.terms
PRIMARY_TERMS = PLAN.primary
SELF_RATING_TERMS = (*PLAN.self_rating_predictors, SIZE_TERM)
SPECS = ("main", "unweighted", "dont_know_as_no", "cut_partly", "kommungrupp", "complete_cases",
         "leadership_total")
SPEC_WEIGHTED = {s: s != "unweighted" for s in SPECS}
# Terms of each spec's area and maturity-index models (the self-rating model always uses SELF_RATING_TERMS).
SPEC_TERMS = {s: (*PRIMARY_TERMS, SIZE_TERM) if s == "leadership_total" else TERMS for s in SPECS}
SELF_RATING_SPECS = ("main", "unweighted", "complete_cases")  # the specs that fit the self-rating model
MIN_GROUP_SIZE = 5  # kommungrupp spec: groups smaller than this are merged as in reporting (A1 -> A1+A2)


def spec_outcomes(analysis: pd.DataFrame, spec: str = "main") -> pd.DataFrame:
    """The outcomes (nullable boolean) as coded by `spec`.

    main and most specs: analysis.parquet's booleans (established = top two levels; "Vet ej" and
    blank missing). dont_know_as_no: "Vet ej" counts as not established (blank stays missing).
    cut_partly: established = "Delvis etablerat" or above (``<area>_level >= 2``).
    """
    out = {}
    for a in OUTCOMES:
        y = analysis[a].astype("boolean")
        if spec == "dont_know_as_no":
            y = y.mask(analysis[f"{a}_dont_know"].astype(bool), False)
        elif spec == "cut_partly":
            y = (analysis[f"{a}_level"].astype("Int8") >= 2).astype("boolean")
        out[a] = y
    return pd.DataFrame(out, index=analysis.index)


def maturity_from(outcomes: pd.DataFrame) -> pd.Series:
    """Number of established areas (Int64), NA unless every outcome is non-missing."""
    complete = outcomes.notna().all(axis=1)
    return outcomes.astype("Int64").sum(axis=1).where(complete).astype("Int64")


def respondents(analysis: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """design.respondents with the predictors as floats, the size term and the design weight (`_w`)."""
    df = design_respondents(analysis).copy()
    for p in PREDICTORS:
        df[p] = df[p].astype("boolean").astype("Float64")
    df[SIZE_TERM] = np.log(df["folkmangd"].astype(float))
    if weights is None:
        weights = design_weights(analysis, strata="kommungrupp")
    df["_w"] = weights.loc[df.index].astype(float)
    return df


def complete_rows(df: pd.DataFrame, cols) -> pd.DataFrame:
    """The rows of `df` with every column of `cols` non-missing (a model's sample)."""
    return df.loc[df[list(cols)].notna().all(axis=1)]


def spec_frame(analysis: pd.DataFrame, spec: str = "main", weights: pd.Series | None = None,
               min_cell: int = 0) -> tuple[pd.DataFrame, str]:
    """Respondents with the spec's outcomes (``y_<area>``, ``y_maturity``) and its grouping column.

    Returns (frame, group column). The kommungrupp spec replaces kommungrupp by its reporting
    groups (disclosure.reporting_groups with max(min_cell, MIN_GROUP_SIZE): A1 -> A1+A2).
    """
    if spec not in SPECS:
        raise ValueError(f"unknown spec {spec!r}; known: {SPECS}")
    group = "kommungrupp" if spec == "kommungrupp" else "huvudgrupp"
    df = respondents(analysis, weights)
    if spec == "kommungrupp":
        df["kommungrupp"] = reporting_groups(analysis, max(min_cell, MIN_GROUP_SIZE)).loc[df.index]
    ys = spec_outcomes(analysis, spec).loc[df.index]
    df = df.join(ys.add_prefix("y_"))
    df["y_maturity"] = maturity_from(ys)
    if spec == "main" and "maturity_index" in df:
        mi = df["maturity_index"].astype("Int64")
        if not mi.equals(df["y_maturity"].rename("maturity_index")):
            raise ValueError("analysis.parquet: maturity_index differs from the count of the seven items")
    if spec == "complete_cases":
        df = complete_rows(df, [*(f"y_{a}" for a in OUTCOMES), *TERMS, "self_rating"])
    return df, group
