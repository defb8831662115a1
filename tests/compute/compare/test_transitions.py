"""analysis.compute.compare.transitions: the exact McNemar test against scipy's binomial test, and
the 2 x 2 table counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.base.waves import ItemLink, ItemMap
from analysis.compute.compare import transitions


# ------------------------------------------------------------------------------ transitions
@pytest.mark.parametrize("gained, lost", [(25, 4), (0, 0), (3, 3), (0, 7), (14, 2)])
def test_mcnemar_exact_equals_the_binomial_test(gained, lost):
    expected = 1.0 if gained + lost == 0 else stats.binomtest(gained, gained + lost, 0.5).pvalue
    assert transitions.mcnemar_exact(gained, lost) == pytest.approx(expected, abs=1e-14)


def test_transitions_count_the_two_by_two_table():
    def frame(codes, answers):  # every listed municipality responded; None = no valid answer
        return pd.DataFrame({"kommunkod": codes, "responded": True, "ciso": pd.array(answers, dtype="boolean")})

    a = frame(["1", "2", "3", "4", "5", "6", "7"], [True, True, False, False, None, True, False])
    b = frame(["1", "2", "3", "4", "5", "6", "8"], [True, False, True, False, True, None, True])
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso", "same"),))
    t = transitions.transitions_table(a, b, m, min_cell=1).iloc[0]
    assert (t["n_both"], t["kept_yes"], t["lost"], t["gained"], t["kept_no"]) == (4, 1, 1, 1, 1)
    assert t["share_kept"] == 0.5 and t["share_gained"] == 0.5 and t["p_value"] == 1.0 and not t["suppressed"]
    hidden = transitions.transitions_table(a, b, m, min_cell=5).iloc[0]
    assert hidden["suppressed"] and pd.isna(hidden["kept_yes"]) and pd.isna(hidden["p_value"])


def test_transition_counts_by_hand():
    x = np.array([1, 1, 1, 0, 0, 0, 0])
    y = np.array([1, 1, 0, 1, 0, 0, 0])
    assert transitions.transition_counts(x, y) == {"kept_yes": 2, "lost": 1, "gained": 1, "kept_no": 3}
    assert list(transitions.TRANSITION_COLUMNS[:4]) == ["item", "wave_from", "wave_to", "n_both"]
