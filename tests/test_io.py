"""Reading raw exports: CSV (comma/semicolon, UTF-8 with/without BOM, Windows-1252) and xlsx."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.errors import InputError

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


# ---------------------------------------------------------------------------------------------
# bounded reading: size and row limits, xlsx zip bombs, formulas without a saved value
# ---------------------------------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
       'name="Svar" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _xlsx(path, chunks, prolog=""):
    """A workbook written part by part: sheet1.xml is the chunks (streamed) inside <sheetData>."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="http://schemas.'
                     'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'.encode())
            for chunk in chunks:
                fh.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def _row(r, *cells):
    """<row> of inline-string cells; a cell given as ('f', formula, value) is a formula cell."""
    out = []
    for j, c in enumerate(cells):
        ref = f"{chr(65 + j)}{r}"
        if isinstance(c, tuple):
            v = "" if c[2] is None else f"<v>{c[2]}</v>"
            out.append(f'<c r="{ref}" t="str"><f>{c[1]}</f>{v}</c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{c}</t></is></c>')
    return f'<row r="{r}">{"".join(out)}</row>'


def _bounded(fn):
    """Run fn (which must raise InputError); return (message, seconds, peak traced MB)."""
    import time
    import tracemalloc

    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(InputError) as exc:
            fn()
        return str(exc.value), time.perf_counter() - t, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_limits_default_to_the_parameters(root):
    import yaml

    defaults = yaml.safe_load((root / "params" / "default.yaml").read_text())
    assert io.DEFAULT_MAX_ROWS == defaults["max_rows"] and io.DEFAULT_MAX_INPUT_MB == defaults["max_input_mb"]


def test_csv_row_limit(tmp_path):
    p = tmp_path / "many.csv"
    p.write_text("Svars-ID,Kommun\n" + "R,Ale\n" * 1000, encoding="utf-8")
    assert len(io.read_export(p, max_rows=1000)) == 1000
    msg, _, _ = _bounded(lambda: io.read_export(p, max_rows=999))
    assert str(p) in msg and "at most 999 data rows (parameter max_rows)" in msg and "1,000 data rows" in msg


def test_csv_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "big.csv"
    p.write_text("Svars-ID,Kommun\n" + "R,Ale\n" * 400, encoding="utf-8")  # 2.4 kB
    monkeypatch.setattr(type(p), "read_bytes", lambda self: pytest.fail("read before the size check"))
    msg, _, _ = _bounded(lambda: io.read_export(p, max_input_mb=0.002))
    assert "at most 0.002 MB of CSV text (parameter max_input_mb)" in msg


def test_xlsx_zip_bomb_is_refused_from_its_declared_size(tmp_path):
    # 40 MB of sheet in about 40 kB of zip: refused without inflating it
    block = b"<row><c t=\"inlineStr\"><is><t>" + b"A" * (1 << 20) + b"</t></is></c></row>"
    p = _xlsx(tmp_path / "bomb.xlsx", [_row(1, "Svars-ID"), *([block] * 40)])
    assert p.stat().st_size < 200_000
    msg, seconds, peak_mb = _bounded(lambda: io.read_export(p, max_input_mb=20))
    assert "at most 20 MB of uncompressed content (parameter max_input_mb); found 41.9 MB" in msg
    assert seconds < 2 and peak_mb < 5


def test_xlsx_member_that_lies_about_its_size_is_refused_in_bounded_memory(tmp_path):
    import struct

    block = b"<row><c t=\"inlineStr\"><is><t>" + b"A" * (1 << 20) + b"</t></is></c></row>"
    p = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + block * 30 + b"</sheetData></worksheet>")
    data = bytearray(p.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:  # declare 1000 bytes instead of 31 MB, in the central directory and the local header
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, 1000)
            struct.pack_into("<I", data, struct.unpack_from("<I", data, at + 42)[0] + 22, 1000)
        at = data.find(b"PK\x01\x02", at + 4)
    p.write_bytes(bytes(data))
    msg, seconds, peak_mb = _bounded(lambda: io.read_export(p))
    assert "readable .xlsx" in msg and "CRC" in msg
    assert seconds < 2 and peak_mb < 5


def test_xlsx_row_limit_stops_counting_early(tmp_path):
    rows = "".join(_row(r, f"R{r}", "Ale") for r in range(2, 20_002))
    p = _xlsx(tmp_path / "rows.xlsx", [_row(1, "Svars-ID", "Kommun"), rows])
    msg, seconds, peak_mb = _bounded(lambda: io.read_export(p, max_rows=1000))
    assert "at most 1,000 data rows (parameter max_rows); found more than 1,000 data rows" in msg
    assert seconds < 2 and peak_mb < 10
    assert len(io.read_export(p, max_rows=20_000)) == 20_000


