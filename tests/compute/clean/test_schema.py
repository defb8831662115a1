"""compute/clean/schema: the pandera schema built from the codebook, and its failures in one line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute.clean import schema

CB = default_codebook()


def _frame(**cells):
    """A one-row frame of every non-personal variable, valid unless `cells` says otherwise."""
    good = {"response_id": "R1", "started_at": "2019-03-01 09:00", "submitted_at": "2019-03-01 10:00",
            "municipality_name": "Ale", "municipality_code": "1440", "synthetic_marker": "", "ciso_share": "50 %",
            "self_rating": "3", "comment": ""}
    row = {v.id: good.get(v.id, next(iter(v.labels), "")) for v in CB.variables if v.type != "personal"}
    row.update(cells)
    return pd.DataFrame([row]).astype("str")


def _error(frame, scrub=str) -> str:
    with pytest.raises(InputError) as exc:
        schema.validate(frame, CB, {v.id: v.header for v in CB.variables}, Path("x.csv"), scrub)
    return str(exc.value)


def test_expected_texts_come_from_the_codebook_and_the_rule():
    assert schema.range_text(CB["ciso_share"]) == "a number from 0 to 100 (written as 50, '50 %' or '0,5') (or blank)"
    assert schema.range_text(CB["self_rating"]) == "an integer from 1 to 5 (or blank)"
    assert schema.labels_text(CB["ciso"]) == "one of: Ja, Nej, Vet ej (or blank)"


def test_a_valid_row_passes_and_its_values_are_parsed():
    parsed = schema.validate(_frame(), CB, {}, Path("x.csv"))
    assert parsed["ciso_share"]["value"].tolist() == [50.0] and parsed["ciso_share"]["pct"].tolist() == [True]
    assert parsed["self_rating"]["value"].tolist() == [3.0]
    assert parsed["ciso"]["uniq"] == ["ja"]


@pytest.mark.parametrize("var, value, expected", [
    ("ciso_share", "150", "a number from 0 to 100 (written as 50, '50 %' or '0,5') (or blank)"),
    ("self_rating", "3,5", "an integer from 1 to 5 (or blank)"),
    ("submitted_at", "igår", "a date-time such as 2019-03-14 09:30 (ISO 8601)"),
    ("ciso", "Kanske", "one of: Ja, Nej, Vet ej (or blank)"),
])
def test_a_bad_value_gives_one_line_naming_row_column_and_expected(var, value, expected):
    msg = _error(_frame(**{var: value}))
    assert msg == f"x.csv, row 2, column {CB[var].header!r}: expected {expected}; found {value!r}"


def test_values_of_a_not_stored_column_are_never_echoed():
    frame = pd.concat([_frame(), _frame()], ignore_index=True)  # the same response id twice
    msg = _error(frame)
    assert msg == "x.csv, rows 2, 3, column 'Svars-ID': expected unique values (each response id once)"


def test_a_missing_required_column_is_named_by_its_header_and_optional_ones_may_be_absent():
    assert "ciso_share" in schema.validate(_frame().drop(columns=["municipality_code", "synthetic_marker"]), CB, {},
                                           Path("x.csv"))
    msg = _error(_frame().drop(columns=["ciso_share"]))
    assert "row 1" in msg and CB["ciso_share"].header in msg and "required column" in msg


def test_shown_values_pass_through_the_scrubber_and_other_columns_are_named():
    msg = _error(_frame(ciso="Kanske", action_plans="Nja"), scrub=lambda t: "<scrubbed>")
    assert "found '<scrubbed>'; also problems in column(s) " + repr(CB["action_plans"].header) in msg


def test_a_time_column_mixing_offsets_and_none_is_refused():
    frame = pd.concat([_frame(started_at="2019-03-01T09:00+01:00"), _frame(response_id="R2"),
                       _frame(response_id="R3")], ignore_index=True)
    msg = _error(frame)
    assert msg.startswith("x.csv, row 2, column 'Startad': expected every time in the column with a UTC offset")
    assert msg.endswith("found a mix of the two")
