"""analysis.compute.compare.change: the change between waves and its panel-aware SE worked by hand on
a tiny design, the panel's effect on the variance, and the stack refusing waves that do not match.
(tests/scenarios/test_r_change.py checks the same estimator against R.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.base.waves import ItemLink, ItemMap
from analysis.compute.compare import change

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# A tiny design worked by hand (tests/fixtures/change_tiny.csv).
# Stratum A: N = 4, municipalities a1 a2 a3; stratum B: N = 3, b1 b2.
#   wave 1: a1 = 1, a2 = 0, b1 = 1, b2 = 0  ->  w = 4/2 (A), 3/2 (B); p1 = 3.5 / 7 = 1/2
#   wave 2: a1 = 1, a3 = 0, b1 = 1          ->  w = 4/2 (A), 3/1 (B); p2 = 5 / 7
# Scores z = w (y - p) / 7; cluster totals Z = z2 - z1 (in 49ths): a1 -3, a2 7, a3 -10, b1 0.75, b2 5.25.
# A: mean -2, squares 1 + 81 + 64 = 146, (1 - 3/4) 3/2 146 = 54.75; B: mean 3, squares 2 x 2.25^2 = 10.125,
# (1 - 2/3) 2/1 10.125 = 6.75; var = (54.75 + 6.75) / 49^2 = 61.5 / 2401.
TINY = pd.read_csv(FIXTURES / "change_tiny.csv", dtype={"kommunkod": str, "kommungrupp": str})


def test_change_equals_a_hand_computation():
    e = change.linearised_change(TINY["y"], TINY["wave"], TINY["kommunkod"], TINY["kommungrupp"], TINY["w"],
                                  {"A": 4, "B": 3}, 1, 2)
    assert e["share_from"] == pytest.approx(0.5, abs=1e-15)
    assert e["share_to"] == pytest.approx(5 / 7, abs=1e-15)
    assert e["change"] == pytest.approx(float(Fraction(5, 7) - Fraction(1, 2)), abs=1e-15)
    assert e["var_change"] == pytest.approx(61.5 / 2401, abs=1e-15)
    assert (e["n_from"], e["n_to"], e["n_both"], e["n_psu"], e["H"], e["df"]) == (4, 3, 2, 5, 2, 3)
    # a municipality outside the domain (no valid answer) still counts as a cluster of its stratum
    with_na = pd.concat([TINY, pd.DataFrame({"kommunkod": ["b3"], "kommungrupp": ["B"], "N_h": [3], "w": [3.0],
                                              "wave": [2], "y": [np.nan]})], ignore_index=True)
    e2 = change.linearised_change(with_na["y"], with_na["wave"], with_na["kommunkod"], with_na["kommungrupp"],
                                   with_na["w"], {"A": 4, "B": 3}, 1, 2)
    assert e2["n_psu"] == 6 and e2["df"] == 3 and e2["change"] == pytest.approx(e["change"])
    # B is now a census (3 of 3): only A contributes, with its own scores
    assert e2["var_change"] == pytest.approx(54.75 / 2401, abs=1e-15)


def test_the_panel_lowers_the_variance_of_a_stable_answer():
    """Same answers in both waves from the same municipalities: the change is 0 with variance 0; the
    same shares from two different sets of municipalities have a positive variance."""
    st = pd.DataFrame({"kommunkod": ["a1", "a2", "b1", "b2"] * 2, "kommungrupp": ["A", "A", "B", "B"] * 2,
                       "w": [2, 2, 1.5, 1.5] * 2, "wave": [1] * 4 + [2] * 4, "y": [1, 0, 1, 0] * 2})
    e = change.linearised_change(st["y"], st["wave"], st["kommunkod"], st["kommungrupp"], st["w"], {"A": 6, "B": 5},
                                 1, 2)
    assert e["change"] == 0 and e["var_change"] == pytest.approx(0, abs=1e-18)
    other = st.assign(kommunkod=["a1", "a2", "b1", "b2", "a3", "a4", "b3", "b4"])
    e2 = change.linearised_change(other["y"], other["wave"], other["kommunkod"], other["kommungrupp"], other["w"],
                                   {"A": 6, "B": 5}, 1, 2)
    assert e2["change"] == 0 and e2["var_change"] > 1e-3


def test_stack_refuses_a_municipality_that_changed_stratum(register):
    a = register.assign(responded=True, ciso=pd.array([True] * len(register), dtype="boolean"))
    b = a.copy()
    b["kommungrupp"] = b["kommungrupp"].astype(str)
    b.loc[0, "kommungrupp"] = "C9"
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso", "same"),))
    with pytest.raises(ValueError, match=f"{register.loc[0, 'kommunkod']} is in stratum"):
        change.stack(a, b, m)


def _wave(responded, answers, item="ciso"):
    return pd.DataFrame({"kommunkod": ["1", "2", "3", "4"], "kommungrupp": ["A", "A", "A", "B"],
                         "responded": responded, item: pd.array(answers, dtype="boolean")})


def test_stack_gives_each_wave_its_own_weights_and_the_later_item_id():
    earlier = _wave([True, True, False, True], [True, None, None, False])
    later = _wave([True, False, True, True], [False, None, True, True], item="ciso_2023")
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso_2023", "wording_changed"),))
    st = change.stack(earlier, later, m)
    assert list(st.columns) == ["kommunkod", "kommungrupp", "N_h", "w", "wave", "ciso"]
    assert st["kommunkod"].tolist() == ["1", "2", "4", "1", "3", "4"]
    assert st["wave"].tolist() == [2019] * 3 + [2023] * 3
    assert st["N_h"].tolist() == [3, 3, 1, 3, 3, 1]
    assert st["w"].tolist() == [1.5, 1.5, 1.0, 1.5, 1.5, 1.0]  # A: 3 of 2 respondents in each wave
    np.testing.assert_array_equal(st["ciso"], [1.0, np.nan, 0.0, 0.0, 1.0, 1.0])


def test_stack_refuses_waves_of_different_or_duplicated_municipalities():
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso", "same"),))
    a = _wave([True] * 4, [True] * 4)
    with pytest.raises(ValueError, match="different municipalities"):
        change.stack(a, a.assign(kommunkod=["1", "2", "3", "5"]), m)
    with pytest.raises(ValueError, match="the later wave has duplicate kommunkod rows"):
        change.stack(a, a.assign(kommunkod=["1", "2", "3", "3"]), m)
