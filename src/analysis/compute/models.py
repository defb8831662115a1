"""Associational models of SKR's claims (step 03): GLM / ordinal / Firth fits, AMEs, FDR, sensitivity.

The survey is cross-sectional and self-reported, so every estimate here is an ASSOCIATION between
answers, never an effect of one answer on another. Wording in tables, figures and verdicts follows
that (``goes with``, ``more often``; never ``leads to`` or ``increases``).

Models
------
* Seven established-method outcomes (risk_management ... follow_up, True = "Etablerat" or
  "Etablerat och följs upp"): binomial GLM, logit link,
  ``y ~ leadership_informed + action_plans + resources + collaboration + log(folkmangd) + group``
  (group = huvudgrupp with A as reference; the ``kommungrupp`` spec uses the nine SKR groups with
  the group that has most respondents in the model sample as reference). Each model uses the
  respondents with complete data for that model.
* Maturity index (0-7 established areas): binomial GLM on (established, 7 - established) and an
  ordinal logit (OrderedModel, distr="logit", no constant) on the same predictors.
* Self-rated maturity (self_rating 1-5): ordinal logit on resources, leadership_informed,
  action_plans and log(folkmangd). SKR's claim that low self-rated work goes with leadership that
  delegated without resources maps to the ``resources`` coefficient here (the survey has no item on
  delegation, so only the "without resources" half is measured).

Weights and covariance (the choice, and why)
--------------------------------------------
Weighted fits use the survey's design weights ``survey.design_weights`` (N_h / n_h within
kommungrupp) passed to statsmodels GLM as ``var_weights`` normalised to mean 1 over the model
sample. The estimating equations are then ``sum_i w_i (y_i - mu_i) x_i = 0`` (pseudo-ML), and the
covariance is the sandwich ``H^-1 [sum_i (w_i s_i)(w_i s_i)'] H^-1`` with ``H = sum_i w_i mu_i(1 -
mu_i) x_i x_i'`` and ``s_i = (y_i - mu_i) x_i``, times the HC1 factor n / (n - k).
* Why not ``freq_weights``: statsmodels would treat w_i as w_i replicated rows, so nobs and df_resid
  become sum(w) and the robust meat becomes ``sum_i w_i s_i s_i'`` (the replicated-rows sandwich),
  not the design-based ``sum_i w_i^2 s_i s_i'``; the result is not the linearisation variance of a
  weighted estimator. (Verified numerically in tests/test_models.py.)
* statsmodels' GLM ignores the HCx number (issue statsmodels#7798: every ``HCx`` in GLM is the plain
  HC0 sandwich; checked here against a hand computation), so we fit with ``cov_type="HC0"`` and
  multiply by n / (n - k) ourselves to get HC1. The sandwich is invariant to rescaling the weights,
  so normalising them to mean 1 changes nothing but the printed log-likelihood.
* Caveats: the sandwich ignores the stratification and the finite-population correction (290
  municipalities, 264 respondents), so it is conservative for a stratified design; item non-response
  within respondents is treated as missing completely at random (weights are not recomputed per
  model).
Unweighted fits are plain ML with the model-based (nonrobust) covariance.

Average marginal effects (percentage points)
--------------------------------------------
For 0/1 terms the AME is the average over the model sample of P(y | term = 1) - P(y | term = 0)
with the other columns as observed; for continuous terms it is the average derivative. Unweighted:
identical to ``get_margeff(at="overall", method="dydx", dummy=True)`` (tested). Weighted: the same
with the survey weights in the average (get_margeff ignores weights), interval by the delta method:
gradient of the AME with respect to the parameters times the robust covariance.

Separation
----------
A GLM fit that raises statsmodels' PerfectSeparationWarning/Error (turned into an error with
``warnings.catch_warnings``), fails to converge, or returns a slope with |coefficient| > 10 or SE > 10
on the log-odds scale (the intercept is not checked: its size depends on the origin of log size) is refitted with Firth's penalised likelihood (firthmodels, with the same weights),
marked ``method="Firth"``. Its odds-ratio interval is the profile penalised-likelihood interval and
its p-value the penalised likelihood-ratio test; its AME interval uses the inverse Fisher information
at the Firth estimate (as R's logistf). In weighted specifications a Firth row therefore has
model-based (weights as frequency weights) inference, not the HC1 sandwich of the ML rows: the
``method`` column tells them apart. The binomial maturity-index model is refitted the same way, on
its equivalent Bernoulli rows (each municipality as seven 0/1 trials).

Multiplicity
------------
The pre-specified primary family is leadership_informed and action_plans x the seven outcomes in the
main (weighted) spec: 14 tests, Benjamini-Hochberg (``multipletests(method="fdr_bh")``). Only those
rows carry a q_value; the collaboration family (7 tests) is adjusted separately for its verdict and
reported in model_summary.json only.

Verdict rule (per claim; "on these data")
-----------------------------------------
For a family of tests of positive associations:
* "supported": at least one test has q < alpha with OR > 1, the OR is above 1 in more than half of
  the tests, and no test has q < alpha with OR < 1;
* "not supported": every interval's upper end is below MEANINGFUL_OR (the intervals exclude any
  meaningful positive association), or a test has q < alpha with OR < 1 (an association in the
  opposite direction);
* "unclear": otherwise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

from .codebook import MATURITY_AREAS, default_codebook

OUTCOMES = tuple(MATURITY_AREAS)
PREDICTORS = ("leadership_informed", "action_plans", "resources", "collaboration")
TERMS = (*PREDICTORS, "log_folkmangd")
PRIMARY_TERMS = ("leadership_informed", "action_plans")
SELF_RATING_TERMS = ("resources", "leadership_informed", "action_plans", "log_folkmangd")
SPECS = ("main", "unweighted", "dont_know_as_no", "cut_partly", "kommungrupp", "complete_cases")
SPEC_WEIGHTED = {s: s != "unweighted" for s in SPECS}
COLUMNS = ["spec", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "ame",
           "ame_ci_low", "ame_ci_high", "n", "weighted", "method"]
MEANINGFUL_OR = 1.25  # smallest odds ratio counted as a meaningful positive association
HUGE_COEF = 10.0  # |log-odds| or SE above this is treated as (quasi-)separation
N_BOOT = 2000
IDENTIFYING = ("kommun", "kommunkod")


# ------------------------------------------------------------------------------------------------
# Data preparation (pure)
# ------------------------------------------------------------------------------------------------

def spec_outcomes(analysis: pd.DataFrame, spec: str = "main") -> pd.DataFrame:
    """The seven outcomes (nullable boolean) as coded by `spec`.

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
    """Number of established areas (Int64), NA unless all seven are non-missing."""
    complete = outcomes.notna().all(axis=1)
    return outcomes.astype("Int64").sum(axis=1).where(complete).astype("Int64")


