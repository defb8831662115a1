"""Associational models of SKR's claims (step 03): GLM / ordinal / Firth fits, AMEs, FDR, claim verdicts.

Every number here is an ASSOCIATION between answers given at one time, never an effect of one on another.

The survey is cross-sectional and self-reported, so wording in tables, figures and verdicts follows
that (``goes with``, ``more often``; never ``leads to`` or ``increases``).

Models
------
* Seven established-method outcomes (risk_management ... follow_up, True = "Etablerat" or
  "Etablerat och följs upp"): binomial GLM, logit link,
  ``y ~ leadership_informed + action_plans + resources + collaboration + log(folkmangd) + group``
  (group = huvudgrupp with A as reference). Each model uses the respondents with complete data for
  that model.
* Maturity index (0-7 established areas): binomial GLM on (established, 7 - established) and an
  ordinal logit (OrderedModel, distr="logit", no constant) on the same predictors.
* Self-rated maturity (self_rating 1-5): ordinal logit on resources, leadership_informed,
  action_plans and log(folkmangd). SKR's claim that low self-rated work goes with leadership that
  delegated without resources maps to the ``resources`` coefficient here. The survey has no item on
  delegation: only the "without resources" half is measured, and the claim is labelled as a
  resources claim.

What the numbers estimate
-------------------------
* Odds ratio (``odds_ratio``): exp of a model coefficient, the ratio of the odds of the outcome
  between municipalities with and without the item (per unit of log population for
  log_folkmangd), the other terms held fixed. The TARGET is the coefficient of the process that
  produces such answers (the superpopulation), not the number one would get by fitting the model
  to all 290 municipalities; see below for why.
* Average marginal effect (``ame``, percentage points): for 0/1 terms the (weighted) average over
  the model sample of P(y | term = 1) - P(y | term = 0) with the other columns as observed; for
  continuous terms the average derivative. Unweighted: identical to
  ``get_margeff(at="overall", method="dydx", dummy=True)`` (tested). Weighted: the same with the
  survey weights in the average (get_margeff ignores weights). Interval by the delta method: the
  analytic gradient of the AME with respect to the coefficients times the coefficients' covariance
  (the HC1 sandwich for weighted ML rows). Binary and binomial-count outcomes only.
* q-value (``q_value``): Benjamini-Hochberg adjusted p-value over the pre-specified primary family
  (leadership_informed and action_plans x the seven areas, main spec: 14 tests); it controls the
  expected share of false discoveries among the associations called significant at alpha.
* KR-20 (``reliability_table``): internal consistency of the seven 0/1 areas (Cronbach's alpha for
  0/1 items), among respondents who answered all seven, unweighted. Two intervals: a seeded
  percentile bootstrap over respondents and Feldt's F interval.

Weights and covariance of the model coefficients (the choice, and why)
----------------------------------------------------------------------
Weighted fits use the design weights ``survey.design_weights`` (N_h / n_h within kommungrupp)
passed to statsmodels GLM as ``var_weights`` normalised to mean 1 over the model sample. The
estimating equations are ``sum_i w_i (y_i - mu_i) x_i = 0`` (pseudo-ML), and the covariance is the
sandwich ``H^-1 [sum_i (w_i s_i)(w_i s_i)'] H^-1`` with ``H = sum_i w_i mu_i(1 - mu_i) x_i x_i'`` and
``s_i = (y_i - mu_i) x_i``, times the HC1 factor n / (n - k): R's
``sandwich::vcovHC(glm(..., weights = w), type = "HC1")`` (tests/test_r_reference.py). Intervals and
p-values are Wald (normal) on the log-odds scale.

The sandwich has NO strata and NO finite population correction, deliberately. The descriptive
shares describe the 290 municipalities, so they use the FPC: with 91 % responding, little is left
to estimate. An association claim is not about these 290 municipalities; it is about how
leadership and established work go together in municipalities like them, a process of which the
2019 answers are one draw. That target (the superpopulation coefficient) would vary from draw to
draw even if every municipality answered, so an FPC, which removes the variance of a complete
count, would make the intervals far too narrow. Measured: over 200 synthetic surveys
(tests/test_models.py::test_coverage_of_the_reported_weighted_hc1_intervals, slow tier) the
reported HC1 intervals covered the planted coefficients 94.3-95.5 % of the time per term, the
strata + FPC intervals (svyglm with fpc) only 29-45 %; on the 2019 synthetic data the FPC
multiplies the SEs by 0.17-0.33. Strata WITHOUT an FPC would be a legitimate alternative and
change little: ``design_se_table`` recomputes the SEs of the weighted ML terms of the main spec the
way svyglm does (stratum-centred scores, n_h / (n_h - 1), non-model respondents as zero scores;
equal to R's svyglm to 2e-8, tests/test_r_reference.py) and writes the ratios to
tables/se_design.csv, which the report's methods section cites. On the 2019 synthetic data the
stratified SEs are 0.957-1.003 times the reported ones (median 0.984, i.e. about 1.6 % smaller).
That difference is mostly the HC1 factor sqrt(n / (n - k)), about 1.02, which the stratified
variance does not carry: against the plain HC0 sandwich the strata change the SEs by -2.3 % to
+2.4 % (median +0.5 %). Ignoring the strata therefore costs almost nothing; calling it
"conservative", as an earlier version of this docstring did, claimed a direction the numbers do
not have. Item non-response within respondents is
treated as missing completely at random (weights are not recomputed per model).

* Why not ``freq_weights``: statsmodels would treat w_i as w_i replicated rows, so nobs and df_resid
  become sum(w) and the robust meat becomes ``sum_i w_i s_i s_i'`` (the replicated-rows sandwich),
  not ``sum_i w_i^2 s_i s_i'``; the result is not the variance of a weighted estimator. (Verified
  numerically in tests/test_models.py.)
* statsmodels' GLM ignores the HCx number (issue statsmodels#7798: every ``HCx`` in GLM is the plain
  HC0 sandwich; checked here against a hand computation), so we fit with ``cov_type="HC0"`` and
  multiply by n / (n - k) ourselves to get HC1. The sandwich is invariant to rescaling the weights.
* Weighted ordinal fits: the log-likelihood contributions times w (``compute.ordinal.
  AnalyticOrderedModel``: statsmodels' OrderedModel with an analytic score), HC0 sandwich from those
  scores times n / (n - k); R's ``sandwich::sandwich(MASS::polr(..., weights = w)) * n / (n - k)``
  gives the same (tested).
Unweighted fits are plain ML with the model-based (inverse information) covariance.

Sparse groups (fewer than MIN_EVENTS = 5 events)
------------------------------------------------
Wald intervals are unreliable when a group has very few events. In a binary model, when some group
of the grouping variable (the reference included) has fewer than MIN_EVENTS outcomes of either
kind in the model sample:
* likelihood fits (unweighted specs) get profile-likelihood intervals and likelihood-ratio p-values
  for every term (``method="ML_profile"``; as R's confint(glm) and drop-one deviance tests);
* pseudo-likelihood fits (weighted specs) have no likelihood to profile, so the group-indicator
  rows are left out of the table (the groups stay in the model as adjustment; the other terms'
  HC1 intervals do not rest on the sparse group). model_summary.json lists the rows left out.
The non-response model (``survey.nonresponse_model``) follows the same rule with
``profile_likelihood``.

Separation
----------
A GLM fit that raises statsmodels' PerfectSeparationWarning/Error (turned into an error with
``warnings.catch_warnings``), fails to converge, or returns a slope with |coefficient| > 10 or SE > 10
on the log-odds scale (the intercept is not checked: its size depends on the origin of log size) is
refitted with Firth's penalised likelihood (firthmodels, with the same weights), marked
``method="Firth"``. Its odds-ratio interval is the profile penalised-likelihood interval and its
p-value the penalised likelihood-ratio test (both from firthmodels). Its AME interval uses the
model-based covariance (X' W X)^-1 at the Firth estimate, with the weights entering as frequency
weights. This is the formula R's logistf reports as ``var``, but it is not claimed to reproduce
logistf: a reviewer's refit in R (issue 12) found logistf's variances 3-4 % apart from these, and
logistf is not part of the R cross-check. In weighted specifications a Firth row therefore has
model-based inference, not the HC1 sandwich of the ML rows; the ``method`` column tells them apart.
The binomial maturity-index model is refitted the same way, on its equivalent Bernoulli rows (each
municipality as seven 0/1 trials).

Specifications (SPECS)
----------------------
main (weighted; the verdicts rest on it), unweighted, dont_know_as_no ("Vet ej" = not
established), cut_partly (established from "Delvis etablerat"), kommungrupp (the SKR groups instead
of the main group, in their REPORTING form: groups with fewer than MIN_GROUP_SIZE municipalities are
merged as in the report, so A1's three municipalities join A2; reference = the group with most
respondents), complete_cases (one sample for every model), leadership_total (the two leadership
items, log population and main group only: resources and collaboration are left out because they
may lie on the path from leadership to established work, so this spec shows the TOTAL
association; same samples as main, so differences come from the adjustment alone).

Claims, their tests and the verdict rule (CLAIM_TESTS; applied unchanged to every wave)
---------------------------------------------------------------------------------------
Each SKR claim is mapped, as data in CLAIM_TESTS, to the main-spec tests that decide it and to
supporting tests that are reported beside it:
* leadership ("successful work often goes with the leadership's active engagement"): decided by the
  pre-specified primary family, leadership_informed and action_plans x the seven areas (14 tests,
  BH); supporting: both items in the two maturity-index models.
* resources_self_rating (a RESOURCES claim: SKR's "delegated without resources"; delegation is not
  measured): decided by resources in the self-rating model (one test).
* collaboration ("municipalities that collaborate have come further"): "come further" is the
  maturity index, so it is decided by collaboration in the binomial and the ordinal maturity-index
  models (2 tests, BH); supporting: collaboration in the seven areas (7 tests, BH). (Until issue 12
  the verdict rested on the seven per-area tests only.)
Within each claim, decisive and supporting tests are adjusted separately (BH within the group; the
leadership family's q-values are models.csv's). Verdict on the decisive tests:
* "supported": at least one test has q < alpha with OR > 1, the OR is above 1 in more than half of
  the tests, and no test has q < alpha with OR < 1;
* "contradicted": a test has q < alpha with OR < 1 (an association in the opposite direction), or
  every interval's upper limit is below MEANINGFUL_OR (the data rule out a meaningful positive
  association; at these sample sizes practically out of reach, as the power statement shows);
* "not_shown": otherwise: the data neither show the association nor rule it out.
Power statement (every verdict): from each decisive test's standard error on the log-odds scale
(the Wald SE behind its interval, (log hi - log lo) / (2 z); for a profile or Firth interval the
Wald-equivalent width, an approximation), the smallest odds ratio that a
two-sided test at the per-test threshold alpha / m (the threshold a lone association must pass
under BH with m tests; alpha for one test) detects with POWER = 80 % power,
``exp((z(1 - alpha / 2m) + z(0.80)) SE)``, and the power to detect MEANINGFUL_OR (1.25).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

from ..base.codebook import MATURITY_AREAS
from .design import STRATA, design_weights, stratum_sizes
from .likelihood import profile_likelihood, sparse_groups
from .ordinal import AnalyticOrderedModel

OUTCOMES = tuple(MATURITY_AREAS)
PREDICTORS = ("leadership_informed", "action_plans", "resources", "collaboration")
TERMS = (*PREDICTORS, "log_folkmangd")
PRIMARY_TERMS = ("leadership_informed", "action_plans")
SELF_RATING_TERMS = ("resources", "leadership_informed", "action_plans", "log_folkmangd")
SPECS = ("main", "unweighted", "dont_know_as_no", "cut_partly", "kommungrupp", "complete_cases",
         "leadership_total")
SPEC_WEIGHTED = {s: s != "unweighted" for s in SPECS}
# Terms of each spec's area and maturity-index models (the self-rating model always uses SELF_RATING_TERMS).
SPEC_TERMS = {s: ("leadership_informed", "action_plans", "log_folkmangd") if s == "leadership_total" else TERMS
              for s in SPECS}
COLUMNS = ["spec", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "ame",
           "ame_ci_low", "ame_ci_high", "n", "weighted", "method"]
METHODS = ("ML", "ML_profile", "Firth")  # codes of the method column
MEANINGFUL_OR = 1.25  # smallest odds ratio counted as a meaningful positive association
POWER = 0.80  # power of the minimum-detectable-effect statement
MIN_GROUP_SIZE = 5  # kommungrupp spec: groups smaller than this are merged as in reporting (A1 -> A1+A2)
HUGE_COEF = 10.0  # |log-odds| or SE above this is treated as (quasi-)separation
N_BOOT = 2000
IDENTIFYING = ("kommun", "kommunkod")
GROUP_PREFIXES = ("huvudgrupp_", "kommungrupp_")


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
    """Firth penalised logistic regression (firthmodels) on the given design (const included in X).

    Interval: profile penalised likelihood, p: penalised LR test (Wald if profiling fails). `cov`
    (used only for AME intervals) is (X' W X)^-1 at the Firth estimate, weights as frequency
    weights; not claimed equal to R's logistf (module docstring).
    """
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


def fit_ordinal(y, X: pd.DataFrame, weights=None, alpha: float = 0.05) -> Fit:
    """Ordinal logit (cumulative logit, no constant in X). Thresholds are kept in `extra`."""
    yv = pd.Series(np.asarray(y, dtype=int))
    cats = sorted(yv.unique())
    endog = pd.Series(pd.Categorical(yv, categories=cats, ordered=True))
    Xr = X.reset_index(drop=True)
    w = None if weights is None else _normalise(weights)
    # The same likelihood as statsmodels' OrderedModel(distr="logit"), with an analytic score
    # (compute.ordinal): Newton from OrderedModel's start values, then BFGS only if Newton fails.
    model = AnalyticOrderedModel(endog, Xr, obs_weights=w)
    cov_type = "nonrobust" if w is None else "HC0"
    res = model.fit(method="newton", disp=False, maxiter=100, tol=1e-10, cov_type=cov_type)
    if not res.mle_retvals.get("converged", False):
        res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8, cov_type=cov_type)
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
             group_n: dict[str, int] | None = None, min_cell: int = 0, omit=()) -> pd.DataFrame:
    """Table rows (COLUMNS) for every non-constant, non-threshold term of one fit.

    Group-indicator rows based on fewer than `min_cell` respondents are left out (disclosure), and so
    are the terms in `omit` (sparse groups in pseudo-likelihood fits; module docstring).
    """
    terms = [t for t in fit.X.columns if t != "const" and t not in set(omit)]
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
    return {c: int(X[c].sum()) for c in X.columns if c.startswith(GROUP_PREFIXES)}


def spec_frame(analysis: pd.DataFrame, spec: str = "main", weights: pd.Series | None = None,
               min_cell: int = 0) -> tuple[pd.DataFrame, str]:
    """Respondents with the spec's outcomes (``y_<area>``, ``y_maturity``) and its grouping column.

    Returns (frame, group column). The kommungrupp spec replaces kommungrupp by its reporting
    groups (disclosure.reporting_groups with max(min_cell, MIN_GROUP_SIZE): A1 -> A1+A2).
    """
    from .disclosure import reporting_groups

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
        df = _sample(df, [*(f"y_{a}" for a in OUTCOMES), *PREDICTORS, "log_folkmangd", "self_rating"])
    return df, group


def fit_spec(analysis: pd.DataFrame, spec: str = "main", alpha: float = 0.05, weights: pd.Series | None = None,
             min_cell: int = 0, fits: dict | None = None, log: list | None = None) -> pd.DataFrame:
    """Every model of one specification; returns the table rows (q_value not yet filled).

    `fits`, if given, collects the Fit objects under (spec, outcome); `log`, if given, collects one
    dict per model touched by the sparse-group rule (spec, outcome, groups, action, terms).
    """
    df, group = spec_frame(analysis, spec, weights, min_cell)
    weighted = SPEC_WEIGHTED[spec]
    terms = SPEC_TERMS[spec]
    base = [*PREDICTORS, "log_folkmangd"]  # every spec's sample: complete on all four items (same as main)
    out = []

    def keep(name, fit):
        if fits is not None:
            fits[(spec, name)] = fit

    for a in OUTCOMES:
        d = _sample(df, [f"y_{a}", *base])
        X = design_matrix(d, terms, group)
        y = d[f"y_{a}"].astype(float)
        f = fit_binary(y, X, d["_w"] if weighted else None, alpha)
        omit: list[str] = []
        sparse = sparse_groups(y, d[group])
        if sparse and f.method == "ML":
            if weighted:
                omit = [c for c in X.columns if c.startswith(f"{group}_")]
                action = "group_rows_left_out"
            else:
                f.ci, f.pvalues = profile_likelihood(y, X, alpha)
                f.method = "ML_profile"
                action = "profile_likelihood"
            if log is not None:
                log.append({"spec": spec, "outcome": a, "groups": sparse, "action": action, "terms": omit})
        keep(a, f)
        out.append(fit_rows(f, spec, a, alpha, group_n=_group_counts(X), min_cell=min_cell, omit=omit))
    d = _sample(df, ["y_maturity", *base])
    X = design_matrix(d, terms, group)
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
            weights: pd.Series | None = None, fits: dict | None = None, log: list | None = None) -> pd.DataFrame:
    """The full models table (COLUMNS), all specs, with q-values on the primary family."""
    table = pd.concat([fit_spec(analysis, s, alpha, weights, min_cell, fits, log) for s in specs],
                      ignore_index=True)
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
# How much would the design change the model SEs? (tables/se_design.csv)
# ------------------------------------------------------------------------------------------------

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


def design_se_ratios(analysis: pd.DataFrame, fits: dict, spec: str = "main") -> pd.DataFrame:
    """SE with strata (and with strata + FPC) over the reported HC1 SE, per weighted ML GLM term of
    `spec` (long: outcome, term, variant, ratio). `fits` as collected by fit_all(fits=...)."""
    resp = analysis.loc[analysis["responded"].astype(bool)]
    n_h = resp[STRATA].astype(str).value_counts().to_dict()
    N_h = stratum_sizes(analysis)
    rows = []
    for (s, outcome), f in fits.items():
        if s != spec or not f.weighted or f.method != "ML" or f.kind not in ("binary", "counts"):
            continue
        strata = resp.loc[f.X.index, STRATA]
        se = np.sqrt(np.diag(f.cov.to_numpy()))
        for variant, Nh in (("strata", None), ("strata_fpc", N_h)):
            v = stratified_cov(f, strata, n_h, Nh)
            r = np.sqrt(np.diag(v.to_numpy())) / se
            rows += [{"outcome": outcome, "term": t, "variant": variant, "ratio": float(x)}
                     for t, x in zip(f.X.columns, r) if t != "const"]
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


# ------------------------------------------------------------------------------------------------
# Claims: which tests decide them, power, verdicts (tables/claim_tests.csv, tables/verdicts.csv)
# ------------------------------------------------------------------------------------------------

# The map from each SKR claim to its tests in the main spec (module docstring). "decisive" tests
# decide the verdict; "supporting" tests are reported beside it. BH within each group of tests.
CLAIM_TESTS: dict[str, dict[str, tuple[str, ...]]] = {
    "leadership": {"terms": PRIMARY_TERMS, "decisive": OUTCOMES,
                   "supporting": ("maturity_index_binomial", "maturity_index_ordinal")},
    "resources_self_rating": {"terms": ("resources",), "decisive": ("self_rating_ordinal",), "supporting": ()},
    "collaboration": {"terms": ("collaboration",), "decisive": ("maturity_index_binomial", "maturity_index_ordinal"),
                      "supporting": OUTCOMES},
}
CLAIMS = tuple(CLAIM_TESTS)
ROLES = ("decisive", "supporting")
VERDICTS = ("supported", "not_shown", "contradicted")
CLAIM_TEST_COLUMNS = ["claim", "role", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value",
                      "ame", "n", "method", "m_tests", "test_alpha", "se_log_or", "mde_odds_ratio",
                      "power_meaningful"]
VERDICT_COLUMNS = ["claim", "verdict", "n_tests", "n_or_above_1", "n_q_below_alpha_positive",
                   "n_q_below_alpha_negative", "median_odds_ratio", "min_odds_ratio", "max_odds_ratio",
                   "max_ci_high", "median_ame", "odds_ratio", "ci_low", "ci_high", "p_value", "n_min", "n_max",
                   "alpha", "test_alpha", "power", "mde_min", "mde_max", "power_meaningful_min",
                   "power_meaningful_max", "meaningful_odds_ratio", "n_supporting", "n_supporting_or_above_1",
                   "n_supporting_q_below_alpha_positive"]


def minimum_detectable_or(se_log_or, test_alpha: float, power: float = POWER) -> np.ndarray:
    """Smallest odds ratio above 1 that a two-sided Wald test at level `test_alpha` detects with
    probability `power`, given the SE of the log odds ratio: exp((z(1 - a/2) + z(power)) SE)."""
    se = np.asarray(se_log_or, dtype=float)
    return np.exp((stats.norm.ppf(1 - test_alpha / 2) + stats.norm.ppf(power)) * se)


def power_at(odds_ratio: float, se_log_or, test_alpha: float) -> np.ndarray:
    """Power of a two-sided Wald test at level `test_alpha` when the true odds ratio is `odds_ratio`."""
    se = np.asarray(se_log_or, dtype=float)
    z, d = stats.norm.ppf(1 - test_alpha / 2), np.log(odds_ratio) / se
    return stats.norm.sf(z - d) + stats.norm.cdf(-z - d)


def decide(rows: pd.DataFrame, alpha: float = 0.05, q_col: str = "q_value") -> str:
    """The verdict rule (module docstring) on the decisive tests of one claim: a VERDICTS code."""
    q, orr, hi = rows[q_col].to_numpy(float), rows["odds_ratio"].to_numpy(float), rows["ci_high"].to_numpy(float)
    sig_pos, sig_neg = int(((q < alpha) & (orr > 1)).sum()), int(((q < alpha) & (orr < 1)).sum())
    if sig_neg > 0 or np.all(hi < MEANINGFUL_OR):
        return "contradicted"
    if sig_pos >= 1 and (orr > 1).sum() > len(orr) / 2:
        return "supported"
    return "not_shown"


def claim_test_table(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """tables/claim_tests.csv: one row per (claim, role, outcome, term) of CLAIM_TESTS, main spec.

    q_value: BH within the claim's decisive or supporting tests (equal to models.csv's q_value for
    the leadership family, which is the primary family); p_value for a single test. se_log_or: the
    Wald SE behind the interval, (log ci_high - log ci_low) / (2 z(1 - alpha/2)). test_alpha = alpha
    / m_tests; mde_odds_ratio and power_meaningful at that level (module docstring).
    """
    main = table[table["spec"] == "main"]
    z = stats.norm.ppf(1 - alpha / 2)
    parts = []
    for claim, spec in CLAIM_TESTS.items():
        for role in ROLES:
            keys = [(o, t) for o in spec[role] for t in spec["terms"]]
            if not keys:
                continue
            idx = main.set_index(["outcome", "term"])
            missing = [k for k in keys if k not in idx.index]
            if missing:
                raise ValueError(f"models table: claim {claim!r} needs main-spec rows {missing}")
            rows = idx.loc[keys].reset_index()
            m = len(rows)
            rows["q_value"] = bh_qvalues(rows["p_value"], alpha) if m > 1 else rows["p_value"].to_numpy(float)
            se = (np.log(rows["ci_high"].astype(float)) - np.log(rows["ci_low"].astype(float))) / (2 * z)
            test_alpha = alpha / m
            rows = rows.assign(claim=claim, role=role, m_tests=m, test_alpha=test_alpha, se_log_or=se,
                               mde_odds_ratio=minimum_detectable_or(se, test_alpha),
                               power_meaningful=power_at(MEANINGFUL_OR, se, test_alpha))
            parts.append(rows[CLAIM_TEST_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def verdict_table(table: pd.DataFrame, alpha: float = 0.05, claim_tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim (VERDICT_COLUMNS): the verdict code and the numbers it rests on.

    Numbers only; the report words them. odds_ratio ... p_value are filled for one-test claims;
    mde_* and power_meaningful_* span the decisive tests; n_supporting_* summarise the supporting ones.
    """
    ct = claim_test_table(table, alpha) if claim_tests is None else claim_tests
    rows = []
    for cid in CLAIMS:
        fam = ct[(ct["claim"] == cid) & (ct["role"] == "decisive")]
        sup = ct[(ct["claim"] == cid) & (ct["role"] == "supporting")]
        single = fam.iloc[0] if len(fam) == 1 else None
        q, orr = fam["q_value"].to_numpy(float), fam["odds_ratio"].to_numpy(float)
        rows.append({
            "claim": cid, "verdict": decide(fam, alpha, "q_value"), "n_tests": len(fam),
            "n_or_above_1": int((orr > 1).sum()),
            "n_q_below_alpha_positive": int(((q < alpha) & (orr > 1)).sum()),
            "n_q_below_alpha_negative": int(((q < alpha) & (orr < 1)).sum()),
            "median_odds_ratio": float(np.median(orr)), "min_odds_ratio": float(orr.min()),
            "max_odds_ratio": float(orr.max()), "max_ci_high": float(fam["ci_high"].max()),
            "median_ame": float(fam["ame"].median()) if fam["ame"].notna().any() else np.nan,
            "odds_ratio": np.nan if single is None else float(single["odds_ratio"]),
            "ci_low": np.nan if single is None else float(single["ci_low"]),
            "ci_high": np.nan if single is None else float(single["ci_high"]),
            "p_value": np.nan if single is None else float(single["p_value"]),
            "n_min": int(fam["n"].min()), "n_max": int(fam["n"].max()), "alpha": float(alpha),
            "test_alpha": float(fam["test_alpha"].iloc[0]), "power": POWER,
            "mde_min": float(fam["mde_odds_ratio"].min()), "mde_max": float(fam["mde_odds_ratio"].max()),
            "power_meaningful_min": float(fam["power_meaningful"].min()),
            "power_meaningful_max": float(fam["power_meaningful"].max()),
            "meaningful_odds_ratio": MEANINGFUL_OR,
            "n_supporting": int(len(sup)), "n_supporting_or_above_1": int((sup["odds_ratio"] > 1).sum()),
            "n_supporting_q_below_alpha_positive": int(((sup["q_value"] < alpha) & (sup["odds_ratio"] > 1)).sum()),
        })
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
