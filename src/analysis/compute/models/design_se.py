"""How much would the survey design change the model SEs? The weighted ML fits' covariance with the
strata (and the FPC) in the sandwich, as svyglm computes it, over the reported HC1 (tables/se_design.csv).

svyglm's linearisation: stratum-centred scores, n_h / (n_h - 1), respondents outside the model
sample as zero scores; equal to R's svyglm to 2e-8 (tests/scenarios/test_r_reference.py). Why the
reported SEs carry neither: compute.models.glm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..design import STRATA, respondents, stratum_sizes
from .fit import Fit

SE_DESIGN_VARIANTS = ("strata", "strata_fpc")
SE_DESIGN_COLUMNS = ["variant", "n_terms", "ratio_min", "ratio_median", "ratio_max"]


def stratified_cov(fit: Fit, strata, n_h: dict[str, int], N_h: dict[str, int] | None = None) -> pd.DataFrame:
    """Covariance of a weighted ML GLM fit with the strata (and, given N_h, the FPC) in the sandwich.

    svyglm's linearisation: scores u_i = w_i (y_i - mu_i) x_i of the model rows, centred within
    stratum h over ALL n_h respondents of h (respondents outside the model sample count as zero
    scores, as in svyglm(design = subset(...))), meat = sum_h c_h n_h / (n_h - 1) sum_i (u_i - ubar_h)
    (u_i - ubar_h)', c_h = 1 - n_h / N_h with the FPC and 1 without; cov = H^-1 meat H^-1. `strata`
    gives the stratum of each model row (aligned to fit.X), n_h the respondents per stratum.
    """
    res = fit.extra.get("result")
    if res is None or not fit.weighted or fit.kind not in ("binary", "counts"):
        raise ValueError("stratified_cov needs a weighted ML GLM fit")
    S = np.asarray(res.model.score_obs(res.params))
    Hinv = np.linalg.inv(-np.asarray(res.model.hessian(res.params)))
    g = np.asarray(pd.Series(strata).astype(str))
    k = S.shape[1]
    meat = np.zeros((k, k))
    for h in np.unique(g):
        Sh, nh = S[g == h], float(n_h[h])
        if nh < 2:
            raise ValueError(f"stratum {h!r} has {nh:g} respondent(s): no within-stratum variance")
        ubar = Sh.sum(axis=0) / nh
        c = 1.0 if N_h is None else 1.0 - nh / float(N_h[h])
        meat += c * nh / (nh - 1) * (Sh.T @ Sh - nh * np.outer(ubar, ubar))
    return pd.DataFrame(Hinv @ meat @ Hinv, index=fit.X.columns, columns=fit.X.columns)


def _is_weighted_ml_glm(fit: Fit) -> bool:
    return fit.weighted and fit.method == "ML" and fit.kind in ("binary", "counts")


def design_se_ratios(analysis: pd.DataFrame, fits: dict, spec: str = "main") -> pd.DataFrame:
    """SE with strata (and with strata + FPC) over the reported HC1 SE, per weighted ML GLM term of
    `spec` (long: outcome, term, variant, ratio). `fits` as collected by fit_all(fits=...)."""
    resp = respondents(analysis)
    n_h = resp[STRATA].astype(str).value_counts().to_dict()
    N_h = stratum_sizes(analysis)
    rows = []
    for (s, outcome), f in fits.items():
        if s != spec or not _is_weighted_ml_glm(f):
            continue
        strata = resp.loc[f.X.index, STRATA]
        se = np.sqrt(np.diag(f.cov.to_numpy()))
        for variant, Nh in zip(SE_DESIGN_VARIANTS, (None, N_h), strict=True):
            v = stratified_cov(f, strata, n_h, Nh)
            r = np.sqrt(np.diag(v.to_numpy())) / se
            rows += [{"outcome": outcome, "term": t, "variant": variant, "ratio": float(x)}
                     for t, x in zip(f.X.columns, r, strict=True) if t != "const"]
    return pd.DataFrame(rows, columns=["outcome", "term", "variant", "ratio"])


def design_se_table(analysis: pd.DataFrame, fits: dict, spec: str = "main") -> pd.DataFrame:
    """tables/se_design.csv: per variant, min / median / max of design_se_ratios over the terms."""
    r = design_se_ratios(analysis, fits, spec)
    rows = []
    for v in SE_DESIGN_VARIANTS:
        x = r.loc[r["variant"] == v, "ratio"]
        rows.append({"variant": v, "n_terms": int(len(x)), "ratio_min": float(x.min()),
                     "ratio_median": float(x.median()), "ratio_max": float(x.max())})
    return pd.DataFrame(rows, columns=SE_DESIGN_COLUMNS)