def test_xlsx_formula_without_saved_value_stops_with_row_and_column(tmp_path):
    p = _xlsx(tmp_path / "f.xlsx", [
        _row(1, "Svars-ID", "Kommun", "1. CISO?"),
        _row(2, "R1", "Ale", "Ja"),
        _row(3, "R2", "Alingsås", ("f", 'IF(1=1,"Ja","Nej")', None)),
        _row(4, "R3", "Arboga", ("f", "C2", None)),
    ])
    msg, _, _ = _bounded(lambda: io.read_export(p))
    assert msg.startswith(f"{p}, rows 3, 4, column '1. CISO?': expected a value in every cell")
    assert "2 formula cell(s) without a saved result" in msg


def test_xlsx_formula_written_by_openpyxl_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Svars-ID", "Kommun", "1. CISO?"])
    wb.active.append(["R1", "Ale", '=IF(1=1,"Ja","Nej")'])  # openpyxl saves no result
    p = tmp_path / "openpyxl.xlsx"
    wb.save(p)
    msg, _, _ = _bounded(lambda: io.read_export(p))
    assert "row 2, column '1. CISO?'" in msg and "without a saved result" in msg


def test_xlsx_formula_with_saved_value_is_read_as_that_value(tmp_path):
    p = _xlsx(tmp_path / "cached.xlsx", [
        _row(1, "Svars-ID", "Kommun", "1. CISO?"),
        _row(2, "R1", "Ale", ("f", 'IF(1=1,"Ja","Nej")', "Ja")),
        _row(3, "R2", "Alingsås", ("f", '""', "")),  # a formula whose saved result is empty text
    ])
    df = io.read_export(p)
    assert df["1. CISO?"].tolist() == ["Ja", ""]


def test_xlsx_with_a_dtd_is_refused(tmp_path):
    p = _xlsx(tmp_path / "dtd.xlsx", [_row(1, "a"), _row(2, "b")],
              prolog='<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>')
    msg, _, _ = _bounded(lambda: io.read_export(p))
    assert "no DTD or entity declarations" in msg


# --- write_csv: text and integer frames are formatted by pyarrow, with to_csv's exact bytes -------
_CSV_NASTY = [",", '"', "\n", "\r", "\r\n", ";", "\t", " ", "'", "=1+1", "é", "\u2028", "\x85", "", "a,b", 'say "hi"']


@pytest.mark.parametrize("excel", [False, True])
@pytest.mark.parametrize("text_dtype", ["str", object])
@pytest.mark.parametrize("int_dtype", ["int64", "Int64", "uint8"])
def test_write_csv_fast_path_gives_to_csv_bytes(tmp_path, excel, text_dtype, int_dtype):
    import random

    rng = random.Random(7)
    n = 3000
    cells = [None if rng.random() < 0.1 else "".join(rng.choice(_CSV_NASTY) for _ in range(rng.randint(0, 4)))
             for _ in range(n)]
    counts = pd.Series([i % 97 for i in range(n)], dtype=int_dtype)
    if int_dtype == "Int64":
        counts[::5] = pd.NA
    df = pd.DataFrame({"step": pd.Series(cells, dtype=text_dtype), "count": counts,
                       'odd, "name"': pd.Series(list(reversed(cells)), dtype=text_dtype), "plain": "x"})
    assert io._csv_arrow(df) is not None  # the fast path is the one under test
    io.write_csv(df, tmp_path / "t.csv", excel=excel, neutralise=False)
    expected = df.to_csv(index=False, lineterminator="\n").encode("utf-8-sig" if excel else "utf-8")
    assert (tmp_path / "t.csv").read_bytes() == expected


def test_write_csv_other_frames_go_through_to_csv(tmp_path):
    floats = pd.DataFrame({"a": ["x", "y"], "b": [0.1, float("nan")]})
    one_column = pd.DataFrame({"a": ["", "x"]})  # csv quotes a lone empty field: left to to_csv
    empty = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")})
    for i, df in enumerate((floats, one_column, empty)):
        io.write_csv(df, tmp_path / f"{i}.csv")
        assert (tmp_path / f"{i}.csv").read_bytes() == df.to_csv(index=False, lineterminator="\n").encode()
    assert io._csv_arrow(floats) is None and io._csv_arrow(one_column) is None
