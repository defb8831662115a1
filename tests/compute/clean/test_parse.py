"""compute/clean/parse: labels, numbers under each codebook rule, times with and without a UTC offset,
each parsed once per distinct value."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis.base.codebook import PARSE_RULES
from analysis.compute.clean import parse


def test_share_rule():
    cases = {"50": 0.5, "50 %": 0.5, "50%": 0.5, "0,5": 0.5, "0.5": 0.5, "1": 1.0, "1 %": 0.01,
             "100": 1.0, "0": 0.0, "12,5 %": 0.125, "2": 0.02}
    share = parse.NUMBER_RULES["share"]
    for text, frac in cases.items():
        value, pct, ok = parse.parse_number(text)
        assert ok and share.well_formed(text, value, pct, ok), text
        assert share.stored(np.array([value]), np.array([pct]))[0] == pytest.approx(frac), text


def test_every_rule_the_codebook_may_declare_is_defined():
    assert set(parse.NUMBER_RULES) == set(PARSE_RULES)


@pytest.mark.parametrize("text, value, pct, ok", [
    ("50 %", 50.0, True, True), ("0,5", 0.5, False, True), (" 1 000 ", 1000.0, False, True),
    ("12\u00a0345,5", 12345.5, False, True), (",5", 0.5, False, True), ("-3", -3.0, False, True),
    ("hälften", np.nan, False, False), ("5 %%", np.nan, True, False), ("", np.nan, False, True),
])
def test_parse_number(text, value, pct, ok):
    got = parse.parse_number(text)
    assert got[1:] == (pct, ok)
    assert (np.isnan(got[0]) and np.isnan(value)) or got[0] == value


def test_numbers_under_each_rule():
    s = pd.Series(["3", "3,5", "3 %", "", "75", "x", "3"], index=range(10, 17))
    integer = parse.numbers(s, parse.NUMBER_RULES["integer"])
    assert integer["format_ok"].tolist() == [True, False, False, True, True, False, True]
    assert list(integer["format_ok"].index) == list(s.index)  # looked up by the frame's index
    assert integer["blank"].tolist() == [False, False, False, True, False, False, False]
    share = parse.numbers(s, parse.NUMBER_RULES["share"])
    assert share["format_ok"].tolist() == [True, True, True, True, True, False, True]
    stored = parse.NUMBER_RULES["share"].stored(share["value"], share["pct"])
    np.testing.assert_allclose(stored, [0.03, 0.035, 0.03, np.nan, 0.75, np.nan, 0.03])
    number = parse.numbers(s, parse.NUMBER_RULES["number"])
    assert number["format_ok"].tolist() == [True, True, False, True, True, False, True]  # no % outside a share
    np.testing.assert_array_equal(parse.NUMBER_RULES["number"].stored(number["value"], number["pct"]), number["value"])


def test_log_rows_of_the_share_rule_count_each_case():
    value = np.array([50.0, 75.0, 0.25, np.nan, 1.0])
    pct = np.array([True, False, False, False, False])
    blank = np.array([False, False, False, True, False])
    rows = parse.NUMBER_RULES["share"].log_rows(value, pct, blank)
    assert [(a, n) for a, n, _ in rows] == [("percent_sign", 1), ("percent_no_sign", 1), ("fraction", 2)]
    assert parse.NUMBER_RULES["integer"].log_rows(value, pct, blank) == [
        ("numbers_parsed", 4, "integers parsed (kept rows)")]


def test_labels_are_normalised_once_per_distinct_value():
    s = pd.Series([" Ja", "ja ", "NEJ", "", "Vet ej", "ja"])
    categorical, codes, uniq = parse.labels(s)
    assert uniq == ["ja", "nej", "", "vet ej"]
    assert [uniq[c] for c in codes] == ["ja", "ja", "nej", "", "vet ej", "ja"]
    assert list(categorical) == ["ja", "ja", "nej", "", "vet ej", "ja"]


def test_per_unique_calls_once_per_distinct_value():
    calls = []
    out = parse.per_unique(pd.Series(["a", "b", "a", "a"]), lambda u: calls.append(u) or u.upper())
    assert out.tolist() == ["A", "B", "A", "A"] and calls == ["a", "b"]
    assert parse.per_unique(pd.Series([], dtype=object), str.upper).tolist() == []


def test_times_with_offsets_are_utc_and_a_mix_is_flagged():
    aware = parse.times(pd.Series(["2019-03-31T03:30:00+02:00", "", "2019-03-31T02:45:00+01:00"]))
    assert str(aware["value"].dtype) == "datetime64[us, UTC]"
    assert aware["value"].iloc[2] == pd.Timestamp("2019-03-31 01:45", tz="UTC")
    assert aware["blank"].tolist() == [False, True, False] and not aware["mixed"].any()
    mixed = parse.times(pd.Series(["2019-03-01T09:00+01:00", "2019-03-01 09:00", "2019-03-02 09:00", "igår"]))
    assert mixed["mixed"].tolist() == [True, False, False, False]  # the minority kind; a bad time is not "mixed"
    assert mixed["format_ok"].tolist() == [True, True, True, False]


def test_utc_offset_test_by_pyarrow_equals_python_re():
    """has_utc_offset (RE2 on ASCII cells, Python's re on the others) answers as the pattern does."""
    rng = random.Random(11)

    def pick(*options: str) -> str:
        return rng.choice(options)

    # a time with an offset, nearly: every part sometimes missing, doubled or non-ASCII
    cells = [pick("", "2019-03-14", "2019-03-14T", "x ") + pick("09", "9", "", "٣", "123") + pick(":", "", ".")
             + pick("30", "3", "٣٠") + pick("", ":00", ":00.5", ":00,25", ":0")
             + pick("", " ", "\t", "\x1c", "\x0b", "\u2003", "\u00a0", "  \n")
             + pick("Z", "z", "+02", "-0200", "+02:00", "+2", "+02:0", "UTC", "", "é")
             + pick("", "", "\n", "\n\n", " x")
             for _ in range(20000)]
    cells += ["2019-03-14 09:30", "2019-03-14T09:30+02:00", "2019-03-14T09:30:00.5Z", "09:30 z", "09:30+0200\n",
              "09:30+02\n\n", "٣٣:٣٣Z", "09:30\u2003Z", "09:30\x1cZ", None]
    for dtype in ("str", object):
        s = pd.Series(cells, dtype=dtype)
        expected = s.str.contains(parse.UTC_OFFSET, na=False).to_numpy(dtype=bool)
        assert expected.sum() > 1000 and (~expected).sum() > 1000  # both answers well represented
        np.testing.assert_array_equal(parse.has_utc_offset(s), expected)
