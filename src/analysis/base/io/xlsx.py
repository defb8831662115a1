"""An .xlsx export read within bounds: checked from its zip directory and one streamed pass before parsing.

A workbook that is too big, has too many rows, declares a DTD or has formula cells without a saved
value (read as blanks, they would lose answers silently) is refused before openpyxl parses it; the
export must sit on one sheet. Every cell is read as a string.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

from ..errors import InputError
from .limits import DEFAULT_MAX_INPUT_MB, DEFAULT_MAX_ROWS, check_rows, check_size, input_error

if TYPE_CHECKING:
    import pandas as pd

ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
XML_CHUNK = 1 << 20
MAX_ZIP_MEMBERS = 10_000


def column_index(ref: str) -> int:
    """'C5' -> 2 (0-based column of an A1-style cell reference)."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def count_tags(stream, patterns: dict[str, re.Pattern], stop: dict[str, int] | None = None) -> dict[str, int]:
    """Occurrences of each pattern in a byte stream, read in chunks (bounded memory); stops early
    once a count exceeds its `stop` value. Text and attribute values in XML cannot hold '<', so
    a tag pattern counts tags only (a comment or CDATA could only add to a count)."""
    counts = dict.fromkeys(patterns, 0)
    stop = stop or {}
    overlap = 64
    buf = b""
    while True:
        chunk = stream.read(XML_CHUNK)
        buf += chunk
        end = len(buf) if not chunk else max(0, len(buf) - overlap)
        for name, pat in patterns.items():
            counts[name] += sum(1 for m in pat.finditer(buf) if m.start() < end)
        if any(counts[k] > v for k, v in stop.items()) or not chunk:
            return counts
        buf = buf[end:]


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


class SheetScan:
    """One expat pass over a worksheet: formula cells without a saved value, and row 1's cells."""

    def __init__(self) -> None:
        self.uncached: list[tuple[int, int]] = []  # (1-based row, 0-based column)
        self.header: dict[int, tuple[str | None, str]] = {}  # column -> (cell type, raw text)
        self._row = 0
        self._cell: list[Any] | None = None  # [row, col, type, has_formula, value text]
        self._text_target: str | None = None
        self._root: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if self._root is None:
            self._root = tag
        if self._root != "worksheet":
            return
        if tag == "row":
            self._row = int(attrs.get("r", self._row + 1))
        elif tag == "c":
            ref = attrs.get("r", "")
            col = column_index(ref) if ref else (self._cell[1] + 1 if self._cell else 0)
            self._cell = [self._row, col, attrs.get("t"), False, None]
        elif self._cell is not None:
            self._inside_cell(tag)

    def _inside_cell(self, tag: str) -> None:
        if tag == "f":
            self._cell[3] = True
        elif tag in ("v", "t"):
            self._text_target = tag
            if self._cell[4] is None:
                self._cell[4] = ""

    def text(self, data: str) -> None:
        if self._text_target and self._cell is not None and self._root == "worksheet":
            self._cell[4] += data

    def end(self, name: str) -> None:
        tag = _local(name)
        if self._root != "worksheet":
            return
        if tag in ("v", "t"):
            self._text_target = None
        elif tag == "c" and self._cell is not None:
            row, col, typ, formula, value = self._cell
            # no <v> at all, or an empty one where only a text result may be empty
            if formula and (value is None or (value == "" and typ not in ("str", "inlineStr"))):
                self.uncached.append((row, col))
            if row == 1:
                self.header[col] = (typ, value or "")


