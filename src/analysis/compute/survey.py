"""Design-based descriptive estimates for SKR's 2019 survey of the 290 municipalities (02_describe).

Design (stated once, used everywhere)
-------------------------------------
The target population is Sweden's 290 municipalities. The respondents are treated as a stratified
simple random sample without replacement within SKR's nine municipality groups (kommungrupp,
A1..C9): response is assumed missing at random within group. The design weight of a respondent in
group h is w_h = N_h / n_h (N_h = municipalities in the group among all 290 rows, n_h = respondents
in the group); non-respondents get NaN. This equals post-stratification to the known group sizes.
The finite population correction of stratum h is f_h = 1 - n_h / N_h.

Estimates of a share (or a mean) are DOMAIN estimates among respondents with a valid answer
("Vet ej", blank and non-response excluded):

    N_d = sum_i w_i d_i,   p = sum_i w_i d_i y_i / N_d
    z_i = w_i d_i (y_i - p) / N_d          (0 for respondents outside the domain)
    var(p) = sum_h f_h n_h / (n_h - 1) sum_{i in h} (z_i - zbar_h)^2

with n_h ALL respondents of stratum h and zbar_h the stratum mean of z including the zeros. This is
the Taylor linearisation of R's survey package: svydesign(ids=~1, strata=~kommungrupp,
fpc=~N_h) and svymean(~y, subset(design, !is.na(y))) give the same point estimate and SE.

Interval for a share: Korn-Graubard, as svyciprop(..., method="beta"): the effective sample size
n_eff = p (1 - p) / var is multiplied by (t(alpha/2, n - 1) / t(alpha/2, n - H))^2, n = respondents
with a valid answer, H = strata represented among them, and the Clopper-Pearson beta quantiles
are taken at n_eff:  lo = Beta(alpha/2; n_eff p, n_eff (1 - p) + 1),
hi = Beta(1 - alpha/2; n_eff p + 1, n_eff (1 - p)). Where the variance is zero (p = 0 or 1, or
every stratum of the domain is a census) the exact Clopper-Pearson interval on the counts
(n_yes of n_eligible) is given instead, and ci_method says "clopper_pearson".
Interval for a mean (the maturity index): p +/- t(1 - alpha/2, n - H) SE.

Single-respondent strata (R's "lonely PSU"): a stratum with n_h = 1 and N_h = 1 is a certainty
unit and contributes 0 (its FPC is 0, as in R). A stratum with n_h = 1 < N_h has no within-stratum
variance; by default (lonely="adjust", as R's options(survey.lonely.psu="adjust")) its score is
centred at the grand mean of the scores, which is 0 for a linearised mean, so it contributes
f_h z_i^2; lonely="fail" raises instead (R's default). In the 2019 frame group A1 has N = 3.

Implementation: the linearisation is implemented here, in a few small pure functions, tested
against hand-computed cases (tests/test_survey.py) and cross-checked against two survey
libraries, samplics 0.6.1 (archived) and svy 0.35.0 (whose ci_method="beta" follows R's
svyciprop): shares, SEs and Korn-Graubard limits agree to 1e-15 on the 2019 data
(docs/validation.md). svy is not a dependency: it is a young 0.x package on polars and a Rust
extension, a heavy and fast-moving dependency for about 60 lines of arithmetic that must stay
stable between survey waves.

Disclosure control: any cell based on fewer than min_cell respondents is set to NA and marked
suppressed (`suppress`); no table or figure shows a single municipality's answers.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .codebook import HEADLINE_ITEMS, default_codebook
from .disclosure import complementary_suppression, levels as _levels, reporting_groups, suppress

STRATA = "kommungrupp"

# Codes of the interval methods (column ci_method); the report's catalogue names them.
CI_METHODS = {
    "korn_graubard": "Korn-Graubard (svyciprop method='beta'), df = n - H",
    "clopper_pearson": "exact Clopper-Pearson on the counts, where the design variance is zero",
    "t": "estimate +/- t(1 - alpha/2, n - H) SE",
    "census": "zero width: every municipality of the domain's strata responded",
    "none_no_answers": "no interval: no valid answers",
    "none_too_few_df": "no interval: too few degrees of freedom",
}

HEADLINE_COLUMNS = [
    "item", "label_sv", "label_en", "n_eligible", "n_yes", "share_unweighted", "share_weighted",
    "se", "ci_low", "ci_high", "ci_method", "bound_low", "bound_high", "x_of_10", "published_share",
    "published_x_of_10",
]
BY_GROUP_COLUMNS = ["grouping", "group", "item", "n_eligible", "share_weighted", "ci_low", "ci_high",
                    "ci_method", "suppressed"]


# --------------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------------

def design_weights(df: pd.DataFrame, strata: str = STRATA, responded: str = "responded") -> pd.Series:
    """Weight N_h / n_h for each respondent, NaN for non-respondents; a Series aligned to `df`.

    `df` must hold all rows of the population (the 290 municipalities of analysis.parquet): N_h is
    counted over every row, n_h over rows with `responded` True. Weights of the respondents sum to
    the number of rows in the strata that have at least one respondent (290 when every group
    answered). Raises ValueError when a stratum value is missing.
    """
    if df[strata].isna().any():
        raise ValueError(f"design_weights: column {strata!r} has missing values")
    resp = df[responded].astype("boolean").fillna(False).astype(bool).to_numpy()
    groups = df[strata].astype(str).to_numpy()
    N_h = pd.Series(groups).value_counts()
    n_h = pd.Series(groups[resp]).value_counts()
    w_by_group = (N_h / n_h.reindex(N_h.index)).astype(float)
    w = pd.Series(groups, index=df.index).map(w_by_group).astype(float)
    w[~resp] = np.nan
    return w.rename("weight")


def stratum_sizes(df: pd.DataFrame, strata: str = STRATA) -> dict[str, int]:
    """N_h: rows of `df` (all 290 municipalities) per stratum."""
    return {str(k): int(v) for k, v in df[strata].astype(str).value_counts().items()}


# --------------------------------------------------------------------------------------------
# Estimators (pure; inputs are arrays over ALL respondents of the design)
# --------------------------------------------------------------------------------------------

def _as_float(y) -> np.ndarray:
    s = pd.Series(y)
    if s.dtype == bool or str(s.dtype) == "boolean":
        s = s.astype("Float64")
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def linearised_mean(y, strata, N_h: Mapping[str, int], domain=None, *, fpc: bool = True,
                    lonely: str = "adjust") -> dict[str, float]:
    """Weighted domain mean of `y` and its linearised variance in the stratified design.

    y, strata (and domain, a boolean mask) are arrays over ALL respondents (one element each);
    NaN / NA in y is outside the domain. N_h maps stratum -> population size; n_h is the number of
    elements of `strata` in h. fpc=False drops the finite population correction (f_h = 1).
    Returns estimate, var, se, n (domain members), H (strata among them), df = n - H, N_hat.
    """
    y = _as_float(y)
    d = ~np.isnan(y)
    if domain is not None:
        d &= np.asarray(pd.Series(domain).astype("boolean").fillna(False), dtype=bool)
    # Hash-based factorising (no sort of n strings): the cost stays linear at a million rows.
    inv, uniques = pd.factorize(pd.Series(strata), sort=True)
    labels = np.asarray(pd.Index(uniques).astype(str))
    n_h = np.bincount(inv, minlength=len(labels)).astype(float)
    try:
        N_arr = np.array([float(N_h[lab]) for lab in labels])
    except KeyError as exc:
        raise ValueError(f"no population size N_h for stratum {exc.args[0]!r}") from None
    if np.any(n_h > N_arr):
        raise ValueError("more respondents than population in a stratum")
    w = (N_arr / n_h)[inv]
    n = int(d.sum())
    H = int(np.count_nonzero(np.bincount(inv[d], minlength=len(labels)))) if n else 0
    out = {"estimate": np.nan, "var": np.nan, "se": np.nan, "n": n, "H": H, "df": n - H, "N_hat": 0.0}
    if n == 0:
        return out
    yd = np.where(d, y, 0.0)
    N_hat = float(np.sum(w * d))
    est = float(np.sum(w * d * yd) / N_hat)
    z = np.where(d, w * (yd - est) / N_hat, 0.0)
    f = (1.0 - n_h / N_arr) if fpc else np.ones_like(n_h)
    zbar = np.bincount(inv, weights=z, minlength=len(labels)) / n_h
    ss_within = np.bincount(inv, weights=(z - zbar[inv]) ** 2, minlength=len(labels))
    ss_raw = np.bincount(inv, weights=z**2, minlength=len(labels))
    var = 0.0
    for h in range(len(labels)):
        if n_h[h] > 1:
            var += f[h] * n_h[h] / (n_h[h] - 1) * float(ss_within[h])
        elif f[h] <= 1e-12:  # certainty unit (n_h = N_h = 1): no variance, as in R
            continue
        elif lonely == "adjust":  # centred at the grand mean of the scores, which is 0
            var += f[h] * float(ss_raw[h])
        else:
            raise ValueError(f"stratum {labels[h]!r} has a single respondent of N_h={N_arr[h]:g} "
                             "(no variance estimate; use lonely='adjust')")
    var = max(var, 0.0)
    out.update(estimate=est, var=var, se=math.sqrt(var), N_hat=N_hat)
    return out


def clopper_pearson(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact binomial interval for x successes of n."""
    if n <= 0:
        return (np.nan, np.nan)
    lo = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    hi = 1.0 if x >= n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lo, hi


