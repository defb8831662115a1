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
hi = Beta(1 - alpha/2; n_eff p + 1, n_eff (1 - p)).
Interval for a mean (the maturity index): estimate +/- t(1 - alpha/2, n - H) SE.

Bounds (`bounds`, headline table): not estimates with a sampling error but the range of the share
among ALL municipalities of the frame if every missing answer (non-response, "Vet ej", blank)
were no (bound_low = n_yes / N) or yes (bound_high = (n_yes + N - n_eligible) / N). They need no
assumption about why answers are missing; the weighted share and its interval do (missing at
random within kommungrupp).

Census rule (one rule for shares and means)
-------------------------------------------
A stratum in which every municipality responded (n_h = N_h; B3 in the synthetic default data) is a
census: its finite population correction is 0, so it adds no sampling variance. When EVERY
stratum of a domain is a census, the domain's estimate is a complete count of the municipalities
that gave a valid answer, not a sample estimate. Shares and means then get the same treatment: se = 0, a zero-width
interval [estimate, estimate] and ci_method "census"; the report says that such an interval has no
sampling error and ignores item non-response (the bounds show that). A binomial or t interval
would be the wrong answer here: it would describe a superpopulation, not the 290 municipalities
every other interval in these tables describes, and it would give the best-observed group the
widest interval. Domains that mix census and sampled strata get the usual interval; their
variance comes from the sampled strata only.
Zero variance in a domain that is NOT a census has a different cause: every sampled answer is the
same (a share of 0 or 1). The linearised variance is then 0 although the estimate is uncertain,
so a share gets the exact Clopper-Pearson interval on the counts (n_yes of n_eligible; it ignores
the FPC, so it is conservative) and ci_method "clopper_pearson"; a mean gets no interval
("none_zero_variance").

