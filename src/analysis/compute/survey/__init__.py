"""Design-based descriptive estimates for SKR's survey of the 290 municipalities (step 02_describe).

The design, stated once (analysis.compute.design): the target population is Sweden's 290
municipalities. The respondents are treated as a stratified simple random sample without replacement
within SKR's nine municipality groups (kommungrupp, A1..C9): response is assumed missing at random
within group. The design weight of a respondent in group h is w_h = N_h / n_h (N_h = municipalities in
the group among all 290 rows, n_h = respondents in the group); non-respondents get NaN. This equals
post-stratification to the known group sizes. The finite population correction of stratum h is
f_h = 1 - n_h / N_h.

The package, one job a module:
  shares       the linearised domain mean, the intervals of a share and a mean, bounds, x av 10,
               and the headline table (the estimators and their rules: census, lonely PSU)
  domains      the reported domains: groupings, merged SKR groups, their order and margins
  groups       the by-group shares and the maturity index, suppressed
  response     the response table and the respondent profile
  nonresponse  the logistic model of responding
  step         the step's numbers: every table (compute) and describe_summary.json (summary)

This module is a facade: it re-exports the public names of its modules (and the design's weights and
sizes), so that callers keep `from analysis.compute import survey; survey.compute(...)`.
"""

from __future__ import annotations

from ..design import STRATA, design_weights, stratum_sizes
from .domains import GROUPINGS, ordered_levels
from .groups import BY_GROUP_COLUMNS, headline_by_group, maturity_table
from .nonresponse import NONRESPONSE_COLUMNS, nonresponse_model
from .response import respondent_profile, response_table
from .shares import (
    CI_METHODS,
    HEADLINE_COLUMNS,
    bounds,
    clopper_pearson,
    estimate_mean,
    estimate_share,
    headline_table,
    korn_graubard,
    linearised_mean,
    x_of_10,
)
from .step import compute, summary

__all__ = [
    "BY_GROUP_COLUMNS", "CI_METHODS", "GROUPINGS", "HEADLINE_COLUMNS", "NONRESPONSE_COLUMNS", "STRATA",
    "bounds", "clopper_pearson", "compute", "design_weights", "estimate_mean", "estimate_share",
    "headline_by_group", "headline_table", "korn_graubard", "linearised_mean", "maturity_table",
    "nonresponse_model", "ordered_levels", "respondent_profile", "response_table", "stratum_sizes", "summary",
    "x_of_10",
]