def respondents(analysis: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """Respondent rows with predictors as floats, log_folkmangd and the design weight (`_w`)."""
    resp = analysis["responded"].astype(bool).to_numpy()
    df = analysis.loc[resp].copy()
    for p in PREDICTORS:
        df[p] = df[p].astype("boolean").astype("Float64")
    df["log_folkmangd"] = np.log(df["folkmangd"].astype(float))
    if weights is None:
        from .survey import design_weights

        weights = design_weights(analysis, strata="kommungrupp")
    df["_w"] = weights.loc[df.index].astype(float)
    return df


def design_matrix(df: pd.DataFrame, terms=TERMS, group: str | None = "huvudgrupp", *,
                  const: bool = True, reference: str | None = None) -> pd.DataFrame:
    """Float design matrix: const (optional), `terms`, dummies `<group>_<level>` (reference dropped).

    Reference level: `reference` if given, else "A" for huvudgrupp, else the level with most rows.
    Levels absent from `df` get no column.
    """
    X = pd.DataFrame(index=df.index)
    if const:
        X["const"] = 1.0
    for t in terms:
        X[t] = df[t].astype(float).to_numpy()
    if group:
        g = df[group].astype(str)
        levels = sorted(g.unique())
        if reference is None:
            reference = "A" if group == "huvudgrupp" and "A" in levels else g.value_counts().sort_index().idxmax()
        for lev in levels:
            if lev != reference:
                X[f"{group}_{lev}"] = (g == lev).astype(float).to_numpy()
    return X


# ------------------------------------------------------------------------------------------------
# Fitting (pure)
# ------------------------------------------------------------------------------------------------

@dataclass
class Fit:
    """One fitted model, inference computed from `params` and `cov` (log-odds scale)."""

    params: pd.Series
    cov: pd.DataFrame
    pvalues: pd.Series
    ci: pd.DataFrame  # log-odds scale, columns low/high
    X: pd.DataFrame
    weights: np.ndarray | None
    n: int
    method: str = "ML"
    kind: str = "binary"  # binary | counts | ordinal
    trials: float = 1.0
    separation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def weighted(self) -> bool:
        return self.weights is not None


def _wald(params: pd.Series, cov: pd.DataFrame, alpha: float) -> tuple[pd.Series, pd.DataFrame]:
    se = np.sqrt(np.diag(cov.to_numpy()))
    z = stats.norm.ppf(1 - alpha / 2)
    p = 2 * stats.norm.sf(np.abs(params.to_numpy() / se))
    ci = pd.DataFrame({"low": params - z * se, "high": params + z * se}, index=params.index)
    return pd.Series(p, index=params.index), ci


def _normalise(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.mean()


def _hc1(cov: np.ndarray, n: int, k: int) -> np.ndarray:
    return cov * n / (n - k)


class SeparationDetected(RuntimeError):
    """The ML fit shows (quasi-)complete separation."""


def _glm_ml(endog, X: pd.DataFrame, weights: np.ndarray | None):
    """ML GLM binomial/logit; raises SeparationDetected on warnings, non-convergence or huge values."""
    kw = {} if weights is None else {"var_weights": weights}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            res = sm.GLM(endog, X, family=sm.families.Binomial(), **kw).fit(
                cov_type="nonrobust" if weights is None else "HC0", maxiter=100)
        except (PerfectSeparationWarning, PerfectSeparationError) as exc:
            raise SeparationDetected(f"statsmodels: {type(exc).__name__}") from None
        except np.linalg.LinAlgError:
            raise SeparationDetected("singular information matrix") from None
    if not res.converged:
        raise SeparationDetected("IRLS did not converge")
    slopes = [c != "const" for c in X.columns]  # the intercept's scale depends on log(folkmangd)'s origin
    b, bse = np.asarray(res.params)[slopes], np.asarray(res.bse)[slopes]
    if not np.all(np.isfinite(res.bse)) or np.abs(b).max() > HUGE_COEF or bse.max() > HUGE_COEF:
        raise SeparationDetected(f"huge coefficient or SE (max |b| {np.abs(b).max():.1f}, "
                                 f"max SE {np.nanmax(bse):.1f})")
    return res


def fit_firth(y, X: pd.DataFrame, weights: np.ndarray | None = None, alpha: float = 0.05) -> Fit:
    """Firth penalised logistic regression (firthmodels) on the given design (const included in X)."""
    from firthmodels import FirthLogisticRegression

    yv = np.asarray(y, dtype=float)
    Xv = X.to_numpy(dtype=float)
    m = FirthLogisticRegression(fit_intercept=False, max_iter=200, max_halfstep=50)
    m.fit(Xv, yv, sample_weight=weights)
    b = pd.Series(m.coef_, index=X.columns)
    p = expit(Xv @ m.coef_)
    w = np.ones(len(yv)) if weights is None else weights
    info = (Xv * (w * p * (1 - p))[:, None]).T @ Xv
    cov = pd.DataFrame(np.linalg.inv(info), index=X.columns, columns=X.columns)
    pw, ciw = _wald(b, cov, alpha)
    try:
        ci_pl = np.asarray(m.conf_int(alpha=alpha, method="pl"))
        m.lrt()
        p_lrt = np.asarray(m.lrt_pvalues_)
        ci = pd.DataFrame({"low": np.where(np.isfinite(ci_pl[:, 0]), ci_pl[:, 0], ciw["low"]),
                           "high": np.where(np.isfinite(ci_pl[:, 1]), ci_pl[:, 1], ciw["high"])}, index=X.columns)
        pv = pd.Series(np.where(np.isfinite(p_lrt), p_lrt, pw), index=X.columns)
    except Exception:  # profile / LRT failures fall back to Wald
        ci, pv = ciw, pw
    return Fit(params=b, cov=cov, pvalues=pv, ci=ci, X=X, weights=weights, n=len(yv), method="Firth",
               extra={"converged": bool(m.converged_)})


def fit_binary(y, X: pd.DataFrame, weights=None, alpha: float = 0.05, *, allow_firth: bool = True) -> Fit:
    """Logistic GLM of a 0/1 outcome on X (with const). Weighted: var_weights (mean 1) + HC1 sandwich.

    On (quasi-)separation the model is refitted with Firth's method (method="Firth").
    """
    yv = np.asarray(y, dtype=float)
    w = None if weights is None else _normalise(weights)
    try:
        res = _glm_ml(yv, X, w)
    except SeparationDetected as exc:
        if not allow_firth:
            raise
        f = fit_firth(yv, X, w, alpha)
        f.separation = str(exc)
        return f
    return _ml_fit(res, X, w, alpha)


def _ml_fit(res, X: pd.DataFrame, w, alpha: float, **kw) -> Fit:
    """Fit from a statsmodels GLM result: HC1 sandwich when weighted, Wald p-values and intervals."""
    cov = np.asarray(res.cov_params())
    if w is not None:
        cov = _hc1(cov, len(X), X.shape[1])
    cov = pd.DataFrame(cov, index=X.columns, columns=X.columns)
    pv, ci = _wald(res.params, cov, alpha)
    return Fit(params=res.params, cov=cov, pvalues=pv, ci=ci, X=X, weights=w, n=len(X), extra={"result": res}, **kw)


def fit_counts(successes, trials: int, X: pd.DataFrame, weights=None, alpha: float = 0.05) -> Fit:
    """Binomial GLM on (successes, trials - successes), e.g. the maturity index out of 7."""
    s = np.asarray(successes, dtype=float)
    endog = np.column_stack([s, trials - s])
    w = None if weights is None else _normalise(weights)
    try:
        res = _glm_ml(endog, X, w)
    except SeparationDetected as exc:
        # Firth on the equivalent Bernoulli data: each unit as `trials` 0/1 rows (same likelihood
        # and Fisher information, hence the same penalty); n stays the number of units.
        k = int(trials)
        y01 = (np.arange(k)[None, :] < s[:, None]).astype(float).ravel()
        Xe = X.loc[X.index.repeat(k)].reset_index(drop=True)
        f = fit_firth(y01, Xe, None if w is None else np.repeat(w, k), alpha)
        f.n, f.separation = len(s), str(exc)
        return f
    return _ml_fit(res, X, w, alpha, kind="counts", trials=float(trials))


class WeightedOrderedModel(OrderedModel):
    """OrderedModel whose log-likelihood contributions are multiplied by `obs_weights`.

    The score used by the robust covariance is the numerical derivative of the weighted
    loglikeobs, so cov_type="HC0" gives the weighted sandwich (checked in the tests).
    """

    obs_weights: np.ndarray

    def loglikeobs(self, params):
        return self.obs_weights * super().loglikeobs(params)


def fit_ordinal(y, X: pd.DataFrame, weights=None, alpha: float = 0.05) -> Fit:
    """Ordinal logit (cumulative logit, no constant in X). Thresholds are kept in `extra`."""
    yv = pd.Series(np.asarray(y, dtype=int))
    cats = sorted(yv.unique())
    endog = pd.Series(pd.Categorical(yv, categories=cats, ordered=True))
    Xr = X.reset_index(drop=True)
    if weights is None:
        model = OrderedModel(endog, Xr, distr="logit")
        res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-7)
        w = None
    else:
        w = _normalise(weights)
        model = WeightedOrderedModel(endog, Xr, distr="logit")
        model.obs_weights = w
        res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-7, cov_type="HC0")
    k = len(res.params)
    cov = np.asarray(res.cov_params())
    if w is not None:
        cov = _hc1(cov, len(yv), k)
    names = list(res.params.index)
    cov = pd.DataFrame(cov, index=names, columns=names)
    pv, ci = _wald(res.params, cov, alpha)
    return Fit(params=res.params, cov=cov, pvalues=pv, ci=ci, X=X, weights=w, n=len(yv), kind="ordinal",
               extra={"result": res, "thresholds": [n for n in names if n not in X.columns],
                      "converged": bool(res.mle_retvals.get("converged", True))})


