"""Fixtures of the base tests: the public record read with the csv module only."""

from __future__ import annotations

import csv

import pytest


@pytest.fixture(scope="module")
def csv_rows(reference_dir):
    """published_series.csv read with the csv module only (independent of the loader)."""
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
