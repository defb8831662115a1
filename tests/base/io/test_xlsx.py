"""Tests of analysis.base.io.xlsx: workbooks read as strings, refused before parsing when too big,
too long, declaring a DTD or holding formulas without a saved value."""

from __future__ import annotations

import struct
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.base import io
from analysis.base.errors import InputError
from analysis.base.io import xlsx


def test_xlsx(tmp_path, sample_export):
    head, rows = sample_export
    path = tmp_path / "export.xlsx"
    pd.DataFrame(rows, columns=head).to_excel(path, index=False)
    df = io.read_export(path)
    assert list(df.columns) == head
    assert df.values.tolist() == rows


def test_xlsx_numbers_read_as_strings(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame({"Kommunkod": [114, 180], "x": ["a", None]}).to_excel(path, index=False)
    df = io.read_export(path)
    assert df["Kommunkod"].tolist() == ["114", "180"]
    assert df["x"].tolist() == ["a", ""]

def test_xlsx_with_two_sheets_of_content_is_refused(tmp_path):
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

def test_xlsx_zip_bomb_is_refused_from_its_declared_size(tmp_path, bounded):
    # 40 MB of sheet in about 40 kB of zip: refused without inflating it
    block = b"<row><c t=\"inlineStr\"><is><t>" + b"A" * (1 << 20) + b"</t></is></c></row>"
    p = _xlsx(tmp_path / "bomb.xlsx", [_row(1, "Svars-ID"), *([block] * 40)])
    assert p.stat().st_size < 200_000
    msg, seconds, peak_mb = bounded(lambda: io.read_export(p, max_input_mb=20))
    assert "at most 20 MB of uncompressed content (parameter max_input_mb); found 41.9 MB" in msg
    assert seconds < 2 and peak_mb < 5

def test_xlsx_member_that_lies_about_its_size_is_refused_in_bounded_memory(tmp_path, bounded):
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
    msg, seconds, peak_mb = bounded(lambda: io.read_export(p))
    assert "readable .xlsx" in msg and "CRC" in msg
    assert seconds < 2 and peak_mb < 5

def test_xlsx_row_limit_stops_counting_early(tmp_path, bounded):
    rows = "".join(_row(r, f"R{r}", "Ale") for r in range(2, 20_002))
    p = _xlsx(tmp_path / "rows.xlsx", [_row(1, "Svars-ID", "Kommun"), rows])
    msg, seconds, peak_mb = bounded(lambda: io.read_export(p, max_rows=1000))
    assert "at most 1,000 data rows (parameter max_rows); found more than 1,000 data rows" in msg
    assert seconds < 2 and peak_mb < 10
    assert len(io.read_export(p, max_rows=20_000)) == 20_000

def test_xlsx_formula_without_saved_value_stops_with_row_and_column(tmp_path, bounded):
    p = _xlsx(tmp_path / "f.xlsx", [
        _row(1, "Svars-ID", "Kommun", "1. CISO?"),
        _row(2, "R1", "Ale", "Ja"),
        _row(3, "R2", "Alingsås", ("f", 'IF(1=1,"Ja","Nej")', None)),
        _row(4, "R3", "Arboga", ("f", "C2", None)),
    ])
    msg, _, _ = bounded(lambda: io.read_export(p))
    assert msg.startswith(f"{p}, rows 3, 4, column '1. CISO?': expected a value in every cell")
    assert "2 formula cell(s) without a saved result" in msg

def test_xlsx_formula_written_by_openpyxl_is_refused(tmp_path, bounded):
    wb = Workbook()
    wb.active.append(["Svars-ID", "Kommun", "1. CISO?"])
    wb.active.append(["R1", "Ale", '=IF(1=1,"Ja","Nej")'])  # openpyxl saves no result
    p = tmp_path / "openpyxl.xlsx"
    wb.save(p)
    msg, _, _ = bounded(lambda: io.read_export(p))
    assert "row 2, column '1. CISO?'" in msg and "without a saved result" in msg

def test_xlsx_formula_with_saved_value_is_read_as_that_value(tmp_path):
    p = _xlsx(tmp_path / "cached.xlsx", [
        _row(1, "Svars-ID", "Kommun", "1. CISO?"),
        _row(2, "R1", "Ale", ("f", 'IF(1=1,"Ja","Nej")', "Ja")),
        _row(3, "R2", "Alingsås", ("f", '""', "")),  # a formula whose saved result is empty text
    ])
    df = io.read_export(p)
    assert df["1. CISO?"].tolist() == ["Ja", ""]

def test_xlsx_with_a_dtd_is_refused(tmp_path, bounded):
    p = _xlsx(tmp_path / "dtd.xlsx", [_row(1, "a"), _row(2, "b")],
              prolog='<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>')
    msg, _, _ = bounded(lambda: io.read_export(p))
    assert "no DTD or entity declarations" in msg


@pytest.mark.parametrize("ref, index", [("A1", 0), ("C5", 2), ("Z9", 25), ("AA10", 26), ("AB1", 27), ("ab3", 27)])
def test_column_index_of_a1_references(ref, index):
    assert xlsx.column_index(ref) == index


def test_count_tags_counts_across_chunk_borders_and_stops_early():
    import io as stdio

    chunk, tag = xlsx.XML_CHUNK, b"<row>"
    starts = [0, 10, chunk - 2, 2 * chunk - 3, 2 * chunk + 100, 3 * chunk - 1]  # two tags cut by a chunk border
    data = bytearray(b"x" * (3 * chunk + 10))
    for at in starts:
        data[at: at + len(tag)] = tag
    assert xlsx.count_tags(stdio.BytesIO(bytes(data)), {"rows": xlsx.ROW_TAG})["rows"] == len(starts)
    stopped = xlsx.count_tags(stdio.BytesIO(bytes(data)), {"rows": xlsx.ROW_TAG}, stop={"rows": 1})["rows"]
    assert stopped == 2  # the two tags of the first chunk, then no further read
