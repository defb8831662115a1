"""present.exports: the workbook holds every table as its CSV does, neutralises formulas and is the same
bytes for the same tables; the PDF is printed by Chromium when it is installed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from analysis.base import contracts, io
from analysis.present import exports
from conftest import HOSTILE


def test_workbook_equals_the_tables_and_neutralises_formulas(small_run, tmp_path):
    import shutil

    import pandas as pd
    from openpyxl import load_workbook

    out = tmp_path / "reports"
    shutil.copytree(small_run["sv"]["output_dir"], out)
    resp = pd.read_csv(out / "tables" / "response.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    resp.loc[resp["grouping"] == "lan_kod", "name"] = HOSTILE[3]
    io.write_csv(resp, out / "tables" / "response.csv", excel=True)
    first = exports.export_workbook(out / "tables").read_bytes()
    wb = load_workbook(out / "tables" / "tables.xlsx")
    assert wb.sheetnames == sorted(p.stem for p in (out / "tables").glob("*.csv"))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    head = contracts.read_table("headline", out)
    ws = wb["headline"]
    col = [c.value for c in ws[1]].index("share_weighted")
    assert [r[col].value for r in ws.iter_rows(min_row=2)] == pytest.approx(head["share_weighted"].tolist())
    with zipfile.ZipFile(out / "tables" / "tables.xlsx") as z:
        assert all("<f>" not in z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
    assert exports.export_workbook(out / "tables").read_bytes() == first  # deterministic


def test_a_folder_without_tables_gives_one_empty_sheet_and_the_same_bytes(tmp_path):
    from openpyxl import load_workbook

    a, b = tmp_path / "a" / "tables", tmp_path / "b" / "tables"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    first = exports.export_workbook(a)
    assert first == a / "tables.xlsx" and load_workbook(first).sheetnames == ["empty"]
    assert exports.export_workbook(b).read_bytes() == first.read_bytes()  # fixed times and properties


def test_print_pdf(small_run, tmp_path):
    html_path = Path(small_run["sv"]["output_dir"]) / "report.html"
    if exports.find_chromium() is None:
        assert exports.print_pdf(html_path, tmp_path / "r.pdf") is None
        pytest.skip("chromium not installed: print_pdf returns None with a note")
    pdf = exports.print_pdf(html_path, tmp_path / "r.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_importing_exports_loads_no_openpyxl():
    """The runner imports present.exports on its no-op path: openpyxl loads when a workbook is written."""
    import subprocess
    import sys

    code = "import sys, analysis.present.exports; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "False"
