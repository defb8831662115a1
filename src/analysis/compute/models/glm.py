"""Logistic GLMs of 0/1 outcomes and of counts out of k trials: weighted pseudo-ML with the HC1
sandwich, unweighted ML, and the refit with Firth's method on (quasi-)separation.

Weights and covariance of the model coefficients (the choice, and why)
----------------------------------------------------------------------
Weighted fits use the design weights ``compute.design.design_weights`` (N_h / n_h within
kommungrupp) passed to statsmodels GLM as ``var_weights`` normalised to mean 1 over the model sample.
The estimating equations are ``sum_i w_i (y_i - mu_i) x_i = 0`` (pseudo-ML), and the covariance is the
sandwich ``H^-1 [sum_i (w_i s_i)(w_i s_i)'] H^-1`` with ``H = sum_i w_i mu_i(1 - mu_i) x_i x_i'`` and
``s_i = (y_i - mu_i) x_i``, times the HC1 factor n / (n - k): R's
``sandwich::vcovHC(glm(..., weights = w), type = "HC1")`` (tests/scenarios/test_r_reference.py).
Intervals and p-values are Wald (normal) on the log-odds scale.

The sandwich has NO strata and NO finite population correction, deliberately. The descriptive
shares describe the 290 municipalities, so they use the FPC: with 91 % responding, little is left
to estimate. An association claim is not about these 290 municipalities; it is about how
leadership and established work go together in municipalities like them, a process of which the
2019 answers are one draw. That target (the superpopulation coefficient) would vary from draw to
draw even if every municipality answered, so an FPC, which removes the variance of a complete
count, would make the intervals far too narrow. Measured: over 200 synthetic surveys
(tests/scenarios/test_model_coverage.py::test_coverage_of_the_reported_weighted_hc1_intervals, slow
tier) the reported HC1 intervals covered the planted coefficients 94.3-95.5 % of the time per term,
the strata + FPC intervals (svyglm with fpc) only 29-45 %; on the 2019 synthetic data the FPC
multiplies the SEs by 0.17-0.33. Strata WITHOUT an FPC would be a legitimate alternative and
change little: ``design_se.design_se_table`` recomputes the SEs of the weighted ML terms of the main
spec the way svyglm does and writes the ratios to tables/se_design.csv, which the report's methods
section cites. On the 2019 synthetic data the stratified SEs are 0.957-1.003 times the reported
ones (median 0.984, i.e. about 1.6 % smaller). That difference is mostly the HC1 factor
sqrt(n / (n - k)), about 1.02, which the stratified variance does not carry: against the plain HC0
sandwich the strata change the SEs by -2.3 % to +2.4 % (median +0.5 %). Ignoring the strata
therefore costs almost nothing; calling it "conservative", as an earlier version of this text did,
claimed a direction the numbers do not have. Item non-response within respondents is treated as
missing completely at random (weights are not recomputed per model).

* Why not ``freq_weights``: statsmodels would treat w_i as w_i replicated rows, so nobs and df_resid
  become sum(w) and the robust meat becomes ``sum_i w_i s_i s_i'`` (the replicated-rows sandwich),
  not ``sum_i w_i^2 s_i s_i'``; the result is not the variance of a weighted estimator. (Verified
  numerically in tests/compute/models/test_glm.py.)
* statsmodels' GLM ignores the HCx number (issue statsmodels#7798: every ``HCx`` in GLM is the plain
  HC0 sandwich; checked here against a hand computation), so we fit with ``cov_type="HC0"`` and
  multiply by n / (n - k) ourselves to get HC1. The sandwich is invariant to rescaling the weights.

Unweighted fits are plain ML with the model-based (inverse information) covariance.

Separation
----------
A GLM fit that raises statsmodels' PerfectSeparationWarning/Error (turned into an error with
``warnings.catch_warnings``), fails to converge, or returns a slope with |coefficient| > HUGE_COEF
or SE > HUGE_COEF on the log-odds scale (the intercept is not checked: its size depends on the
origin of log size) is refitted with Firth's penalised likelihood (``firth.fit_firth``, with the same
weights), marked ``method="Firth"``. The binomial maturity-index model is refitted the same way, on
its equivalent Bernoulli rows (each municipality as seven 0/1 trials).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

from .firth import fit_firth
from .fit import Fit, hc1, normalise, wald

HUGE_COEF = 10.0  # |log-odds| or SE above this is treated as (quasi-)separation


class SeparationDetected(RuntimeError):
    """The ML fit shows (quasi-)complete separation."""


def glm_ml(endog, X: pd.DataFrame, weights: np.ndarray | None):
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


def fit_binary(y, X: pd.DataFrame, weights=None, alpha: float = 0.05, *, allow_firth: bool = True) -> Fit:
    """Logistic GLM of a 0/1 outcome on X (with const). Weighted: var_weights (mean 1) + HC1 sandwich.

    On (quasi-)separation the model is refitted with Firth's method (method="Firth").
    """
    yv = np.asarray(y, dtype=float)
    w = None if weights is None else normalise(weights)
    try:
        res = glm_ml(yv, X, w)
    except SeparationDetected as exc:
        if not allow_firth:
            raise
        f = fit_firth(yv, X, w, alpha)
        f.separation = str(exc)
        return f
    return ml_fit(res, X, w, alpha)


def ml_fit(res, X: pd.DataFrame, w, alpha: float, **kw) -> Fit:
    """Fit from a statsmodels GLM result: HC1 sandwich when weighted, Wald p-values and intervals."""
    cov = np.asarray(res.cov_params())
    if w is not None:
        cov = hc1(cov, len(X), X.shape[1])
    cov = pd.DataFrame(cov, index=X.columns, columns=X.columns)
    pv, ci = wald(res.params, cov, alpha)
    return Fit(params=res.params, cov=cov, pvalues=pv, ci=ci, X=X, weights=w, n=len(X), extra={"result": res}, **kw)


def fit_counts(successes, trials: int, X: pd.DataFrame, weights=None, alpha: float = 0.05) -> Fit:
    """Binomial GLM on (successes, trials - successes), e.g. the maturity index out of 7."""
    s = np.asarray(successes, dtype=float)
    endog = np.column_stack([s, trials - s])
    w = None if weights is None else normalise(weights)
    try:
        res = glm_ml(endog, X, w)
    except SeparationDetected as exc:
        # Firth on the equivalent Bernoulli data: each unit as `trials` 0/1 rows (same likelihood
        # and Fisher information, hence the same penalty); n stays the number of units.
        k = int(trials)
        y01 = (np.arange(k)[None, :] < s[:, None]).astype(float).ravel()
        Xe = X.loc[X.index.repeat(k)].reset_index(drop=True)
        f = fit_firth(y01, Xe, None if w is None else np.repeat(w, k), alpha)
        f.n, f.separation = len(s), str(exc)
        return f
    return ml_fit(res, X, w, alpha, kind="counts", trials=float(trials))
