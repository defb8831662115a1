"""Tests of analysis.base.fields: each column declared once, every declaration used, every column of
every table contract declared, and what the steps write is what the contracts declare."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

import pandas as pd
import pytest

from analysis.base import contracts, fields
from analysis.base.codebook import default_codebook
from analysis.base.errors import ContractError
from analysis.base.fields import FIELDS, Field, table

# The two contracts built from the codebook: their columns (one per item) are declared in place.
CODEBOOK_BUILT = {"analysis", "responses"}
TABLES = {n: c for n, c in contracts.CONTRACTS.items() if c.table is not None}
FROM_FIELDS = {n: c for n, c in TABLES.items() if n not in CODEBOOK_BUILT}


def test_each_name_is_declared_in_one_place_only():
    names = [n for part in fields._PARTS for n in part]
    assert len(names) == len(set(names)) == len(FIELDS), sorted({n for n in names if names.count(n) > 1})


def test_every_declared_field_is_used_by_some_contract():
    used = {c for t in FROM_FIELDS.values() for c in t.table.fields}
    assert set(FIELDS) - used == set()


def test_every_column_of_every_table_contract_is_declared_with_its_one_description():
    for name, c in FROM_FIELDS.items():
        for col, f in c.table.fields.items():
            assert col in FIELDS, (name, col)
            assert f.description == FIELDS[col].description, (name, col)
            assert f.required == FIELDS[col].required, (name, col)


def test_a_table_changes_only_what_it_may_override():
    may = set(fields.OVERRIDABLE)
    for name, c in FROM_FIELDS.items():
        for col, f in c.table.fields.items():
            changed = {a.name for a in dataclass_fields(Field) if getattr(f, a.name) != getattr(FIELDS[col], a.name)}
            assert changed <= may, (name, col, changed)
    with pytest.raises(ValueError, match="may override only"):
        FIELDS["ci_low"].override(description="another meaning")


def test_the_same_name_measuring_another_quantity_has_its_own_unit():
    assert contracts.unit("headline", "ci_low") == "proportion"
    assert contracts.unit("models", "ci_low") == "odds_ratio"
    assert contracts.unit("maturity_index", "ci_low") == "score"
    assert contracts.unit("change", "ci_low") == "percentage_points"
    assert contracts.field_of("reliability", "ci_low").bounds == (None, 1)
    assert contracts.field_of("models", "ci_low").strict_lower  # an odds ratio is above 0


def test_codebook_columns_are_declared_in_place_one_per_item():
    analysis = contracts.contract("analysis").table.fields
    cb = default_codebook()
    for v in cb.of_type("ordinal"):
        assert analysis[f"{v.id}_level"].unit == "count"
    assert {c for c in analysis if c.endswith("_dont_know")} == {f"{v.id}_dont_know" for v in cb.variables
                                                                  if v.is_coded}
    assert not set(analysis) & set(FIELDS), "a codebook-built column is also declared in fields.py"


def test_a_table_of_an_undeclared_field_is_refused_at_once():
    with pytest.raises(KeyError, match="no field declared for 'share_weigthed'"):
        table("headline", "item", "share_weigthed")
    with pytest.raises(KeyError, match="overrides for columns it does not have: ci_low"):
        table("t", "item", ci_low={"unit": "score"})


@pytest.mark.parametrize("name", sorted(n for n, c in TABLES.items() if c.table.strict))
def test_write_table_refuses_a_column_its_contract_does_not_declare(tmp_path, name):
    df = pd.DataFrame({c: pd.Series([], dtype=f.type or "object") for c, f in TABLES[name].table.fields.items()})
    df["undeclared"] = pd.Series([], dtype="string")
    with pytest.raises(ContractError, match="undeclared"):
        contracts.write_table(name, df, tmp_path)
    assert not (tmp_path / TABLES[name].path).exists()


def test_every_file_the_steps_write_has_exactly_the_declared_columns(small_run):
    """The real writers: the processed files and every table of a run of 01-03, read back raw."""
    P = small_run["sv"]
    variables = {v.id for v in default_codebook().variables}
    for name, c in TABLES.items():
        path = (P["processed_dir"] if c.home == "processed" else P["output_dir"]) + "/" + c.path
        if c.writer == "05_compare":
            continue  # one wave: the two-wave runs of tests/scenarios/ write these
        written = list(pd.read_parquet(path).columns if path.endswith(".parquet")
                       else pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns)
        declared = contracts.columns(name)
        if c.table.strict:
            assert sorted(written) == sorted(declared), name
        else:  # responses: its declared columns, then the codebook's variables
            assert set(declared) <= set(written) and set(written) - set(declared) <= variables, name
