"""Change between two survey waves (05_compare): weighted shares, a panel-aware linearised SE, transitions.

Data in (two waves' analysis.parquet, the item map, the public record), numbers out; nothing formatted or written.

Design (the reference definition, R's survey package)
-----------------------------------------------------
The respondents of both waves are stacked, one row per (municipality, wave), and treated as ONE
stratified cluster sample: the municipality (kommunkod) is the primary sampling unit, so a
municipality answering in both waves is one cluster of two rows; strata are SKR's groups (kommungrupp,
the same in both waves), the finite population correction uses N_h (municipalities in the group),
and each row carries its wave's weight w = N_h / n_h,wave (n_h,wave = respondents of the group in that
wave, as in 02_describe). In R:

    d <- svydesign(ids = ~kommunkod, strata = ~kommungrupp, fpc = ~N_h, weights = ~w, nest = TRUE,
                   data = stacked)
    s <- svyby(~y, ~wave, subset(d, !is.na(y)), svymean, covmat = TRUE)
    svycontrast(s, c(-1, 1))                          # later wave minus earlier wave

For wave t the share is the domain mean p_t = sum w d_t y / N_t with N_t = sum w d_t (d_t: rows of
wave t with a valid answer). Its linearisation scores are z_t = w d_t (y - p_t) / N_t; the change
p_to - p_from has the row scores z_to - z_from. These are summed within each municipality (the
cluster), which is where the panel enters: a municipality in both waves contributes the DIFFERENCE
of its two scores, so a stable answer adds little variance. With Z_c the cluster totals,

    var = sum_h (1 - n_h / N_h) n_h / (n_h - 1) sum_{c in h} (Z_c - Zbar_h)^2

where n_h counts the clusters of stratum h in the stacked design (municipalities responding in at
least one wave; R keeps clusters without a valid answer, with zero scores, exactly as here). Note that
this FPC uses the union of both waves' respondents, so each wave's SE here is smaller than its
single-wave SE in 02_describe (whose FPC uses that wave's respondents only). A stratum with a single
cluster is handled as in analysis.compute.survey (lonely="adjust"; a certainty unit adds nothing).

Interval: change +/- t(1 - alpha/2, df) SE with df = clusters with a valid answer in either wave
minus their strata (R: confint(contrast, df = degf(subset(d, !is.na(y))))). The change, its SE and
interval are in percentage points (100 x the difference of the proportions).

CAUTION, measured: because n_h counts every municipality that answered in EITHER wave, the FPC of
the reference definition treats a municipality that answered only in 2019 as observed in 2023 too.
With 264 and 255 respondents of 290 the union is nearly the whole population, so most strata get an
FPC near 0 and the SE nearly vanishes. In a simulation that holds the synthetic population fixed and
redraws only the two response sets, the spread of the CISO change was 1.45 percentage points while
this SE averaged 0.32 (the 02-style SE of two independent waves, each with its own FPC, averaged
1.41). The table therefore also gives se_change_independent and its interval: sqrt(var_from +
var_to) with each wave's own FPC (the SEs of 02_describe), which ignores the panel's covariance.

Transitions: among municipalities with a valid answer in both waves (unweighted counts), kept_yes
(yes -> yes), lost (yes -> no), gained (no -> yes), kept_no (no -> no), with the exact McNemar test
of "as many gained as lost": p = min(1, 2 P(X <= min(gained, lost))), X ~ Bin(gained + lost, 1/2).
share_kept = kept_yes / (kept_yes + lost) and share_gained = gained / (gained + kept_no) estimate
P(yes later | yes earlier) and P(yes later | no earlier).

The public record (trend): each published figure with its interval - the exact (Clopper-Pearson)
binomial interval where counts were published, the rounding interval [x - 0.5, x + 0.5] / 10 where
only "x av 10" was published - beside the project's share of each wave with its Korn-Graubard
interval (analysis.compute.survey.estimate_share, as in 02_describe).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from . import survey
from ..base.codebook import BINARY_ITEMS, ItemMap
from .disclosure import suppress

STRATA = survey.STRATA
PSU = "kommunkod"

CHANGE_COLUMNS = ["item", "wave_from", "wave_to", "share_from", "share_to", "change", "se_change", "ci_low",
                  "ci_high", "n_from", "n_to", "n_both", "df", "se_change_independent", "ci_low_independent",
                  "ci_high_independent", "comparability"]
TRANSITION_COLUMNS = ["item", "wave_from", "wave_to", "n_both", "kept_yes", "lost", "gained", "kept_no",
                      "share_kept", "share_gained", "p_value", "comparability", "suppressed"]
TREND_COLUMNS = ["item", "wave", "kind", "publisher", "share", "ci_low", "ci_high", "interval", "numerator",
                 "denominator", "x_of_10", "comparability", "note", "source_url"]


# ------------------------------------------------------------------------------------- stacking
def _as_float(values) -> np.ndarray:
    """A yes/no column (nullable boolean) as floats: 1.0, 0.0, NaN for no valid answer."""
    return pd.Series(values).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _respondents(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["responded"].astype("boolean").fillna(False).astype(bool)]


def stack(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap) -> pd.DataFrame:
    """The respondents of both waves, one row per (municipality, wave), for the reference design.

    Columns: kommunkod, kommungrupp, N_h, w (the wave's N_h / n_h,wave), wave, and one float column
    per shared item named by its earlier-wave id (1 yes, 0 no, NaN no valid answer), taken from the
    earlier id in the earlier wave and the later id in the later one. Both frames must hold the same
    municipalities in the same strata (all 290 rows of analysis.parquet); ValueError otherwise.
    """
    for name, df in (("earlier", earlier), ("later", later)):
        if df[PSU].duplicated().any():
            raise ValueError(f"the {name} wave has duplicate {PSU} rows")
    a = earlier.set_index(PSU)[STRATA].astype(str)
    b = later.set_index(PSU)[STRATA].astype(str)
    if set(a.index) != set(b.index):
        raise ValueError(f"the waves cover different municipalities ({len(set(a.index) ^ set(b.index))} differ)")
    moved = a[a != b.reindex(a.index)]
    if len(moved):
        raise ValueError(f"{PSU} {moved.index[0]} is in stratum {moved.iloc[0]} in {item_map.wave_from} but "
                         f"{b[moved.index[0]]} in {item_map.wave_to}: the strata must be the same in both waves")
    N_h = survey.stratum_sizes(earlier, STRATA)
    parts = []
    for wave, df, side in ((item_map.wave_from, earlier, "from"), (item_map.wave_to, later, "to")):
        w = survey.design_weights(df, STRATA)
        r = _respondents(df)
        part = pd.DataFrame({PSU: r[PSU].astype(str).to_numpy(), STRATA: r[STRATA].astype(str).to_numpy(),
                             "N_h": r[STRATA].astype(str).map(N_h).to_numpy(dtype=float),
                             "w": w[r.index].to_numpy(dtype=float), "wave": int(wave)})
        for link in item_map.items:
            col = link.item_from if side == "from" else link.item_to
            part[link.item_from] = _as_float(r[col])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------- estimation
def linearised_change(y, wave, psu, strata, w, N_h: Mapping[str, float], wave_from: int, wave_to: int, *,
                      lonely: str = "adjust") -> dict[str, Any]:
    """The two waves' domain shares, their linearised covariance and the change, in the stacked design.

    y, wave, psu, strata, w are arrays over the stacked rows (every respondent of both waves); NaN in y
    is outside the domain. N_h maps stratum -> number of municipalities. Returns share_from, share_to,
    change (proportion scale), var_from, var_to, cov, var_change, se_change, n_from, n_to, n_both
    (clusters with a valid answer in both waves), n_psu, H, df (valid clusters minus their strata).
    """
    y = np.asarray(y, dtype=float)
    wave = np.asarray(wave)
    w = np.asarray(w, dtype=float)
    valid = ~np.isnan(y)
    psu_idx, psu_labels = pd.factorize(pd.Series(np.asarray(psu).astype(str)), sort=True)
    strata_s = pd.Series(np.asarray(strata).astype(str))
    psu_stratum = pd.Series(strata_s.to_numpy()).groupby(psu_idx).agg(lambda s: s.unique().tolist())
    if (psu_stratum.map(len) > 1).any():
        bad = psu_labels[int(psu_stratum.index[(psu_stratum.map(len) > 1)][0])]
        raise ValueError(f"cluster {bad} lies in more than one stratum (nest=TRUE needs one)")
    psu_h = psu_stratum.map(lambda v: v[0]).to_numpy()
    h_idx, h_labels = pd.factorize(pd.Series(psu_h), sort=True)
    n_psu = len(psu_labels)

    scores = np.zeros((len(y), 2))
    shares, counts = [], []
    for k, t in enumerate((wave_from, wave_to)):
        d = valid & (wave == t)
        counts.append(int(d.sum()))
        N_t = float(np.sum(w[d]))
        if N_t <= 0:
            shares.append(np.nan)
            continue
        p = float(np.sum(w[d] * y[d]) / N_t)
        shares.append(p)
        scores[d, k] = w[d] * (y[d] - p) / N_t
    out: dict[str, Any] = {"share_from": shares[0], "share_to": shares[1], "n_from": counts[0], "n_to": counts[1]}
    Z = np.column_stack([np.bincount(psu_idx, weights=scores[:, k], minlength=n_psu) for k in range(2)])
    n_h = np.bincount(h_idx, minlength=len(h_labels)).astype(float)
    try:
        N_arr = np.array([float(N_h[lab]) for lab in h_labels])
    except KeyError as exc:
        raise ValueError(f"no population size N_h for stratum {exc.args[0]!r}") from None
    if np.any(n_h > N_arr):
        raise ValueError("more clusters than municipalities in a stratum")
    f = 1.0 - n_h / N_arr
    V = np.zeros((2, 2))
    for h in range(len(h_labels)):
        Zh = Z[h_idx == h]
        if n_h[h] > 1:
            c = Zh - Zh.mean(axis=0)
            V += f[h] * n_h[h] / (n_h[h] - 1) * (c.T @ c)
        elif f[h] <= 1e-12:  # a certainty unit: no variance, as in R
            continue
        elif lonely == "adjust":  # centred at the grand mean of the cluster totals, which is 0
            V += f[h] * (Zh.T @ Zh)
        else:
            raise ValueError(f"stratum {h_labels[h]!r} has a single cluster (use lonely='adjust')")
    var_change = max(float(V[0, 0] + V[1, 1] - 2 * V[0, 1]), 0.0)
    # degrees of freedom of the domain design: clusters with a valid answer in either wave minus strata
    valid_psu = np.bincount(psu_idx, weights=valid.astype(float), minlength=n_psu) > 0
    in_from = np.bincount(psu_idx, weights=(valid & (wave == wave_from)).astype(float), minlength=n_psu) > 0
    in_to = np.bincount(psu_idx, weights=(valid & (wave == wave_to)).astype(float), minlength=n_psu) > 0
    both = in_from & in_to
    out.update(change=shares[1] - shares[0], var_from=float(V[0, 0]), var_to=float(V[1, 1]), cov=float(V[0, 1]),
               var_change=var_change, se_change=math.sqrt(var_change), n_both=int(both.sum()), n_psu=n_psu,
               H=len(h_labels), df=int(valid_psu.sum() - len(set(psu_h[valid_psu]))))
    return out


def change_table(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, alpha: float = 0.05) -> pd.DataFrame:
    """tables/change.csv: one row per shared item (item_map order); change, SE and interval in
    percentage points, shares as proportions, comparability from the item map."""
    st = stack(earlier, later, item_map)
    N_h = survey.stratum_sizes(earlier, STRATA)
    rows = []
    for link in item_map.items:
        e = linearised_change(st[link.item_from], st["wave"], st[PSU], st[STRATA], st["w"], N_h,
                              item_map.wave_from, item_map.wave_to)
        var_ind = 0.0
        for wave in (item_map.wave_from, item_map.wave_to):
            part = st[st["wave"] == wave]
            var_ind += survey.linearised_mean(part[link.item_from], part[STRATA], N_h)["var"]
        se_ind = math.sqrt(var_ind)
        lo = hi = lo_i = hi_i = np.nan
        if e["df"] >= 1 and not np.isnan(e["change"]):
            t = stats.t.ppf(1 - alpha / 2, e["df"])
            lo, hi = e["change"] - t * e["se_change"], e["change"] + t * e["se_change"]
            lo_i, hi_i = e["change"] - t * se_ind, e["change"] + t * se_ind
        rows.append({"item": link.item_from, "wave_from": item_map.wave_from, "wave_to": item_map.wave_to,
                     "share_from": e["share_from"], "share_to": e["share_to"], "change": 100 * e["change"],
                     "se_change": 100 * e["se_change"], "ci_low": 100 * lo, "ci_high": 100 * hi,
                     "n_from": e["n_from"], "n_to": e["n_to"], "n_both": e["n_both"], "df": e["df"],
                     "se_change_independent": 100 * se_ind, "ci_low_independent": 100 * lo_i,
                     "ci_high_independent": 100 * hi_i, "comparability": link.comparability})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


# ----------------------------------------------------------------------------------- transitions
def mcnemar_exact(gained: int, lost: int) -> float:
    """Two-sided exact McNemar p-value: the discordant pairs against Bin(gained + lost, 1/2)."""
    n = int(gained) + int(lost)
    if n == 0:
        return 1.0
    return float(min(1.0, 2.0 * stats.binom.cdf(min(int(gained), int(lost)), n, 0.5)))


def transitions_table(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, min_cell: int = 5) -> pd.DataFrame:
    """tables/transitions.csv: per shared item, the 2 x 2 table of the municipalities with a valid
    answer in both waves (unweighted), the transition shares and the exact McNemar p-value. An item
    with fewer than min_cell such municipalities is suppressed (counts, shares and p hidden)."""
    a = _respondents(earlier).set_index(PSU)
    b = _respondents(later).set_index(PSU)
    common = a.index.intersection(b.index)
    rows = []
    for link in item_map.items:
        x = _as_float(a.loc[common, link.item_from])
        y = _as_float(b.loc[common, link.item_to])
        ok = ~np.isnan(x) & ~np.isnan(y)
        x, y = x[ok], y[ok]
        kept_yes, lost = int(np.sum((x == 1) & (y == 1))), int(np.sum((x == 1) & (y == 0)))
        gained, kept_no = int(np.sum((x == 0) & (y == 1))), int(np.sum((x == 0) & (y == 0)))
        rows.append({"item": link.item_from, "wave_from": item_map.wave_from, "wave_to": item_map.wave_to,
                     "n_both": int(ok.sum()), "kept_yes": kept_yes, "lost": lost, "gained": gained,
                     "kept_no": kept_no,
                     "share_kept": kept_yes / (kept_yes + lost) if kept_yes + lost else np.nan,
                     "share_gained": gained / (gained + kept_no) if gained + kept_no else np.nan,
                     "p_value": mcnemar_exact(gained, lost), "comparability": link.comparability})
    out = suppress(pd.DataFrame(rows), "n_both", min_cell,
                   ["kept_yes", "lost", "gained", "kept_no", "share_kept", "share_gained", "p_value"])
    return out[TRANSITION_COLUMNS]


# --------------------------------------------------------------------------------- public record
def rounding_interval(share: float) -> tuple[float, float]:
    """The shares that round to a published "x av 10": [x - 0.5, x + 0.5] / 10, within [0, 1]."""
    x = round(float(share) * 10)
    return max(0.0, (x - 0.5) / 10), min(1.0, (x + 0.5) / 10)


def published_points(series: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The public record (reference.load_published_series) as trend points, one per published figure."""
    rows = []
    for _, r in series.iterrows():
        if r["share_is_rounded_to"] == "count":
            x, n = int(r["numerator"]), int(r["denominator"])
            share = x / n
            lo, hi = survey.clopper_pearson(x, n, alpha)
            interval, num, den, x10 = "clopper_pearson", x, n, None
        else:
            share = float(r["share"])
            lo, hi = rounding_interval(share)
            interval, num, den, x10 = "rounding", None, None, int(round(share * 10))
        rows.append({"item": r["item"], "wave": int(r["wave"]), "kind": "published", "publisher": r["publisher"],
                     "share": share, "ci_low": lo, "ci_high": hi, "interval": interval, "numerator": num,
                     "denominator": den, "x_of_10": x10, "comparability": r["comparability_class"],
                     "note": r["comparability"], "source_url": r["source_url"]})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def estimate_points(waves: Mapping[int, pd.DataFrame], item_map: ItemMap, *, synthetic: bool,
                    alpha: float = 0.05) -> pd.DataFrame:
    """The project's share of every shared item in each wave (Korn-Graubard intervals, as 02_describe).

    `waves` maps wave -> analysis.parquet; rows are marked "synthetic" or "survey". The later wave's
    rows carry the item map's comparability (same / wording_changed), the earlier wave's "same".
    """
    rows = []
    for wave, df in sorted(waves.items()):
        r = _respondents(df)
        N_h = survey.stratum_sizes(df, STRATA)
        for link in item_map.items:
            col = link.item_from if wave == item_map.wave_from else link.item_to
            e = survey.estimate_share(r[col], r[STRATA], N_h, alpha=alpha)
            rows.append({"item": link.item_from, "wave": int(wave), "kind": "synthetic" if synthetic else "survey",
                         "publisher": None, "share": e["share_weighted"], "ci_low": e["ci_low"],
                         "ci_high": e["ci_high"], "interval": e["ci_method"], "numerator": None,
                         "denominator": None, "x_of_10": survey.x_of_10(e["share_weighted"]),
                         "comparability": "same" if wave == item_map.wave_from else link.comparability,
                         "note": None, "source_url": None})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def trend_table(series: pd.DataFrame, waves: Mapping[int, pd.DataFrame], item_map: ItemMap, *, synthetic: bool,
                alpha: float = 0.05) -> pd.DataFrame:
    """tables/trend.csv: the public record and the project's estimates, ordered by item then wave
    (the items of BINARY_ITEMS first, other published items after, alphabetically), published first."""
    t = pd.concat([published_points(series, alpha), estimate_points(waves, item_map, synthetic=synthetic, alpha=alpha)],
                  ignore_index=True)
    order = {k: i for i, k in enumerate(BINARY_ITEMS)}
    t["_o"] = t["item"].map(lambda i: (order.get(i, len(order)), i))
    t["_k"] = (t["kind"] != "published").astype(int)
    return t.sort_values(["_o", "wave", "_k"], kind="stable").drop(columns=["_o", "_k"]).reset_index(drop=True)


def compute(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, series: pd.DataFrame, *,
            synthetic: bool, alpha: float = 0.05, min_cell: int = 5) -> dict[str, pd.DataFrame]:
    """All tables of 05_compare (pure)."""
    return {
        "change": change_table(earlier, later, item_map, alpha),
        "transitions": transitions_table(earlier, later, item_map, min_cell),
        "trend": trend_table(series, {item_map.wave_from: earlier, item_map.wave_to: later}, item_map,
                             synthetic=synthetic, alpha=alpha),
    }
