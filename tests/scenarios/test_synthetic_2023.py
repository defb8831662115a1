"""The synthetic 2023 wave through export and cleaning, over many seeds (simulation: seconds each): the
panel's transitions and the published CISO share are recovered. The generator's own tests: tests/synthetic/."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.base.codebook import BINARY_ITEMS
from analysis.base.waves import codebook_for, item_map
from analysis.compute import clean, compare
from analysis.synthetic import generator

SEED = 2019


@pytest.fixture
def series(published_series):
    """The public record as loaded (conftest.published_series)."""
    return published_series


def _clean(register, wave, seed, series):
    raw, truth = generator.generate(register, seed=seed, wave=wave, published_series=series)
    res = clean.clean(raw, register, codebook_for(wave), f"synthetic_{wave}.csv")
    return res.analysis, truth


def test_panel_transitions_recover_the_generator_truth(register, series):
    """Through export and cleaning: the share kept and the share gained among municipalities answering
    in both waves, averaged over seeds, equal P(kept) and P(gained) within Monte Carlo error."""
    seeds = range(100, 110)
    kept, gained, truth = {i: [] for i in BINARY_ITEMS}, {i: [] for i in BINARY_ITEMS}, None
    m = item_map(2019, 2023)
    for seed in seeds:
        a19, _ = _clean(register, 2019, seed, series)
        a23, truth = _clean(register, 2023, seed, series)
        t = compare.transitions_table(a19, a23, m).set_index("item")
        for i in BINARY_ITEMS:
            kept[i].append(float(t.loc[i, "share_kept"]))
            gained[i].append(float(t.loc[i, "share_gained"]))
    for i in BINARY_ITEMS:
        for est, key in ((kept[i], "p_kept"), (gained[i], "p_gained")):
            mean, se = np.mean(est), np.std(est, ddof=1) / np.sqrt(len(est))
            assert abs(mean - truth["transitions"][i][key]) <= 4 * se + 1e-9, (i, key, mean, se,
                                                                              truth["transitions"][i][key])


def test_realised_2023_ciso_share_is_near_the_published_share(register, series):
    shares = []
    for seed in range(SEED, SEED + 8):
        raw, truth = generator.generate(register, seed=seed, wave=2023, published_series=series)
        res = clean.clean(raw, register, codebook_for(2023), "synthetic.csv")
        r = res.analysis[res.analysis["responded"]]
        shares.append(float(r["ciso"].dropna().mean()))
    assert abs(np.mean(shares) - truth["published_shares"]["ciso"]) <= 0.02, shares
