"""Tests of analysis.base.units: every unit has a meaning, decimals, a dtype where numeric, and bounds
that fit it."""

from __future__ import annotations

import pytest

from analysis.base import units


def test_numeric_units_are_those_shown_with_decimals():
    assert {u for u, (_, d) in units.UNITS.items() if d is not None} == units.NUMERIC_UNITS
    assert {"code", "text", "flag", "datetime"}.isdisjoint(units.NUMERIC_UNITS)
    assert units.decimals("proportion") == 1 and units.decimals("odds_ratio") == 2 and units.decimals("code") is None


def test_dtypes_and_bounds_belong_to_known_units():
    assert set(units.DTYPES) <= set(units.UNITS) and set(units.BOUNDS) <= set(units.UNITS)
    assert set(units.BOUNDS) >= units.STRICT_LOWER
    assert units.BOUNDS["proportion"] == (0.0, 1.0) and units.BOUNDS["percent"] == (0.0, 100.0)
    assert all(units.DTYPES[u].startswith(("Float", "Int")) for u in units.NUMERIC_UNITS if u in units.DTYPES)


def test_an_unknown_unit_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown unit 'percentage'; known: proportion, percent"):
        units.check_unit("percentage")
