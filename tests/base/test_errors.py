"""Tests of analysis.base.errors: what the user sees is one line naming the file, the row(s), the
column(s), what was expected and what was found."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.base.errors import ContractError, InputError, MissingInput, ParamError


def test_input_error_names_file_row_column_expected_and_found():
    e = InputError(Path("data/raw/x.csv"), 5, "Kommun", "a municipality of the register", "'Kommunen'")
    assert str(e) == "data/raw/x.csv, row 5, column 'Kommun': expected a municipality of the register; " \
                     "found 'Kommunen'"
    assert (e.path, e.rows, e.columns, e.expected, e.found) == (Path("data/raw/x.csv"), 5, "Kommun",
                                                                 "a municipality of the register", "'Kommunen'")


def test_several_rows_and_columns_and_what_is_left_out():
    e = InputError("x.csv", [3, 4], ["a", "b"], "one row per municipality")
    assert str(e) == "x.csv, rows 3, 4, columns a, b: expected one row per municipality"
    many = InputError("x.csv", range(2, 16), None, "unique ids", "duplicates")
    assert str(many) == "x.csv, rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 (+4 more): expected unique ids; found duplicates"
    assert str(InputError(None, None, None, "a file")) == "input: expected a file"
    assert "\n" not in str(many)


def test_the_kinds_of_error_are_what_callers_catch():
    assert issubclass(ParamError, ValueError) and issubclass(MissingInput, FileNotFoundError)
    assert issubclass(ContractError, Exception) and not issubclass(ContractError, InputError)
    with pytest.raises(FileNotFoundError, match="run 01_clean first"):
        raise MissingInput("data/processed/2019/analysis.parquet: run 01_clean first")