Single-respondent strata (R's "lonely PSU"): a stratum with n_h = 1 and N_h = 1 is a certainty
unit and contributes 0 (its FPC is 0, as in R). A stratum with n_h = 1 < N_h has no within-stratum
variance; by default (lonely="adjust", as R's options(survey.lonely.psu="adjust")) its score is
centred at the grand mean of the scores, which is 0 for a linearised mean, so it contributes
f_h z_i^2; lonely="fail" raises instead (R's default). In the 2019 frame group A1 has N = 3.

Implementation: the linearisation is implemented here, in a few small pure functions, tested
against hand-computed cases (tests/test_survey.py) and against R's survey package
(tests/test_r_reference.py: svyciprop(method="beta") for the ten shares and the by-group tables,
svymean with confint(df = degf) for the maturity index; values frozen in tests/fixtures/ and,
where Rscript exists, recomputed live). docs/validation.md records an earlier cross-check with
samplics and svy.

Non-response model (`nonresponse_model`): a logistic GLM of responding on log population and main
group over all 290 municipalities, unweighted maximum likelihood. It describes who responded; its
odds ratios compare response odds. Intervals are Wald (estimate +/- z SE) unless a main group has
fewer than MIN_EVENTS (5) respondents or non-respondents (in the synthetic default data group A
has one non-respondent); then every term gets a profile-likelihood interval and a likelihood-ratio p-value
(method "ml_profile"), as R's confint(glm) and drop-one deviance tests give.

Disclosure control: any cell based on fewer than min_cell respondents is set to NA and marked
suppressed (`suppress`); no table or figure shows a single municipality's answers.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..base.codebook import HEADLINE_ITEMS, default_codebook
from .design import STRATA, as_float, design_weights, respondents, stratum_sizes
from .disclosure import complementary_suppression, levels as _levels, reporting_groups, suppress, suppress_items
from .estimable import nonresponse_problems
from .likelihood import MIN_EVENTS, profile_likelihood, sparse_groups



# Codes of the interval methods (column ci_method); the report's catalogue names them.
CI_METHODS = {
    "korn_graubard": "Korn-Graubard (svyciprop method='beta'), df = n - H",
    "clopper_pearson": "exact Clopper-Pearson on the counts, where the design variance is zero",
    "t": "estimate +/- t(1 - alpha/2, n - H) SE",
    "census": "zero width: every municipality of the domain's strata responded (no sampling error)",
    "none_zero_variance": "no interval: every sampled answer in the domain is the same (mean)",
    "none_no_answers": "no interval: no valid answers",
    "none_too_few_df": "no interval: too few degrees of freedom",
}

HEADLINE_COLUMNS = [
    "item", "label_sv", "label_en", "n_eligible", "n_yes", "share_unweighted", "share_weighted",
    "se", "ci_low", "ci_high", "ci_method", "bound_low", "bound_high", "x_of_10", "published_share",
    "published_x_of_10",
]
NONRESPONSE_COLUMNS = ["term", "coef", "se", "odds_ratio", "ci_low", "ci_high", "p_value", "n", "method"]
BY_GROUP_COLUMNS = ["grouping", "group", "item", "n_eligible", "share_weighted", "ci_low", "ci_high",
                    "ci_method", "suppressed"]


# --------------------------------------------------------------------------------------------
# Estimators (pure; inputs are arrays over ALL respondents of the design)
# --------------------------------------------------------------------------------------------

def linearised_mean(y, strata, N_h: Mapping[str, int], domain=None, *, fpc: bool = True,
                    lonely: str = "adjust") -> dict[str, float]:
    """Weighted domain mean of `y` and its linearised variance in the stratified design.

    y, strata (and domain, a boolean mask) are arrays over ALL respondents (one element each);
    NaN / NA in y is outside the domain. N_h maps stratum -> population size; n_h is the number of
    elements of `strata` in h. fpc=False drops the finite population correction (f_h = 1).
    Returns estimate, var, se, n (domain members), H (strata among them), df = n - H, N_hat and
    census: True when every stratum with a domain member is fully observed (n_h = N_h) and fpc is on,
    so the design has no sampling variance (module docstring, census rule).
    """
    y = as_float(y)
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
    present = np.bincount(inv[d], minlength=len(labels)) > 0
    census = bool(fpc and n and np.all(n_h[present] >= N_arr[present]))
    out = {"estimate": np.nan, "var": np.nan, "se": np.nan, "n": n, "H": H, "df": n - H, "N_hat": 0.0,
           "census": census}
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
    ci_high, ci_method (a code of CI_METHODS), n_eff, df. Census domains get a zero-width interval,
    zero variance elsewhere (p = 0 or 1) the Clopper-Pearson interval on the counts (module docstring).
    """
    m = linearised_mean(y, strata, N_h, domain, fpc=fpc, lonely=lonely)
    yv = as_float(y)
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
    if m["census"]:
        out.update(se=0.0, ci_low=p, ci_high=p, ci_method="census")
    elif m["var"] <= 1e-15 or p <= 0 or p >= 1:
        out["ci_low"], out["ci_high"] = clopper_pearson(x, n, alpha)
        out["ci_method"] = "clopper_pearson"
    else:
        lo, hi, n_eff = korn_graubard(p, m["var"], n, m["H"], alpha)
        out.update(ci_low=lo, ci_high=hi, n_eff=n_eff,
                   ci_method="korn_graubard" if not np.isnan(lo) else "none_too_few_df")
    return out


def estimate_mean(y, strata, N_h: Mapping[str, int], domain=None, *, alpha: float = 0.05,
                  fpc: bool = True, lonely: str = "adjust") -> dict[str, Any]:
    """Weighted domain mean with linearised SE and a t interval on df = n - H.

    Census domains get a zero-width interval (the same rule as shares); zero variance in a sampled
    domain (every answer the same) gets no interval.
    """
    m = linearised_mean(y, strata, N_h, domain, fpc=fpc, lonely=lonely)
    lo = hi = np.nan
    method = "none_no_answers" if not m["n"] else "none_too_few_df"
    if m["n"] and m["census"]:
        lo = hi = m["estimate"]
        m["se"] = 0.0
        method = "census"
    elif m["n"] and m["var"] <= 1e-15:
        method = "none_zero_variance"
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

def headline_table(df: pd.DataFrame, alpha: float = 0.05, codebook=None, strata: str = STRATA) -> pd.DataFrame:
    """tables/headline.csv from analysis.parquet (all 290 rows): one row per headline item."""
    cb = codebook or default_codebook()
    N_h, N = stratum_sizes(df, strata), len(df)
    r = respondents(df)
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
    r = respondents(df)
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
    out = complementary_suppression(out, "n_eligible", [["grouping", "item"], ["grouping", "item", "_parent"]], values,
                                    units=df, kind="eligible", facts=_public_counts(df, min_cell, HEADLINE_ITEMS),
                                    ratio_col="share_weighted", weights=_stratum_weights(df))
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
    r = respondents(df)
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
    out = complementary_suppression(out, "n", [["grouping"], ["grouping", "_parent"]], values,
                                    units=df, kind="complete", facts=_public_counts(df, min_cell),
                                    ratio_col="mean", weights=_stratum_weights(df))
    return out.drop(columns="_parent")


def response_table(df: pd.DataFrame, min_cell: int = 5) -> pd.DataFrame:
    """N, respondents and response rate by SKR group, main group and county, plus a total row.

    The same disclosure rules as every other table: SKR groups smaller than `min_cell` are reported
    together (A1 as "A1+A2"), a row with N < min_cell municipalities is suppressed (respondents and
    rate NA: with so few municipalities the counts would say which ones answered, e.g. Gotland, a
    one-municipality county), and complementary suppression hides a second row wherever a hidden
    one could be got back from a total (the groups, the groups of a main group, the counties).
    N stays visible: it is the register's count, public anyway.
    """
    resp = df["responded"].astype("boolean").fillna(False).astype(bool)
    reported = reporting_groups(df, min_cell)
    rows = [{"grouping": "all", "group": "all", "N": len(df), "respondents": int(resp.sum())}]
    for grouping in ("kommungrupp", "huvudgrupp", "lan_kod"):
        key = reported if grouping == "kommungrupp" else df[grouping].astype(str)
        g = resp.groupby(key.to_numpy(), sort=False)
        size, total = g.size(), g.sum()
        for lev in _ordered_levels(reported if grouping == "kommungrupp" else df[grouping]):
            rows.append({"grouping": grouping, "group": lev, "N": int(size.get(lev, 0)),
                         "respondents": int(total.get(lev, 0))})
    out = pd.DataFrame(rows)
    if "lan_namn" in df:
        names = df.drop_duplicates("lan_kod").set_index(df.drop_duplicates("lan_kod")["lan_kod"].astype(str))["lan_namn"]
        out["name"] = [names.get(g, "") if gr == "lan_kod" else "" for gr, g in zip(out["grouping"], out["group"])]
    out["rate"] = out["respondents"] / out["N"]
    values = ["respondents", "rate"]
    out = suppress(out, "N", min_cell, values)
    out["_parent"] = np.where(out["grouping"] == "kommungrupp", out["group"].str[0], "")
    out = complementary_suppression(out, "respondents", [["grouping"], ["grouping", "_parent"]], values, units=df)
    return out.drop(columns="_parent")


def _public_counts(df: pd.DataFrame, min_cell: int, items=()) -> tuple:
    """Counts other tables publish, which a table's suppression must not let combine with its own:
    the respondents of response_table's shown rows, and the national valid and yes answers of
    `items` where headline.csv shows them, as (kind, item, grouping, group, count)."""
    rt = response_table(df, min_cell)
    facts = [("responded", None, g, grp, int(n)) for g, grp, n, sup in
             zip(rt["grouping"], rt["group"], rt["respondents"], rt["suppressed"]) if not sup]
    r = respondents(df)
    for item in items:
        n = int(r[item].notna().sum())
        if n == 0 or n >= min_cell:  # as suppress_items shows them
            facts += [("eligible", item, "all", "all", n), ("yes", item, "all", "all", int((r[item] == True).sum()))]  # noqa: E712
    return tuple(facts)


def _stratum_weights(df: pd.DataFrame) -> dict[str, float]:
    """N_h / n_h of every SKR group with respondents (the audit assumes an attacker knows them all)."""
    w = design_weights(df)
    return {str(g): float(v) for g, v in w.groupby(df[STRATA].astype(str)).first().items() if not pd.isna(v)}


def nonresponse_model(df: pd.DataFrame, alpha: float = 0.05, min_events: int = MIN_EVENTS) -> pd.DataFrame:
    """Logistic GLM of responding on log population and main group, all rows, unweighted ML.

    Odds ratios with Wald intervals and p-values (method "ml_wald"), or, when a main group has
    fewer than `min_events` respondents or non-respondents, profile-likelihood intervals and
    likelihood-ratio p-values for every term (method "ml_profile"; module docstring).
    """
    import statsmodels.api as sm  # heavy: loaded when the model is fitted

    X = pd.DataFrame({"log_folkmangd": np.log(df["folkmangd"].astype(float))}, index=df.index)
    main = df["huvudgrupp"].astype(str)
    for lev in _levels(df["huvudgrupp"])[1:]:
        X[f"huvudgrupp[{lev}]"] = (main == lev).astype(float)
    X = sm.add_constant(X)
    yv = df["responded"].astype("boolean").fillna(False).astype(float)
    fit = sm.GLM(yv, X, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    if sparse_groups(yv, main, min_events):
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
    return out


def respondent_profile(df: pd.DataFrame, min_cell: int = 5, response: pd.DataFrame | None = None) -> dict[str, Any]:
    """Respondents vs all municipalities: population median/mean and the distribution over the SKR
    groups as reported (A1 within "A1+A2"). A share of respondents is a count once the total is
    known, so it is given (else null) only where `response` (default: response_table) shows the
    group's respondents; the respondents' population figures only for at least `min_cell` respondents."""
    r = respondents(df)
    reported = reporting_groups(df, min_cell)
    response = response_table(df, min_cell) if response is None else response
    shown = {g for gr, g, sup in zip(response["grouping"], response["group"], response["suppressed"])
             if gr == "kommungrupp" and not sup}
    dist_all = reported.value_counts(normalize=True)
    dist_r = reported[r.index].value_counts(normalize=True)
    few = len(r) < min_cell  # the median of one respondent's population names the municipality
    return {
        "population_median": {"all": float(df["folkmangd"].median()),
                              "respondents": None if few else float(r["folkmangd"].median())},
        "population_mean": {"all": float(df["folkmangd"].mean()),
                            "respondents": None if few else float(r["folkmangd"].mean())},
        "group_share": {g: {"all": round(float(dist_all.get(g, 0)), 4),
                            "respondents": round(float(dist_r.get(g, 0)), 4) if g in shown else None}
                        for g in _ordered_levels(reported)},
    }


# --------------------------------------------------------------------------------------------
# The step's numbers (pure; runner.steps writes them)
# --------------------------------------------------------------------------------------------

def compute(df: pd.DataFrame, alpha: float = 0.05, min_cell: int = 5, codebook=None) -> dict[str, Any]:
    """All tables of the step from analysis.parquet (pure); labels and published shares from `codebook`
    (the wave's; default the 2019 codebook).

    A national item with fewer than `min_cell` valid answers is suppressed like any other cell; the
    non-response model is fitted only where it exists (analysis.compute.estimable); `not_estimable`
    lists why not (empty when it was fitted)."""
    problems = nonresponse_problems(df)
    return {
        "headline": suppress_items(headline_table(df, alpha, codebook), min_cell),
        "headline_by_group": headline_by_group(df, alpha, min_cell),
        "maturity_index": maturity_table(df, alpha, min_cell),
        "response": response_table(df, min_cell),
        "nonresponse_model": pd.DataFrame(columns=NONRESPONSE_COLUMNS) if problems else nonresponse_model(df, alpha),
        "not_estimable": {"nonresponse_model": problems} if problems else {},
    }


def summary(df: pd.DataFrame, tables: dict[str, pd.DataFrame], *, alpha: float, min_cell: int,
            synthetic: bool) -> dict[str, Any]:
    """describe_summary.json: the numbers the report needs beyond the tables (numbers only).

    A design weight N_h / n_h says n_h: it is given only for groups reported on their own whose
    respondents the response table shows (A1's and A2's would give back what "A1+A2" hides)."""
    resp = tables["response"].set_index(["grouping", "group"])
    w = design_weights(df)
    rate = resp.loc[("all", "all"), "rate"]
    shown = {g for (gr, g), sup in resp["suppressed"].items() if gr == "kommungrupp" and not sup}
    return {
        "step": "02_describe",
        "synthetic": bool(synthetic),
        "alpha": float(alpha),
        "min_cell": int(min_cell),
        "n_municipalities": int(len(df)),
        "n_respondents": int(resp.loc[("all", "all"), "respondents"]),
        "response_rate": None if pd.isna(rate) else float(rate),
        "weights": {str(g): float(v) for g, v in w.groupby(df[STRATA].astype(str)).first().items()
                    if str(g) in shown},
        "respondent_profile": respondent_profile(df, min_cell, tables["response"]),
        "not_estimable": tables.get("not_estimable", {}),
    }
