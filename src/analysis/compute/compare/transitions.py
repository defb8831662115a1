"""Transitions between two waves (tables/transitions.csv): the 2 x 2 table of the municipalities with a
valid answer in both waves, the transition shares and the exact McNemar test.

Among municipalities with a valid answer in both waves (unweighted counts), kept_yes
(yes -> yes), lost (yes -> no), gained (no -> yes), kept_no (no -> no), with the exact McNemar test
of "as many gained as lost": p = min(1, 2 P(X <= min(gained, lost))), X ~ Bin(gained + lost, 1/2).
share_kept = kept_yes / (kept_yes + lost) and share_gained = gained / (gained + kept_no) estimate
P(yes later | yes earlier) and P(yes later | no earlier).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...base import contracts
from ...base.waves import ItemMap
from ..design import as_float, respondents
from ..disclosure import suppress
from .change import PSU

TRANSITION_COLUMNS = contracts.columns("transitions", without=("data_source",))
COUNTS = ["kept_yes", "lost", "gained", "kept_no", "share_kept", "share_gained", "p_value"]  # hidden when suppressed


def mcnemar_exact(gained: int, lost: int) -> float:
    """Two-sided exact McNemar p-value: the discordant pairs against Bin(gained + lost, 1/2)."""
    n = int(gained) + int(lost)
    if n == 0:
        return 1.0
    return float(min(1.0, 2.0 * stats.binom.cdf(min(int(gained), int(lost)), n, 0.5)))


def transition_counts(x: np.ndarray, y: np.ndarray) -> dict[str, int]:
    """kept_yes, lost, gained and kept_no of paired 0/1 answers x (earlier) and y (later), NaN-free."""
    return {"kept_yes": int(np.sum((x == 1) & (y == 1))), "lost": int(np.sum((x == 1) & (y == 0))),
            "gained": int(np.sum((x == 0) & (y == 1))), "kept_no": int(np.sum((x == 0) & (y == 0)))}


def transitions_table(earlier: pd.DataFrame, later: pd.DataFrame, item_map: ItemMap, min_cell: int = 5) -> pd.DataFrame:
    """tables/transitions.csv: per shared item, the 2 x 2 table of the municipalities with a valid
    answer in both waves (unweighted), the transition shares and the exact McNemar p-value. An item
    with fewer than min_cell such municipalities is suppressed (counts, shares and p hidden)."""
    a = respondents(earlier).set_index(PSU)
    b = respondents(later).set_index(PSU)
    common = a.index.intersection(b.index)
    rows = []
    for link in item_map.items:
        x = as_float(a.loc[common, link.item_from])
        y = as_float(b.loc[common, link.item_to])
        ok = ~np.isnan(x) & ~np.isnan(y)
        c = transition_counts(x[ok], y[ok])
        kept_yes, lost, gained, kept_no = c["kept_yes"], c["lost"], c["gained"], c["kept_no"]
        rows.append({"item": link.item_from, "wave_from": item_map.wave_from, "wave_to": item_map.wave_to,
                     "n_both": int(ok.sum()), **c,
                     "share_kept": kept_yes / (kept_yes + lost) if kept_yes + lost else np.nan,
                     "share_gained": gained / (gained + kept_no) if gained + kept_no else np.nan,
                     "p_value": mcnemar_exact(gained, lost), "comparability": link.comparability})
    out = suppress(pd.DataFrame(rows), "n_both", min_cell, COUNTS)
    return out[TRANSITION_COLUMNS]