# ------------------------------------------------------------------------------------------------
# Average marginal effects
# ------------------------------------------------------------------------------------------------

def is_binary(col: pd.Series) -> bool:
    v = np.unique(np.asarray(col, dtype=float))
    return len(v) <= 2 and set(v.tolist()) <= {0.0, 1.0}


def average_marginal_effects(params: pd.Series, cov: pd.DataFrame, X: pd.DataFrame, weights=None,
                             alpha: float = 0.05, terms=None) -> pd.DataFrame:
    """AME of each term on P(y = 1) (logit link), as proportions, with delta-method intervals.

    0/1 columns: (weighted) mean of p(x with term = 1) - p(x with term = 0); other columns: mean of
    dp/dx = p (1 - p) b. Gradient with respect to params (analytic) times `cov`. With weights=None
    this equals statsmodels' get_margeff(at="overall", method="dydx", dummy=True).
    """
    b = params.reindex(X.columns).to_numpy(dtype=float)
    V = cov.reindex(index=X.columns, columns=X.columns).to_numpy(dtype=float)
    Xv = X.to_numpy(dtype=float)
    n = len(Xv)
    a = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float) / np.sum(weights)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for j, t in enumerate(X.columns):
        if t == "const" or (terms is not None and t not in terms):
            continue
        if is_binary(X[t]):
            X1, X0 = Xv.copy(), Xv.copy()
            X1[:, j], X0[:, j] = 1.0, 0.0
            p1, p0 = expit(X1 @ b), expit(X0 @ b)
            ame = a @ (p1 - p0)
            grad = (a * p1 * (1 - p1)) @ X1 - (a * p0 * (1 - p0)) @ X0
        else:
            p = expit(Xv @ b)
            d = p * (1 - p)
            ame = (a @ d) * b[j]
            grad = b[j] * ((a * d * (1 - 2 * p)) @ Xv)
            grad[j] += a @ d
        se = float(np.sqrt(grad @ V @ grad))
        rows.append({"term": t, "ame": ame, "se": se, "low": ame - z * se, "high": ame + z * se})
    return pd.DataFrame(rows).set_index("term")


