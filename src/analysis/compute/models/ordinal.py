"""The ordinal logit (cumulative logit, logistic link) of the maturity index and the self-rating:
statsmodels' OrderedModel with an analytic score, and its fit with the HC1 sandwich when weighted.

AnalyticOrderedModel has the same likelihood, parametrisation and results as OrderedModel(distr="logit");
observation weights are optional. Weighted ordinal fits multiply the log-likelihood contributions by
w and take the HC0 sandwich from those scores times n / (n - k); R's
``sandwich::sandwich(MASS::polr(..., weights = w)) * n / (n - k)`` gives the same (tested).
Unweighted fits use the model-based (inverse information) covariance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit
from statsmodels.miscmodels.ordinal_model import OrderedModel

from .fit import Fit, hc1, normalise, wald


class AnalyticOrderedModel(OrderedModel):
    """OrderedModel (logit link) whose log-likelihood contributions are multiplied by `obs_weights`
    (default 1) and whose score is analytic, with the Hessian from central differences of that score.

    statsmodels' own OrderedModel differentiates the log-likelihood numerically (one likelihood
    evaluation per parameter and step); here every gradient costs one pass over the data. The
    parametrisation is statsmodels': (beta, t_1, log(t_2 - t_1), ..., log(t_J-1 - t_J-2)), so params,
    their names and the covariance are directly comparable (tests check equality with OrderedModel
    and with R's MASS::polr).

    P(y <= j | x) = F(t_j - x beta), F the logistic cdf; l_i = w_i log(F(u_i) - F(l_i)) with
    u_i = t_{y_i} - x_i beta and l_i = t_{y_i - 1} - x_i beta (t_{-1} = -inf, t_{J-1} = +inf).
    """

    obs_weights: np.ndarray | None = None

    def __init__(self, endog, exog, obs_weights=None, **kwargs):
        kwargs.setdefault("distr", "logit")
        if kwargs["distr"] != "logit":
            raise ValueError("AnalyticOrderedModel implements the logit link only")
        super().__init__(endog, exog, **kwargs)
        self.obs_weights = None if obs_weights is None else np.asarray(obs_weights, dtype=float)

    def _w(self) -> np.ndarray:
        return np.ones(self.nobs) if self.obs_weights is None else self.obs_weights

    def _parts(self, params):
        params = np.asarray(params, dtype=float)
        low, upp = self._bounds(params)
        # log(F(upp) - F(low)) computed stably: F(upp) (1 - exp(log F(low) - log F(upp)))
        lf_upp = np.where(np.isposinf(upp), 0.0, log_expit(upp))
        lf_low = np.where(np.isneginf(low), -np.inf, log_expit(low))
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = lf_upp + np.log1p(-np.exp(lf_low - lf_upp))
        return params, low, upp, logp

    def loglikeobs(self, params):
        _, _, _, logp = self._parts(params)
        return self._w() * logp

    def score_obs(self, params):
        """Analytic d l_i / d params (weighted), shape (nobs, k_params)."""
        params, low, upp, logp = self._parts(params)
        p = np.exp(logp)
        f_upp = np.where(np.isinf(upp), 0.0, expit(upp) * expit(-upp))
        f_low = np.where(np.isinf(low), 0.0, expit(low) * expit(-low))
        w = self._w()
        k = self.k_vars
        j = self.k_levels - 1
        score = np.empty((self.nobs, k + j))
        score[:, :k] = (-(f_upp - f_low) / p * w)[:, None] * np.asarray(self.exog)
        # d l / d t_m: f_upp/p when m = y_i, -f_low/p when m = y_i - 1
        dt = np.zeros((self.nobs, j))
        y = np.asarray(self.endog)
        rows = np.arange(self.nobs)
        upper = y < j
        dt[rows[upper], y[upper]] += f_upp[upper] / p[upper]
        lower = y > 0
        dt[rows[lower], y[lower] - 1] -= f_low[lower] / p[lower]
        dt *= w[:, None]
        # chain rule to (t_1, log increments): t_m = a_0 + sum_{r<=m} exp(a_r)
        a = params[k:]
        jac = np.zeros((j, j))  # d t_m / d a_r
        jac[:, 0] = 1.0
        for r in range(1, j):
            jac[r:, r] = np.exp(a[r])
        score[:, k:] = dt @ jac
        return score

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params):
        """Central differences of the analytic score, symmetrised."""
        params = np.asarray(params, dtype=float)
        n = len(params)
        h = np.empty((n, n))
        for i in range(n):
            step = 1e-5 * max(1.0, abs(params[i]))
            e = np.zeros(n)
            e[i] = step
            h[:, i] = (self.score(params + e) - self.score(params - e)) / (2 * step)
        return (h + h.T) / 2


def fit_ordinal(y, X: pd.DataFrame, weights=None, alpha: float = 0.05) -> Fit:
    """Ordinal logit (cumulative logit, no constant in X). Thresholds are kept in `extra`."""
    yv = pd.Series(np.asarray(y, dtype=int))
    cats = sorted(yv.unique())
    endog = pd.Series(pd.Categorical(yv, categories=cats, ordered=True))
    Xr = X.reset_index(drop=True)
    w = None if weights is None else normalise(weights)
    # The same likelihood as statsmodels' OrderedModel(distr="logit"), with an analytic score:
    # Newton from OrderedModel's start values, then BFGS only if Newton fails.
    model = AnalyticOrderedModel(endog, Xr, obs_weights=w)
    cov_type = "nonrobust" if w is None else "HC0"
    res = model.fit(method="newton", disp=False, maxiter=100, tol=1e-10, cov_type=cov_type)
    if not res.mle_retvals.get("converged", False):
        res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-8, cov_type=cov_type)
    k = len(res.params)
    cov = np.asarray(res.cov_params())
    if w is not None:
        cov = hc1(cov, len(yv), k)
    names = list(res.params.index)
    cov = pd.DataFrame(cov, index=names, columns=names)
    pv, ci = wald(res.params, cov, alpha)
    return Fit(params=res.params, cov=cov, pvalues=pv, ci=ci, X=X, weights=w, n=len(yv), kind="ordinal",
               extra={"result": res, "thresholds": [n for n in names if n not in X.columns],
                      "converged": bool(res.mle_retvals.get("converged", True))})
