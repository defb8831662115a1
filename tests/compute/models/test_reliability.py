"""compute.models.reliability: KR-20 by hand (and as Cronbach's alpha), a seeded bootstrap, Feldt's
interval, and the table's two codings over the respondents who answered every outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.compute.models import reliability
from analysis.compute.models.specs import OUTCOMES


def test_kr20_by_hand():
    items = np.array([[1, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 1]])
    k = 4
    p = items.mean(axis=0)
    total = items.sum(axis=1)
    hand = k / (k - 1) * (1 - (p * (1 - p)).sum() / total.var())
    assert reliability.kr20(items) == pytest.approx(hand)
    cronbach = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert reliability.kr20(items) == pytest.approx(cronbach)
    t1 = reliability.kr20_intervals(items, seed=1, n_boot=200)
    t2 = reliability.kr20_intervals(items, seed=1, n_boot=200)
    pd.testing.assert_frame_equal(t1, t2)
    feldt = t1[t1["ci_method"] == "feldt_f"].iloc[0]
    assert feldt["ci_low"] < hand < feldt["ci_high"]


def test_feldt_limits_by_formula():
    rng = np.random.default_rng(3)
    items = (rng.random((60, 5)) < 0.3 + 0.4 * rng.random((60, 1))).astype(float)
    est = reliability.kr20(items)
    t = reliability.kr20_intervals(items, alpha=0.10, n_boot=50).set_index("ci_method")
    d1, d2 = 59, 59 * 4
    assert t.loc["feldt_f", "ci_low"] == pytest.approx(1 - (1 - est) * stats.f.ppf(0.95, d1, d2))
    assert t.loc["feldt_f", "ci_high"] == pytest.approx(1 - (1 - est) * stats.f.ppf(0.05, d1, d2))
    assert t.loc["bootstrap_percentile", "n_boot"] == 50 and pd.isna(t.loc["feldt_f", "n_boot"])


def test_table_has_both_codings_over_complete_respondents(analysis_frame):
    a = analysis_frame(seed=7)
    t = reliability.reliability_table(a, seed=3)
    assert list(t["coding"]) == ["main", "main", "cut_partly", "cut_partly"]
    r = a[a["responded"]]
    n_main = int(r[list(OUTCOMES)].notna().all(axis=1).sum())
    assert (t.loc[t["coding"] == "main", "n"] == n_main).all() and (t["k"] == len(OUTCOMES)).all()
    main_items = r[list(OUTCOMES)].dropna().astype(float).to_numpy()
    assert t.loc[0, "estimate"] == pytest.approx(reliability.kr20(main_items))