# ------------------------------------------------------------------------------------------------
# Multiplicity, reliability
# ------------------------------------------------------------------------------------------------

def bh_qvalues(pvalues, alpha: float = 0.05) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), statsmodels multipletests fdr_bh."""
    p = np.asarray(pvalues, dtype=float)
    return multipletests(p, alpha=alpha, method="fdr_bh")[1]


def kr20(items) -> float:
    """KR-20 of 0/1 items (rows = respondents) = Cronbach's alpha on 0/1 items."""
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    pq = x.mean(axis=0) * (1 - x.mean(axis=0))
    var_total = x.sum(axis=1).var(ddof=0)
    return float(k / (k - 1) * (1 - pq.sum() / var_total))


def kr20_intervals(items, alpha: float = 0.05, seed: int = 2019, n_boot: int = N_BOOT) -> pd.DataFrame:
    """KR-20 with a percentile bootstrap (resampling respondents, seeded) and Feldt's F interval."""
    x = np.asarray(items, dtype=float)
    n, k = x.shape
    est = kr20(x)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    xb = x[idx]  # (B, n, k)
    m = xb.mean(axis=1)
    var_t = xb.sum(axis=2).var(axis=1, ddof=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = k / (k - 1) * (1 - (m * (1 - m)).sum(axis=1) / var_t)
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    d1, d2 = n - 1, (n - 1) * (k - 1)
    f_lo, f_hi = 1 - (1 - est) * stats.f.ppf(1 - alpha / 2, d1, d2), 1 - (1 - est) * stats.f.ppf(alpha / 2, d1, d2)
    return pd.DataFrame([
        {"measure": "kr20", "n": n, "k": k, "estimate": est, "ci_low": lo, "ci_high": hi,
         "ci_method": "bootstrap_percentile", "n_boot": n_boot},
        {"measure": "kr20", "n": n, "k": k, "estimate": est, "ci_low": f_lo, "ci_high": f_hi,
         "ci_method": "feldt_f", "n_boot": pd.NA},
    ]).astype({"n_boot": "Int64"})


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------

def fit_rows(fit: Fit, spec: str, outcome: str, alpha: float = 0.05, *, ame: bool = True,
             group_n: dict[str, int] | None = None, min_cell: int = 0) -> pd.DataFrame:
    """Table rows (COLUMNS) for every non-constant, non-threshold term of one fit.

    Group-indicator rows based on fewer than `min_cell` respondents are left out (disclosure).
    """
    terms = [t for t in fit.X.columns if t != "const"]
    if group_n and min_cell:
        terms = [t for t in terms if group_n.get(t, min_cell) >= min_cell]
    if ame and fit.kind in ("binary", "counts"):
        a = average_marginal_effects(fit.params, fit.cov, fit.X, fit.weights, alpha)
    else:
        a = None
    rows = []
    for t in terms:
        row = {"spec": spec, "outcome": outcome, "term": t,
               "odds_ratio": float(np.exp(fit.params[t])),
               "ci_low": float(np.exp(fit.ci.loc[t, "low"])), "ci_high": float(np.exp(fit.ci.loc[t, "high"])),
               "p_value": float(fit.pvalues[t]), "q_value": np.nan,
               "ame": np.nan, "ame_ci_low": np.nan, "ame_ci_high": np.nan,
               "n": int(fit.n), "weighted": bool(fit.weighted), "method": fit.method}
        if a is not None and t in a.index:
            row.update(ame=100 * a.loc[t, "ame"], ame_ci_low=100 * a.loc[t, "low"], ame_ci_high=100 * a.loc[t, "high"])
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _sample(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df.loc[df[cols].notna().all(axis=1)]


def _group_counts(X: pd.DataFrame) -> dict[str, int]:
    return {c: int(X[c].sum()) for c in X.columns if c.startswith(("huvudgrupp_", "kommungrupp_"))}


def fit_spec(analysis: pd.DataFrame, spec: str = "main", alpha: float = 0.05, weights: pd.Series | None = None,
             min_cell: int = 0, fits: dict | None = None) -> pd.DataFrame:
    """Every model of one specification; returns the table rows (q_value not yet filled).

    `fits`, if given, collects the Fit objects under (spec, outcome).
    """
    if spec not in SPECS:
        raise ValueError(f"unknown spec {spec!r}; known: {SPECS}")
    weighted = SPEC_WEIGHTED[spec]
    group = "kommungrupp" if spec == "kommungrupp" else "huvudgrupp"
    df = respondents(analysis, weights)
    ys = spec_outcomes(analysis, spec).loc[df.index]
    df = df.join(ys.add_prefix("y_"))
    df["y_maturity"] = maturity_from(ys)
    if spec == "main" and "maturity_index" in df:
        mi = df["maturity_index"].astype("Int64")
        if not mi.equals(df["y_maturity"].rename("maturity_index")):
            raise ValueError("analysis.parquet: maturity_index differs from the count of the seven items")
    base = [*PREDICTORS, "log_folkmangd"]
    if spec == "complete_cases":
        df = _sample(df, [*(f"y_{a}" for a in OUTCOMES), *base, "self_rating"])
    out = []

    def keep(name, fit):
        if fits is not None:
            fits[(spec, name)] = fit

    for a in OUTCOMES:
        d = _sample(df, [f"y_{a}", *base])
        X = design_matrix(d, TERMS, group)
        f = fit_binary(d[f"y_{a}"].astype(float), X, d["_w"] if weighted else None, alpha)
        keep(a, f)
        out.append(fit_rows(f, spec, a, alpha, group_n=_group_counts(X), min_cell=min_cell))
    d = _sample(df, ["y_maturity", *base])
    X = design_matrix(d, TERMS, group)
    w = d["_w"] if weighted else None
    f = fit_counts(d["y_maturity"].astype(float), len(OUTCOMES), X, w, alpha)  # Firth on separation
    keep("maturity_index_binomial", f)
    out.append(fit_rows(f, spec, "maturity_index_binomial", alpha, group_n=_group_counts(X), min_cell=min_cell))
    f = fit_ordinal(d["y_maturity"].astype(int), X.drop(columns="const"), w, alpha)
    keep("maturity_index_ordinal", f)
    out.append(fit_rows(f, spec, "maturity_index_ordinal", alpha, ame=False,
                        group_n=_group_counts(X), min_cell=min_cell))
    if spec in ("main", "unweighted", "complete_cases"):
        d = _sample(df, ["self_rating", *SELF_RATING_TERMS])
        X = design_matrix(d, SELF_RATING_TERMS, None, const=False)
        f = fit_ordinal(d["self_rating"].astype(int), X, d["_w"] if weighted else None, alpha)
        keep("self_rating_ordinal", f)
        out.append(fit_rows(f, spec, "self_rating_ordinal", alpha, ame=False))
    return pd.concat(out, ignore_index=True)


def primary_family(table: pd.DataFrame) -> pd.Series:
    """Boolean mask of the 14 pre-specified primary tests (main spec)."""
    return (table["spec"] == "main") & table["outcome"].isin(OUTCOMES) & table["term"].isin(PRIMARY_TERMS)


def add_qvalues(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Fill q_value (BH) on the primary family; NA elsewhere."""
    t = table.copy()
    t["q_value"] = np.nan
    m = primary_family(t)
    if m.sum() != len(OUTCOMES) * len(PRIMARY_TERMS):
        raise ValueError(f"primary family has {int(m.sum())} tests, expected {len(OUTCOMES) * len(PRIMARY_TERMS)}")
    t.loc[m, "q_value"] = bh_qvalues(t.loc[m, "p_value"], alpha)
    return t


def fit_all(analysis: pd.DataFrame, alpha: float = 0.05, specs=SPECS, min_cell: int = 0,
            weights: pd.Series | None = None, fits: dict | None = None) -> pd.DataFrame:
    """The full models table (COLUMNS), all specs, with q-values on the primary family."""
    table = pd.concat([fit_spec(analysis, s, alpha, weights, min_cell, fits) for s in specs], ignore_index=True)
    if "main" in specs:
        table = add_qvalues(table, alpha)
    return table


def reliability_table(analysis: pd.DataFrame, alpha: float = 0.05, seed: int = 2019) -> pd.DataFrame:
    """KR-20 of the seven established items under two codings (`coding`: main = the top two levels,
    cut_partly = "Delvis etablerat" or above), each with a bootstrap and a Feldt interval."""
    resp = analysis["responded"].astype(bool)
    parts = []
    for coding in ("main", "cut_partly"):
        items = spec_outcomes(analysis.loc[resp], coding).dropna().astype(float)
        t = kr20_intervals(items.to_numpy(), alpha, seed)
        t.insert(0, "coding", coding)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------------------------------------
# Verdicts
# ------------------------------------------------------------------------------------------------

CLAIMS = ("leadership", "resources_self_rating", "collaboration")
VERDICTS = ("supported", "not supported", "unclear")
VERDICT_COLUMNS = ["claim", "verdict", "n_tests", "n_or_above_1", "n_q_below_alpha_positive", "median_odds_ratio",
                   "min_odds_ratio", "max_odds_ratio", "median_ame", "odds_ratio", "ci_low", "ci_high", "p_value",
                   "n_min", "n_max", "alpha"]


def decide(rows: pd.DataFrame, alpha: float = 0.05, q_col: str = "q_value") -> str:
    """The documented rule (module docstring) on a family of tests of a positive association."""
    q, orr, hi = rows[q_col].to_numpy(float), rows["odds_ratio"].to_numpy(float), rows["ci_high"].to_numpy(float)
    sig_pos, sig_neg = int(((q < alpha) & (orr > 1)).sum()), int(((q < alpha) & (orr < 1)).sum())
    if sig_neg > 0 or np.all(hi < MEANINGFUL_OR):
        return "not supported"
    if sig_pos >= 1 and (orr > 1).sum() > len(orr) / 2:
        return "supported"
    return "unclear"


def claim_families(table: pd.DataFrame, alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """The tests behind each claim (main spec), each with a column `q` used by the verdict rule.

    leadership: the primary family (BH over 14, q_value); resources_self_rating: the one test of
    resources in the self-rating model (q = p); collaboration: its 7 tests, BH within the claim.
    """
    main = table[table["spec"] == "main"]
    fam = main[main["outcome"].isin(OUTCOMES) & main["term"].isin(PRIMARY_TERMS)].assign(q=lambda d: d["q_value"])
    col = main[main["outcome"].isin(OUTCOMES) & (main["term"] == "collaboration")].copy()
    col["q"] = bh_qvalues(col["p_value"], alpha)
    sr = main[(main["outcome"] == "self_rating_ordinal") & (main["term"] == "resources")].copy()
    sr["q"] = sr["p_value"]
    return {"leadership": fam, "resources_self_rating": sr, "collaboration": col}


def verdict_table(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per claim (VERDICT_COLUMNS): the verdict code and the numbers it rests on.

    Numbers only; the report words them. odds_ratio ... p_value are filled for one-test claims.
    """
    rows = []
    for cid, fam in claim_families(table, alpha).items():
        single = fam.iloc[0] if len(fam) == 1 else None
        rows.append({
            "claim": cid, "verdict": decide(fam, alpha, "q"), "n_tests": len(fam),
            "n_or_above_1": int((fam["odds_ratio"] > 1).sum()),
            "n_q_below_alpha_positive": int(((fam["q"] < alpha) & (fam["odds_ratio"] > 1)).sum()),
            "median_odds_ratio": float(fam["odds_ratio"].median()),
            "min_odds_ratio": float(fam["odds_ratio"].min()), "max_odds_ratio": float(fam["odds_ratio"].max()),
            "median_ame": float(fam["ame"].median()) if fam["ame"].notna().any() else np.nan,
            "odds_ratio": np.nan if single is None else float(single["odds_ratio"]),
            "ci_low": np.nan if single is None else float(single["ci_low"]),
            "ci_high": np.nan if single is None else float(single["ci_high"]),
            "p_value": np.nan if single is None else float(single["p_value"]),
            "n_min": int(fam["n"].min()), "n_max": int(fam["n"].max()), "alpha": float(alpha),
        })
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