def korn_graubard(p: float, var: float, n: int, H: int, alpha: float = 0.05) -> tuple[float, float, float]:
    """Korn-Graubard interval (svyciprop method="beta"): (lo, hi, n_eff adjusted). Needs var > 0."""
    if not (n - H >= 1 and n >= 2 and var > 0 and 0 < p < 1):
        return (np.nan, np.nan, np.nan)
    n_eff = p * (1 - p) / var
    n_eff *= (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, n - H)) ** 2
    lo = float(stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))
    hi = float(stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    return lo, hi, float(n_eff)


def estimate_share(y, strata, N_h: Mapping[str, int], domain=None, *, alpha: float = 0.05,
                   fpc: bool = True, lonely: str = "adjust") -> dict[str, Any]:
    """Share of True among respondents with a valid answer (and in `domain`), design-based.

    y: booleans (nullable; NA = no valid answer) over ALL respondents; strata, N_h, domain as in
    `linearised_mean`. Returns n_eligible, n_yes, share_unweighted, share_weighted, se, ci_low,
    ci_high, ci_method (a code of CI_METHODS), n_eff, df.
    """
    m = linearised_mean(y, strata, N_h, domain, fpc=fpc, lonely=lonely)
    yv = _as_float(y)
    d = ~np.isnan(yv)
    if domain is not None:
        d &= np.asarray(pd.Series(domain).astype("boolean").fillna(False), dtype=bool)
    n, x = int(d.sum()), int(np.sum(yv[d] == 1))
    p = m["estimate"]
    out = {"n_eligible": n, "n_yes": x, "share_unweighted": x / n if n else np.nan,
           "share_weighted": p, "se": m["se"], "ci_low": np.nan, "ci_high": np.nan,
           "ci_method": "none_no_answers" if n == 0 else "", "n_eff": np.nan, "df": m["df"]}
    if n == 0:
        return out
    if m["var"] <= 1e-15 or p <= 0 or p >= 1:
        out["ci_low"], out["ci_high"] = clopper_pearson(x, n, alpha)
        out["ci_method"] = "clopper_pearson"
    else:
        lo, hi, n_eff = korn_graubard(p, m["var"], n, m["H"], alpha)
        out.update(ci_low=lo, ci_high=hi, n_eff=n_eff,
                   ci_method="korn_graubard" if not np.isnan(lo) else "none_too_few_df")
    return out


def estimate_mean(y, strata, N_h: Mapping[str, int], domain=None, *, alpha: float = 0.05,
                  fpc: bool = True, lonely: str = "adjust") -> dict[str, Any]:
    """Weighted domain mean with linearised SE and a t interval on df = n - H."""
    m = linearised_mean(y, strata, N_h, domain, fpc=fpc, lonely=lonely)
    lo = hi = np.nan
    method = "none_no_answers" if not m["n"] else "none_too_few_df"
    if m["n"] and m["var"] <= 1e-15:
        # every stratum of the domain is a census: no design variance (item non-response ignored)
        lo = hi = m["estimate"]
        method = "census"
    elif m["n"] and m["df"] >= 1:
        half = stats.t.ppf(1 - alpha / 2, m["df"]) * m["se"]
        lo, hi = m["estimate"] - half, m["estimate"] + half
        method = "t"
    return {"n": m["n"], "mean": m["estimate"], "se": m["se"], "ci_low": lo, "ci_high": hi, "df": m["df"],
            "ci_method": method}


def bounds(n_yes: int, n_eligible: int, N: int) -> tuple[float, float]:
    """Worst-case shares among all N: every missing answer no (low) or yes (high)."""
    return n_yes / N, (n_yes + (N - n_eligible)) / N


def x_of_10(p: float) -> int | None:
    """The x of SKR's "x av 10": p rounded half up to the nearest tenth, times 10; None for NA."""
    if p is None or pd.isna(p):
        return None
    return int(math.floor(round(float(p) * 10, 9) + 0.5))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def _respondents(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["responded"].astype("boolean").fillna(False).astype(bool)]


def headline_table(df: pd.DataFrame, alpha: float = 0.05, codebook=None, strata: str = STRATA) -> pd.DataFrame:
    """tables/headline.csv from analysis.parquet (all 290 rows): one row per headline item."""
    cb = codebook or default_codebook()
    N_h, N = stratum_sizes(df, strata), len(df)
    r = _respondents(df)
    rows = []
    for item in HEADLINE_ITEMS:
        h = cb[item].headline
        e = estimate_share(r[item], r[strata], N_h, alpha=alpha)
        lo_b, hi_b = bounds(e["n_yes"], e["n_eligible"], N)
        rows.append({"item": item, "label_sv": h.label_sv, "label_en": h.label_en,
                     **{k: e[k] for k in HEADLINE_COLUMNS[3:11]},
                     "bound_low": lo_b, "bound_high": hi_b, "x_of_10": x_of_10(e["share_weighted"]),
                     "published_share": h.published_share, "published_x_of_10": x_of_10(h.published_share)})
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def headline_by_group(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, strata: str = STRATA,
                      groupings: tuple[str, ...] = ("kommungrupp", "huvudgrupp")) -> pd.DataFrame:
    """Long table: within-group shares of the ten items by SKR group and main group, suppressed."""
    N_h = stratum_sizes(df, strata)
    df = df.assign(_reported=reporting_groups(df, min_cell))  # A1 is reported as A1+A2
    r = _respondents(df)
    rows = []
    for grouping in groupings:
        col = "_reported" if grouping == "kommungrupp" else grouping
        for g in _ordered_levels(df[col]):
            dom = (r[col].astype(str) == g).to_numpy()
            for item in HEADLINE_ITEMS:
                e = estimate_share(r[item], r[strata], N_h, dom, alpha=alpha)
                rows.append({"grouping": grouping, "group": g, "item": item, "n_eligible": e["n_eligible"],
                             "share_weighted": e["share_weighted"], "ci_low": e["ci_low"], "ci_high": e["ci_high"],
                             "ci_method": e["ci_method"]})
    out = pd.DataFrame(rows)
    values = ["share_weighted", "ci_low", "ci_high"]
    out = suppress(out, "n_eligible", min_cell, values)
    # margins: all groups of a grouping (they add up to the national figure) and, for SKR groups,
    # the groups of one main group (they add up to the main group's figure)
    out["_parent"] = np.where(out["grouping"] == "kommungrupp", out["group"].str[0], "")
    out = complementary_suppression(out, "n_eligible", [["grouping", "item"], ["grouping", "item", "_parent"]], values)
    return out[BY_GROUP_COLUMNS]


def _ordered_levels(s: pd.Series) -> list[str]:
    """Levels present in `s`, in category order when categorical, merged labels ('A1+A2') by their
    first member."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _levels(s)
    present = sorted(s.dropna().astype(str).unique())
    return sorted(present, key=lambda g: (g.split("+")[0], g))


def maturity_table(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, strata: str = STRATA,
                   col: str = "maturity_index") -> pd.DataFrame:
    """Weighted mean maturity index overall, by SKR group, main group and county; suppressed."""
    N_h = stratum_sizes(df, strata)
    df = df.assign(_reported=reporting_groups(df, min_cell))  # A1 is reported as A1+A2
    r = _respondents(df)
    rows = [{"grouping": "all", "group": "all", **estimate_mean(r[col], r[strata], N_h, alpha=alpha)}]
    for grouping in ("kommungrupp", "huvudgrupp", "lan_kod"):
        gcol = "_reported" if grouping == "kommungrupp" else grouping
        for g in _ordered_levels(df[gcol]):
            dom = (r[gcol].astype(str) == g).to_numpy()
            rows.append({"grouping": grouping, "group": g,
                         **estimate_mean(r[col], r[strata], N_h, dom, alpha=alpha)})
    out = pd.DataFrame(rows)[["grouping", "group", "n", "mean", "se", "ci_low", "ci_high", "df", "ci_method"]]
    values = ["mean", "se", "ci_low", "ci_high", "df"]
    out = suppress(out, "n", min_cell, values)
    out["_parent"] = np.where(out["grouping"] == "kommungrupp", out["group"].str[0], "")
    out = complementary_suppression(out, "n", [["grouping"], ["grouping", "_parent"]], values)
    return out.drop(columns="_parent")


def response_table(df: pd.DataFrame, min_cell: int = 5) -> pd.DataFrame:
    """N, respondents and response rate by SKR group, main group and county, plus a total row.

    SKR groups with fewer than `min_cell` municipalities are reported merged (A1 as A1+A2, as in
    every other table). Rows with N < min_cell municipalities are suppressed (respondents and rate
    NA): with so few municipalities the counts would say which ones answered (e.g. Gotland, a
    one-municipality county). Complementary suppression then hides one more cell wherever a hidden
    one could be got back from a total (the counties add up to the national row; the SKR groups of
    a main group add up to it). N, the register's count, is always shown.
    """
    resp = df["responded"].astype("boolean").fillna(False).astype(bool)
    df = df.assign(_reported=reporting_groups(df, min_cell), _r=resp)
    rows = [{"grouping": "all", "group": "all", "N": len(df), "respondents": int(resp.sum())}]
    for grouping in ("kommungrupp", "huvudgrupp", "lan_kod"):
        col = "_reported" if grouping == "kommungrupp" else grouping
        g = df.groupby(df[col].astype(str), sort=False)["_r"]
        for lev in _ordered_levels(df[col]):
            rows.append({"grouping": grouping, "group": lev, "N": int(g.size().get(lev, 0)),
                         "respondents": int(g.sum().get(lev, 0))})
    out = pd.DataFrame(rows)
    if "lan_namn" in df:
        names = df.drop_duplicates("lan_kod").set_index(df.drop_duplicates("lan_kod")["lan_kod"].astype(str))["lan_namn"]
        out["name"] = [names.get(g, "") if gr == "lan_kod" else "" for gr, g in zip(out["grouping"], out["group"])]
    out["rate"] = out["respondents"] / out["N"]
    out = suppress(out, "N", min_cell, ["respondents", "rate"])
    out["_parent"] = np.where(out["grouping"] == "kommungrupp", out["group"].str[0], "")
    out["_n"] = out["N"]  # complementary suppression hides its count column; N itself stays shown
    out = complementary_suppression(out, "_n", [["grouping"], ["grouping", "_parent"]], ["respondents", "rate"])
    return out.drop(columns=["_parent", "_n"])


def nonresponse_model(df: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Logistic GLM of responding on log population and main group, all rows; ORs with Wald CIs."""
    import statsmodels.api as sm

    X = pd.DataFrame({"log_folkmangd": np.log(df["folkmangd"].astype(float))}, index=df.index)
    main = df["huvudgrupp"].astype(str)
    for lev in _levels(df["huvudgrupp"])[1:]:
        X[f"huvudgrupp[{lev}]"] = (main == lev).astype(float)
    X = sm.add_constant(X)
    yv = df["responded"].astype("boolean").fillna(False).astype(float)
    fit = sm.GLM(yv, X, family=sm.families.Binomial()).fit()
    ci = fit.conf_int(alpha)
    out = pd.DataFrame({"term": X.columns, "coef": fit.params.to_numpy(), "se": fit.bse.to_numpy(),
                        "odds_ratio": np.exp(fit.params.to_numpy()), "ci_low": np.exp(ci[0].to_numpy()),
                        "ci_high": np.exp(ci[1].to_numpy()), "p_value": fit.pvalues.to_numpy()})
    out["n"] = int(fit.nobs)
    out["method"] = "ml_wald"
    return out


def respondent_profile(df: pd.DataFrame) -> dict[str, Any]:
    """Respondents vs all municipalities: population median/mean and SKR group distribution."""
    r = _respondents(df)
    dist_all = df["kommungrupp"].astype(str).value_counts(normalize=True)
    dist_r = r["kommungrupp"].astype(str).value_counts(normalize=True)
    return {
        "population_median": {"all": float(df["folkmangd"].median()), "respondents": float(r["folkmangd"].median())},
        "population_mean": {"all": float(df["folkmangd"].mean()), "respondents": float(r["folkmangd"].mean())},
        "group_share": {g: {"all": round(float(dist_all.get(g, 0)), 4), "respondents": round(float(dist_r.get(g, 0)), 4)}
                        for g in _levels(df["kommungrupp"])},
    }


# --------------------------------------------------------------------------------------------
# The step's numbers (pure; runner.steps writes them)
# --------------------------------------------------------------------------------------------

def compute(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5) -> dict[str, Any]:
    """All tables of the step from analysis.parquet (pure)."""
    return {
        "headline": headline_table(df, alpha),
        "headline_by_group": headline_by_group(df, alpha, min_cell),
        "maturity_index": maturity_table(df, alpha, min_cell),
        "response": response_table(df, min_cell),
        "nonresponse_model": nonresponse_model(df, alpha),
    }


def summary(df: pd.DataFrame, tables: dict[str, pd.DataFrame], *, alpha: float, min_cell: int,
            synthetic: bool) -> dict[str, Any]:
    """describe_summary.json: the numbers the report needs beyond the tables (numbers only)."""
    resp = tables["response"].set_index(["grouping", "group"])
    w = design_weights(df)
    rate = resp.loc[("all", "all"), "rate"]
    return {
        "step": "02_describe",
        "synthetic": bool(synthetic),
        "alpha": float(alpha),
        "min_cell": int(min_cell),
        "n_municipalities": int(len(df)),
        "n_respondents": int(resp.loc[("all", "all"), "respondents"]),
        "response_rate": None if pd.isna(rate) else float(rate),
        "weights": {str(g): float(v) for g, v in w.groupby(df[STRATA].astype(str)).first().items()},
        "respondent_profile": respondent_profile(df),
    }
