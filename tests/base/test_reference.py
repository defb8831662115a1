"""Tests of analysis.base.reference: the register of the 290 municipalities and the public record,
read and checked, with a one-line InputError naming the row and column of what is wrong."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from analysis.base import reference
from analysis.base.errors import InputError


def test_the_register_has_the_290_municipalities_in_their_groups(register):
    assert len(register) == 290 and register["kommunkod"].is_unique and register["kommunkod"].is_monotonic_increasing
    sthlm = register.set_index("kommunkod").loc["0180"]
    assert (sthlm["kommun"], sthlm["lan_kod"], sthlm["kommungrupp"], sthlm["huvudgrupp"]) == \
        ("Stockholm", "01", "A1", "A")
    assert sthlm["folkmangd"] == 962154  # SCB, 31 Dec 2018
    assert list(register["kommungrupp"].cat.categories) == list(reference.GROUPS)
    sizes = reference.group_sizes(register)
    assert sizes.sum() == 290 and sizes["A1"] == 3  # Stockholm, Göteborg, Malmö


def test_missing_reference_files_are_named(tmp_path, reference_dir):
    assert reference.missing_files(tmp_path) == list(reference.REQUIRED_FILES)
    assert reference.missing_files(reference_dir) == []
    with pytest.raises(InputError, match="expected the municipality register"):
        reference.load_register(tmp_path)


def test_a_register_without_all_290_is_refused(tmp_path, reference_dir):
    df = pd.read_csv(reference_dir / reference.REGISTER_FILE, dtype=str)
    df.iloc[:-1].to_csv(tmp_path / reference.REGISTER_FILE, index=False)
    with pytest.raises(InputError, match="column 'kommunkod': expected 290 unique municipality codes"):
        reference.load_register(tmp_path)


def _series(tmp_path, reference_dir, row: int, **cells):
    df = pd.read_csv(reference_dir / reference.PUBLISHED_SERIES, dtype=str, keep_default_na=False)
    for col, value in cells.items():
        df.loc[row, col] = value
    df.to_csv(tmp_path / reference.PUBLISHED_SERIES, index=False)
    return tmp_path


def test_the_public_record_is_read_with_integer_counts_and_a_comparability_class(reference_dir):
    s = reference.load_published_series(reference_dir)
    assert str(s["wave"].dtype) == "Int64" and str(s["numerator"].dtype) == "Int64"
    first = s.iloc[0]  # MSB/SKL 2015: 175 of 242 had a policy adopted
    assert (first["wave"], first["item"]) == (2015, "policy_adopted")
    assert (first["numerator"], first["denominator"]) == (175, 242)
    assert first["comparability_class"] == "other_item"
    assert reference.published_share(s, 2015, "policy_adopted") == pytest.approx(175 / 242)
    assert reference.published_share(s, 2015, "no_such_item") is None
    tenths = s[s["share_is_rounded_to"] == "x_of_10"].iloc[0]
    assert reference.published_share(s, tenths["wave"], tenths["item"]) == tenths["share"]


@pytest.mark.parametrize("cells, column, expected", [
    ({"numerator": "300"}, "numerator, denominator, share", "0 <= numerator <= denominator"),
    ({"numerator": "x"}, "numerator", "a number"),
    ({"share_is_rounded_to": "percent"}, "share_is_rounded_to", "one of ('count', 'x_of_10')"),
    ({"comparability": "roughly the same"}, "comparability", "a note starting with one of"),
    ({"item": " "}, "wave, item", "a wave and an item id"),
])
def test_a_broken_row_of_the_public_record_is_named(tmp_path, reference_dir, cells, column, expected):
    folder = _series(tmp_path, reference_dir, 1, **cells)
    with pytest.raises(InputError) as exc:
        reference.load_published_series(folder)
    msg = str(exc.value)
    assert msg.startswith(f"{folder / reference.PUBLISHED_SERIES}, row 3, column {column!r}: expected {expected}")


def test_an_x_av_10_share_must_be_whole_tenths_and_a_figure_published_once(tmp_path, reference_dir):
    s = pd.read_csv(reference_dir / reference.PUBLISHED_SERIES, dtype=str, keep_default_na=False)
    row = int(s.index[s["share_is_rounded_to"] == "x_of_10"][0])
    folder = _series(tmp_path, reference_dir, row, share="0.35")
    with pytest.raises(InputError, match=f"row {row + 2}, column 'share': expected a share in whole tenths"):
        reference.load_published_series(folder)
    pd.concat([s, s.iloc[[0]]]).to_csv(tmp_path / reference.PUBLISHED_SERIES, index=False)
    with pytest.raises(InputError, match=f"rows 2, {len(s) + 2}, column 'wave, item': expected one row per wave"):
        reference.load_published_series(tmp_path)


@pytest.mark.parametrize("note, cls", [("The project's own item", "same"), ("close to 2019 ciso", "similar"),
                                       ("near x", "similar"), ("no 2019 item: y", "other_item"), ("other", None)])
def test_comparability_class_reads_the_start_of_the_note(note, cls):
    assert reference.comparability_class(note) == cls


@pytest.fixture
def series(published_series):
    """The public record as loaded (conftest.published_series)."""
    return published_series


def test_public_record_is_loaded_as_published(series, csv_rows):
    assert len(series) == len(csv_rows) == 16
    for r, row in zip(csv_rows, series.itertuples(), strict=True):
        assert (int(r["wave"]), r["item"]) == (row.wave, row.item)
        if r["share_is_rounded_to"] == "count":
            assert (int(r["numerator"]), int(r["denominator"])) == (row.numerator, row.denominator)
        else:
            assert float(r["share"]) == row.share
    cls = dict(zip(zip(series["wave"], series["item"], strict=True), series["comparability_class"], strict=True))
    assert cls[(2015, "ciso")] == "similar" and cls[(2015, "policy_adopted")] == "other_item"
    assert cls[(2019, "ciso")] == cls[(2023, "ciso")] == "same"


@pytest.mark.parametrize("column, value, message", [
    ("share", "0.65", "whole tenths"),
    ("numerator", "300", "numerator <= denominator"),
    ("comparability", "roughly like 2019", "a note starting with"),
    ("share_is_rounded_to", "percent", "share_is_rounded_to"),
])
def test_a_broken_public_record_is_refused_in_one_line(tmp_path, reference_dir, column, value, message):
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    target = 2 if column in ("numerator",) else 5  # a 2015 count row / a 2019 "x av 10" row
    rows[target][column] = value
    with open(tmp_path / "published_series.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(InputError) as err:
        reference.load_published_series(tmp_path)
    msg = err.value.message
    assert "\n" not in msg and "published_series.csv" in msg and f"row {target + 2}" in msg and message in msg
