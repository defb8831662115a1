"""Fixtures of the io tests: a small export's header and rows, and a bounded-reading probe."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from analysis.base.errors import InputError

HEAD = ["Svars-ID", "Kommun", "9. Övriga kommentarer"]
ROWS = [["R1", "Mönsterås", "Bra, men  svårt"], ["R2", "Åre", "NA"], ["R3", "Östra Göinge", ""]]


@pytest.fixture
def sample_export() -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a three-row export with å ä ö, a comma, "NA" as text and a blank answer."""
    return list(HEAD), [list(r) for r in ROWS]


def _bounded(fn):
    """Run fn (which must raise InputError); return (message, seconds, peak traced MB)."""
    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(InputError) as exc:
            fn()
        return str(exc.value), time.perf_counter() - t, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.fixture
def bounded():
    """bounded(fn): run fn, which must raise InputError; (message, seconds, peak traced MB)."""
    return _bounded
