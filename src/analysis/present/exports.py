"""Exports beside the report: the tables as one Excel workbook, and the report printed to PDF by Chromium.

Both are deterministic where the tools allow (the workbook's bytes; Chromium stamps a creation time).
The runner imports this module on its no-op path: openpyxl loads when a workbook is written.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

from ..base import contracts, io, processes

# Chromium flags: headless, and nothing that would reach the network on its own.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
# A fixed timestamp for the workbook's properties and zip entries (deterministic bytes).
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def find_chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        found = shutil.which(c)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf: Path) -> Path | None:
    """Print `html_path` to `pdf` with headless Chromium; None (and a note) without Chromium or
    when printing fails, so the rest of the run is kept."""
    chromium = find_chromium()
    html_path, pdf = Path(html_path), Path(pdf)
    if chromium is None:
        print("note: chromium not found; report.pdf not written (apt-get install chromium)", flush=True)
        return None
    with io.atomic_path(pdf) as tmp:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--print-to-pdf={tmp}", "--no-pdf-header-footer",
               html_path.resolve().as_uri()]
        try:
            r = processes.run(cmd, timeout=180, what="chromium")
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"note: report.pdf not written: chromium failed ({exc})", flush=True)
            return None
        if r.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = (r.stderr or "").strip().splitlines()[-1:] or [""]
            print(f"note: report.pdf not written: chromium exited {r.returncode} {tail[0]}", flush=True)
            return None
    return pdf


# ------------------------------------------------------------------------------- workbook
def _cell_value(v):
    """A table value as a worksheet cell: None for missing, infinity as text, formula-like text neutralised."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType":
        return None
    if isinstance(v, float) and math.isinf(v):
        return str(v)
    return io.neutralise_cell(v.item() if hasattr(v, "item") else v)


def _sheet_name(stem: str, used: set[str]) -> str:
    """A table's sheet name: Excel's forbidden characters replaced, 31 characters, unique."""
    name = re.sub(r"[\[\]:*?/\\]", "_", stem)[:31]
    i = 1
    while name in used:
        i += 1
        name = f"{stem[:28]}_{i}"
    used.add(name)
    return name


def export_workbook(tables_dir: Path) -> Path:
    """tables_dir/tables.xlsx: one sheet per tables/*.csv (sorted, each validated against its
    contract), formula-like text neutralised,
    fixed properties and zip times so the same tables give the same bytes."""
    from openpyxl import Workbook  # noqa: PLC0415 - seconds to import: not on the runner's no-op path
    from openpyxl.styles import Font  # noqa: PLC0415 - with openpyxl, above
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - with openpyxl, above

    tables_dir = Path(tables_dir)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for path in sorted(tables_dir.glob("*.csv")):
        df = contracts.read_table(path.stem, tables_dir.parent)  # every table has a contract
        ws = wb.create_sheet(title=_sheet_name(path.stem, used))
        ws.append([io.neutralise_cell(str(c)) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for j, col in enumerate(df.columns, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, len(str(col)) + 2))
        ws.freeze_panes = "A2"
    if not wb.worksheets:
        wb.create_sheet(title="empty")
    wb.properties.creator = "analysis"
    return io.write_bytes(io.workbook_bytes(wb, FIXED_ZIP_TIME), tables_dir / "tables.xlsx")
