"""compute/clean/match: each submission's municipality, by code (leading zero restored) or normalised name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.base.errors import InputError
from analysis.compute.clean import match
from analysis.compute.clean.log import CleaningLog

HEADERS = {"municipality_name": "Kommun", "municipality_code": "Kommunkod"}


def _sorted(register):
    return register.sort_values("kommunkod", ignore_index=True)


def _position(register, code):
    return int(_sorted(register).index[_sorted(register)["kommunkod"] == code][0])


def test_name_keys(register):
    keys = match.name_keys(register)
    assert keys["stockholms"] == keys["stockholm"] == "0180"
    assert keys["mönsterås"] == "0861"
    assert keys[match.normalise_name("Upplands-Väsby kommun")] == "0114"
    assert len(set(keys.values())) == 290


@pytest.mark.parametrize("written, key", [
    ("Upplands-Väsby  kommun", "upplands väsby"), ("MÖNSTERÅS KOMMUN", "mönsterås"),
    ("Östra\u2013Göinge", "östra göinge"), (" Ale ", "ale"), ("Kommun", "kommun"),
])
def test_normalise_name(written, key):
    assert match.normalise_name(written) == key


def test_by_code_else_by_name_and_the_repairs_logged(register):
    frame = pd.DataFrame({"municipality_name": ["Stockholm", "upplands-väsby  kommun", "Solna"],
                          "municipality_code": ["180", "", "0184"]})
    log = CleaningLog()
    got = match.match_municipalities(frame, _sorted(register), HEADERS, Path("x.csv"), log)
    assert got.tolist() == [_position(register, c) for c in ("0180", "0114", "0184")]
    counts = dict(zip(log.frame()["action"], log.frame()["count"], strict=True))
    assert counts == {"matched_by_code": 2, "matched_by_name": 1, "codes_repaired": 1, "names_repaired": 1}


def test_no_code_column_matches_by_name(register):
    frame = pd.DataFrame({"municipality_name": ["Solna kommun", "Ale"]})
    got = match.match_municipalities(frame, _sorted(register), HEADERS, Path("x.csv"), CleaningLog())
    assert got.tolist() == [_position(register, "0184"), _position(register, "1440")]


def test_name_and_code_disagreeing_is_refused_naming_the_rows(register):
    frame = pd.DataFrame({"municipality_name": ["Solna", "Ale", "Sthlm"], "municipality_code": ["0184", "0180", ""]})
    with pytest.raises(InputError) as exc:
        match.match_municipalities(frame, _sorted(register), HEADERS, Path("x.csv"), CleaningLog(), str.upper)
    msg = str(exc.value)
    assert "rows 3, 4" in msg and "columns Kommun, Kommunkod" in msg
    assert "unknown name (1), name and code disagree (1)" in msg and "'ALE'/'0180'" in msg  # shown through scrub
