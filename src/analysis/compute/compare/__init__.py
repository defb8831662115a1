"""Change between two survey waves (05_compare): weighted shares, a panel-aware linearised SE,
transitions and the public record.

Data in (two waves' analysis.parquet, the item map, the public record), numbers out; nothing
formatted or written.

The package, one job a module:
  change       the stacked design of both waves and the change of each shared item (change.csv)
  transitions  the 2 x 2 table of municipalities answering in both waves, McNemar (transitions.csv)
  trend        the public record beside the project's estimates of each wave (trend.csv)

This module is a facade: it re-exports the modules' public names and assembles the step's tables
(`compute`), so that callers keep `from analysis.compute import compare; compare.compute(...)`.
"""

from __future__ import annotations

import pandas as pd

from ...base.waves import ItemMap
from .change import CHANGE_COLUMNS, PSU, change_table, linearised_change, stack
from .transitions import TRANSITION_COLUMNS, mcnemar_exact, transition_counts, transitions_table
from .trend import TREND_COLUMNS, estimate_points, published_points, rounding_interval, trend_table

__all__ = [
    "CHANGE_COLUMNS", "PSU", "TRANSITION_COLUMNS", "TREND_COLUMNS", "change_table", "compute", "estimate_points",
    "linearised_change", "mcnemar_exact", "published_points", "rounding_interval", "stack", "transition_counts",
    "transitions_table", "trend_table",
]


def compute(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, series: pd.DataFrame, *,
            synthetic: bool, alpha: float = 0.05, min_cell: int = 5) -> dict[str, pd.DataFrame]:
    """All tables of 05_compare (pure)."""
    return {
        "change": change_table(earlier, later, item_map, alpha),
        "transitions": transitions_table(earlier, later, item_map, min_cell),
        "trend": trend_table(series, {item_map.wave_from: earlier, item_map.wave_to: later}, item_map,
                             synthetic=synthetic, alpha=alpha),
    }
