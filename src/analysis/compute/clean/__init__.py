"""Step 01's cleaning of a raw export into the processed data (docs/contracts.md), as a package of stages.

The facade: `clean(raw, register, codebook, source)` and its `CleanResult` (from `stages`), so callers keep
one import (`from analysis.compute import clean; clean.clean(...)`). The stages live in their modules:
parse, columns, schema, mapping, match, dedup, tables, log and scrub (stages.py lists them in order).
"""

from .stages import CleanResult, clean

__all__ = ["CleanResult", "clean"]
