"""analysis.compute.disclosure.linear: the linear bounds of a hidden count, checked on hand-made
registers where the answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compute.disclosure import linear

R = ("responded", None)


def _units(spec: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """A register from {(kommungrupp, huvudgrupp, lan_kod): number of municipalities}."""
    rows = [k for k, n in spec.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["kommungrupp", "huvudgrupp", "lan_kod"])


def test_a_single_hidden_cell_is_its_total_minus_the_others():
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "01"): 10, ("B3", "B", "02"): 20})
    lp = linear.LinearAudit(units)
    lp.count(R, "all", "all", 30, 30)
    lp.count(R, "kommungrupp", "A2", 9, 9)
    lp.count(R, "kommungrupp", "B3", 18, 18)
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((3, 3))  # 30 - 9 - 18
    assert linear.derivable(lp.bounds(R, "kommungrupp", "A1"))


def test_two_hidden_cells_bound_each_other_by_their_sizes():
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "02"): 10, ("B3", "B", "03"): 20})
    lp = linear.LinearAudit(units)
    lp.count(R, "all", "all", 25, 25)
    lp.count(R, "kommungrupp", "B3", 18, 18)
    # A1 + A2 = 7: A1 in [0, 3], A2 in [4, 7]
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((0, 3))
    assert lp.bounds(R, "kommungrupp", "A2") == pytest.approx((4, 7))
    assert not linear.derivable(lp.bounds(R, "kommungrupp", "A1"))
    # ... unless their total equals their combined size: then both are full
    full = linear.LinearAudit(units)
    full.count(R, "all", "all", 31, 31)
    full.count(R, "kommungrupp", "B3", 18, 18)
    assert full.bounds(R, "kommungrupp", "A1") == pytest.approx((3, 3))


def test_a_count_hidden_in_one_grouping_is_bounded_through_another():
    # counties cut across the groups: A1 is hidden by group, but its only county is shown
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "02"): 10, ("B3", "B", "02"): 20})
    lp = linear.LinearAudit(units)
    lp.count(R, "lan_kod", "01", 2, 2)
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((2, 2))


def test_valid_answers_cannot_exceed_respondents_and_shares_link_yes_to_valid():
    units = _units({("A1", "A", "01"): 4, ("A2", "A", "01"): 6})
    e, y = ("eligible", "ciso"), ("yes", "ciso")
    lp = linear.LinearAudit(units, county_kinds=())
    lp.count(R, "kommungrupp", "A1", 2, 2)
    assert lp.bounds(e, "kommungrupp", "A1") == pytest.approx((0, 2))
    lp.count(e, "all", "all", 8, 8)
    lp.count(e, "kommungrupp", "A2", 6, 6)
    assert lp.bounds(e, "kommungrupp", "A1") == pytest.approx((2, 2))
    lp.ratio(y, e, "kommungrupp", "A2", 0.5, 0.5, {"A1": 1.0, "A2": 1.0})
    lp.count(y, "all", "all", 4, 4)
    assert lp.bounds(y, "kommungrupp", "A1") == pytest.approx((1, 1))  # 4 - 0.5 * 6
    # an unknown weight: the share says nothing
    assert not lp.ratio(y, e, "all", "all", 0.5, 0.5, {"A2": 1.0})


def test_contradictory_numbers_have_no_bounds():
    units = _units({("A1", "A", "01"): 4})
    lp = linear.LinearAudit(units)
    lp.count(R, "all", "all", 5, 5)
    assert lp.bounds(R, "all", "all") is None


def test_a_domain_is_all_a_group_or_a_merged_group():
    units = _units({("A1", "A", "01"): 2, ("A2", "A", "02"): 3, ("B3", "B", "02"): 1})
    assert linear.domain_mask(units, "all", "all").all()
    assert linear.domain_mask(units, "kommungrupp", "A1+A2").tolist() == [True] * 5 + [False]
    assert linear.domain_mask(units, "lan_kod", "02").tolist() == [False] * 2 + [True] * 4
    for grouping, group in (("kommungrupp", "A1+C9"), ("huvudgrupp", "C"), ("kommun", "x")):
        with pytest.raises(KeyError):
            linear.domain_mask(units, grouping, group)


def test_derivable_means_one_whole_number_within_the_bounds():
    assert linear.derivable((3.0, 3.0)) and linear.derivable((2.9999999, 3.0000001))
    assert linear.derivable((2.2, 2.8)) is False  # no whole number: not a count (and not a leak)
    assert not linear.derivable((2.0, 3.0)) and not linear.derivable(None)


def test_measures_are_per_item_for_answers_only():
    assert linear.measure("yes", "ciso") == ("yes", "ciso")
    assert linear.measure("eligible", "ciso") == ("eligible", "ciso")
    assert linear.measure("responded", "ciso") == ("responded", None) == linear.measure("responded")
    assert linear.measure("score", "ciso") == ("score", None)


def test_the_score_is_at_most_seven_per_complete_answer():
    units = _units({("A1", "A", "01"): 4})
    lp = linear.LinearAudit(units, county_kinds=())
    lp.count(("complete", None), "all", "all", 2, 2)
    assert lp.bounds(("score", None), "all", "all") == pytest.approx((0, 14))
    assert lp.domain_size("kommungrupp", "A1") == 4 and list(lp.strata) == ["A1"]
    assert np.isclose(lp.bounds(R, "all", "all")[0], 2)  # two complete answers: at least two responded
