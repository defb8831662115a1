"""The non-response model of 02_describe: a logistic GLM of responding on log population and main
group over all 290 municipalities, unweighted maximum likelihood.

It describes who responded; its odds ratios compare response odds. Intervals are Wald (estimate +/-
z SE) unless a main group has fewer than MIN_EVENTS (5, analysis.compute.likelihood) respondents or
non-respondents (in the synthetic default data group A has one non-respondent); then every term gets a
profile-likelihood interval and a likelihood-ratio p-value (method "ml_profile"), as R's
confint(glm) and drop-one deviance tests give. Whether the model exists at all is decided before
(analysis.compute.estimable.nonresponse_problems).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ...base import contracts
from ..design import is_respondent
from ..disclosure import levels
from ..likelihood import MIN_EVENTS, profile_likelihood, sparse_groups

NONRESPONSE_COLUMNS = contracts.columns("nonresponse_model", without=("data_source",))


def design_matrix(df: pd.DataFrame) -> pd.DataFrame:
    """const, log_folkmangd and one indicator per main group but the first (huvudgrupp[B], ...)."""
    X = pd.DataFrame({"log_folkmangd": np.log(df["folkmangd"].astype(float))}, index=df.index)
    main = df["huvudgrupp"].astype(str)
    for lev in levels(df["huvudgrupp"])[1:]:
        X[f"huvudgrupp[{lev}]"] = (main == lev).astype(float)
    return sm.add_constant(X)


def nonresponse_model(df: pd.DataFrame, alpha: float = 0.05, min_events: int = MIN_EVENTS) -> pd.DataFrame:
    """Logistic GLM of responding on log population and main group, all rows, unweighted ML.

    Odds ratios with Wald intervals and p-values (method "ml_wald"), or, when a main group has
    fewer than `min_events` respondents or non-respondents, profile-likelihood intervals and
    likelihood-ratio p-values for every term (method "ml_profile"; module docstring).
    """
    X = design_matrix(df)
    yv = is_respondent(df).astype(float)
    fit = sm.GLM(yv, X, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    if sparse_groups(yv, df["huvudgrupp"].astype(str), min_events):
        ci_log, p = profile_likelihood(yv, X, alpha)
        lo, hi, p, method = ci_log["low"].to_numpy(), ci_log["high"].to_numpy(), p.to_numpy(), "ml_profile"
    else:
        ci = fit.conf_int(alpha)
        lo, hi, p, method = ci[0].to_numpy(), ci[1].to_numpy(), fit.pvalues.to_numpy(), "ml_wald"
    out = pd.DataFrame({"term": X.columns, "coef": fit.params.to_numpy(), "se": fit.bse.to_numpy(),
                        "odds_ratio": np.exp(fit.params.to_numpy()), "ci_low": np.exp(lo),
                        "ci_high": np.exp(hi), "p_value": p})
    out["n"] = int(fit.nobs)
    out["method"] = method
    return out[NONRESPONSE_COLUMNS]
