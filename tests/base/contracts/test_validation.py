"""Tests of analysis.base.contracts.validation: the pandera schema derived from a table's fields, and a
broken frame refused in one line naming the row, the column, what was expected and what was found."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.base.contracts import validation
from analysis.base.errors import ContractError
from analysis.base.fields import Field, Table

TABLE = Table({"item": Field("code", "an id", isin=("a", "b")),
               "share": Field("proportion", "a share", nullable=True),
               "or": Field("odds_ratio", "an odds ratio"),
               "n": Field("count", "a count", le=10)},
              name="t", strict=True, ordered=True, coerce=True)
SCHEMA = validation.build_schema(TABLE)


def test_the_schema_carries_dtype_bounds_unit_and_description():
    cols = SCHEMA.columns
    assert [str(cols["share"].dtype), str(cols["n"].dtype)] == ["Float64", "Int64"]
    assert [(c.name, c.statistics) for c in cols["share"].checks] == [
        ("greater_than_or_equal_to", {"min_value": 0.0}), ("less_than_or_equal_to", {"max_value": 1.0})]
    assert [c.name for c in cols["or"].checks] == ["greater_than"]  # an odds ratio is above 0
    assert cols["n"].checks[1].statistics == {"max_value": 10}
    assert cols["share"].metadata == {"unit": "proportion"} and cols["share"].description == "a share"
    assert SCHEMA.strict and SCHEMA.ordered and cols["share"].nullable and not cols["or"].nullable


def test_a_valid_frame_is_coerced_to_the_declared_dtypes():
    df = validation.check_frame(SCHEMA, pd.DataFrame({"item": ["a", "b"], "share": [0.5, None], "or": [0.1, 3],
                                                      "n": [0, 10]}), "t")
    assert str(df["n"].dtype) == "Int64" and str(df["share"].dtype) == "Float64" and df["share"].isna().iloc[1]


@pytest.mark.parametrize("column, value, expected", [
    ("share", 1.7, "less_than_or_equal_to(1.0)"),
    ("or", 0.0, "greater_than(0.0)"),
    ("n", 11, "less_than_or_equal_to(10)"),
    ("item", "c", "isin(['a', 'b'])"),
])
def test_a_broken_cell_is_named_by_its_spreadsheet_row_in_one_line(tmp_path, column, value, expected):
    df = pd.DataFrame({"item": ["a", "b", "a"], "share": [0.5, 0.2, 0.1], "or": [1.0, 2.0, 3.0], "n": [1, 2, 3]})
    df[column] = df[column].astype(object)
    df.loc[1, column] = value
    with pytest.raises(ContractError) as err:
        validation.check_frame(SCHEMA, df, "t", tmp_path / "t.csv")
    assert str(err.value) == f"{tmp_path / 't.csv'}, row 3, column {column!r}: expected {expected} (contract 't'); " \
                             f"found {value!r}"


def test_a_missing_column_is_one_line_too():
    with pytest.raises(ContractError) as err:
        validation.check_frame(SCHEMA, pd.DataFrame({"item": ["a"], "share": [0.5], "or": [1.0]}), "t")
    msg = str(err.value)
    assert msg.startswith("t") and "'n'" in msg and "contract 't'" in msg and "\n" not in msg
