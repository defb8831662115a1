"""Tests of analysis.base.sizes: one megabyte, 10^6 bytes, in every message."""

from analysis.base import sizes


def test_a_megabyte_is_a_million_bytes_shown_with_one_decimal():
    assert sizes.MB == 10**6
    assert sizes.megabytes(41_943_040) == "41.9 MB"  # 40 MiB is 41.9 MB, not 40
    assert sizes.megabytes(64 << 20) == "67.1 MB"
    assert sizes.megabytes(1_234_567_890) == "1,234.6 MB"
