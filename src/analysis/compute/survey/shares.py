"""Design-based shares and means of one survey wave: the linearised domain mean, the Korn-Graubard and
Clopper-Pearson intervals of a share, the t interval of a mean, worst-case bounds and SKR's "x av 10".

Estimates of a share (or a mean) are DOMAIN estimates among respondents with a valid answer
("Vet ej", blank and non-response excluded), in the stratified design of analysis.compute.design
(weights w_h = N_h / n_h, finite population correction f_h = 1 - n_h / N_h):

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
that gave a valid answer, not a sample estimate. Shares and means then get the same treatment: se = 0,
a zero-width interval [estimate, estimate] and ci_method "census"; the report says that such an
interval has no sampling error and ignores item non-response (the bounds show that). A binomial or t
interval would be the wrong answer here: it would describe a superpopulation, not the 290
municipalities every other interval in these tables describes, and it would give the best-observed
group the widest interval. Domains that mix census and sampled strata get the usual interval; their
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
against hand-computed cases (tests/compute/survey/test_shares.py) and against R's survey package
(tests/scenarios/test_r_reference.py: svyciprop(method="beta") for the ten shares and the by-group tables,
svymean with confint(df = degf) for the maturity index; values frozen in tests/fixtures/ and,
where Rscript exists, recomputed live). docs/validation.md records an earlier cross-check with
samplics and svy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...base import contracts
from ...base.codebook import HEADLINE_ITEMS, default_codebook
from ..design import STRATA, as_float, respondents, stratum_sizes

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

HEADLINE_COLUMNS = contracts.columns("headline", without=("suppressed", "data_source"))
# the columns of headline.csv that estimate_share gives
SHARE_COLUMNS = ("n_eligible", "n_yes", "share_unweighted", "share_weighted", "se", "ci_low", "ci_high", "ci_method")


def in_domain(y: np.ndarray, domain=None) -> np.ndarray:
    """Which elements of the float answers `y` are in the domain: a valid answer, and in `domain`
    (a boolean mask; NA counts as outside) when one is given."""
    d = ~np.isnan(y)
    if domain is not None:
        d &= np.asarray(pd.Series(domain).astype("boolean").fillna(False), dtype=bool)
    return d


def _stratum_variance(f, n_h, ss_within, ss_raw, labels, N_arr, lonely: str) -> float:
    """sum_h of each stratum's contribution to the variance (module docstring, lonely PSU rule)."""
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
    return max(var, 0.0)


def _strata(strata, N_h: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(stratum index per element, labels, n_h, N_h) of the elements' strata; ValueError when N_h lacks a
    stratum or is smaller than its respondents."""
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
    return inv, labels, n_h, N_arr


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
    d = in_domain(y, domain)
    inv, labels, n_h, N_arr = _strata(strata, N_h)
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
    var = _stratum_variance(f, n_h, ss_within, ss_raw, labels, N_arr, lonely)
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
    d = in_domain(yv, domain)
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


def headline_table(df: pd.DataFrame, alpha: float = 0.05, codebook=None, strata: str = STRATA) -> pd.DataFrame:
    """tables/headline.csv from analysis.parquet (all 290 rows): one row per headline item (not yet
    suppressed: analysis.compute.disclosure.suppress_items does that)."""
    cb = codebook or default_codebook()
    N_h, N = stratum_sizes(df, strata), len(df)
    r = respondents(df)
    rows = []
    for item in HEADLINE_ITEMS:
        h = cb[item].headline
        e = estimate_share(r[item], r[strata], N_h, alpha=alpha)
        lo_b, hi_b = bounds(e["n_yes"], e["n_eligible"], N)
        rows.append({"item": item, "label_sv": h.label_sv, "label_en": h.label_en,
                     **{k: e[k] for k in SHARE_COLUMNS},
                     "bound_low": lo_b, "bound_high": hi_b, "x_of_10": x_of_10(e["share_weighted"]),
                     "published_share": h.published_share, "published_x_of_10": x_of_10(h.published_share)})
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
