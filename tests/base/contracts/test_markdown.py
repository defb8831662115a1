"""Tests of analysis.base.contracts.markdown: docs/contracts.md says each file's writer, readers and
columns, with each column's one description; the committed file is current."""

from __future__ import annotations

from analysis.base import contracts
from analysis.base.fields import FIELDS


def test_every_file_and_column_is_documented_with_its_declaration():
    doc = contracts.contracts_markdown()
    for c in contracts.CONTRACTS.values():
        assert f"### `{c.path}`" in doc
        assert f"Written by {c.writer}; read by {', '.join(c.readers)}." in doc
    assert "| `ci_low` | Float64 | odds_ratio | no | > 0.0 | " + FIELDS["ci_low"].description + " |" in doc
    assert "| `ci_low` | Float64 | coefficient | no | <= 1 | " + FIELDS["ci_low"].description + " |" in doc
    assert "| `data_source` | string[pyarrow] | code | no | in {synthetic, survey} |" in doc \
        or "| `data_source` | string | code | no | in {synthetic, survey} |" in doc
    assert "| `raw_sha256` | SHA-256 of the raw file |" in doc  # a JSON contract's keys
    assert "Other columns may follow (not strict)." in doc  # responses.parquet


def test_the_units_table_lists_every_unit_with_its_decimals():
    doc = contracts.contracts_markdown()
    for u, (meaning, d) in contracts.UNITS.items():
        assert f"| `{u}` | {meaning} | {'' if d is None else d} |" in doc


def test_contracts_document_is_generated_from_the_schemas(root):
    assert (root / "docs" / "contracts.md").read_text(encoding="utf-8") == contracts.contracts_markdown(), \
        "docs/contracts.md is stale: run `.venv/bin/python -m analysis contracts`"
