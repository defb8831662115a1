"""Tests of analysis.base.io.export_writer: an export written as a web-survey tool would, and workbook
bytes that do not depend on when they were saved."""

from __future__ import annotations

import io as stdio
import time
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis.base import io
from analysis.base.io import export_writer

EXPORT = pd.DataFrame({"Svars-ID": ["R1", "R2"], "Kommun": ["Åre", "Ale"], "Kommentar": ["=1+1", ""]})


def test_csv_export_is_semicolon_utf8_with_bom_and_crlf(tmp_path):
    path = export_writer.write_export(EXPORT, tmp_path / "e.csv")
    assert path.read_bytes() == "\ufeffSvars-ID;Kommun;Kommentar\r\nR1;Åre;=1+1\r\nR2;Ale;\r\n".encode()
    assert io.read_export(path).values.tolist() == EXPORT.values.tolist()


def _a_year_later(monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 366 * 86400)  # what openpyxl and zipfile stamp


def test_xlsx_export_is_one_sheet_of_text_and_the_same_bytes_at_any_time(tmp_path, monkeypatch):
    a = export_writer.write_export(EXPORT, tmp_path / "a.xlsx", fmt="xlsx")
    _a_year_later(monkeypatch)
    b = export_writer.write_export(EXPORT, tmp_path / "b.xlsx", fmt="xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["Svar"] and wb["Svar"]["C2"].value == "=1+1" and wb["Svar"]["C2"].data_type == "s"
    assert io.read_export(a).values.tolist() == EXPORT.values.tolist()  # "=1+1" is text, not a formula
    with zipfile.ZipFile(a) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2019, 6, 1, 0, 0, 0)}


def test_workbook_bytes_pin_the_time_and_an_unknown_format_is_refused(tmp_path, monkeypatch):
    def book():
        wb = Workbook()
        wb.active.append(["a", 1])
        return wb

    first = export_writer.workbook_bytes(book())
    _a_year_later(monkeypatch)
    assert export_writer.workbook_bytes(book()) == first
    with zipfile.ZipFile(stdio.BytesIO(first)) as zf:
        assert b"2000-01-01T00:00:00Z" in zf.read("docProps/core.xml")
    with pytest.raises(ValueError, match="fmt must be 'csv' or 'xlsx'"):
        export_writer.write_export(EXPORT, tmp_path / "e.ods", fmt="ods")
