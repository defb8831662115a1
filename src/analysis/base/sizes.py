"""Sizes in messages and limits, one definition: a megabyte is 10^6 bytes (as the max_input_mb
parameter counts), shown with one decimal."""

from __future__ import annotations

MB = 1_000_000


def megabytes(n_bytes: float) -> str:
    """`n_bytes` as a reader sees it: '12.3 MB' (10^6 bytes, thousands separated)."""
    return f"{n_bytes / MB:,.1f} MB"
