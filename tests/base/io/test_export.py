"""Tests of analysis.base.io.export: read_export picks the reader by suffix, refuses what is no
export in one line, and passes every header and cell through text_frame."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.errors import InputError
from analysis.base.io import export


def test_headers_stripped_and_cells_kept_verbatim(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("  Svars-ID , Kommun\n R1 ,  Solna kommun \n", encoding="utf-8")
    df = io.read_export(path)
    assert list(df.columns) == ["Svars-ID", "Kommun"]
    assert df.iloc[0].tolist() == [" R1 ", "  Solna kommun "]

@pytest.mark.parametrize(
    "name, data, fragment",
    [
        ("empty.csv", b"", "empty file"),
        ("blank.csv", b"\r\n\r\n", "empty file"),
        ("header.csv", b"Svars-ID,Kommun\r\n", "header only"),
        ("bad.csv", "Svars-ID,Kommun\nR1,M\xf6nster".encode() + b"\x81\x8d", "UTF-8 or Windows-1252"),
        ("doc.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("binary.csv", bytes(range(256)) * 8, "UTF-8 or Windows-1252"),
        ("nul.csv", b"a,b\n" + b"\x00\x01\x02\x03" * 200, "binary"),
        ("utf16.csv", "Svars-ID,Kommun\nR1,Åre\n".encode("utf-16"), "UTF-16"),
        ("report.pdf", b"%PDF-1.4", ".csv or .xlsx"),
        ("export.txt", b"a,b\n1,2\n", ".csv or .xlsx"),
        ("noext", b"a,b\n1,2\n", ".csv or .xlsx"),
        ("fake.xlsx", b"Svars-ID,Kommun\nR1,Are\n", "xlsx"),
        ("dupe.csv", b"Kommun,Kommun \nA,B\n", "each column header once"),
    ],
)
def test_bad_files(tmp_path, name, data, fragment):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        io.read_export(path)
    msg = str(exc.value)
    assert str(path) in msg and fragment in msg
    assert "\n" not in msg and len(msg) < 300

def test_zip_named_csv_and_broken_xlsx(tmp_path):
    z = tmp_path / "archive.csv"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(InputError, match="zip"):
        io.read_export(z)
    x = tmp_path / "archive.xlsx"
    x.write_bytes(z.read_bytes())
    with pytest.raises(InputError, match="readable .xlsx"):
        io.read_export(x)

def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        io.read_export(tmp_path / "nope.csv")


def test_text_frame_makes_every_cell_a_string_and_refuses_headers_that_repeat_once_stripped(tmp_path):
    df = pd.DataFrame({" Kommun ": ["Ale", None], "Antal": [3, None]})
    out = export.text_frame(df, tmp_path / "x.xlsx")
    assert list(out.columns) == ["Kommun", "Antal"]
    assert out.values.tolist() == [["Ale", "3.0"], ["", ""]]  # every cell a str; "" where none was given
    twice = pd.DataFrame([["a", "b"]], columns=["Kommun", "Kommun "])
    with pytest.raises(InputError, match="each column header once; found repeated headers"):
        export.text_frame(twice, tmp_path / "x.xlsx")
