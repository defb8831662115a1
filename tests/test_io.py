"""Reading raw exports: CSV (comma/semicolon, UTF-8 with/without BOM, Windows-1252) and xlsx."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis import io
from analysis.errors import InputError

HEAD = ["Svars-ID", "Kommun", "9. Övriga kommentarer"]
ROWS = [["R1", "Mönsterås", "Bra, men  svårt"], ["R2", "Åre", "NA"], ["R3", "Östra Göinge", ""]]


def _csv_text(sep: str) -> str:
    lines = [sep.join(HEAD)] + [sep.join(f'"{c}"' if sep in c else c for c in r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep):
    path = tmp_path / "export.csv"
    data = _csv_text(sep).encode(encoding)
    path.write_bytes(data)
    df = io.read_export(path)
    assert list(df.columns) == HEAD
    assert df.values.tolist() == ROWS  # å ä ö intact, "NA" is text, "" is blank
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    assert path.read_bytes() == data  # the raw file is never modified


def test_headers_stripped_and_cells_kept_verbatim(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("  Svars-ID , Kommun\n R1 ,  Solna kommun \n", encoding="utf-8")
    df = io.read_export(path)
    assert list(df.columns) == ["Svars-ID", "Kommun"]
    assert df.iloc[0].tolist() == [" R1 ", "  Solna kommun "]


def test_xlsx(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame(ROWS, columns=HEAD).to_excel(path, index=False)
    df = io.read_export(path)
    assert list(df.columns) == HEAD
    assert df.values.tolist() == ROWS


def test_xlsx_numbers_read_as_strings(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame({"Kommunkod": [114, 180], "x": ["a", None]}).to_excel(path, index=False)
    df = io.read_export(path)
    assert df["Kommunkod"].tolist() == ["114", "180"]
    assert df["x"].tolist() == ["a", ""]


@pytest.mark.parametrize(
    "name, data, fragment",
    [
        ("empty.csv", b"", "empty file"),
        ("blank.csv", b"\r\n\r\n", "empty file"),
        ("header.csv", "Svars-ID,Kommun\r\n".encode(), "header only"),
        ("bad.csv", "Svars-ID,Kommun\nR1,M\xf6nster".encode("utf-8") + b"\x81\x8d", "UTF-8 or Windows-1252"),
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


def test_detect_delimiter():
    assert io.detect_delimiter("a;b;c") == ";"
    assert io.detect_delimiter("a,b,c") == ","
    assert io.detect_delimiter('"a;x",b,c') == ","
    assert io.detect_delimiter('"x, y";b;c') == ";"


def test_bom_only_file_is_empty(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputError, match="empty file"):
        io.read_export(p)


def test_xlsx_with_two_sheets_of_content_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Svars-ID", "Kommun"])
    wb.active.append(["R1", "Ale"])
    extra = wb.create_sheet("Sheet2")
    extra.append(["Svars-ID", "Kommun"])
    extra.append(["R2", "Alingsås"])
    p = tmp_path / "two.xlsx"
    wb.save(p)
    with pytest.raises(InputError) as exc:
        io.read_export(p)
    assert "single sheet" in exc.value.message and "'Sheet2'" in exc.value.message