def expat_pass(stream, handler) -> None:
    """Feed a byte stream to expat in chunks, calling handler.start / end / text."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    while chunk := stream.read(XML_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


class _Strings:
    """expat handler collecting the shared strings with the wanted indices; stops after the last."""

    def __init__(self, wanted: set[int]) -> None:
        self.wanted, self.i, self.inside, self.parts, self.out = wanted, -1, False, [], {}

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "si":
            self.i += 1
            self.parts = []
        self.inside = tag == "t"

    def text(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if tag == "t":
            self.inside = False
        elif tag == "si" and self.i in self.wanted:
            self.out[self.i] = "".join(self.parts)
            if len(self.out) == len(self.wanted):
                raise StopIteration


def shared_strings(zf: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings with the given indices (streamed; stops after the largest)."""
    name = next((n for n in zf.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if name is None or not wanted:
        return {}
    h = _Strings(wanted)
    try:
        with zf.open(name) as fh:
            expat_pass(fh, h)
    except StopIteration:
        pass
    return h.out


def _check_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> None:
    """One part of the workbook: no DTD, at most `max_rows` rows, no formula without a saved result."""
    if info.filename.lower().endswith((".xml", ".rels")):
        with zf.open(info) as fh:
            head = fh.read(4096)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise input_error(path, "an .xlsx workbook (no DTD or entity declarations)",
                              f"a declaration in {info.filename}")
    # every part, whatever its name: the workbook's relationships may name any part a sheet
    with zf.open(info) as fh:
        counts = count_tags(fh, {"rows": ROW_TAG, "formulas": FORMULA_TAG}, stop={"rows": max_rows + 1})
    check_rows(path, counts["rows"] - 1, max_rows, exact=counts["rows"] <= max_rows + 1)
    if counts["formulas"]:
        scan = SheetScan()
        with zf.open(info) as fh:
            expat_pass(fh, scan)
        if scan.uncached:
            uncached_error(path, zf, scan)


def check_xlsx(path: Path, max_rows: int = DEFAULT_MAX_ROWS, max_input_mb: float = DEFAULT_MAX_INPUT_MB) -> None:
    """Refuse, before any parsing, a workbook that is too big, has too many rows, or has formula
    cells without a saved value (read as blanks, they would lose answers silently).

    Uses the zip's declared sizes (Python's zipfile never inflates a member beyond its declared
    size: a member that lies fails its CRC check), then one streamed pass per XML member that
    counts <row> tags and stops as soon as there are too many.
    """
    check_size(path, path.stat().st_size, max_input_mb, "file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise input_error(path, f"an .xlsx workbook (at most {MAX_ZIP_MEMBERS:,} parts)", f"{len(infos):,} parts")
        check_size(path, sum(i.file_size for i in infos), max_input_mb, "uncompressed content")
        try:
            for info in infos:
                _check_member(path, zf, info, max_rows)
        except InputError:
            raise
        except zipfile.BadZipFile as exc:
            raise input_error(path, "a readable .xlsx workbook", f"a damaged zip member ({exc})"[:120]) from None
        except Exception as exc:  # expat errors and the like: a damaged workbook
            raise input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None


def uncached_error(path: Path, zf: zipfile.ZipFile, scan: SheetScan) -> None:
    """Raise the InputError naming the rows and the columns (by their header) of formula cells
    without a saved result."""
    rows = sorted({r for r, _ in scan.uncached})
    cols = sorted({c for _, c in scan.uncached})
    wanted = {int(v) for t, v in (scan.header.get(c, (None, "")) for c in cols) if t == "s" and v.strip().isdigit()}
    strings = shared_strings(zf, wanted)

    def header(c: int) -> str:
        typ, value = scan.header.get(c, (None, ""))
        text = strings.get(int(value), "") if typ == "s" and value.strip().isdigit() else value
        return text.strip() or f"column {c + 1}"

    names = [header(c) for c in cols]
    raise input_error(path, "a value in every cell (a formula's saved result)",
                      f"{len(scan.uncached):,} formula cell(s) without a saved result; open the file in Excel or "
                      "LibreOffice and save it, or export values", rows=rows,
                      columns=names[0] if len(names) == 1 else names[:5] + (["..."] if len(names) > 5 else []))


def read_xlsx(path: Path, max_rows: int = DEFAULT_MAX_ROWS, max_input_mb: float = DEFAULT_MAX_INPUT_MB) -> pd.DataFrame:
    """The export on the workbook's one sheet with content, every cell a string ("" where blank)."""
    import pandas as pd  # noqa: PLC0415 - heavy: the runner's no-op path imports io without pandas

    if not zipfile.is_zipfile(path):
        raise input_error(path, "an .xlsx workbook", "a file that is not a zip-based workbook")
    check_xlsx(path, max_rows, max_input_mb)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, na_filter=False,
                               engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None
    used = {name: df for name, df in sheets.items() if df.shape[1] or len(df)}
    if len(used) > 1:  # never pick one silently: rows on another sheet would be lost
        raise input_error(path, "the export on a single sheet",
                          f"{len(used)} sheets with content: {', '.join(map(repr, used))}")
    return next(iter(used.values()), next(iter(sheets.values())))
