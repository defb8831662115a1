"""The sparse-group rule of the binary models: a group with fewer than MIN_EVENTS events gets
profile-likelihood inference (likelihood fits) or its indicator rows left out (pseudo-likelihood fits).

Wald intervals are unreliable when a group has very few events. In a binary model, when some group
of the grouping variable (the reference included) has fewer than MIN_EVENTS (compute.likelihood)
outcomes of either kind in the model sample:
* likelihood fits (unweighted specs) get profile-likelihood intervals and likelihood-ratio p-values
  for every term (``method="ML_profile"``; as R's confint(glm) and drop-one deviance tests);
* pseudo-likelihood fits (weighted specs) have no likelihood to profile, so the group-indicator
  rows are left out of the table (the groups stay in the model as adjustment; the other terms'
  HC1 intervals do not rest on the sparse group). model_summary.json lists the rows left out.
The non-response model (``survey.nonresponse_model``) follows the same rule with
``likelihood.profile_likelihood``. Firth fits keep their own (penalised profile) inference.
"""

from __future__ import annotations

import pandas as pd

from ..likelihood import profile_likelihood, sparse_groups
from .fit import Fit

ACTIONS = ("group_rows_left_out", "profile_likelihood")  # what the rule did (model_summary.json)


def apply_sparse_rule(fit: Fit, y, groups: pd.Series, group: str, alpha: float = 0.05) -> tuple[list[str], dict | None]:
    """Apply the rule to a binary fit (in place for the profile case).

    Returns (terms to leave out of the table, the log entry: groups, action, terms), or ([], None)
    when no group is sparse or the fit is not plain ML.
    """
    sparse = sparse_groups(y, groups)
    if not sparse or fit.method != "ML":
        return [], None
    omit: list[str] = []
    if fit.weighted:
        omit = [c for c in fit.X.columns if c.startswith(f"{group}_")]
        action = "group_rows_left_out"
    else:
        fit.ci, fit.pvalues = profile_likelihood(y, fit.X, alpha)
        fit.method = "ML_profile"
        action = "profile_likelihood"
    return omit, {"groups": sparse, "action": action, "terms": omit}
