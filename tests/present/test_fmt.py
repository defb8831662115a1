"""present.fmt: numbers formatted from their unit, in Swedish and English, each case worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.present import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize("lang, cases", [
    ("sv", [(0.5893, "proportion", "58,9\u00a0%"), (9.1, "percentage_points", "9,1"), (0.0004, "p_value", "< 0,001"),
            (2.7712, "odds_ratio", "2,77"), (1234, "count", "1\u00a0234"), (2.94, "score", "2,9")]),
    ("en", [(0.5893, "proportion", "58.9%"), (9.1, "percentage_points", "9.1"), (0.0004, "p_value", "< 0.001"),
            (2.7712, "odds_ratio", "2.77"), (1234, "count", "1,234"), (2.94, "score", "2.9")]),
])
def test_units_decide_the_format(lang, cases):
    for value, unit, shown in cases:
        assert fmt.value(value, unit, lang) == shown


@pytest.mark.parametrize("lang, expected", [
    # 0.0315 -> 3.15 % -> 3,2 % (one decimal); 12 345 grouped by a no-break space in Swedish, a comma in
    # English; a year never grouped; p = 0.0214 -> 0,021 (three decimals); -5.7 points; a ratio with two
    # decimals; a coefficient asked with three; a weight with its two
    ("sv", ["3,2\u00a0%", "12\u00a0345", "2019", "0,021", "-5,7", "1,25", "0,815", "4,50"]),
    ("en", ["3.2%", "12,345", "2019", "0.021", "-5.7", "1.25", "0.815", "4.50"]),
])
def test_numbers_by_unit_computed_by_hand(lang, expected):
    shown = [fmt.value(0.0315, "proportion", lang), fmt.value(12345, "count", lang), fmt.value(2019, "year", lang),
             fmt.value(0.0214, "p_value", lang), fmt.value(-5.7, "percentage_points", lang),
             fmt.value(1.25, "odds_ratio", lang), fmt.value(0.815, "coefficient", lang, 3),
             fmt.value(4.5, "weight", lang)]
    assert shown == expected


def test_intervals_carry_one_percent_sign_and_missing_values_show_nothing():
    assert fmt.interval(0.570, 0.607, "proportion", "sv") == f"57,0–60,7{NBSP}%"
    assert fmt.interval(0.570, 0.607, "proportion", "en") == "57.0–60.7%"
    assert fmt.interval(1.064, 4.27, "odds_ratio", "sv") == "1,06–4,27"
    assert fmt.interval(None, 4.27, "odds_ratio", "sv") == ""
    assert fmt.value(float("nan"), "count", "sv") == "" and fmt.value(pd.NA, "proportion", "en") == ""


def test_levels_from_alpha():
    assert fmt.level(0.05, "sv") == f"95{NBSP}%" and fmt.level(0.10, "en") == "90%"
    assert fmt.level(0.005, "sv") == f"99,5{NBSP}%" and fmt.level(0.005, "en") == "99.5%"


def test_isna_knows_every_missing_value():
    assert all(fmt.isna(x) for x in (None, math.nan, np.float64("nan"), pd.NA, pd.NaT))
    assert not any(fmt.isna(x) for x in (0, 0.0, "", "nan", np.int64(3)))


def test_wrong_units_and_counts_are_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        fmt.value(1, "furlongs", "sv")
    with pytest.raises(ValueError, match="whole number"):
        fmt.value(2.5, "count", "sv")
    with pytest.raises(ValueError, match="flags"):
        fmt.value(True, "flag", "sv")
    with pytest.raises(ValueError, match="lang"):
        fmt.value(1, "count", "de")
