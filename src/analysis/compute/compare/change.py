"""The change between two waves (tables/change.csv): both waves' respondents stacked, the weighted
shares, and the panel-aware linearised SE of their difference (and the SE of independent waves).

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
cluster is handled as in analysis.compute.survey.shares (lonely="adjust"; a certainty unit adds nothing).

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
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...base import contracts
from ...base.waves import ItemMap
from ..design import STRATA, as_float, design_weights, respondents, stratum_sizes
from ..survey.shares import linearised_mean

PSU = "kommunkod"  # the cluster of the stacked design: a municipality answering in both waves
CHANGE_COLUMNS = contracts.columns("change", without=("data_source",))


# ------------------------------------------------------------------------------------- stacking
def _check_same_frame(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap) -> None:
    """ValueError unless both waves hold the same municipalities, once each, in the same strata."""
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


def stack(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap) -> pd.DataFrame:
    """The respondents of both waves, one row per (municipality, wave), for the reference design.

    Columns: kommunkod, kommungrupp, N_h, w (the wave's N_h / n_h,wave), wave, and one float column
    per shared item named by its earlier-wave id (1 yes, 0 no, NaN no valid answer), taken from the
    earlier id in the earlier wave and the later id in the later one. Both frames must hold the same
    municipalities in the same strata (all 290 rows of analysis.parquet); ValueError otherwise.
    """
    _check_same_frame(earlier, later, item_map)
    N_h = stratum_sizes(earlier, STRATA)
    parts = []
    for wave, df, side in ((item_map.wave_from, earlier, "from"), (item_map.wave_to, later, "to")):
        w = design_weights(df, STRATA)
        r = respondents(df)
        part = pd.DataFrame({PSU: r[PSU].astype(str).to_numpy(), STRATA: r[STRATA].astype(str).to_numpy(),
                             "N_h": r[STRATA].astype(str).map(N_h).to_numpy(dtype=float),
                             "w": w[r.index].to_numpy(dtype=float), "wave": int(wave)})
        for link in item_map.items:
            col = link.item_from if side == "from" else link.item_to
            part[link.item_from] = as_float(r[col])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------- estimation
def _clusters(psu, strata) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """(cluster index per row, stratum of each cluster, stratum index per cluster, stratum labels);
    ValueError when a cluster lies in two strata."""
    psu_idx, psu_labels = pd.factorize(pd.Series(np.asarray(psu).astype(str)), sort=True)
    strata_s = pd.Series(np.asarray(strata).astype(str))
    psu_stratum = pd.Series(strata_s.to_numpy()).groupby(psu_idx).agg(lambda s: s.unique().tolist())
    if (psu_stratum.map(len) > 1).any():
        bad = psu_labels[int(psu_stratum.index[(psu_stratum.map(len) > 1)][0])]
        raise ValueError(f"cluster {bad} lies in more than one stratum (nest=TRUE needs one)")
    psu_h = psu_stratum.map(lambda v: v[0]).to_numpy()
    h_idx, h_labels = pd.factorize(pd.Series(psu_h), sort=True)
    return psu_idx, psu_h, h_idx, h_labels


def _wave_scores(y, wave, w, valid, waves: tuple[int, int]) -> tuple[np.ndarray, list[float], list[int]]:
    """The linearisation scores of each wave's share (one column a wave), the shares, the valid counts."""
    scores = np.zeros((len(y), 2))
    shares, counts = [], []
    for k, t in enumerate(waves):
        d = valid & (wave == t)
        counts.append(int(d.sum()))
        N_t = float(np.sum(w[d]))
        if N_t <= 0:
            shares.append(np.nan)
            continue
        p = float(np.sum(w[d] * y[d]) / N_t)
        shares.append(p)
        scores[d, k] = w[d] * (y[d] - p) / N_t
    return scores, shares, counts


def _covariance(Z: np.ndarray, h_idx: np.ndarray, h_labels, N_h: Mapping[str, float], lonely: str) -> np.ndarray:
    """The 2 x 2 design covariance of the cluster totals Z (one row a cluster) in stratified sampling
    with the FPC of N_h (single-cluster strata as in the module docstring)."""
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
    return V


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
    psu_idx, psu_h, h_idx, h_labels = _clusters(psu, strata)
    n_psu = len(psu_h)
    scores, shares, counts = _wave_scores(y, wave, w, valid, (wave_from, wave_to))
    Z = np.column_stack([np.bincount(psu_idx, weights=scores[:, k], minlength=n_psu) for k in range(2)])
    V = _covariance(Z, h_idx, h_labels, N_h, lonely)
    var_change = max(float(V[0, 0] + V[1, 1] - 2 * V[0, 1]), 0.0)

    def has_valid(rows: np.ndarray) -> np.ndarray:  # per cluster: a row with a valid answer among `rows`
        return np.bincount(psu_idx, weights=rows.astype(float), minlength=n_psu) > 0

    # degrees of freedom of the domain design: clusters with a valid answer in either wave minus strata
    valid_psu = has_valid(valid)
    both = has_valid(valid & (wave == wave_from)) & has_valid(valid & (wave == wave_to))
    return {"share_from": shares[0], "share_to": shares[1], "n_from": counts[0], "n_to": counts[1],
            "change": shares[1] - shares[0], "var_from": float(V[0, 0]), "var_to": float(V[1, 1]),
            "cov": float(V[0, 1]), "var_change": var_change, "se_change": math.sqrt(var_change),
            "n_both": int(both.sum()), "n_psu": n_psu, "H": len(h_labels),
            "df": int(valid_psu.sum() - len(set(psu_h[valid_psu])))}


def _change_row(link, st: pd.DataFrame, N_h: Mapping[str, int], item_map: ItemMap, alpha: float) -> dict[str, Any]:
    """One row of change.csv: the stacked design's change and SE, and the SE of independent waves."""
    e = linearised_change(st[link.item_from], st["wave"], st[PSU], st[STRATA], st["w"], N_h,
                          item_map.wave_from, item_map.wave_to)
    var_ind = 0.0
    for wave in (item_map.wave_from, item_map.wave_to):
        part = st[st["wave"] == wave]
        var_ind += linearised_mean(part[link.item_from], part[STRATA], N_h)["var"]
    se_ind = math.sqrt(var_ind)
    lo = hi = lo_i = hi_i = np.nan
    if e["df"] >= 1 and not np.isnan(e["change"]):
        t = stats.t.ppf(1 - alpha / 2, e["df"])
        lo, hi = e["change"] - t * e["se_change"], e["change"] + t * e["se_change"]
        lo_i, hi_i = e["change"] - t * se_ind, e["change"] + t * se_ind
    return {"item": link.item_from, "wave_from": item_map.wave_from, "wave_to": item_map.wave_to,
            "share_from": e["share_from"], "share_to": e["share_to"], "change": 100 * e["change"],
            "se_change": 100 * e["se_change"], "ci_low": 100 * lo, "ci_high": 100 * hi,
            "n_from": e["n_from"], "n_to": e["n_to"], "n_both": e["n_both"], "df": e["df"],
            "se_change_independent": 100 * se_ind, "ci_low_independent": 100 * lo_i,
            "ci_high_independent": 100 * hi_i, "comparability": link.comparability}


def change_table(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, alpha: float = 0.05) -> pd.DataFrame:
    """tables/change.csv: one row per shared item (item_map order); change, SE and interval in
    percentage points, shares as proportions, comparability from the item map."""
    st = stack(earlier, later, item_map)
    N_h = stratum_sizes(earlier, STRATA)
    rows = [_change_row(link, st, N_h, item_map, alpha) for link in item_map.items]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
