"""Table contracts as code: one contract per output file, its columns taken from base/fields.py.

A facade: `from analysis.base import contracts` gives the whole public API. Writers validate before
they write and readers validate what they read; the presentation formats a number from its column's
unit and digits (`unit`, `digits`), never from the column's name; docs/contracts.md is generated here.

- registry: Contract, CONTRACTS and the lookups (contract, columns, unit, meta, digits); no pandas
- validation: the pandera schemas, derived from the fields when first used, and one-line errors
- files: validate, read_table, write_table, validate_json, read_json, write_json
- markdown: contracts_markdown (docs/contracts.md)
"""

from __future__ import annotations

from ..units import NUMERIC_UNITS, UNITS
from .files import read_json, read_table, validate, validate_json, write_json, write_table
from .markdown import contracts_markdown
from .registry import CONTRACTS, Contract, columns, contract, digits, field_of, meta, unit

__all__ = [
    "CONTRACTS", "NUMERIC_UNITS", "UNITS", "Contract", "columns", "contract", "contracts_markdown", "digits",
    "field_of", "meta", "read_json", "read_table", "unit", "validate", "validate_json", "write_json",
    "write_table",
]
