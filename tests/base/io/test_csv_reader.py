"""Tests of analysis.base.io.csv_reader: CSV exports (comma/semicolon, UTF-8 with/without BOM,
Windows-1252) parsed as strings, within the size and row limits."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.errors import InputError
from analysis.base.io import csv_reader


def _csv_text(head, rows, sep: str) -> str:
    lines = [sep.join(head)] + [sep.join(f'"{c}"' if sep in c else c for c in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep, sample_export):
    head, rows = sample_export
    path = tmp_path / "export.csv"
    data = _csv_text(head, rows, sep).encode(encoding)
    path.write_bytes(data)
    df = io.read_export(path)
    assert list(df.columns) == head
    assert df.values.tolist() == rows  # å ä ö intact, "NA" is text, "" is blank
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    assert path.read_bytes() == data  # the raw file is never modified


def test_bom_only_file_is_empty(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputError, match="empty file"):
        io.read_export(p)


def test_csv_row_limit(tmp_path, bounded):
    p = tmp_path / "many.csv"
    p.write_text("Svars-ID,Kommun\n" + "R,Ale\n" * 1000, encoding="utf-8")
    assert len(io.read_export(p, max_rows=1000)) == 1000
    msg, _, _ = bounded(lambda: io.read_export(p, max_rows=999))
    assert str(p) in msg and "at most 999 data rows (parameter max_rows)" in msg and "1,000 data rows" in msg

def test_csv_size_limit_is_checked_before_reading(tmp_path, monkeypatch, bounded):
    p = tmp_path / "big.csv"
    p.write_text("Svars-ID,Kommun\n" + "R,Ale\n" * 400, encoding="utf-8")  # 2.4 kB
    monkeypatch.setattr(type(p), "read_bytes", lambda self: pytest.fail("read before the size check"))
    msg, _, _ = bounded(lambda: io.read_export(p, max_input_mb=0.002))
    assert "at most 0.002 MB of CSV text (parameter max_input_mb)" in msg


def test_a_row_with_too_many_fields_is_refused_without_echoing_it(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("Svars-ID;Kommun\nR1;Ale\nR2;Alingsås;extra\nR3;Arboga\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        csv_reader.read_csv(p)
    msg = str(exc.value)
    # pyarrow numbers no row when values may hold newlines (newlines_in_values), so none is named
    assert msg.startswith(f"{p}: expected every row with the header's 2 fields (delimiter ';')")
    assert "1 row(s) with a different number of fields" in msg and "extra" not in msg  # no cell echoed


def test_parse_utf8_gives_every_column_as_text_with_blanks_kept():
    df = csv_reader.parse_utf8(b"a,b\n007,\n,x\n", ",", ["a", "b"], None)
    assert df.values.tolist() == [["007", ""], ["", "x"]]  # leading zeros and blanks as written
