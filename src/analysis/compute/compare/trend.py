"""The public record beside the project's estimates (tables/trend.csv): each published figure with its
interval, and the project's share of every shared item in each wave.

Each published figure with its interval - the exact (Clopper-Pearson)
binomial interval where counts were published, the rounding interval [x - 0.5, x + 0.5] / 10 where
only "x av 10" was published - beside the project's share of each wave with its Korn-Graubard
interval (analysis.compute.survey.shares.estimate_share, as in 02_describe).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...base import contracts
from ...base.codebook import BINARY_ITEMS
from ...base.waves import ItemMap
from ..design import STRATA, respondents, stratum_sizes
from ..survey.shares import clopper_pearson, estimate_share, x_of_10

TREND_COLUMNS = contracts.columns("trend", without=("data_source",))


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
            lo, hi = clopper_pearson(x, n, alpha)
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
        r = respondents(df)
        N_h = stratum_sizes(df, STRATA)
        for link in item_map.items:
            col = link.item_from if wave == item_map.wave_from else link.item_to
            e = estimate_share(r[col], r[STRATA], N_h, alpha=alpha)
            rows.append({"item": link.item_from, "wave": int(wave), "kind": "synthetic" if synthetic else "survey",
                         "publisher": None, "share": e["share_weighted"], "ci_low": e["ci_low"],
                         "ci_high": e["ci_high"], "interval": e["ci_method"], "numerator": None,
                         "denominator": None, "x_of_10": x_of_10(e["share_weighted"]),
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
