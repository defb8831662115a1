"""Writing a survey export as a web-survey tool would (the synthetic data source), and workbooks whose
bytes do not depend on when they were saved.
"""

from __future__ import annotations

import datetime as dt
import io as stdio
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .files import atomic_path

if TYPE_CHECKING:
    import pandas as pd

EXPORT_FORMATS = ("csv", "xlsx")


def workbook_bytes(wb, fixed_time: tuple[int, ...] = (2000, 1, 1, 0, 0, 0)) -> bytes:
    """Bytes of an openpyxl Workbook that do not depend on when it was saved.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry; both are pinned
    to `fixed_time`, so the same content gives the same bytes.
    """
    fixed = dt.datetime(*fixed_time)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = stdio.BytesIO()
    wb.save(buf)
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = stdio.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=fixed_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    return out.getvalue()


def export_xlsx_bytes(df: pd.DataFrame, fixed_time: tuple[int, ...]) -> bytes:
    """The export as an xlsx workbook: one sheet "Svar", every cell text (a leading "=" is text)."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy: only an xlsx export needs it

    wb = Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # text starting with "=" is text in the export, not a formula
                cell.data_type = "s"
    wb.properties.creator = "synthetic"
    return workbook_bytes(wb, fixed_time)


def write_export(df: pd.DataFrame, path: str | Path, fmt: str = "csv",
                 fixed_time: tuple[int, ...] = (2019, 6, 1, 0, 0, 0)) -> Path:
    """Write a survey export atomically, as a web-survey tool would: semicolon CSV in UTF-8 with BOM,
    or xlsx (one sheet "Svar", every cell text, `fixed_time` stamped so the bytes are stable)."""
    path = Path(path)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"fmt must be 'csv' or 'xlsx', got {fmt!r}")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            tmp.write_bytes(export_xlsx_bytes(df, fixed_time))
    return path
