"""The 2023 wave as a panel on the 2019 frame: its targets (the published CISO share from the public
record, assumed shares otherwise), its response, and each answer drawn given the 2019 answer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base.codebook import BINARY_ITEMS, default_codebook
from ..base.reference import published_share
from .answers import area_codes, governance_codes, rating_and_share
from .municipalities import balanced_bernoulli, draw_response, respondents_first
from .parameters import AREAS, ASSUMED_SHARES_2023, PERSISTENCE_2023, PUBLISHED_ITEMS_2023, RESPONSE_2023


def targets_2023(published_series: pd.DataFrame | None, wave: int) -> dict[str, float]:
    """The wave's target shares: ASSUMED_SHARES_2023, and PUBLISHED_ITEMS_2023 from the public record."""
    if published_series is None:
        raise ValueError(f"the {wave} wave is calibrated to the public record: pass published_series "
                         "(reference.load_published_series)")
    targets = dict(ASSUMED_SHARES_2023)
    for item in PUBLISHED_ITEMS_2023:
        share = published_share(published_series, wave, item)
        if share is None:
            raise ValueError(f"published_series has no {wave} figure for {item}")
        targets[item] = share
    return targets


def yes_2019(codes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The 2019 frame's yes/no answer per item (codes as drawn in municipality_truth): the codebook's
    yes-codes of a headline item, code 1 ("Ja") of the other yes/no items."""
    cb = default_codebook()
    out = {}
    for k in BINARY_ITEMS:
        yes = cb[k].headline.yes_codes if cb[k].headline else (1,)
        out[k] = np.isin(codes[k], yes).astype(np.int8)
    return out


def panel_truth(register: pd.DataFrame, cal23: dict, mt19: dict, rng: np.random.Generator) -> dict:
    """2023 response and answers per municipality, each answer drawn given the 2019 answer (frame level)."""
    n = len(register)
    z = mt19["z"]
    responded = draw_response(cal23["q"], RESPONSE_2023["n_respondents"], rng)
    yes19 = yes_2019(mt19["codes"])
    yes23 = {}
    for k in BINARY_ITEMS:
        p = np.where(yes19[k] == 1, PERSISTENCE_2023[k], cal23["gain"][k])
        yes23[k] = balanced_bernoulli(p, respondents_first(responded, rng), rng)
    codes = governance_codes(yes23, rng)
    established = np.zeros(n, dtype=int)
    for j in AREAS:
        established += yes23[j]
        codes[j] = area_codes(yes23[j], rng)
    self_rating, share_idx = rating_and_share(established, yes23, z, rng)
    return {"responded": responded, "codes": codes, "self_rating": self_rating,
            "ciso_share_idx": share_idx, "z": z, "yes_2019": yes19, "yes_2023": yes23,
            "responded_2019": mt19["responded"]}
