"""compute/clean/columns: headers matched to the codebook, personal and extra columns dropped unread,
and what is read but never stored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute.clean import columns
from analysis.compute.clean.log import CleaningLog

CB = default_codebook()


def test_headers_match_ignoring_case_and_spaces_and_the_rest_is_dropped_and_counted():
    raw = pd.DataFrame({" KOMMUN ": ["Ale", "Bjuv"], "namn": ["Anna A", ""], "Extra fråga": ["x", " "],
                        "Svars-ID": ["R1", "R2"]})
    log = CleaningLog()
    frame, header_of = columns.select(raw, CB, Path("x.csv"), log, scrub=lambda t: t.upper())
    assert frame.columns.tolist() == ["municipality_name", "response_id"]
    assert header_of["municipality_name"] == "KOMMUN" and header_of["ciso"] == CB["ciso"].header
    lg = log.frame()
    assert lg[["action", "column", "count"]].values.tolist() == [
        ["dropped_personal", "respondent_name", 1], ["dropped_extra", "EXTRA FRÅGA", 1]]  # scrubbed header


def test_headers_differing_only_in_case_are_a_repeat():
    raw = pd.DataFrame({"Kommun": ["Ale"], "KOMMUN ": ["Ale"]})
    with pytest.raises(InputError, match="each column header once") as exc:
        columns.select(raw, CB, Path("x.csv"), CleaningLog())
    assert "row 1" in str(exc.value)


def test_what_is_stored_follows_the_codebook():
    stored = {v.id for v in CB.variables if columns.stored(v)}
    assert {"ciso", "ciso_share", "self_rating", "submitted_at", "municipality_name", "municipality_code"} <= stored
    assert not stored & {"response_id", "synthetic_marker", "comment", "respondent_name", "respondent_email"}
    assert {v.id for v in CB.variables if v.not_stored} == {"response_id", "synthetic_marker"}


def test_unstored_columns_are_logged_with_the_codebook_reason():
    frame = pd.DataFrame({"response_id": ["R1", "R2", ""], "comment": ["hej", "", ""]})
    log = CleaningLog()
    columns.log_unstored(frame, CB, {v.id: v.header for v in CB.variables}, 2, log)
    rows = {(a, c): (n, d) for a, c, n, d in log.frame()[["action", "column", "count", "detail"]].values}
    assert rows[("not_stored", "response_id")] == (2, CB["response_id"].not_stored + "; non-blank cells counted")
    assert rows[("dropped_free_text", "comment")][0] == 1
    assert rows[("column_absent", "synthetic_marker")] == (
        2, "optional column 'Datakälla' not in the export -> missing (kept rows)")
