"""Disclosure control: small cells suppressed, small groups merged for reporting, complementary
suppression, and an audit (linear programming) that no hidden cell can be worked out from what is published.

No published cell may rest on fewer than `min_cell` municipalities, nor be derivable from other cells.

The package, one job a module:
  primary        primary suppression, the national rows of items, reporting groups, SUPPRESSED_CODE
  complementary  secondary suppression of a table, with its own linear audit
  linear         the attacker's linear model (LinearAudit): bounds of a hidden count
  findings       the audit of every published cell read back from the files (its findings)

This module is a facade: it re-exports the modules' public names, so that callers keep
`from analysis.compute import disclosure; disclosure.suppress(...)`.
"""

from __future__ import annotations

from .complementary import complementary_suppression
from .findings import FINDING_COLUMNS, RECORD_COLUMNS, SHOWN_WHEN_SUPPRESSED, audit
from .linear import CAPACITY, GROUPINGS, KINDS, PROTECTED, LinearAudit, derivable, domain_mask, measure
from .primary import SUPPRESSED_CODE, hide_codes, levels, reporting_groups, suppress, suppress_items

__all__ = [
    "CAPACITY", "FINDING_COLUMNS", "GROUPINGS", "KINDS", "PROTECTED", "RECORD_COLUMNS", "SHOWN_WHEN_SUPPRESSED",
    "SUPPRESSED_CODE", "LinearAudit", "audit", "complementary_suppression", "derivable", "domain_mask",
    "hide_codes", "levels", "measure", "reporting_groups", "suppress", "suppress_items",
]
